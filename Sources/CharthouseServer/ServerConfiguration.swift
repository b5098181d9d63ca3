public import CharthouseCore
public import CharthouseStore
public import Foundation
public import Logging
public import RegistryClient

/// What `charthouse serve` was given on its command line; `nil` means "not given".
///
/// Commands adopt it so tests can pass a plain struct; ``ServerConfiguration`` resolves each value
/// from the flag, then its `CHARTHOUSE_*` environment variable, then the default.
public protocol ServeArguments: Sendable {
    var host: String? { get }
    var port: Int? { get }
    var dataDirectory: String? { get }
    var databaseURL: String? { get }
    var logLevel: String? { get }
    var maxBodySize: Int? { get }
    var sessionLifetime: Int? { get }
    var bcryptCost: Int? { get }
    /// `NAME=ENDPOINT` of each system registry; credentials come from the environment.
    var systemRegistries: [String] { get }
    var allowInsecureRegistries: Bool { get }
    var registryConnectTimeout: Int? { get }
    var registryTimeout: Int? { get }
    /// Comma-separated CIDR networks outbound requests may reach although loopback or private.
    var allowRegistryNetworks: String? { get }
    /// Comma-separated CIDR networks of reverse proxies whose `X-Forwarded-For` is believed.
    var trustedProxies: String? { get }
    /// Comma-separated CIDR networks cluster API servers may be reached on although loopback or private.
    var allowClusterNetworks: String? { get }
}

extension ServeArguments {
    public var allowRegistryNetworks: String? { nil }
    public var trustedProxies: String? { nil }
    public var allowClusterNetworks: String? { nil }
}

/// The server's resolved settings. Every value comes from a flag, an environment variable or a default, here only.
public struct ServerConfiguration: Sendable {
    /// One row of the configuration table: flag, environment variable, default, meaning.
    public struct Setting: Sendable {
        public let flag: String
        public let environment: String
        public let defaultValue: String
        public let help: String
    }

    public var host: String
    public var port: Int
    public var dataDirectory: URL
    public var database: DatabaseLocation
    public var logLevel: Logger.Level
    /// Largest accepted REST request body, in bytes.
    public var maxBodySize: Int
    /// Lifetime of a login session, in seconds.
    public var sessionLifetime: Int
    public var bcryptCost: UInt8
    /// `CHARTHOUSE_ADMIN_PASSWORD`: the first administrator's password, or `nil` to generate one.
    public var adminPassword: String?
    /// `CHARTHOUSE_SECRET_KEY`: the base64 key that seals secrets, or `nil` to use the key file.
    public var secretKey: String?
    /// `CHARTHOUSE_SECRET_KEY_PREVIOUS`: comma-separated older keys that still open sealed values.
    public var previousSecretKeys: [String]
    /// Registries and their outbound limits.
    public var registryPolicy: RegistryPolicy
    /// How many registry syncs run at once in this process.
    public var syncConcurrency: Int
    /// Clusters: where their API servers may be, time limits, discovery interval.
    public var clusterPolicy: ClusterPolicy
    /// How many cluster discoveries run at once in this process.
    public var discoveryConcurrency: Int
    /// How long an agent's access token lives, in seconds.
    public var agentSessionSeconds: Int
    /// The container image the agent manifest runs.
    public var agentImage: String
    /// How long a sync lease lives without renewal (a crashed server frees registries after this).
    public var syncLeaseSeconds: Int
    /// Largest index.yaml a sync accepts, in bytes.
    public var maxIndexSize: Int
    /// Percentage of the catalog an index may lose at once before the sync is held as suspicious.
    public var syncShrinkPercent: Int
    /// How often abandoned hosted-registry uploads are looked for, and how old they must be.
    public var uploadCleanupSeconds: Int
    public var uploadMaxAgeSeconds: Int
    /// How long a registry bearer token from `/v2/token` lasts, in seconds.
    public var registryTokenSeconds: Int
    /// `CHARTHOUSE_PUBLIC_HOST`: `host[:port]` clients use to reach this server (hosted
    /// registries' endpoints), or `nil` for the listening address.
    public var publicHost: String?
    /// `CHARTHOUSE_PUBLIC_SCHEME`: `http` or `https`, how clients reach this server (the
    /// download URLs of hosted registries' `index.yaml`).
    public var publicScheme: String
    /// `CHARTHOUSE_MAX_BLOB_SIZE`: the largest blob a hosted registry accepts, in bytes.
    public var maxBlobSize: Int
    /// Reverse proxies whose `X-Forwarded-For` names the client (for sign-in limits and logs).
    public var trustedProxies: [IPNetwork]
    /// Failed sign-ins allowed per username and per client address within a minute.
    public var loginLimits: LoginThrottle.Limits
    /// System registries from `--system-registry` / `CHARTHOUSE_SYSTEM_REGISTRIES`.
    public var systemRegistries: [SystemRegistrySpec]

