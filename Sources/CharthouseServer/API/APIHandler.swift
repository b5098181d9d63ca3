import CharthouseAPI
import CharthouseCore
import CharthouseStore

/// Implements the generated `APIProtocol`: each operation decodes its input, makes one Core call
/// and encodes the answer. Errors are thrown and rendered by ``ErrorMiddleware``.
///
/// Operations are split by resource: `APIHandler+Auth`, `+Tenants`, `+Users`, `+Tokens`, `+Registries`, `+Catalog`, `+ChartFiles`, `+Profiles`, `+Clusters`, `+Deployments`, `+Agent`, `+System`, `+Health`.
struct APIHandler: APIProtocol {
    let access: AccessService
    let tenants: TenantService
    let users: UserService
    let registries: RegistryService
    let catalog: CatalogService
    let chartFiles: ChartFileService
    let profiles: ProfileService
    let clusters: ClusterService
    let deployments: DeploymentService
    let agents: AgentService
    /// Records what agents find in their clusters.
    let discovery: ClusterDiscovery
    /// Where agents connect, and the image their manifest runs.
    let agentServerURL: @Sendable () -> String
    let agentImage: String
    let garbage: HostedGarbageCollector
    let scheduler: JobScheduler
    /// Cluster discoveries, on demand and on each cluster's interval.
    let discoveries: DiscoveryRequests
    let readiness: Readiness
}
