import CharthouseStore
import RegistryClient

extension RegistryRecord {
    /// The credentials to send upstream, the password opened from its sealed form.
    func credentials(sealer: SecretSealer) throws -> RegistryCredentials {
        guard !noAuthentication, let username, let sealedPassword else { return .anonymous }
        return .basic(username: username, password: try sealer.open(sealedPassword, context: Self.passwordSealingContext(id: id)))
    }

    /// Transport settings for this registry under the server's policy, reading at most `maxBodySize` bytes.
    func connectionOptions(policy: RegistryPolicy, maxBodySize: Int) -> RegistryConnectionOptions {
        RegistryConnectionOptions(
            caCertificatePEM: caCertificate,
            insecureSkipTLSVerify: insecureSkipTLSVerify,
            plainHTTP: plainHTTP,
            connectTimeout: policy.connectTimeout,
            requestTimeout: policy.requestTimeout,
            maxBodySize: maxBodySize,
            egress: policy.egress
        )
    }
}
