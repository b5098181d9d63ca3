@preconcurrency import Dispatch
import Foundation
import KubeStandin

/// `kube-standin --port N --dir D [--forbid NAMESPACE]…`: the Kubernetes API stand-in on its
/// own, serving 127.0.0.1:N with its objects under D, until it is stopped (SIGINT or SIGTERM).
/// It writes a kubeconfig for itself to D/kubeconfig.
@main
struct KubeStandinMain {
    static func main() async throws {
        var arguments = CommandLine.arguments.dropFirst()
        var port = 0
        var directory: String? = nil
        var forbidden: Set<String> = []
        while let argument = arguments.popFirst() {
            switch argument {
            case "--port": port = arguments.popFirst().flatMap { Int($0) } ?? -1
            case "--dir": directory = arguments.popFirst()
            case "--forbid": forbidden.insert(arguments.popFirst() ?? "")
            default:
                FileHandle.standardError.write(Data("usage: kube-standin --port N --dir D [--forbid NAMESPACE]…\n".utf8))
                exit(2)
            }
        }
        guard let directory, port >= 0 else {
            FileHandle.standardError.write(Data("usage: kube-standin --port N --dir D [--forbid NAMESPACE]…\n".utf8))
            exit(2)
        }
        let url = URL(fileURLWithPath: directory)
        let standin = try await KubeStandin(directory: url, port: port, forbiddenNamespaces: forbidden)
        FileHandle.standardOutput.write(Data("kube-standin: serving \(standin.server); kubeconfig: \(standin.kubeconfig.path)\n".utf8))
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGINT, SIGTERM].map { number in
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        for await _ in signals { break }
        sources.forEach { $0.cancel() }
        await standin.stop()
    }
}
