public import Foundation

/// How `charthouse agent` runs: where the control plane is, how it proves who it is, how it
/// reaches its own cluster, and where it keeps its state.
public struct AgentSettings: Sendable {
    /// The Charthouse server.
    public var server: URL
    /// The cluster's registration token (`chr_…`).
    public var registrationToken: String
    /// A kubeconfig for helm and for reading release records; `nil`: the pod's service account.
    public var kubeconfig: String?
    public var kubeContext: String?
    /// The helm binary (helm 3.8+ or 4).
    public var helm: String
    /// Where the agent keeps its last desired state, what it installed, and chart archives.
    public var stateDirectory: URL
    /// `helm --timeout` for an install or upgrade.
    public var helmTimeoutSeconds: Int
    /// How long one long poll of the desired state waits for a change.
    public var pollSeconds: Int
    /// How often the cluster's release records are read and reported.
    public var discoverySeconds: Int
    /// Back-off after a failure: doubles from `retryBaseSeconds` up to `retryMaxSeconds`.
    public var retryBaseSeconds: Double
    public var retryMaxSeconds: Double
    /// Reported to the server.
    public var version: String

    public init(
        server: URL,
        registrationToken: String,
        kubeconfig: String? = nil,
        kubeContext: String? = nil,
        helm: String = "helm",
        stateDirectory: URL,
        helmTimeoutSeconds: Int = 300,
        pollSeconds: Int = 30,
        discoverySeconds: Int = 60,
        retryBaseSeconds: Double = 5,
        retryMaxSeconds: Double = 300,
        version: String = "0.1.0"
    ) {
        self.server = server
        self.registrationToken = registrationToken
        self.kubeconfig = kubeconfig
        self.kubeContext = kubeContext
        self.helm = helm
        self.stateDirectory = stateDirectory
        self.helmTimeoutSeconds = helmTimeoutSeconds
        self.pollSeconds = pollSeconds
        self.discoverySeconds = discoverySeconds
        self.retryBaseSeconds = retryBaseSeconds
        self.retryMaxSeconds = retryMaxSeconds
        self.version = version
    }

    /// The back-off before attempt `failures + 1`.
    func backoff(failures: Int) -> Double {
        min(retryMaxSeconds, retryBaseSeconds * pow(2, Double(max(0, failures - 1))))
    }
}
