import ArgumentParser
import AsyncHTTPClient
import CharthouseAPI
import Foundation
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// How output is printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

/// Options every client command takes: where the server is, which token to send, how to print.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL. [env: CHARTHOUSE_SERVER] (default: from `charthouse login`)")
    var server: String?

    @Option(help: "Bearer token. [env: CHARTHOUSE_TOKEN] (default: from `charthouse login`)")
    var token: String?

    @Option(name: [.short, .long], help: "Output format: table or json.")
    var output: OutputFormat = .table

    /// Server URL and token from flags, then the environment, then the saved login.
    func resolve() throws -> (server: URL, token: String) {
        let environment = ProcessInfo.processInfo.environment
        let saved = ClientConfigFile.load()
        guard let serverText = server ?? environment["CHARTHOUSE_SERVER"].nonEmpty ?? saved?.server else {
            throw CLIError("no server: pass --server, set CHARTHOUSE_SERVER or run `charthouse login`")
        }
        guard let token = token ?? environment["CHARTHOUSE_TOKEN"].nonEmpty ?? saved?.token else {
            throw CLIError("not logged in: pass --token, set CHARTHOUSE_TOKEN or run `charthouse login`")
        }
        return (try Self.serverURL(serverText), token)
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

    /// One HTTP client for the process; it gives up on an unreachable server after 5 s instead of
    /// retrying until the request deadline.
    private static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func serverURL(_ text: String) throws -> URL {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw CLIError("invalid server URL \"\(text)\": expected http(s)://HOST[:PORT]")
        }
        return url
    }

    func print<T: Encodable>(_ value: T, table: () -> Table) throws {
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
        case .table:
            Swift.print(table().render(), terminator: "")
        }
    }
}

/// Runs a client call, reporting transport and server errors as one clear line.
func callServer<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ClientError {
        if let cliError = error.underlyingError as? CLIError { throw cliError }
        if error.response == nil {
            throw CLIError("cannot reach the server at \(error.baseURL?.absoluteString ?? "?"): \(error.underlyingError)")
        }
        throw CLIError("request failed: \(error.underlyingError)")
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
