// swift-tools-version:6.0
import PackageDescription

// Layers, each importing only those below it (Tests/ComputeTests/LayeringTests.swift checks):
//   OpenCLRuntime  handles, program cache, typed kernel launchers (kernels/*.cl embedded)
//   Compute        tensors, the CPU and OpenCL backends, op families (GEMM, conv, pooling,
//                  normalisation, elementwise, random), validation, npy/SVG writers
//   Dynamics       recurrent models, integrators, Lyapunov spectra, theory, ensembles, ridge
//   Learning       layers, optimisers, data, training
//   InformationBottleneck  Gaussian and discrete IB
//   GPURunApp      what the tool adds: command entry points, sweeps, benchmarks, output files
//   gpurun         the thin executable: typed options, one entry point per command, printing
let package = Package(
    name: "gpurun",
    products: [
        .executable(name: "gpurun", targets: ["gpurun"]),
        .library(name: "Compute", targets: ["Compute"]),
        .library(name: "Dynamics", targets: ["Dynamics"]),
        .library(name: "Learning", targets: ["Learning"]),
        .library(name: "InformationBottleneck", targets: ["InformationBottleneck"]),
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

        .target(name: "OpenCLRuntime", dependencies: ["COpenCL"], exclude: ["README.md"], plugins: ["KernelEmbedder"]),
        .target(
            name: "Compute",
            dependencies: ["OpenCLRuntime", "COpenCL", "CBLAS", "CZlib", .product(name: "Numerics", package: "swift-numerics")],
            exclude: ["README.md"]),
        .target(name: "Dynamics", dependencies: ["Compute", "OpenCLRuntime", "COpenCL", "CBLAS", .product(name: "Numerics", package: "swift-numerics")],
                exclude: ["README.md"]),
        .target(name: "Learning", dependencies: ["Compute", "OpenCLRuntime", "CZlib"], exclude: ["README.md"]),
        .target(name: "InformationBottleneck", dependencies: ["Compute", "OpenCLRuntime", "COpenCL", "CBLAS"], exclude: ["README.md"]),
        .target(name: "GPURunApp", dependencies: ["Compute", "Dynamics", "Learning", "InformationBottleneck", "OpenCLRuntime"],
                exclude: ["README.md"]),
        .executableTarget(
            name: "gpurun",
            dependencies: ["GPURunApp", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            exclude: ["README.md"]),

        .testTarget(
            name: "ComputeTests",
            dependencies: ["Compute", "Dynamics", "Learning", "InformationBottleneck", "GPURunApp", "OpenCLRuntime"],
            exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["GPURunApp"]),
    ],
    swiftLanguageModes: [.v6]
)
