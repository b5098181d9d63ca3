import CharthouseAPI
import CharthouseCore
import CharthouseStore
public import Foundation
public import Hummingbird
public import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import Synchronization

/// Builds the whole server from its configuration: data directory, database and migrations,
/// secret key, first administrator, router. Wiring only; behaviour lives in Core and the middleware.
///
/// - Parameters:
///   - onServerRunning: called with the bound port once the server listens (useful with port 0).
///   - announce: shows the generated administrator password once (stdout by default, never the log).
public func buildApplication(
    _ configuration: ServerConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
    announce: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
) async throws -> some ApplicationProtocol {
    let fileManager = FileManager.default
    try fileManager.createDirectory(
        at: configuration.dataDirectory.appendingPathComponent("blobs", isDirectory: true),
        withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700]
    )
    let sealer = try loadSecretSealer(configuration, logger: logger)
    let database = try CharthouseDatabase.open(configuration.database, logger: logger)
    do {
        try await database.prepare(logger: logger)
    } catch {
        try? await database.shutdown()
        throw ConfigurationError("cannot prepare the database at \(configuration.database): \(error)")
    }
    let stores = Stores(database: database, sealer: sealer)
    let hasher = PasswordHasher(cost: configuration.bcryptCost)
    switch try await AdminBootstrap(stores: stores, hasher: hasher).ensureAdministrator(password: configuration.adminPassword) {
    case .existing:
        if configuration.adminPassword != nil {
            logger.notice(
                "CHARTHOUSE_ADMIN_PASSWORD is ignored: the database already has its administrator (it only sets the first one's password)"
            )
        }
    case .createdWithConfiguredPassword:
        logger.notice("created the system administrator \"admin\" with the password from CHARTHOUSE_ADMIN_PASSWORD")
    case .createdWithGeneratedPassword(let password):
        logger.notice("created the system administrator \"admin\" with a generated password (shown once on stdout)")
        announce("Charthouse system administrator created.\n  username: admin\n  password: \(password)\nStore it now: it is not shown again.")
    }

    // Where clients reach this server (for hosted registries' endpoints): CHARTHOUSE_PUBLIC_HOST,
    // else the listening address, with the port known once the server is bound.
    let listening = Mutex("\(configuration.host):\(configuration.port)")
    let publicHost = configuration.publicHost
    let urls = PublicURLs(scheme: configuration.publicScheme, host: { publicHost ?? listening.withLock { $0 } })
    let blobs: FileBlobStore
    do {
        blobs = try FileBlobStore(root: configuration.dataDirectory.appendingPathComponent("blobs"))
    } catch {
        try? await database.shutdown()
        throw ConfigurationError("cannot prepare blob storage in \(configuration.dataDirectory.path)/blobs: \(error)")
    }
    var hostedLimits = HostedRegistryService.Limits()
    hostedLimits.maxChartSize = configuration.registryPolicy.maxChartSize
    hostedLimits.maxBlobSize = Int64(configuration.maxBlobSize)
    let hosted = HostedRegistryService(
        stores: stores,
        blobs: blobs,
        limits: hostedLimits,
        urls: urls,
        logger: logger
    )
    let registries = RegistryService(
        stores: stores,
        policy: configuration.registryPolicy,
        urls: urls,
        hostedChanged: { hosted.invalidateIndex(namespace: $0) }
    )
    do {
        try await registries.ensureSystemRegistries(configuration.systemRegistries, logger: logger)
        try await registries.ensureHostedRegistries()
    } catch let error as CharthouseError {
        try? await database.shutdown()
        throw ConfigurationError("--system-registry: \(error.message)")
    } catch {
        try? await database.shutdown()
        throw error
    }
    var syncSettings = CatalogSyncEngine.Settings()
    syncSettings.leaseDuration = TimeInterval(configuration.syncLeaseSeconds)
    syncSettings.maxIndexSize = configuration.maxIndexSize
    syncSettings.shrinkThreshold = Double(configuration.syncShrinkPercent) / 100
    let engine = CatalogSyncEngine(stores: stores, policy: configuration.registryPolicy, settings: syncSettings, logger: logger)
    let scheduler = JobScheduler.registrySyncs(engine: engine, stores: stores, logger: logger, concurrency: configuration.syncConcurrency)
    let access = AccessService(
        stores: stores,
        hasher: hasher,
        sessionLifetime: TimeInterval(configuration.sessionLifetime),
        throttle: LoginThrottle(limits: configuration.loginLimits)
    )
    let catalog = CatalogService(stores: stores, registries: registries, scheduler: scheduler)
    let chartFiles = ChartFileService(
        stores: stores,
        registries: registries,
        catalog: catalog,
        policy: configuration.registryPolicy,
        blobs: blobs
    )
    let clusters = ClusterService(stores: stores, policy: configuration.clusterPolicy, chartFiles: chartFiles)
    let discovery = ClusterDiscovery(stores: stores, policy: configuration.clusterPolicy, logger: logger)
    let discoveries = JobScheduler.clusterDiscoveries(
        discovery: discovery,
        stores: stores,
        logger: logger,
        concurrency: configuration.discoveryConcurrency
    )
    let profiles = ProfileService(stores: stores, registries: registries, files: chartFiles, clusters: clusters)
    let agents = AgentService(stores: stores, sessionLifetime: TimeInterval(configuration.agentSessionSeconds))
    let deployments = DeploymentService(stores: stores, profiles: profiles, urls: urls)
    let discoveryRequests = DiscoveryRequests(clusters: clusters, deployments: deployments, scheduler: discoveries)
    let tenants = TenantService(stores: stores, hostedChanged: { hosted.invalidateIndex(namespace: $0) })
    let users = UserService(stores: stores, hasher: hasher)
    let handler = APIHandler(
        access: access,
        tenants: tenants,
        users: users,
        registries: registries,
        catalog: catalog,
        chartFiles: chartFiles,
        profiles: profiles,
        clusters: clusters,
        deployments: deployments,
        agents: agents,
        discovery: discovery,
        agentServerURL: { urls.base },
        agentImage: configuration.agentImage,
        garbage: HostedGarbageCollector(stores: stores, blobs: blobs),
        scheduler: scheduler,
        discoveries: discoveryRequests,
        readiness: Readiness(database: database)
    )
    let tokens = await RegistryTokenService(stores: stores, registries: hosted, lifetime: configuration.registryTokenSeconds)
    let console = ConsoleRoutes(
        access: access,
        tenants: tenants,
        users: users,
        registries: registries,
        catalog: catalog,
        chartFiles: chartFiles,
        profiles: profiles,
        clusters: clusters,
        deployments: deployments,
        discoveries: discoveryRequests,
        agents: agents,
        agentServerURL: { urls.base },
        agentImage: configuration.agentImage,
        renderer: try ConsoleRenderer(),
        session: ConsoleSession(secure: configuration.publicScheme == "https"),
        clients: ClientAddresses(trustedProxies: configuration.trustedProxies),
        logger: logger
    )
    let router = try buildRouter(
        handler: handler,
        console: console,
        access: access,
        hosted: hosted,
        tokens: tokens,
        urls: urls,
        configuration: configuration,
        logger: logger
    )
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Charthouse"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            listening.withLock { $0 = "\(configuration.host):\(port)" }
            await onServerRunning(port)
        },
        logger: logger
    )
    app.addServices(
        DatabaseService(database: database, logger: logger),
        PeriodicService(name: "purging expired tokens", interval: .seconds(600), logger: logger) {
            try await access.purgeExpiredTokens() + agents.purgeExpiredSessions()
        },
        PeriodicService(name: "removing abandoned uploads", interval: .seconds(configuration.uploadCleanupSeconds), logger: logger) {
            try await hosted.removeAbandonedUploads(before: Date().addingTimeInterval(-TimeInterval(configuration.uploadMaxAgeSeconds)))
        },
        scheduler,
        discoveries
    )
    logger.info(
        "charthouse configured",
        metadata: [
            "database": .string(configuration.database.description),
            "data_dir": .string(configuration.dataDirectory.path),
            "secret_key_id": .string(sealer.currentKeyID),
        ]
    )
    return app
}

