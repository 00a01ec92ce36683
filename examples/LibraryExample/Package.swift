// swift-tools-version:6.0
// A package that uses gpurun's libraries, as a researcher's own project would
// (README "Using the library"; scripts/test-library-use.sh builds and runs it).
import PackageDescription

let package = Package(
    name: "LibraryExample",
    dependencies: [.package(name: "gpurun", path: "../..")],
    targets: [
        .executableTarget(
            name: "LibraryExample",
            dependencies: [.product(name: "Compute", package: "gpurun"), .product(name: "Dynamics", package: "gpurun"),
                          .product(name: "Learning", package: "gpurun")]),
    ],
    swiftLanguageModes: [.v6]
)
