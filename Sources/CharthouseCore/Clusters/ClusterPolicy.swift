public import RegistryClient

/// Server-wide rules for reaching clusters, from the configuration.
public struct ClusterPolicy: Sendable {
    /// Longest wait for a connection to an API server.
    public var connectTimeout: Duration
    /// Longest wait for one request (a page of release records) to an API server.
    public var requestTimeout: Duration
    /// Where the server may connect: API servers usually live on private networks, which the
    /// operator allows explicitly (`--allow-cluster-networks`).
    public var egress: EgressPolicy
    /// Seconds between discoveries of a cluster, unless the cluster sets its own.
    public var defaultDiscoveryInterval: Int
    /// Release records asked for per page (`limit`).
    public var pageSize: Int
    /// Largest page read from an API server, in bytes.
    public var maxPageSize: Int
    /// Largest release record read (its `release` data, as the API returns it); larger ones are
    /// skipped and counted.
    public var maxRecordSize: Int
    /// How long a discovery may run before its lease lapses (renewed while it runs).
    public var leaseSeconds: Int
    public static let discoveryIntervalRange = 60...604_800

    public init(
        connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(60),
        egress: EgressPolicy = .init(),
        defaultDiscoveryInterval: Int = 600,
        pageSize: Int = 100,
        maxPageSize: Int = 128 << 20,
        maxRecordSize: Int = 4 << 20,
        leaseSeconds: Int = 60
    ) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.egress = egress
        self.defaultDiscoveryInterval = defaultDiscoveryInterval
        self.pageSize = pageSize
        self.maxPageSize = maxPageSize
        self.maxRecordSize = maxRecordSize
        self.leaseSeconds = leaseSeconds
    }

    /// Transport settings for one request to an API server.
    var connectionOptions: RegistryConnectionOptions {
        RegistryConnectionOptions(connectTimeout: connectTimeout, requestTimeout: requestTimeout, maxBodySize: maxPageSize, egress: egress)
    }
}
