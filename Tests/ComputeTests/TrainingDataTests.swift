import Learning
import XCTest

/// Class counts come from the labels only when those are 0..K−1 (issue 23.6).
final class TrainingDataTests: XCTestCase {
    func testInferredClassesMustBeContiguous() throws {
        let x = [Float](repeating: 0.5, count: 6)
        XCTAssertEqual(try Dataset(samples: x, labels: [0, 2, 1, 2, 0, 1], sampleShape: [1], name: "ok").classes, 3)
        XCTAssertThrowsError(try Dataset(samples: x, labels: [0, 1, 1_000_000, 1, 0, 2], sampleShape: [1], name: "y.npy")) { e in
            XCTAssertTrue("\(e)".contains("the labels are not the classes 0..3: 1000000 lies outside (4 distinct labels)"), "\(e)")
        }
        XCTAssertThrowsError(try Dataset(samples: x, labels: [0, 3, 3, 0, 0, 3], sampleShape: [1], name: "y.npy")) { e in
            XCTAssertTrue("\(e)".contains("0..1: 3 lies outside"), "\(e)")
        }
        // An explicit class count admits absent classes.
        XCTAssertEqual(try Dataset(samples: x, labels: [0, 3, 3, 0, 0, 3], sampleShape: [1], classes: 10, name: "y").classes, 10)
    }
}
