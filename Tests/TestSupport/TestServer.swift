import AsyncHTTPClient
public import CharthouseAPI
import CharthouseServer
public import Foundation
public import HTTPTypes
import Logging
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import ServiceLifecycle

/// A real Charthouse server for one test: its own data directory and database, listening on a
/// free 127.0.0.1 port, stopped (gracefully) when the test's closure ends.
///
/// The database engine comes from `CHARTHOUSE_TEST_DATABASE` (`sqlite`, the default, or
/// `postgres`, which uses ``PostgresServer``), so the whole suite runs against each.
public struct TestServer: Sendable {
    public static let adminPassword = "admin-password-for-tests"

    public let baseURL: URL
    public let dataDirectory: URL
    public let databaseURL: String?
    public let logs: LogCapture

    /// Which engine tests run against.
    public static var databaseEngine: String {
        ProcessInfo.processInfo.environment["CHARTHOUSE_TEST_DATABASE"] ?? "sqlite"
    }

    /// Settings a test may change; the rest are the server's defaults.
    public struct Options: Sendable {
        public var sessionLifetime: Int? = nil
        public var maxBodySize: Int? = nil
        public var environment: [String: String] = [:]
        public var systemRegistries: [String] = []
        public var allowInsecureRegistries = true
        public var registryTimeout: Int? = nil
        /// Outbound requests may reach loopback peers (the tests' registries) unless a test says otherwise.
        public var allowRegistryNetworks: String? = "127.0.0.0/8"
        public var trustedProxies: String? = nil
        /// Cluster API servers may be loopback peers (the tests' Kubernetes stand-ins).
        public var allowClusterNetworks: String? = "127.0.0.0/8"
        /// On PostgreSQL, a database of the test's own instead of a schema in the run's shared one
        /// (for a test that drops it under the running server).
        public var ownPostgresDatabase = false
        public init(
            sessionLifetime: Int? = nil,
            maxBodySize: Int? = nil,
            environment: [String: String] = [:],
            systemRegistries: [String] = [],
            allowInsecureRegistries: Bool = true,
            registryTimeout: Int? = nil,
            allowRegistryNetworks: String? = "127.0.0.0/8",
            trustedProxies: String? = nil
        ) {
            self.allowRegistryNetworks = allowRegistryNetworks
            self.trustedProxies = trustedProxies
            self.sessionLifetime = sessionLifetime
            self.maxBodySize = maxBodySize
            self.environment = environment
            self.systemRegistries = systemRegistries
            self.allowInsecureRegistries = allowInsecureRegistries
            self.registryTimeout = registryTimeout
        }
    }

    struct Arguments: ServeArguments {
        var host: String? = "127.0.0.1"
        var port: Int? = 0
        var dataDirectory: String?
        var databaseURL: String?
        var logLevel: String? = "trace"
        var maxBodySize: Int?
        var sessionLifetime: Int?
        var bcryptCost: Int? = 4
        var systemRegistries: [String] = []
        var allowInsecureRegistries = true
        var registryConnectTimeout: Int? = 2
        var registryTimeout: Int?
        var allowRegistryNetworks: String?
        var trustedProxies: String?
        var allowClusterNetworks: String?
    }

    /// Starts a server, runs `body` against it, and stops it whatever happens.
    public static func with<R: Sendable>(
        _ options: Options = .init(),
        _ body: @Sendable (TestServer) async throws -> R
    ) async throws -> R {
        try await ServerSlots.run { try await run(options, body) }
    }

