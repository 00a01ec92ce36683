import ArgumentParser
import GPURunApp
import Compute
import Foundation

extension TextureFamily: ExpressibleByArgument {}

struct BackgroundsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backgrounds",
        abstract: "Write a cluttered training set and the four Backgrounds-Challenge test sets of an image data set as .npy.",
        discussion: """
            Each image's foreground is the pixels above --threshold (raw intensity) dilated by --dilation pixels; an \
            image without one is refused. Training image i gets the procedural background (noise, grating, \
            checkerboard or a crop of another image) drawn from Philox unit i of stream 10 under --seed; test image i \
            unit 2³² + i. The test sets: ORIGINAL (the cluttered test set), ONLY_FG (background black), MIXED_SAME \
            (the background of another test image of the same class), MIXED_RAND (of one of another class); the \
            robustness gap is acc(MIXED_SAME) − acc(MIXED_RAND) (docs/backgrounds.md BG1–BG12). Writes X.npy, y.npy \
            (cluttered training set), X_test.npy, y_test.npy (ORIGINAL), so that `train --data npy:DIR` trains on them, \
            and only-fg.npy, mixed-same.npy, mixed-rand.npy, the donors, masks and families, contact-sheet.svg (the first 8 images of each set) and backgrounds.json.
            """)

    @Option(help: "fashion-mnist (the default), fashion-mnist:DIR or npy:DIR of [n, H, W] or [n, C, H, W] images.")
    var data: String?
    @Option(name: .customLong("fashion-mnist-dir"), help: "Folder of the Fashion-MNIST .gz files (default: \(DataSource.fashionMNISTDefault)).")
    var fashionMNISTDir: String?
    @Option(help: "The folder to write (created if needed).") var output: String
    @Option(help: "Philox seed of the backgrounds and the mixed sets' partners (default 1).") var seed: UInt64 = 1
    @Option(name: .customLong("train-limit"), help: "Use only the first N training images.") var trainLimit: Int?
    @Option(name: .customLong("test-limit"), help: "Use only the first N test images.") var testLimit: Int?
    @Option(help: "Foreground threshold τ on the raw intensity (default 0.05).") var threshold: Float = ForegroundMask.standard.threshold
    @Option(help: "Foreground dilation in pixels (default 1).") var dilation: Int = ForegroundMask.standard.dilation
    @Option(name: .customLong("class-tie"), help: "Probability ρ that an image gets its class's texture family (default 0: independent of the class).")
    var classTie: Double = 0
    @Option(help: "Texture families, comma-separated: noise, grating, checkerboard, crop (default all).", transform: CommaList.parse)
    var families: CommaList<TextureFamily>?
    @Flag(help: "Print the report as JSON on stdout.") var json = false

    func run() throws {
        let source = try wrap { try DataSource(parsing: data ?? "fashion-mnist", fashionMNISTDirectory: fashionMNISTDir) }
        let spec = ClutterSpec(families: families?.values ?? TextureFamily.allCases, classTie: classTie,
                               mask: ForegroundMask(threshold: threshold, dilation: dilation))
        let settings = BackgroundsJob.Settings(data: source.description, output: URL(fileURLWithPath: output), seed: seed,
                                               trainLimit: trainLimit, testLimit: testLimit, spec: spec)
        let report = try usageErrors { try BackgroundsJob.run(settings, loading: { Output.note("loading \($0)...") }) }
        if json { return try Output.json(report) }
        print("\(report.trainCount) cluttered training images and 4 × \(report.testCount) test images \(report.sampleShape) in \(output)")
        print("training families: " + report.trainFamilies.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}
