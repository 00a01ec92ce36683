import Compute
import Learning
import Foundation

/// A grey-level SVG of the first images of several sets, one labelled row per set: each pixel
/// row drawn as runs of equal grey (values clamped to [0, 1]; the first channel of colour images).
enum ContactSheet {
    static func svg(_ rows: [(label: String, set: Dataset)], perRow: Int = 8, scale: Int = 3) -> String {
        let (h, w) = (rows[0].set.sampleShape[1], rows[0].set.sampleShape[2])
        let labelWidth = 90, gap = 4, cellW = w * scale + gap, cellH = h * scale + gap
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + perRow * cellW)\" height=\"\(rows.count * cellH)\" "
            + "shape-rendering=\"crispEdges\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
        for (r, row) in rows.enumerated() {
            let top = r * cellH
            out += "<text x=\"4\" y=\"\(top + cellH / 2)\" font-family=\"sans-serif\" font-size=\"12\">\(row.label)</text>\n"
            for i in 0..<min(perRow, row.set.count) {
                out += "<g class=\"image\" transform=\"translate(\(labelWidth + i * cellW),\(top))\">"
                let base = i * row.set.sampleSize
                for y in 0..<h {
                    var x = 0
                    while x < w {
                        let level = grey(row.set.samples[base + y * w + x])
                        var end = x + 1
                        while end < w, grey(row.set.samples[base + y * w + end]) == level { end += 1 }
                        out += "<rect x=\"\(x * scale)\" y=\"\(y * scale)\" width=\"\((end - x) * scale)\" height=\"\(scale)\" "
                            + "fill=\"rgb(\(level),\(level),\(level))\"/>"
                        x = end
                    }
                }
                out += "</g>\n"
            }
        }
        return out + "</svg>\n"
    }

    static func grey(_ v: Float) -> Int { Int((min(max(v, 0), 1) * 255).rounded()) }
}
