public import RegistryClient

/// Server-wide rules for registries, from the configuration.
public struct RegistryPolicy: Sendable {
    /// Whether plain-HTTP endpoints (`http://…`, or OCI with `plainHTTP`) may be added.
    public var allowInsecureRegistries: Bool
    /// Outbound connect timeout for validation and sync.
    public var connectTimeout: Duration
    /// Outbound whole-request timeout for validation and sync.
    public var requestTimeout: Duration
    public var defaultSyncInterval: Int
    /// Largest `index.yaml` read when a registry is checked, in bytes (the sync's cap too).
    public var maxIndexSize: Int
    /// Largest chart archive (`.tgz`) fetched to show its values, README or schema, in bytes.
    public var maxChartSize: Int
    /// Where the server's outbound requests may go (registry checks, syncs, chart files).
    public var egress: EgressPolicy
    public static let syncIntervalRange = 60...604_800
    /// The most OCI repositories a registry may name for its sync.
    public static let maxRepositories = 1000

    public init(
        allowInsecureRegistries: Bool = false,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        defaultSyncInterval: Int = 1800,
        maxIndexSize: Int = 256 << 20,
        maxChartSize: Int = 20 << 20,
        egress: EgressPolicy = .init()
    ) {
        self.allowInsecureRegistries = allowInsecureRegistries
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.defaultSyncInterval = defaultSyncInterval
        self.maxIndexSize = maxIndexSize
        self.maxChartSize = maxChartSize
        self.egress = egress
    }
}
