import Crypto
public import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// A registry token server (CNCF distribution `auth: token`) for tests: `GET /token` checks Basic
/// credentials and issues ES256 JWTs whose `x5c` certificate distribution trusts through its
/// `rootcertbundle`. Wrong credentials get 401; anonymous callers get a token granting nothing.
public final class TokenAuthServer: Sendable {
    public let port: Int
    public let service = "charthouse-test-registry"
    public let issuer = "charthouse-test-issuer"
    /// The certificate distribution must trust (PEM file).
    public let certificateFile: URL
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let directory: URL
    private let requests: Requests

    final class Requests: Sendable {
        let count = Mutex(0)
    }

    public var realm: String { "http://127.0.0.1:\(port)/token" }
    /// How many token requests arrived.
    public var requestCount: Int { requests.count.withLock { $0 } }

    /// With `grantsCatalog: false` nobody gets `registry:catalog:*`, as registries that refuse to
    /// list their repositories behave.
    public init(credentials: Credentials, grantsCatalog: Bool = true) async throws {
        let directory = try ScratchDirectory.make("charthouse-token")
        let openssl = try Shell.require("openssl")
        let keyFile = directory.appendingPathComponent("key.pem")
        let certificateFile = directory.appendingPathComponent("cert.pem")
        try Shell.run([openssl, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyFile.path])
        try Shell.run([
            openssl, "req", "-new", "-x509", "-key", keyFile.path, "-out", certificateFile.path, "-days", "2", "-subj", "/CN=charthouse-test-issuer",
        ])
        let key = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOf: keyFile, encoding: .utf8))
        let certificatePEM = try String(contentsOf: certificateFile, encoding: .utf8)
        let certificateDER = certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let requests = Requests()
        let issuer = self.issuer
        let router = Router()
        router.get("/token") { request, _ -> Response in
            requests.count.withLock { $0 += 1 }
            let granted: Bool
            if let header = request.headers[.authorization] {
                granted = header == credentials.basicAuthorization
                guard granted else { return Response(status: .unauthorized, headers: [.wwwAuthenticate: #"Basic realm="token""#]) }
            } else {
                granted = false
            }
            let service = request.uri.queryParameters["service"].map(String.init) ?? ""
            let scopes: [String] = request.uri.queryParameters.getAll("scope").map { String($0) }
                .filter { grantsCatalog || !$0.hasPrefix("registry:catalog") }
            let token = try Self.token(
                key: key,
                certificateDER: certificateDER,
                issuer: issuer,
                subject: granted ? credentials.username : "",
                audience: service,
                access: granted ? scopes.compactMap(Self.access) : []
            )
            let body = try JSONSerialization.data(withJSONObject: ["token": token, "access_token": token, "expires_in": 300])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
        self.task = Task { try await group.run() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw PeerError("the token server did not start") }
        continuation.finish()
        self.port = port
        self.group = group
        self.directory = directory
        self.certificateFile = certificateFile
        self.requests = requests
    }

    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: directory)
    }

    /// `repository:NAME:pull,push` or `registry:catalog:*` → a JWT `access` entry.
    private static func access(_ scope: String) -> [String: Any]? {
        let parts = scope.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let name = parts[1..<(parts.count - 1)].joined(separator: ":")
        return ["type": String(parts[0]), "name": name, "actions": parts[parts.count - 1].split(separator: ",").map(String.init)]
    }

    private static func token(
        key: P256.Signing.PrivateKey,
        certificateDER: String,
        issuer: String,
        subject: String,
        audience: String,
        access: [[String: Any]]
    ) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        let header: [String: Any] = ["alg": "ES256", "typ": "JWT", "x5c": [certificateDER]]
        let claims: [String: Any] = [
            "iss": issuer, "sub": subject, "aud": audience, "exp": now + 300, "nbf": now - 10, "iat": now,
            "jti": UUID().uuidString, "access": access,
        ]
        let signingInput =
            try base64URL(JSONSerialization.data(withJSONObject: header)) + "."
            + base64URL(JSONSerialization.data(withJSONObject: claims))
        let signature = try key.signature(for: Data(signingInput.utf8))
        return signingInput + "." + base64URL(signature.rawRepresentation)
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
