public import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A Kubernetes API server stand-in that the real helm (3 and 4) and kubectl accept: HTTPS on
/// 127.0.0.1, discovery and OpenAPI documents, generic objects with label and field selectors,
/// `limit`/`continue`, create/get/list/update/patch/delete/watch, protobuf bodies for Secrets,
/// ConfigMaps and DeleteOptions. It authenticates a bearer token, a username and password, or a
/// client certificate signed by its CA; namespaces it is told to forbid answer 403.
///
/// Everything lives under `directory`: `pki/` (CA, server and client certificates, made with
/// openssl and kept across restarts), `objects/`, and `kubeconfig` — a kubeconfig for it with a
/// context per credential (`standin-token`, the default; `standin-cert`; `standin-basic`).
public final class KubeStandin: Sendable {
    public let port: Int
    public let directory: URL
    public let store: KubeObjectStore
    public let pki: KubePKI
    public let token: String
    public let username = "standin-admin"
    public let password: String
    private let shared: Shared
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    public var kubeconfig: URL { directory.appendingPathComponent("kubeconfig") }
    public var server: String { "https://127.0.0.1:\(port)" }
    /// The text of ``kubeconfig``.
    public var kubeconfigText: String { (try? String(contentsOf: kubeconfig, encoding: .utf8)) ?? "" }

    /// Starts serving on `port` (0: any free port) with the objects under `directory`; see
    /// ``KubePKI`` for `addressInCertificate`.
    public init(directory: URL, port: Int = 0, forbiddenNamespaces: Set<String> = [], addressInCertificate: Bool = true) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pki = try KubePKI.load(in: directory.appendingPathComponent("pki"), addressInCertificate: addressInCertificate)
        let store = try await KubeObjectStore(directory: directory)
        let shared = Shared(forbidden: forbiddenNamespaces)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(pki.serverCertificate.path).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: pki.serverKey.path, format: .pem))
        )
        tls.certificateVerification = .optionalVerification
        tls.trustRoots = .file(pki.caCertificate.path)
        let credentials = Credentials(token: pki.token, username: username, password: pki.password)
        let handler = KubeRequestHandler(store: store, credentials: credentials, shared: shared)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "kube-standin")
        logger.logLevel = .warning
        let app = Application(
            responder: CallbackResponder { (request: Request, context: KubeRequestContext) in await handler.respond(request, context) },
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        var iterator = stream.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            task.cancel()
            throw KubeStandinError("the Kubernetes API stand-in did not start on port \(port)")
        }
        continuation.finish()
        self.port = bound
        self.directory = directory
        self.store = store
        self.pki = pki
        self.token = pki.token
        self.password = pki.password
        self.shared = shared
        self.group = group
        self.task = task
        try writeKubeconfig()
    }

    public func stop() async {
        await store.stopAllWatches()
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Namespaces whose objects answer 403; while any is set, listing Secrets and ConfigMaps
    /// across all namespaces is forbidden too (as RBAC without cluster-wide list rights).
    public func forbid(namespaces: Set<String>) {
        shared.forbidden.withLock { $0 = namespaces }
    }

    /// `METHOD PATH?QUERY [CONTENT-TYPE]` of every request so far, oldest first.
    public var requestLog: [String] { shared.requests.withLock { $0 } }

    /// What the server and its owner both change: the forbidden namespaces, the request log.
    final class Shared: Sendable {
        let forbidden: Mutex<Set<String>>
        let requests = Mutex<[String]>([])
        init(forbidden: Set<String>) { self.forbidden = Mutex(forbidden) }
    }

    struct Credentials: Sendable {
        let token: String
        let username: String
        let password: String
    }
}

public struct KubeStandinError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The request context: Hummingbird's, plus the channel (for the client certificate).
struct KubeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
