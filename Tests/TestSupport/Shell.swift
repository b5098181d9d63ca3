public import Foundation

/// Runs short commands and reports their output; failures throw with the command's stderr.
public enum Shell {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    @discardableResult
    public static func run(
        _ command: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        stdin: String? = nil,
        check: Bool = true
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = environment
        // Output goes to files, not pipes: a pipe's write end inherited by another child spawned at
        // the same moment (tests run in parallel) would keep us waiting for an end of file that
        // only comes when that other child exits, and a peer server lives for a whole test.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("charthouse-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outFile = folder.appendingPathComponent("stdout")
        let errFile = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outFile.path, contents: nil)
        FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let out = try FileHandle(forWritingTo: outFile)
        let err = try FileHandle(forWritingTo: errFile)
        defer {
            try? out.close()
            try? err.close()
        }
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        let result = Result(
            status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: outFile)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: errFile)) ?? Data(), as: UTF8.self)
        )
        if check, result.status != 0 {
            throw PeerError("`\(command.joined(separator: " "))` exited \(result.status): \(result.stderr)")
        }
        return result
    }

    /// ``run(_:environment:stdin:check:)`` on a thread of its own, for clients of the in-process
    /// test server: waiting for the process on one of Swift's few cooperative threads could leave
    /// none to serve its requests.
    @discardableResult
    public static func runDetached(
        _ command: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        stdin: String? = nil,
        check: Bool = true
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Swift.Result { try run(command, environment: environment, stdin: stdin, check: check) })
            }.start()
        }
    }

    /// The full path of `tool` on PATH, or a loud failure naming the script that installs it.
    public static func require(_ tool: String, paths: [String] = []) throws -> String {
        for directory in paths + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(tool).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw PeerError("\(tool) is not installed: run ./scripts/install-deps (tests never skip a missing peer)")
    }
}
