import AsyncHTTPClient
public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// nginx serving a folder as a static site (a classic chart repository), optionally behind basic
/// auth and/or TLS with a self-signed certificate; on 127.0.0.1, a free port, stopped by ``stop()``.
public final class NginxServer: Sendable {
    public let port: Int
    public let root: URL
    public let tls: SelfSignedCertificate?
    /// nginx's access log (see ``requests()``).
    public let accessLog: URL
    private let process: PeerProcess
    public var baseURL: String { "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)" }

    /// `serverConfig` is added inside the `server` block (extra `location`s, such as redirects).
    ///
    /// A free port can be taken by someone else between the moment it is chosen and nginx's
    /// bind (another test's outgoing connection); nginx then exits, and it is started again on
    /// another port, up to three times.
    public init(serving root: URL, credentials: Credentials? = nil, useTLS: Bool = false, serverConfig: String = "") async throws {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let started = try await Self.start(serving: root, credentials: credentials, useTLS: useTLS, serverConfig: serverConfig)
                (port, tls, accessLog, process) = (started.port, started.tls, started.accessLog, started.process)
                self.root = root
                return
            } catch let error as PeerError where error.description.contains("exited during start-up") && attempt < 3 {
                continue
            }
        }
    }

    private static func start(
        serving root: URL,
        credentials: Credentials?,
        useTLS: Bool,
        serverConfig: String
    ) async throws -> (port: Int, tls: SelfSignedCertificate?, accessLog: URL, process: PeerProcess) {
        let nginx = try Shell.require("nginx", paths: ["/usr/sbin"])
        let directory = try ScratchDirectory.make("charthouse-nginx")
        for folder in ["tmp", "logs"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        let port = try FreePort.next()
        let tls = useTLS ? try SelfSignedCertificate.make(in: directory) : nil
        var auth = ""
        if let credentials {
            let file = directory.appendingPathComponent("htpasswd")
            try credentials.writeHtpasswd(to: file, bcrypt: false)
            auth = "auth_basic \"charthouse-test\"; auth_basic_user_file \(file.path);"
        }
        var listen = "listen 127.0.0.1:\(port);"
        if let tls {
            listen = "listen 127.0.0.1:\(port) ssl; ssl_certificate \(tls.certificate.path); ssl_certificate_key \(tls.privateKey.path);"
        }
        let temp = directory.appendingPathComponent("tmp").path
        let config = """
            \(getuid() == 0 ? "user root root;" : "")
            daemon off;
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/logs/error.log warn;
            events { worker_connections 128; }
            http {
                log_format charthouse '$request_method $uri $status "$remote_user"';
                log_format charthouse_agents '$request_method $uri $status "$http_user_agent"';
                access_log \(directory.path)/logs/access.log charthouse;
                access_log \(directory.path)/logs/agents.log charthouse_agents;
                client_body_temp_path \(temp)/body; proxy_temp_path \(temp)/proxy; fastcgi_temp_path \(temp)/fastcgi;
                uwsgi_temp_path \(temp)/uwsgi; scgi_temp_path \(temp)/scgi;
                types { application/x-yaml yaml yml; application/gzip tgz; text/plain prov; }
                default_type application/octet-stream;
                server { \(listen) root \(root.path); \(auth) \(serverConfig) location / { try_files $uri =404; } }
            }
            """
        let accessLog = directory.appendingPathComponent("logs/access.log")
        let configFile = directory.appendingPathComponent("nginx.conf")
        try config.write(to: configFile, atomically: true, encoding: .utf8)
        let process = try PeerProcess(
            name: "nginx",
            command: [nginx, "-c", configFile.path, "-p", directory.path, "-e", "\(directory.path)/logs/error.log"],
            stopSignal: SIGQUIT,
            scratchDirectory: directory,
            logFile: directory.appendingPathComponent("logs/stdout.log")
        )
        try await waitUntilListening(port: port, name: "nginx") { [process] in process.isRunning }
        return (port, tls, accessLog, process)
    }

    public func stop() { process.stop() }

    /// The requests served so far: `METHOD /path STATUS "user"` per line (`"-"` without Basic auth).
    public func requests() -> [String] {
        let text = (try? String(contentsOf: accessLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// The requests served so far with the client's User-Agent: `METHOD /path STATUS "agent"` per line.
    public func requestsWithUserAgents() -> [String] {
        let text = (try? String(contentsOf: accessLog.deletingLastPathComponent().appendingPathComponent("agents.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// How many requests for `path` were served.
    public func requestCount(path: String) -> Int {
        requests().filter { $0.split(separator: " ").dropFirst().first.map(String.init) == path }.count
    }
}

/// Polls until something accepts TCP connections on 127.0.0.1:`port`.
func waitUntilListening(port: Int, name: String, isRunning: () -> Bool) async throws {
    for _ in 0..<200 {
        guard isRunning() else { throw PeerError("\(name) exited during start-up") }
        if let fd = RawHTTP.connectLoopback(port: port) {
            close(fd)
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw PeerError("\(name) did not listen on port \(port)")
}