    /// Every setting; `serve --help` lists the environment-only ones (no flag) from here.
    public static let settings: [Setting] = [
        .init(flag: "--host", environment: "CHARTHOUSE_HOST", defaultValue: "127.0.0.1", help: "Address to listen on."),
        .init(flag: "--port", environment: "CHARTHOUSE_PORT", defaultValue: "8080", help: "Port to listen on (0 picks a free one)."),
        .init(
            flag: "--data-dir",
            environment: "CHARTHOUSE_DATA_DIR",
            defaultValue: "./charthouse-data",
            help: "State directory: SQLite file, blobs/, secret key."
        ),
        .init(
            flag: "--database-url",
            environment: "CHARTHOUSE_DATABASE_URL",
            defaultValue: "sqlite in the data directory",
            help: "postgres://USER:PASS@HOST:PORT/DB to use PostgreSQL."
        ),
        .init(
            flag: "--log-level",
            environment: "CHARTHOUSE_LOG_LEVEL",
            defaultValue: "info",
            help: "trace, debug, info, notice, warning, error or critical."
        ),
        .init(flag: "--max-body-size", environment: "CHARTHOUSE_MAX_BODY_SIZE", defaultValue: "1048576", help: "Largest REST request body in bytes."),
        .init(
            flag: "--session-lifetime",
            environment: "CHARTHOUSE_SESSION_LIFETIME",
            defaultValue: "43200",
            help: "Login session lifetime in seconds."
        ),
        .init(flag: "--bcrypt-cost", environment: "CHARTHOUSE_BCRYPT_COST", defaultValue: "12", help: "bcrypt work factor for passwords (4–31)."),
        .init(
            flag: "--system-registry",
            environment: "CHARTHOUSE_SYSTEM_REGISTRIES",
            defaultValue: "none",
            help: "NAME=ENDPOINT, repeatable (env: comma-separated); credentials from CHARTHOUSE_SYSTEM_REGISTRY_<NAME>_USERNAME/_PASSWORD."
        ),
        .init(
            flag: "--allow-insecure-registries",
            environment: "CHARTHOUSE_ALLOW_INSECURE_REGISTRIES",
            defaultValue: "false",
            help: "Permit plain-HTTP registry endpoints."
        ),
        .init(
            flag: "--registry-connect-timeout",
            environment: "CHARTHOUSE_REGISTRY_CONNECT_TIMEOUT",
            defaultValue: "5",
            help: "Seconds to connect to a registry."
        ),
        .init(
            flag: "--registry-timeout",
            environment: "CHARTHOUSE_REGISTRY_TIMEOUT",
            defaultValue: "30",
            help: "Seconds for a whole registry request."
        ),
        .init(
            flag: "--allow-registry-networks",
            environment: "CHARTHOUSE_ALLOW_REGISTRY_NETWORKS",
            defaultValue: "none",
            help:
                "CIDR networks (comma-separated) the server may reach although loopback or private, e.g. 10.0.0.0/8; link-local and metadata addresses are always refused."
        ),
        .init(
            flag: "--allow-cluster-networks",
            environment: "CHARTHOUSE_ALLOW_CLUSTER_NETWORKS",
            defaultValue: "none",
            help:
                "CIDR networks (comma-separated) cluster API servers may be reached on although loopback or private, e.g. 10.0.0.0/8; link-local and metadata addresses are always refused."
        ),
        .init(
            flag: "--trusted-proxies",
            environment: "CHARTHOUSE_TRUSTED_PROXIES",
            defaultValue: "none",
            help: "CIDR networks of reverse proxies whose X-Forwarded-For names the client."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_LOGIN_LIMIT_PER_USER",
            defaultValue: "10",
            help: "Failed sign-ins per username per minute before 429."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_LOGIN_LIMIT_PER_ADDRESS",
            defaultValue: "50",
            help: "Failed sign-ins per client address per minute before 429."
        ),
        .init(flag: "", environment: "CHARTHOUSE_SYNC_CONCURRENCY", defaultValue: "4", help: "Registry syncs running at once."),
        .init(
            flag: "",
            environment: "CHARTHOUSE_DISCOVERY_INTERVAL",
            defaultValue: "600",
            help: "Seconds between discoveries of a cluster's Helm releases (a cluster may set its own)."
        ),
        .init(flag: "", environment: "CHARTHOUSE_DISCOVERY_CONCURRENCY", defaultValue: "2", help: "Cluster discoveries running at once."),
        .init(flag: "", environment: "CHARTHOUSE_AGENT_SESSION_SECONDS", defaultValue: "600", help: "Lifetime of an agent's access token."),
        .init(
            flag: "",
            environment: "CHARTHOUSE_AGENT_IMAGE",
            defaultValue: AgentManifest.defaultImage,
            help: "The container image the agent manifest runs (build it from the repository's Dockerfile)."
        ),
        .init(flag: "", environment: "CHARTHOUSE_CLUSTER_TIMEOUT", defaultValue: "60", help: "Seconds for one request to a cluster's API server."),
        .init(flag: "", environment: "CHARTHOUSE_SYNC_LEASE_SECONDS", defaultValue: "30", help: "Sync lease lifetime; renewed while a sync runs."),
        .init(flag: "", environment: "CHARTHOUSE_MAX_INDEX_SIZE", defaultValue: "268435456", help: "Largest index.yaml a sync accepts, bytes."),
        .init(
            flag: "",
            environment: "CHARTHOUSE_MAX_CHART_SIZE",
            defaultValue: "20971520",
            help: "Largest chart archive fetched to show its values, README or schema, bytes."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_SYNC_SHRINK_PERCENT",
            defaultValue: "50",
            help: "Share of the catalog (%) an index may lose at once before the sync is held until forced."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_UPLOAD_MAX_AGE_SECONDS",
            defaultValue: "86400",
            help: "An unfinished hosted-registry upload older than this is removed (checked every CHARTHOUSE_UPLOAD_CLEANUP_SECONDS, 600)."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_UPLOAD_CLEANUP_SECONDS",
            defaultValue: "600",
            help: "How often abandoned hosted-registry uploads are looked for."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_REGISTRY_TOKEN_SECONDS",
            defaultValue: "300",
            help: "Lifetime of the bearer tokens /v2/token issues to registry clients."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_PUBLIC_HOST",
            defaultValue: "the listening address",
            help: "host[:port] clients reach this server at, shown as hosted registries' endpoints."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_PUBLIC_SCHEME",
            defaultValue: "http",
            help: "http or https: how clients reach this server (download URLs in hosted registries' index.yaml)."
        ),
        .init(
            flag: "",
            environment: "CHARTHOUSE_MAX_BLOB_SIZE",
            defaultValue: "1073741824",
            help: "Largest blob (chart layer, provenance, config) a hosted registry accepts, in bytes."
        ),
        .init(flag: "", environment: "CHARTHOUSE_ADMIN_PASSWORD", defaultValue: "generated, printed once", help: "Password of the first `admin`."),
        .init(
            flag: "",
            environment: "CHARTHOUSE_SECRET_KEY",
            defaultValue: "DATA_DIR/secret.key",
            help: "Base64 256-bit key sealing secrets at rest."
        ),
        .init(flag: "", environment: "CHARTHOUSE_SECRET_KEY_PREVIOUS", defaultValue: "none", help: "Older keys (comma-separated) during rotation."),
    ]

