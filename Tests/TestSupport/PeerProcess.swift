public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A server process started for tests, which never outlives the test run.
///
/// The command runs under a small shell watchdog: when the test process dies (even by a crash),
/// the watchdog sends the peer its stop signal, waits for it, and removes the peer's scratch
/// directory. ``stop()`` does the same on purpose.
///
/// `@unchecked Sendable`: every stored property is a `let` set in `init`, and the only `Process`
/// members used afterwards (`isRunning`, `waitUntilExit`) are safe to call from any thread.
public final class PeerProcess: @unchecked Sendable {
    public let name: String
    private let wrapper: Process
    private let pidFile: URL
    private let stopSignal: Int32

    /// Starts `command` (`[executable, args…]`); `user` runs it as another account when we are root.
    public init(
        name: String,
        command: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        user: String? = nil,
        stopSignal: Int32 = SIGTERM,
        scratchDirectory: URL? = nil,
        logFile: URL
    ) throws {
        self.name = name
        self.stopSignal = stopSignal
        self.pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("peer-\(UUID().uuidString).pid")
        var argv = command
        if let user, getuid() == 0 { argv = ["setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--"] + argv }
        let script = """
            "$@" >>"$PEER_LOG" 2>&1 &
            child=$!
            echo "$child" > "$PEER_PIDFILE"
            while kill -0 "$PEER_PARENT" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
            kill -\(stopSignal) "$child" 2>/dev/null
            wait "$child"
            status=$?
            [ -n "$PEER_SCRATCH" ] && rm -rf "$PEER_SCRATCH"
            exit $status
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, "sh"] + argv
        var env = environment
        env["PEER_LOG"] = logFile.path
        env["PEER_PIDFILE"] = pidFile.path
        env["PEER_PARENT"] = String(getpid())
        env["PEER_SCRATCH"] = scratchDirectory?.path ?? ""
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.wrapper = process
    }

    public var isRunning: Bool { wrapper.isRunning }

    /// Sends the stop signal and waits for the peer and its watchdog to end.
    public func stop() {
        if let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, stopSignal)
        }
        wrapper.waitUntilExit()
        try? FileManager.default.removeItem(at: pidFile)
    }
}
