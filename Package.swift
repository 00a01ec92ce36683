// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "gpurun",
    products: [
        .executable(name: "gpurun", targets: ["gpurun"]),
        .library(name: "Compute", targets: ["Compute"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // C libraries, found through pkg-less system modules (Debian paths).
        .systemLibrary(
            name: "COpenCL", path: "Sources/COpenCL",
            providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers", "libclblast-dev", "pocl-opencl-icd"])]),
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),

        // kernels/*.cl -> Swift string constants at build time.
        .executableTarget(name: "EmbedKernels", path: "Sources/EmbedKernels"),
        .plugin(name: "KernelEmbedder", capability: .buildTool(), dependencies: ["EmbedKernels"]),

        .target(name: "Kernels", dependencies: ["COpenCL"], plugins: ["KernelEmbedder"]),
        .target(
            name: "Compute",
            dependencies: [
                "COpenCL", "CBLAS", "CZlib", "Kernels",
                .product(name: "Numerics", package: "swift-numerics"),
            ],
            // Optimised in debug builds too: the training tests run whole epochs through the CPU
            // engine's Swift loops (im2col, pooling, BatchNorm), about 30x slower at -Onone.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .executableTarget(
            name: "gpurun",
            dependencies: ["Compute", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        .testTarget(name: "ComputeTests", dependencies: ["Compute", "Kernels"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["Compute"]),
    ],
    swiftLanguageModes: [.v6]
)