    public init(arguments: some ServeArguments, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func value(_ flag: String?, _ name: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let env = environment[name], !env.isEmpty { return env }
            return nil
        }
        func integer(_ flag: Int?, _ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
            let raw = flag.map(String.init) ?? value(nil, name)
            guard let raw else { return defaultValue }
            guard let number = Int(raw), range.contains(number) else {
                throw ConfigurationError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got \"\(raw)\"")
            }
            return number
        }
        host = value(arguments.host, "CHARTHOUSE_HOST") ?? "127.0.0.1"
        port = try integer(arguments.port, "CHARTHOUSE_PORT", default: 8080, range: 0...65535)
        let directory = value(arguments.dataDirectory, "CHARTHOUSE_DATA_DIR") ?? "./charthouse-data"
        dataDirectory = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        if let url = value(arguments.databaseURL, "CHARTHOUSE_DATABASE_URL") {
            do {
                database = try DatabaseLocation(url: url)
            } catch let error as StoreError {
                throw ConfigurationError("--database-url: \(error.message)")
            }
        } else {
            database = .sqlite(path: dataDirectory.appendingPathComponent("charthouse.sqlite").path)
        }
        let level = value(arguments.logLevel, "CHARTHOUSE_LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: level.lowercased()) else {
            throw ConfigurationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \"\(level)\"")
        }
        self.logLevel = logLevel
        maxBodySize = try integer(arguments.maxBodySize, "CHARTHOUSE_MAX_BODY_SIZE", default: 1 << 20, range: 1024...(1 << 30))
        sessionLifetime = try integer(arguments.sessionLifetime, "CHARTHOUSE_SESSION_LIFETIME", default: 43_200, range: 1...31_536_000)
        bcryptCost = UInt8(try integer(arguments.bcryptCost, "CHARTHOUSE_BCRYPT_COST", default: 12, range: 4...31))
        adminPassword = value(nil, "CHARTHOUSE_ADMIN_PASSWORD")
        secretKey = value(nil, "CHARTHOUSE_SECRET_KEY")
        previousSecretKeys = (value(nil, "CHARTHOUSE_SECRET_KEY_PREVIOUS") ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        let allowInsecure =
            arguments.allowInsecureRegistries
            || ["1", "true", "yes"].contains(environment["CHARTHOUSE_ALLOW_INSECURE_REGISTRIES"]?.lowercased() ?? "")
        registryPolicy = RegistryPolicy(
            allowInsecureRegistries: allowInsecure,
            connectTimeout: .seconds(
                try integer(arguments.registryConnectTimeout, "CHARTHOUSE_REGISTRY_CONNECT_TIMEOUT", default: 5, range: 1...300)
            ),
            requestTimeout: .seconds(try integer(arguments.registryTimeout, "CHARTHOUSE_REGISTRY_TIMEOUT", default: 30, range: 1...3600))
        )
        do {
            registryPolicy.egress = EgressPolicy(
                allowedNetworks: try IPNetwork.list(value(arguments.allowRegistryNetworks, "CHARTHOUSE_ALLOW_REGISTRY_NETWORKS") ?? "")
            )
            trustedProxies = try IPNetwork.list(value(arguments.trustedProxies, "CHARTHOUSE_TRUSTED_PROXIES") ?? "")
        } catch let error as RegistryClientError {
            throw ConfigurationError("--allow-registry-networks / --trusted-proxies: \(error.message)")
        }
        loginLimits = LoginThrottle.Limits()
        loginLimits.perUsername = try integer(nil, "CHARTHOUSE_LOGIN_LIMIT_PER_USER", default: 10, range: 1...100_000)
        loginLimits.perAddress = try integer(nil, "CHARTHOUSE_LOGIN_LIMIT_PER_ADDRESS", default: 50, range: 1...1_000_000)
        syncConcurrency = try integer(nil, "CHARTHOUSE_SYNC_CONCURRENCY", default: 4, range: 1...64)
        clusterPolicy = ClusterPolicy(
            connectTimeout: registryPolicy.connectTimeout,
            requestTimeout: .seconds(try integer(nil, "CHARTHOUSE_CLUSTER_TIMEOUT", default: 60, range: 1...3600)),
            defaultDiscoveryInterval: try integer(nil, "CHARTHOUSE_DISCOVERY_INTERVAL", default: 600, range: ClusterPolicy.discoveryIntervalRange)
        )
        do {
            clusterPolicy.egress = EgressPolicy(
                allowedNetworks: try IPNetwork.list(value(arguments.allowClusterNetworks, "CHARTHOUSE_ALLOW_CLUSTER_NETWORKS") ?? "")
            )
        } catch let error as RegistryClientError {
            throw ConfigurationError("--allow-cluster-networks: \(error.message)")
        }
        discoveryConcurrency = try integer(nil, "CHARTHOUSE_DISCOVERY_CONCURRENCY", default: 2, range: 1...64)
        agentSessionSeconds = try integer(nil, "CHARTHOUSE_AGENT_SESSION_SECONDS", default: 600, range: 5...86_400)
        agentImage = value(nil, "CHARTHOUSE_AGENT_IMAGE") ?? AgentManifest.defaultImage
        guard !agentImage.isEmpty, agentImage.utf8.count <= 512, !agentImage.contains(where: \.isWhitespace) else {
            throw ConfigurationError("CHARTHOUSE_AGENT_IMAGE: not an image reference")
        }
        syncLeaseSeconds = try integer(nil, "CHARTHOUSE_SYNC_LEASE_SECONDS", default: 30, range: 3...3600)
        maxIndexSize = try integer(nil, "CHARTHOUSE_MAX_INDEX_SIZE", default: 256 << 20, range: 1024...(4 << 30))
        registryPolicy.maxIndexSize = maxIndexSize
        registryPolicy.maxChartSize = try integer(nil, "CHARTHOUSE_MAX_CHART_SIZE", default: 20 << 20, range: 1024...(1 << 30))
        syncShrinkPercent = try integer(nil, "CHARTHOUSE_SYNC_SHRINK_PERCENT", default: 50, range: 1...100)
        publicHost = value(nil, "CHARTHOUSE_PUBLIC_HOST")
        publicScheme = value(nil, "CHARTHOUSE_PUBLIC_SCHEME") ?? "http"
        guard ["http", "https"].contains(publicScheme) else {
            throw ConfigurationError("CHARTHOUSE_PUBLIC_SCHEME must be http or https, not \"\(publicScheme)\"")
        }
        maxBlobSize = try integer(nil, "CHARTHOUSE_MAX_BLOB_SIZE", default: 1 << 30, range: 1024...(64 << 30))
        registryTokenSeconds = try integer(nil, "CHARTHOUSE_REGISTRY_TOKEN_SECONDS", default: 300, range: 1...86_400)
        uploadCleanupSeconds = try integer(nil, "CHARTHOUSE_UPLOAD_CLEANUP_SECONDS", default: 600, range: 1...86_400)
        uploadMaxAgeSeconds = try integer(nil, "CHARTHOUSE_UPLOAD_MAX_AGE_SECONDS", default: 86_400, range: 1...(30 * 86_400))
        var specs = arguments.systemRegistries
        if specs.isEmpty, let list = value(nil, "CHARTHOUSE_SYSTEM_REGISTRIES") {
            specs = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        systemRegistries = try specs.map { try Self.systemRegistry($0, environment: environment) }
    }
}

