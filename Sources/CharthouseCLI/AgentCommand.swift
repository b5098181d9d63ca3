import ArgumentParser
import CharthouseAgent
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `charthouse agent`: the agent that runs inside a tenant cluster (or beside it, with
/// `--kubeconfig`), deploying the profile attached to its cluster with the real helm.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the in-cluster agent: pull the attached profile's charts, verify them, install them with helm, report.",
        discussion: "Inside a cluster it uses the pod's service account; elsewhere pass --kubeconfig. It runs until SIGTERM or SIGINT."
    )

    @Option(help: "The Charthouse server URL. [env: CHARTHOUSE_SERVER]") var server: String?
    @Option(help: "The cluster's registration token (chr_…). [env: CHARTHOUSE_AGENT_TOKEN]") var token: String?
    @Option(help: "A file holding the registration token (the manifest mounts one).") var tokenFile: String?
    @Option(help: "A kubeconfig for the cluster (default: in-cluster service account).") var kubeconfig: String?
    @Option(help: "The kubeconfig context.") var kubeContext: String?
    @Option(help: "The helm binary (helm 3.8+ or 4).") var helm: String = "helm"
    @Option(help: "Where the agent keeps its state.") var stateDir: String = "./charthouse-agent"
    @Option(help: "helm --timeout for each install, in seconds.") var helmTimeout: Int = 300
    @Option(help: "Seconds a long poll of the desired state waits.") var pollSeconds: Int = 30
    @Option(help: "Seconds between reports of the cluster's Helm releases.") var discoverySeconds: Int = 60
    @Option(help: "First retry delay after a failure, in seconds (doubles up to 300).") var retrySeconds: Double = 5
    @Option(help: "trace, debug, info, notice, warning or error.") var logLevel: String = "info"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let serverText = server ?? environment["CHARTHOUSE_SERVER"], let url = URL(string: serverText), url.scheme != nil else {
            throw ValidationError("give --server URL (or CHARTHOUSE_SERVER)")
        }
        var registration = token ?? environment["CHARTHOUSE_AGENT_TOKEN"]
        if registration == nil, let tokenFile {
            registration = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let registration, !registration.isEmpty else { throw ValidationError("give --token, --token-file or CHARTHOUSE_AGENT_TOKEN") }
        guard (1...3600).contains(pollSeconds), (5...86_400).contains(discoverySeconds), (1...86_400).contains(helmTimeout) else {
            throw ValidationError("--poll-seconds 1–3600, --discovery-seconds 5–86400, --helm-timeout 1–86400")
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: \(logLevel) is not a level") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let settings = AgentSettings(
            server: url,
            registrationToken: registration,
            kubeconfig: kubeconfig,
            kubeContext: kubeContext,
            helm: helm,
            stateDirectory: URL(fileURLWithPath: stateDir),
            helmTimeoutSeconds: helmTimeout,
            pollSeconds: pollSeconds,
            discoverySeconds: discoverySeconds,
            retryBaseSeconds: retrySeconds,
            version: CharthouseCommand.version
        )
        let agent = try Agent(settings: settings, logger: Logger(label: "charthouse-agent"))
        let task = Task { try await agent.run() }
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        try await task.value
    }
}