    private static func run<R: Sendable>(
        _ options: Options,
        _ body: @Sendable (TestServer) async throws -> R
    ) async throws -> R {
        let dataDirectory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("charthouse-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        var databaseURL: String?
        switch databaseEngine {
        case "postgres":
            databaseURL =
                options.ownPostgresDatabase ? try await PostgresServer.shared.makeDatabase() : try await PostgresServer.shared.makeSchema()
        case "sqlite": databaseURL = nil
        default: throw PeerError("CHARTHOUSE_TEST_DATABASE must be sqlite or postgres")
        }
        let arguments = Arguments(
            dataDirectory: dataDirectory.path,
            databaseURL: databaseURL,
            maxBodySize: options.maxBodySize,
            sessionLifetime: options.sessionLifetime,
            systemRegistries: options.systemRegistries,
            allowInsecureRegistries: options.allowInsecureRegistries,
            registryTimeout: options.registryTimeout,
            allowRegistryNetworks: options.allowRegistryNetworks,
            trustedProxies: options.trustedProxies,
            allowClusterNetworks: options.allowClusterNetworks
        )
        var environment = ["CHARTHOUSE_ADMIN_PASSWORD": adminPassword]
        environment.merge(options.environment) { _, new in new }
        let configuration = try ServerConfiguration(arguments: arguments, environment: environment)
        let logs = LogCapture()
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(
            configuration,
            logger: logs.logger(),
            onServerRunning: { port in portContinuation.yield(port) },
            announce: { _ in }
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logs.logger(level: .error)))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { portContinuation.finish() }
            var iterator = portStream.makeAsyncIterator()
            guard let port = await iterator.next() else { throw PeerError("the test server did not start") }
            let server = TestServer(
                baseURL: URL(string: "http://127.0.0.1:\(port)")!,
                dataDirectory: dataDirectory,
                databaseURL: databaseURL,
                logs: logs
            )
            do {
                let result = try await body(server)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                await PostgresServer.release(databaseURL)
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                await PostgresServer.release(databaseURL)
                throw error
            }
        }
    }

    /// A generated API client sending `token`, if any.
    public func client(token: String? = nil) -> Client {
        var middlewares: [any ClientMiddleware] = []
        if let token { middlewares.append(BearerTokenMiddleware(token: token)) }
        return Client(serverURL: baseURL, transport: AsyncHTTPClientTransport(configuration: .init(client: .shared)), middlewares: middlewares)
    }

    /// Logs in through the API and returns the session token.
    public func login(_ username: String, _ password: String) async throws -> String {
        let output = try await client().login(body: .json(.init(username: username, password: password)))
        guard case .ok(let ok) = output else { throw PeerError("login of \(username) failed: \(output)") }
        return try ok.body.json.token
    }

    /// The system administrator's session token.
    public func adminToken() async throws -> String {
        try await login("admin", Self.adminPassword)
    }

    /// Runs SQL directly in the server's database, behind its back (to plant faults): `postgres`
    /// on PostgreSQL with psql, `sqlite` on the SQLite file with Python's sqlite3.
    public func executeSQL(sqlite: String, postgres: String) async throws {
        if let databaseURL {
            try await PostgresServer.shared.execute(postgres, databaseURL: databaseURL)
            return
        }
        let file = dataDirectory.appendingPathComponent("charthouse.sqlite").path
        let script = "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], timeout=30); db.executescript(sys.argv[2]); db.commit(); db.close()"
        try Shell.run([try Shell.require("python3"), "-c", script, file, sqlite])
    }

    /// A client that sends and receives bytes as they are: no `Accept-Encoding` added, nothing
    /// decompressed (`HTTPClient.shared` does both). Lives as long as the test process.
    private static let rawClient = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(redirectConfiguration: .disallow, decompression: .disabled)
    )

    /// A raw HTTP exchange, for what the generated client cannot send (malformed bodies, odd headers).
    public func request(
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String? = nil,
        headers: [(String, String)] = [],
        body: Data? = nil,
        streamBody: Bool = false
    ) async throws -> RawResponse {
        var request = HTTPClientRequest(url: baseURL.absoluteString + path)
        request.method = .init(rawValue: method.rawValue)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if streamBody {
                let chunks = stride(from: 0, to: body.count, by: 16_384).map { ByteBuffer(bytes: body[$0..<min($0 + 16_384, body.count)]) }
                request.body = .stream(chunks.async, length: .unknown)
            } else {
                request.body = .bytes(ByteBuffer(bytes: body))
            }
        }
        let response = try await Self.rawClient.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        var answer = RawResponse(status: Int(response.status.code), headers: fields, body: Data(buffer: bytes))
        answer.setCookies = response.headers["set-cookie"]
        return answer
    }
}

/// An HTTP answer as received, with helpers to read the REST error envelope.
public struct RawResponse: Sendable {
    public let status: Int
    /// One value per header name (the last one received).
    public let headers: [String: String]
    public let body: Data
    /// Every `Set-Cookie` header, in order.
    public var setCookies: [String] = []

    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as a JSON object, if it is one.
    public var object: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }

    /// `error.code` and `error.message` of a REST error body, or `nil` if the body is not one.
    public var error: (code: String, message: String)? {
        guard let decoded = try? JSONDecoder().decode(Components.Schemas.ErrorResponse.self, from: body) else { return nil }
        return (decoded.error.code, decoded.error.message)
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
