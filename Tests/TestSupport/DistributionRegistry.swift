import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CNCF distribution (Debian's `docker-registry`), a real OCI registry, with optional htpasswd
/// basic auth; on 127.0.0.1, a free port, filesystem storage in a scratch directory.
public final class DistributionRegistry: Sendable {
    public let port: Int
    public let credentials: Credentials?
    /// The self-signed certificate when the registry speaks TLS.
    public let tls: SelfSignedCertificate?
    private let process: PeerProcess
    private let logFile: URL
    /// `HOST:PORT`, as helm and skopeo name the registry.
    public var host: String { "127.0.0.1:\(port)" }
    public var baseURL: String { "\(tls == nil ? "http" : "https")://\(host)" }

    /// Starts a registry: open, with htpasswd `credentials`, or with token authentication through
    /// `tokenServer`; with `accessLog`, every request is logged (see `requestsWithUserAgents`).
    public init(credentials: Credentials? = nil, tokenServer: TokenAuthServer? = nil, useTLS: Bool = false, accessLog: Bool = false) async throws {
        let binary = try Shell.require("docker-registry", paths: ["/usr/bin"])
        let directory = try ScratchDirectory.make("charthouse-registry")
        self.port = try FreePort.next()
        self.credentials = credentials
        let tls = useTLS ? try SelfSignedCertificate.make(in: directory) : nil
        self.tls = tls
        var auth = ""
        if let credentials {
            let file = directory.appendingPathComponent("htpasswd")
            try credentials.writeHtpasswd(to: file, bcrypt: true)
            auth = """
                auth:
                  htpasswd:
                    realm: charthouse-test
                    path: \(file.path)
                """
        }
        if let tokenServer {
            auth = """
                auth:
                  token:
                    realm: \(tokenServer.realm)
                    service: \(tokenServer.service)
                    issuer: \(tokenServer.issuer)
                    rootcertbundle: \(tokenServer.certificateFile.path)
                """
        }
        let config = """
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: \(!accessLog)
            storage:
              filesystem:
                rootdirectory: \(directory.path)/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
              secret: \(UUID().uuidString)
            \(tls.map { "  tls:\n    certificate: \($0.certificate.path)\n    key: \($0.privateKey.path)" } ?? "")
            \(auth)
            """
        let configFile = directory.appendingPathComponent("config.yml")
        let logFile = directory.appendingPathComponent("registry.log")
        self.logFile = logFile
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        process = try PeerProcess(
            name: "docker-registry",
            command: [binary, "serve", configFile.path],
            stopSignal: SIGTERM,
            scratchDirectory: directory,
            logFile: logFile
        )
        try await waitUntilListening(port: port, name: "docker-registry") { [process] in process.isRunning }
    }

    public func stop() { process.stop() }

    /// With `accessLog`: each request served so far, as `METHOD PATH STATUS "USER-AGENT"`.
    public func requestsWithUserAgents() -> [String] {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        // Combined log format: HOST - USER [TIME] "METHOD PATH PROTO" STATUS SIZE "REFERER" "AGENT"
        return text.split(separator: "\n").compactMap { line -> String? in
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            guard quoted.count >= 7 else { return nil }
            let request = quoted[1].split(separator: " ")
            let status = quoted[2].split(separator: " ").first ?? ""
            guard request.count >= 2 else { return nil }
            return "\(request[0]) \(request[1]) \(status) \"\(quoted[5])\""
        }
    }
}