extension ServerConfiguration {
    /// Parses `NAME=ENDPOINT`; credentials come from `CHARTHOUSE_SYSTEM_REGISTRY_<NAME>_USERNAME` and
    /// `_PASSWORD`, plain HTTP for OCI from `_PLAIN_HTTP=true` (NAME upper-cased, `-` as `_`).
    static func systemRegistry(_ text: String, environment: [String: String]) throws -> SystemRegistrySpec {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex, text.index(after: equals) != text.endIndex else {
            throw ConfigurationError("--system-registry must look like NAME=ENDPOINT, got \"\(text)\"")
        }
        let name = String(text[..<equals])
        let key = "CHARTHOUSE_SYSTEM_REGISTRY_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
        let username = environment[key + "_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        let password = environment[key + "_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        guard (username == nil) == (password == nil) else {
            throw ConfigurationError("set both \(key)_USERNAME and \(key)_PASSWORD, or neither")
        }
        let plainHTTP = ["1", "true", "yes"].contains(environment[key + "_PLAIN_HTTP"]?.lowercased() ?? "")
        return SystemRegistrySpec(
            name: name,
            endpoint: String(text[text.index(after: equals)...]),
            username: username,
            password: password,
            plainHTTP: plainHTTP
        )
    }
}

/// A setting that cannot be used; the message names it and says what is accepted.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
