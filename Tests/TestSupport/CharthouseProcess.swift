import AsyncHTTPClient
public import Foundation

#if canImport(Glibc)
import Glibc
import NIOHTTP1
import NIOCore
#endif

/// The real `charthouse` executable, run as users run it: `serve` as a child process, client
/// commands one by one with their own config file.
/// `@unchecked Sendable`: all stored properties are `let`s set in `init`; `Process` is only
/// signalled and polled (`isRunning`, `terminationStatus`, `waitUntilExit`), which are thread-safe.
public final class CharthouseProcess: @unchecked Sendable {
    public let port: Int
    public let dataDirectory: URL
    public let configFile: URL
    public var serverURL: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let stdoutFile: URL
    private let stderrFile: URL

    /// The built `charthouse` binary, found beside the test bundle.
    public static func executable() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("charthouse").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw PeerError("the charthouse executable was not built next to the tests (run `swift build --build-tests`)")
    }

    /// Starts `charthouse serve` on `port` (default: a free one) and waits until `/healthz` answers.
    public init(dataDirectory: URL, port: Int? = nil, environment: [String: String] = [:], extraArguments: [String] = []) async throws {
        self.port = try port ?? FreePort.next()
        self.dataDirectory = dataDirectory
        self.configFile = dataDirectory.deletingLastPathComponent().appendingPathComponent("client-\(UUID().uuidString).json")
        stdoutFile = dataDirectory.deletingLastPathComponent().appendingPathComponent("serve-\(UUID().uuidString).out")
        stderrFile = dataDirectory.deletingLastPathComponent().appendingPathComponent("serve-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.executable())
        process.arguments = ["serve", "--port", "\(self.port)", "--data-dir", dataDirectory.path, "--bcrypt-cost", "4"] + extraArguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTHOUSE_") }
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if !process.isRunning { throw PeerError("charthouse serve exited \(process.terminationStatus): \(stderr)") }
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: serverURL + "/healthz"), timeout: .seconds(2)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw PeerError("charthouse serve did not answer /healthz: \(stderr)")
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    public var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and returns the exit status once the server has shut down.
    public func terminate() async throws -> Int32 {
        Glibc.kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else { throw PeerError("charthouse serve ignored SIGTERM") }
        return process.terminationStatus
    }

    /// Kills the server with SIGKILL: no graceful shutdown, as in a crash.
    public func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// ``run(_:stdin:environment:)`` off the cooperative threads, for tests whose peers (a
    /// stand-in the command's work needs) run in the test process.
    public func runDetached(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> Shell.Result {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTHOUSE_") }
        env["CHARTHOUSE_CONFIG"] = configFile.path
        env.merge(environment) { _, new in new }
        return try await Shell.runDetached([try Self.executable()] + arguments, environment: env, stdin: stdin, check: false)
    }

    /// Runs a client command against this server with its own config file.
    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Shell.Result {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHARTHOUSE_") }
        env["CHARTHOUSE_CONFIG"] = configFile.path
        env.merge(environment) { _, new in new }
        return try Shell.run([try Self.executable()] + arguments, environment: env, stdin: stdin, check: false)
    }
}
