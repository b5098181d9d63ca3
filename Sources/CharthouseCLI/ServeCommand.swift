import ArgumentParser
import CharthouseServer
import Foundation
import Hummingbird
import Logging

/// `charthouse serve`: runs the server until SIGTERM or SIGINT, then shuts down gracefully.
struct ServeCommand: AsyncParsableCommand, ServeArguments {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Charthouse server.",
        discussion: "Every option can also be set through the environment variable named in its help.\n"
            + "Set only through the environment:\n"
            + ServerConfiguration.settings.filter { $0.flag.isEmpty }.map {
                "  \($0.environment) (default: \($0.defaultValue))\n      \($0.help)"
            }.joined(separator: "\n")
    )

    @Option(help: "Address to listen on. [env: CHARTHOUSE_HOST] (default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free port. [env: CHARTHOUSE_PORT] (default: 8080)")
    var port: Int?

    @Option(
        name: .customLong("data-dir"),
        help: "State directory: SQLite file, blobs/, secret key. [env: CHARTHOUSE_DATA_DIR] (default: ./charthouse-data)"
    )
    var dataDirectory: String?

    @Option(
        help:
            "Use PostgreSQL: postgres://USER:PASS@HOST:PORT/DB, with ?search_path=SCHEMA to keep the tables in a schema. [env: CHARTHOUSE_DATABASE_URL] (default: SQLite in the data directory)"
    )
    var databaseURL: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: CHARTHOUSE_LOG_LEVEL] (default: info)")
    var logLevel: String?

    @Option(help: "Largest REST request body in bytes. [env: CHARTHOUSE_MAX_BODY_SIZE] (default: 1048576)")
    var maxBodySize: Int?

    @Option(help: "Login session lifetime in seconds. [env: CHARTHOUSE_SESSION_LIFETIME] (default: 43200)")
    var sessionLifetime: Int?

    @Option(help: "bcrypt work factor for passwords, 4–31. [env: CHARTHOUSE_BCRYPT_COST] (default: 12)")
    var bcryptCost: Int?

    @Option(
        name: .customLong("system-registry"),
        help:
            "A system registry every tenant sees, NAME=ENDPOINT; repeatable. Credentials from CHARTHOUSE_SYSTEM_REGISTRY_<NAME>_USERNAME and CHARTHOUSE_SYSTEM_REGISTRY_<NAME>_PASSWORD, OCI over plain HTTP with CHARTHOUSE_SYSTEM_REGISTRY_<NAME>_PLAIN_HTTP=true. [env: CHARTHOUSE_SYSTEM_REGISTRIES, comma-separated]"
    )
    var systemRegistries: [String] = []

    @Flag(help: "Permit plain-HTTP registry endpoints (http://, or OCI with plainHTTP). [env: CHARTHOUSE_ALLOW_INSECURE_REGISTRIES]")
    var allowInsecureRegistries = false

    @Option(help: "Seconds to wait for a connection to a registry. [env: CHARTHOUSE_REGISTRY_CONNECT_TIMEOUT] (default: 5)")
    var registryConnectTimeout: Int?

    @Option(help: "Seconds a whole registry request may take. [env: CHARTHOUSE_REGISTRY_TIMEOUT] (default: 30)")
    var registryTimeout: Int?

    @Option(
        help:
            "CIDR networks (comma-separated) registry requests may reach although loopback or private, e.g. 10.0.0.0/8,127.0.0.0/8. Link-local and cloud metadata addresses are always refused. [env: CHARTHOUSE_ALLOW_REGISTRY_NETWORKS] (default: none)"
    )
    var allowRegistryNetworks: String?

    @Option(help: "CIDR networks of reverse proxies whose X-Forwarded-For names the client. [env: CHARTHOUSE_TRUSTED_PROXIES] (default: none)")
    var trustedProxies: String?

    @Option(
        help:
            "CIDR networks (comma-separated) cluster API servers may be reached on although loopback or private, e.g. 10.0.0.0/8. Link-local and cloud metadata addresses are always refused. [env: CHARTHOUSE_ALLOW_CLUSTER_NETWORKS] (default: none)"
    )
    var allowClusterNetworks: String?

    func run() async throws {
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration(arguments: self)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "charthouse")
        let app = try await buildApplication(
            configuration,
            logger: logger,
            onServerRunning: { port in
                logger.notice("charthouse listening", metadata: ["address": .string("http://\(configuration.host):\(port)")])
                let url = "\(configuration.publicScheme)://\(configuration.publicHost ?? "\(configuration.host):\(port)")"
                let ready =
                    "Charthouse \(CharthouseCommand.version) is ready at \(url)\n"
                    + "  sign in:  charthouse login --server \(url) --username admin\n"
                    + "  API:      \(url)/openapi.yaml\n"
                FileHandle.standardOutput.write(Data(ready.utf8))
            }
        )
        try await app.runService()
        logger.notice("charthouse stopped")
    }
}
