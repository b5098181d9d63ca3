public import Foundation

/// A kubeconfig (`apiVersion: v1`, `kind: Config`) reduced to what one connection needs: the
/// chosen context's server, TLS settings and credentials. Only embedded data is read: a file
/// path (`certificate-authority`, `client-certificate`, `tokenFile`…) names a file on the
/// uploader's machine, and an `exec` or `auth-provider` user runs a program there; both are
/// refused with a message that says how to embed the data instead.
public struct KubeconfigConnection: Sendable, Hashable {
    public enum Credential: Sendable, Hashable {
        case none
        case bearerToken(String)
        case clientCertificate(certificatePEM: String, keyPEM: String)
        case basic(username: String, password: String)
    }

    /// The context used (named, or the kubeconfig's `current-context`).
    public let context: String
    /// `https://host:port` of the API server.
    public let server: String
    /// The CA bundle (PEM) from `certificate-authority-data`.
    public let caCertificatePEM: String?
    public let insecureSkipTLSVerify: Bool
    /// `tls-server-name`: the name the server's certificate is checked against.
    public let tlsServerName: String?
    public let credential: Credential
    /// The context's default namespace, if it names one.
    public let namespace: String?

    /// Why a kubeconfig cannot be used, in words for the user.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public let message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// A connection from its parts, as a pod's service account gives them (in-cluster config).
    public init(
        server: String,
        caCertificatePEM: String?,
        credential: Credential,
        context: String = "in-cluster",
        namespace: String? = nil,
        insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil
    ) {
        self.context = context
        self.server = server
        self.caCertificatePEM = caCertificatePEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.credential = credential
        self.namespace = namespace
    }

    /// Reads `text` and resolves `context` (default: `current-context`).
    public init(kubeconfig text: String, context: String? = nil) throws(Problem) {
        let document: JSONValue
        do {
            document = try YAMLDocument.parse(text)
        } catch {
            throw Problem("the kubeconfig is not valid YAML (\(error))")
        }
        guard case .object = document else { throw Problem("the kubeconfig is not a YAML mapping") }
        if let kind = document["kind"]?.stringValue, kind != "Config" { throw Problem("the kubeconfig's kind is \(kind), not Config") }
        let contextName = context ?? document["current-context"]?.stringValue ?? ""
        guard !contextName.isEmpty else { throw Problem("the kubeconfig has no current-context; name a context") }
        guard let contextEntry = Self.named(document["contexts"], contextName, "context") else {
            let known = Self.names(document["contexts"])
            throw Problem("the kubeconfig has no context \"\(contextName)\"\(known.isEmpty ? "" : " (it has: \(known.joined(separator: ", ")))")")
        }
        let clusterName = contextEntry["cluster"]?.stringValue ?? ""
        guard let cluster = Self.named(document["clusters"], clusterName, "cluster") else {
            throw Problem("context \"\(contextName)\" names cluster \"\(clusterName)\", which the kubeconfig does not define")
        }
        let userName = contextEntry["user"]?.stringValue ?? ""
        let user = userName.isEmpty ? JSONValue.object([:]) : Self.named(document["users"], userName, "user")
        guard let user else { throw Problem("context \"\(contextName)\" names user \"\(userName)\", which the kubeconfig does not define") }

        guard let server = cluster["server"]?.stringValue, let url = URL(string: server), let scheme = url.scheme?.lowercased(),
            ["https", "http"].contains(scheme), url.host?.isEmpty == false
        else {
            throw Problem("cluster \"\(clusterName)\" has no valid server URL (https://HOST:PORT)")
        }
        if cluster["certificate-authority"] != nil, cluster["certificate-authority-data"] == nil {
            throw Problem(Self.fileReference("certificate-authority", of: "cluster \"\(clusterName)\""))
        }
        self.context = contextName
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.caCertificatePEM = try Self.pem(cluster["certificate-authority-data"], "certificate-authority-data")
        self.insecureSkipTLSVerify = cluster["insecure-skip-tls-verify"] == .bool(true)
        self.tlsServerName = cluster["tls-server-name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        self.namespace = contextEntry["namespace"]?.stringValue
        self.credential = try Self.credential(user, name: userName)
    }

    private static func credential(_ user: JSONValue, name: String) throws(Problem) -> Credential {
        let who = "user \"\(name)\""
        if user["exec"] != nil {
            let command = user["exec"]?["command"]?.stringValue.map { " (\($0))" } ?? ""
            throw Problem(
                "\(who) authenticates with an exec plugin\(command), which runs a program on your machine and cannot run on the server: use a kubeconfig with a token or a client certificate (e.g. a ServiceAccount token)"
            )
        }
        if user["auth-provider"] != nil {
            let provider = user["auth-provider"]?["name"]?.stringValue.map { " (\($0))" } ?? ""
            throw Problem(
                "\(who) authenticates with an auth-provider plugin\(provider), which the server cannot run: use a kubeconfig with a token or a client certificate (e.g. a ServiceAccount token)"
            )
        }
        for key in ["client-certificate", "client-key", "tokenFile"] where user[key] != nil {
            throw Problem(fileReference(key, of: who))
        }
        if let token = user["token"]?.stringValue, !token.isEmpty { return .bearerToken(token) }
        let certificate = try pem(user["client-certificate-data"], "client-certificate-data")
        let key = try pem(user["client-key-data"], "client-key-data")
        switch (certificate, key) {
        case (let certificate?, let key?): return .clientCertificate(certificatePEM: certificate, keyPEM: key)
        case (nil, nil): break
        default: throw Problem("\(who) needs both client-certificate-data and client-key-data")
        }
        if let username = user["username"]?.stringValue, !username.isEmpty {
            return .basic(username: username, password: user["password"]?.stringValue ?? "")
        }
        return .none
    }

    private static func fileReference(_ key: String, of owner: String) -> String {
        "\(owner) refers to a file (\(key)) on your machine, which the server cannot read: embed the data (kubectl config view --minify --flatten --raw)"
    }

    private static func pem(_ value: JSONValue?, _ key: String) throws(Problem) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), let pem = String(data: data, encoding: .utf8),
            pem.contains("-----BEGIN")
        else {
            throw Problem("\(key) is not base64-encoded PEM")
        }
        return pem
    }

    private static func named(_ list: JSONValue?, _ name: String, _ field: String) -> JSONValue? {
        list?.arrayValue?.first { $0["name"]?.stringValue == name }?[field]
    }

    private static func names(_ list: JSONValue?) -> [String] {
        list?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }
}