/// The router: the registry protocols, the web console, and the REST API (generated from
/// `openapi.yaml`) behind logging, error rendering, body limit and authentication, plus
/// `GET /openapi.yaml`.
func buildRouter(
    handler: APIHandler,
    console: ConsoleRoutes,
    access: AccessService,
    hosted: HostedRegistryService,
    tokens: RegistryTokenService,
    urls: PublicURLs,
    configuration: ServerConfiguration,
    logger: Logger
) throws -> Router<CharthouseRequestContext> {
    let clients = ClientAddresses(trustedProxies: configuration.trustedProxies)
    let router = Router(context: CharthouseRequestContext.self)
    // Hummingbird wraps each route in the middleware added before it. Every route is logged; the
    // registry protocols (OCI, classic) authenticate and render errors themselves and stream
    // their bodies under their own limits, so they skip the REST middleware: their hot paths
    // (index.yaml, blobs) are served with as little per-request work as possible.
    router.addMiddleware { RequestLogMiddleware(logger: logger) }
    OCIRoutes(service: hosted, access: access, tokens: tokens, clients: clients, urls: urls).register(on: router)
    ClassicRoutes(service: hosted, access: access, clients: clients).register(on: router)
    // The console renders its own errors as pages and signs in with a cookie, not a bearer token.
    console.register(on: router)
    let document = try CharthouseAPIDocument.openAPIDocument()
    router.addMiddleware {
        ErrorMiddleware(logger: logger, routes: RouteTable(openAPI: document))
        // Authenticate before buffering a body, so anonymous clients cannot make us hold one.
        AuthenticationMiddleware(access: access, agents: handler.agents, clients: clients)
        BodyLimitMiddleware(maxBodySize: configuration.maxBodySize)
    }
    let openAPIHeaders: HTTPFields = [.contentType: "application/yaml; charset=utf-8", .contentLength: "\(document.count)"]
    router.get("/openapi.yaml") { _, _ in
        Response(status: .ok, headers: openAPIHeaders, body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }
    // HEAD answers what GET would, without the body.
    router.head("/openapi.yaml") { _, _ in Response(status: .ok, headers: openAPIHeaders) }
    try handler.registerHandlers(
        on: router,
        serverURL: URL(string: "/")!,
        configuration: .init(jsonEncodingOptions: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    )
    return router
}

private func loadSecretSealer(_ configuration: ServerConfiguration, logger: Logger) throws -> SecretSealer {
    let current: SecretKey
    do {
        if let base64 = configuration.secretKey {
            current = try SecretKey(base64: base64)
        } else {
            let file = configuration.dataDirectory.appendingPathComponent("secret.key")
            let (key, created) = try SecretKey.loadOrCreate(at: file)
            if created { logger.notice("created a new secret key", metadata: ["path": .string(file.path)]) }
            current = key
        }
        let previous = try configuration.previousSecretKeys.map { try SecretKey(base64: $0) }
        return SecretSealer(current: current, previous: previous)
    } catch let error as StoreError {
        throw ConfigurationError("secret key: \(error.message)")
    }
}
