import Foundation
import PackagePlugin

/// Turns every file in the package's `kernels/` folder (OpenCL C sources and headers) into
/// Swift string constants, so the release binary carries its kernels with no resource bundle.
@main
struct KernelEmbedder: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let kernelsDir = context.package.directoryURL.appending(path: "kernels")
        let names = try FileManager.default.contentsOfDirectory(atPath: kernelsDir.path)
            .filter { $0.hasSuffix(".cl") || $0.hasSuffix(".h") }
            .sorted()
        let inputs = names.map { kernelsDir.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedKernelSources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) OpenCL sources",
                executable: try context.tool(named: "EmbedKernels").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
