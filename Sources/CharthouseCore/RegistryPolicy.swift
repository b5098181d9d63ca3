/// Server-wide rules for registries, from the configuration.
public struct RegistryPolicy: Sendable {
    /// Whether plain-HTTP endpoints (`http://…`, or OCI with `plainHTTP`) may be added.
    public var allowInsecureRegistries: Bool
    /// Outbound connect timeout for validation and sync.
    public var connectTimeout: Duration
    /// Outbound whole-request timeout for validation and sync.
    public var requestTimeout: Duration
    public var defaultSyncInterval: Int
    public static let syncIntervalRange = 60...604_800

    public init(
        allowInsecureRegistries: Bool = false,
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(30),
        defaultSyncInterval: Int = 1800
    ) {
        self.allowInsecureRegistries = allowInsecureRegistries
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.defaultSyncInterval = defaultSyncInterval
    }
}
