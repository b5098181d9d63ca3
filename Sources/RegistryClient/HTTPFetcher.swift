import AsyncHTTPClient
public import Foundation
public import NIOCore
public import NIOHTTP1
import NIOHTTPCompression
public import NIOSSL
import Synchronization

/// One peer's HTTP side (a registry's, a cluster API server's): TLS trust and client identity,
/// time limits, a body cap, the egress policy, redirects that never carry credentials to another
/// host, and transport failures turned into ``RegistryClientError``s.
public struct HTTPFetcher: Sendable {
    private let clients: PinnedClients
    private let options: RegistryConnectionOptions

    /// A response as read: status, headers and the body (at most `maxBodySize`).
    public struct Response: Sendable {
        public let url: String
        public let status: HTTPResponseStatus
        public let headers: HTTPHeaders
        public let body: ByteBuffer

        /// "401 Unauthorized from https://…", for error messages.
        public var summary: String { "\(status.code) \(status.reasonPhrase) from \(url)" }
        public var text: String { String(buffer: body) }
        public var data: Data { Data(body.readableBytesView) }
    }

    /// Runs `body` with a fetcher configured by `options`, shutting its HTTP clients down afterwards.
    public static func with<R: Sendable>(_ options: RegistryConnectionOptions, _ body: (HTTPFetcher) async throws -> R) async throws -> R {
        var tls = TLSConfiguration.makeClientConfiguration()
        if options.insecureSkipTLSVerify { tls.certificateVerification = .none }
        if let pem = options.caCertificatePEM, !pem.isEmpty {
            tls.additionalTrustRoots = [.certificates(try TLSTrust.certificates(pem: pem))]
        }
        if let identity = options.clientIdentity {
            tls.certificateChain = try TLSTrust.certificates(pem: identity.certificatePEM).map { .certificate($0) }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.keyPEM.utf8), format: .pem))
            } catch {
                throw RegistryClientError(.invalidResponse, "the client key is not a PEM-encoded private key")
            }
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: options.connectTimeout.timeAmount, read: options.requestTimeout.timeAmount),
            decompression: .enabled(limit: .ratio(200))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        let clients = PinnedClients(configuration: configuration)
        do {
            let result = try await body(HTTPFetcher(clients: clients, options: options))
            await clients.shutdown()
            return result
        } catch {
            await clients.shutdown()
            throw error
        }
    }

    /// GETs `url`, following up to five redirects; `authorization` is sent only to the first host.
    public func get(_ url: String, authorization: String? = nil, accept: String? = nil, headers: [(String, String)] = []) async throws -> Response {
        var current = url
        let originHost = URL(string: url)?.host
        for _ in 0..<6 {
            // `tls-server-name` names the origin host only; a redirect elsewhere uses its own name.
            let serverName = URL(string: current)?.host == originHost ? options.serverName : nil
            var request = HTTPClientRequest(url: Self.naming(current, serverName))
            request.headers.add(name: "User-Agent", value: options.userAgent)
            if let accept { request.headers.add(name: "Accept", value: accept) }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let authorization, URL(string: current)?.host == originHost { request.headers.add(name: "Authorization", value: authorization) }
            // The egress policy decides where the server may connect, on every hop.
            guard let components = URL(string: current), let host = components.host, !host.isEmpty else {
                throw RegistryClientError(.invalidResponse, "not a URL: \(current)")
            }
            let address = try await options.egress.resolve(host)
            let client = clients.client(host: serverName ?? host, pinnedTo: address)
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: options.requestTimeout.timeAmount)
            } catch {
                throw Self.describe(error, url: current, options: options)
            }
            if [301, 302, 303, 307, 308].contains(response.status.code), let location = response.headers.first(name: "Location"),
                let next = URL(string: location, relativeTo: URL(string: current))?.absoluteString
            {
                current = next
                continue
            }
            let body: ByteBuffer
            do {
                body = try await Self.collect(response, upTo: options.maxBodySize)
            } catch is NIOTooManyBytesError {
                throw RegistryClientError(.tooLarge, "\(current) is larger than the limit of \(options.maxBodySize) bytes")
            } catch {
                let described = Self.describe(error, url: current, options: options)
                guard described.kind == .connection else { throw described }
                throw RegistryClientError(
                    .connection,
                    "the answer from \(current) was cut short: the connection closed before the whole body arrived"
                )
            }
            return Response(url: current, status: response.status, headers: response.headers, body: body)
        }
        throw RegistryClientError(.invalidResponse, "too many redirects from \(url)")
    }

    /// `url` with its host replaced by `serverName` (TLS `server_name`, and the name checked in
    /// the certificate); the connection still goes to the address the real host resolved to.
    static func naming(_ url: String, _ serverName: String?) -> String {
        guard let serverName, var components = URLComponents(string: url) else { return url }
        components.host = serverName
        return components.string ?? url
    }

    /// Reads the whole body into one buffer, sized from `Content-Length` when the body is not
    /// compressed (no doubling and copying of a large index), refusing more than `limit` bytes.
    private static func collect(_ response: HTTPClientResponse, upTo limit: Int) async throws -> ByteBuffer {
        var buffer = ByteBuffer()
        if response.headers.first(name: "Content-Encoding") == nil, let length = response.headers.first(name: "Content-Length").flatMap(Int.init) {
            guard length <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            buffer.reserveCapacity(length)
        }
        for try await part in response.body {
            guard buffer.readableBytes + part.readableBytes <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            buffer.writeImmutableBuffer(part)
        }
        return buffer
    }

    /// Names a transport failure the way an operator would say it.
    static func describe(_ error: any Error, url: String, options: RegistryConnectionOptions) -> RegistryClientError {
        if let error = error as? RegistryClientError { return error }
        let host = URL(string: url).map { "\($0.host ?? "?")\($0.port.map { ":\($0)" } ?? "")" } ?? url
        let text = String(describing: error)
        let lowered = text.lowercased()
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .connectTimeout:
                return RegistryClientError(.timeout, "timed out after \(options.connectTimeout.seconds) s connecting to \(host)")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return RegistryClientError(.timeout, "no answer from \(url) within \(options.requestTimeout.seconds) s")
            case .remoteConnectionClosed:
                return RegistryClientError(.connection, "\(host) closed the connection before answering \(url)")
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError || lowered.contains("certificate") || lowered.contains("handshake")
            || lowered.contains("ssl")
        {
            let detail = lowered.contains("verify") || lowered.contains("certificate") ? "certificate verify failed" : "handshake failed"
            return RegistryClientError(.tls, "TLS: \(detail) for \(url) (certificate signed by unknown authority or invalid; \(text))")
        }
        if lowered.contains("refused") { return RegistryClientError(.connection, "connection refused by \(host)") }
        if lowered.contains("timeout") || lowered.contains("timed out") || lowered.contains("deadline") {
            return RegistryClientError(.timeout, "no answer from \(url) within \(options.requestTimeout.seconds) s")
        }
        if lowered.contains("resolve") || lowered.contains("lookup") || lowered.contains("unknown host") {
            return RegistryClientError(.connection, "cannot resolve \(host)")
        }
        return RegistryClientError(.connection, "cannot reach \(url): \(text)")
    }
}

/// One HTTP client per host name, each connecting only to the address the egress policy checked
/// for that name (no second DNS answer can point it elsewhere).
final class PinnedClients: Sendable {
    private let configuration: HTTPClient.Configuration
    private let clients = Mutex<[String: HTTPClient]>([:])

    init(configuration: HTTPClient.Configuration) {
        self.configuration = configuration
    }

    func client(host: String, pinnedTo address: IPAddress) -> HTTPClient {
        clients.withLock { clients in
            let key = "\(host)|\(address)"
            if let existing = clients[key] { return existing }
            var configuration = self.configuration
            if IPAddress(host) == nil { configuration.dnsOverride = [host: address.description] }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }
}

/// Checks and loads CA certificates given as PEM.
public enum TLSTrust {
    /// The certificates in `pem`; throws unless it holds at least one.
    public static func certificates(pem: String) throws -> [NIOSSLCertificate] {
        let certificates = (try? NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))) ?? []
        guard !certificates.isEmpty else {
            throw RegistryClientError(.invalidResponse, "caCertificate is not a PEM-encoded X.509 certificate")
        }
        return certificates
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    var seconds: String {
        let value = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
