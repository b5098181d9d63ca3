import ArgumentParser
import AsyncHTTPClient
import CharthouseAPI
import Foundation
import NIOCore
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

extension OutputFormat: ExpressibleByArgument {}

/// Options every client command takes: where the server is, which token to send, how to print.
/// They may come before the subcommand too (`charthouse -o json registry list`): see
/// ``GlobalOptions``.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL. [env: CHARTHOUSE_SERVER] (default: from `charthouse login`)")
    var server: String?

    @Option(help: "Bearer token. [env: CHARTHOUSE_TOKEN] (default: from `charthouse login`)")
    var token: String?

    @Option(name: [.short, .long], help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table

    /// The server URL from the flag, the environment or the saved login.
    func resolveServer(saved: ClientConfigFile? = ClientConfigFile.load()) throws -> URL {
        guard let text = server ?? ProcessInfo.processInfo.environment["CHARTHOUSE_SERVER"].nonEmpty ?? saved?.server else {
            throw CLIError("no server: pass --server, set CHARTHOUSE_SERVER or run `charthouse login`")
        }
        return try Self.serverURL(text)
    }

    /// Server URL and token from flags, then the environment, then the saved login.
    func resolve() throws -> (server: URL, token: String) {
        let saved = ClientConfigFile.load()
        guard let token = token ?? ProcessInfo.processInfo.environment["CHARTHOUSE_TOKEN"].nonEmpty ?? saved?.token else {
            throw CLIError("not logged in: run `charthouse login`, or pass --token or set CHARTHOUSE_TOKEN")
        }
        return (try resolveServer(saved: saved), token)
    }

    /// A generated API client for the resolved server, authenticated with the resolved token.
    func makeClient() throws -> Client {
        let (url, token) = try resolve()
        return Self.client(url: url, token: token)
    }

    static func client(url: URL, token: String?) -> Client {
        var middlewares: [any ClientMiddleware] = [ErrorResponseMiddleware()]
        if let token { middlewares.append(BearerTokenMiddleware(token: token)) }
        return Client(
            serverURL: url,
            transport: AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: .seconds(60))),
            middlewares: middlewares
        )
    }

    /// One HTTP client for the process. A refused connection fails at once (no retries until the
    /// connect timeout); an unanswered one after 5 s.
    private static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func serverURL(_ text: String) throws -> URL {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw CLIError("invalid server URL \"\(text)\": expected http(s)://HOST[:PORT]")
        }
        return url
    }

    /// Prints a value: a table, or the value itself as JSON or YAML.
    func print<T: Encodable>(_ value: T, table: () -> Table) throws {
        switch output {
        case .json: Swift.print(try Output.json(value))
        case .yaml: Swift.print(try Output.yaml(value))
        case .table: Swift.print(table().render(), terminator: "")
        }
    }

    /// Prints the outcome of an action: a sentence, or `value` as JSON or YAML.
    func report<T: Encodable>(_ sentence: String, _ value: T) throws {
        try print(value) { Table(header: [], rows: [[sentence]]) }
    }
}

/// Runs a client call, reporting transport and server errors as one clear line.
func callServer<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ClientError {
        if let cliError = error.underlyingError as? CLIError { throw cliError }
        guard error.response == nil else { throw CLIError("request failed: \(ConnectionFailure.describe(error.underlyingError))") }
        let server = error.baseURL?.absoluteString ?? "the server"
        throw CLIError("cannot reach the server at \(server): \(ConnectionFailure.describe(error.underlyingError))")
    }
}

/// Transport failures in a user's words: never a build path or a library's enum case.
enum ConnectionFailure {
    static func describe(_ error: any Error) -> String {
        let text = String(reflecting: error)
        let lowered = text.lowercased()
        if lowered.contains("wrong_version_number") || lowered.contains("wrong version number") || lowered.contains("packet_length_too_long")
            || lowered.contains("http_request")
        {
            return "the server answered plain HTTP on a TLS port (use http:// instead of https://)"
        }
        if lowered.contains("connection refused") || lowered.contains("connectionrefused") || lowered.contains("errno: 111")
            || lowered.contains("econnrefused")
        {
            return "connection refused (is the server running, and on this port?)"
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return "no answer within 5 seconds (wrong address, or a firewall drops the connection)"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .readTimeout, .deadlineExceeded: return "the server took too long to answer"
            default: break
            }
        }
        if lowered.contains("certificate") || lowered.contains("handshake") || lowered.contains("nisslerror") || lowered.contains("boringssl") {
            return "TLS failed: the server's certificate is not trusted or the handshake failed"
        }
        if lowered.contains("resolve") || lowered.contains("dns") || lowered.contains("unknown host") {
            return "the server's name does not resolve"
        }
        if let io = error as? IOError { return "the connection failed: \(String(cString: strerror(io.errnoCode))), errno \(io.errnoCode)" }
        if lowered.contains("eof") || lowered.contains("closed") { return "the server closed the connection" }
        return (error as? any LocalizedError)?.errorDescription ?? "the connection failed (\(type(of: error)))"
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
