public import CharthouseStore

/// The stores Core works on, opened over one database.
public struct Stores: Sendable {
    public let database: CharthouseDatabase
    public let tenants: any TenantStore
    public let users: any UserStore
    public let tokens: any AccessTokenStore
    public let registries: any RegistryStore
    public let catalog: any CatalogStore
    /// Files of chart archives (values, README, schema), cached by archive digest.
    public let chartFiles: any ChartFileStore
    /// OCI metadata of the hosted registries.
    public let hosted: any HostedStore
    /// Cluster profiles and their layers.
    public let profiles: any ProfileStore
    /// Kubernetes clusters, their discovery state and the Helm release records found in them.
    public let clusters: any ClusterStore
    /// Profiles attached to clusters, agent credentials and what agents report.
    public let deployments: any DeploymentStore
    /// Seals secrets (registry passwords, kubeconfigs) before they are stored.
    public let sealer: SecretSealer

    public init(database: CharthouseDatabase, sealer: SecretSealer) {
        self.database = database
        self.sealer = sealer
        self.tenants = SQLTenantStore(database: database)
        self.users = SQLUserStore(database: database)
        self.tokens = SQLAccessTokenStore(database: database)
        self.registries = SQLRegistryStore(database: database)
        self.catalog = SQLCatalogStore(database: database)
        self.chartFiles = SQLChartFileStore(database: database)
        self.hosted = SQLHostedStore(database: database)
        self.profiles = SQLProfileStore(database: database)
        self.clusters = SQLClusterStore(database: database)
        self.deployments = SQLDeploymentStore(database: database)
    }
}
