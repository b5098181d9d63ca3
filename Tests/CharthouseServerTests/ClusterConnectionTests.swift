import CharthouseAPI
import Foundation
import HTTPTypes
import KubeStandin
import TestSupport
import Testing

/// Importing a cluster: every kubeconfig credential the issue names works against the stand-in;
/// every way it can fail is a 422 that says why; the kubeconfig is sealed at rest and never
/// returned or logged.
@Suite("Clusters: kubeconfig credentials, live checks and secrets")
struct ClusterConnectionTests {
    @Test("token, client certificate, username/password and insecure-skip-tls-verify all connect")
    func credentials() async throws {
        try await withStandin { standin in
            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                let text = standin.kubeconfigText
                let caData = try #require(Self.field("certificate-authority-data", in: text))
                let variants: [(String, String, String?)] = [
                    ("token", text, nil),
                    ("cert", text, "standin-cert"),
                    ("basic", text, "standin-basic"),
                    ("insecure", text.replacingOccurrences(of: "certificate-authority-data: \(caData)", with: "insecure-skip-tls-verify: true"), nil),
                ]
                for (name, kubeconfig, context) in variants {
                    let created = try await server.client(token: cast.adminA.token).createCluster(
                        body: .json(.init(name: name, kubeconfig: kubeconfig, context: context))
                    ).created.body.json
                    #expect(created.kubernetesVersion == "v1.33.0", "\(name)")
                    #expect(created.context == (context ?? "standin-token"), "\(name)")
                    let discovered = try await ClusterHelpers.waitForDiscovery(server, token: cast.adminA.token, id: created.id)
                    #expect(discovered.discoveryState == .ok, "\(name): \(discovered.lastError ?? "")")
                }
            }
        }
    }

    @Test("tls-server-name: the certificate is checked against the name given, not the address connected to")
    func serverName() async throws {
        try await withStandin(addressInCertificate: false) { standin in
            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                let text = standin.kubeconfigText
                let caData = try #require(Self.field("certificate-authority-data", in: text))
                func named(_ name: String) -> String {
                    text.replacingOccurrences(
                        of: "certificate-authority-data: \(caData)",
                        with: "certificate-authority-data: \(caData)\n    tls-server-name: \(name)"
                    )
                }
                for (name, kubeconfig) in [("unnamed", text), ("wrong-name", named("wrong.example.com"))] {
                    let response = try await server.request(
                        .post,
                        "/api/v1/clusters",
                        token: cast.adminA.token,
                        headers: jsonHeaders,
                        body: json(["name": name, "kubeconfig": kubeconfig])
                    )
                    expectError(response, 422, "unprocessable")
                    #expect(response.text.contains("TLS"), "\(name): \(response.text)")
                }
                let created = try await server.client(token: cast.adminA.token).createCluster(
                    body: .json(.init(name: "named", kubeconfig: named(KubePKI.serverName)))
                ).created.body.json
                let discovered = try await ClusterHelpers.waitForDiscovery(server, token: cast.adminA.token, id: created.id)
                #expect(discovered.discoveryState == .ok, "\(discovered.lastError ?? "")")
            }
        }
    }

    @Test("unreachable, wrong token, wrong CA, exec and auth-provider users, file paths, private networks: each a clear 422")
    func failures() async throws {
        try await withStandin { standin in
            try await withStandin { other in
                try await TestServer.with { server in
                    let cast = try await TwoTenants.make(on: server)
                    let text = standin.kubeconfigText
                    let caData = try #require(Self.field("certificate-authority-data", in: text))
                    let otherCA = try #require(Self.field("certificate-authority-data", in: other.kubeconfigText))
                    let closed = try RefusingPort()
                    let cases: [(String, String, String)] = [
                        (
                            "unreachable", text.replacingOccurrences(of: standin.server, with: "https://127.0.0.1:\(closed.port)"),
                            "connection refused"
                        ),
                        ("wrong token", text.replacingOccurrences(of: "token: \(standin.token)", with: "token: not-the-token"), "401 Unauthorized"),
                        ("wrong ca", text.replacingOccurrences(of: caData, with: otherCA), "TLS"),
                        (
                            "exec",
                            Self.kubeconfig(
                                server: standin.server,
                                user: "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: aws\n"
                            ), "exec plugin (aws)"
                        ),
                        (
                            "auth-provider", Self.kubeconfig(server: standin.server, user: "    auth-provider:\n      name: gcp\n"),
                            "auth-provider plugin (gcp)"
                        ),
                        (
                            "file path",
                            Self.kubeconfig(
                                server: standin.server,
                                user: "    client-certificate: /home/me/.kube/me.crt\n    client-key: /home/me/.kube/me.key\n"
                            ), "refers to a file"
                        ),
                        ("not yaml", "apiVersion: v1\nkind: [unclosed\n", "not valid YAML"),
                        (
                            "no context", text.replacingOccurrences(of: "current-context: standin-token", with: "current-context: missing"),
                            "has no context \\\"missing\\\""
                        ),
                    ]
                    for (name, kubeconfig, expected) in cases {
                        let response = try await server.request(
                            .post,
                            "/api/v1/clusters",
                            token: cast.adminA.token,
                            headers: jsonHeaders,
                            body: json(["name": "c-\(name.replacingOccurrences(of: " ", with: "-"))", "kubeconfig": kubeconfig])
                        )
                        expectError(response, 422, "unprocessable")
                        #expect(response.text.contains(expected), "\(name): \(response.text)")
                    }
                    let list = try await server.client(token: cast.adminA.token).listClusters().ok.body.json.items
                    #expect(list.isEmpty, "nothing is stored when the check fails")
                }
                // Without --allow-cluster-networks, a loopback API server is refused before any connection.
                var options = TestServer.Options()
                options.allowClusterNetworks = nil
                try await TestServer.with(options) { server in
                    let cast = try await TwoTenants.make(on: server)
                    let before = standin.requestLog.count
                    let response = try await server.request(
                        .post,
                        "/api/v1/clusters",
                        token: cast.adminA.token,
                        headers: jsonHeaders,
                        body: json(["name": "private", "kubeconfig": standin.kubeconfigText])
                    )
                    expectError(response, 422, "unprocessable")
                    #expect(response.text.contains("egress policy"), "\(response.text)")
                    #expect(standin.requestLog.count == before, "no request reached the cluster")
                }
            }
        }
    }

    @Test("a replaced kubeconfig is checked again; the kubeconfig's secrets never reach the database, answers or logs")
    func replaceAndSecrets() async throws {
        try await withStandin { standin in
            try await TestServer.with { server in
                let cast = try await TwoTenants.make(on: server)
                let client = server.client(token: cast.adminA.token)
                let cluster = try await ClusterHelpers.importCluster(server, token: cast.adminA.token, standin: standin)
                let wrong = standin.kubeconfigText.replacingOccurrences(of: "token: \(standin.token)", with: "token: not-the-token")
                let refused = try await server.request(
                    .patch,
                    "/api/v1/clusters/\(cluster.id)",
                    token: cast.adminA.token,
                    headers: jsonHeaders,
                    body: json(["kubeconfig": wrong])
                )
                expectError(refused, 422, "unprocessable")
                let switched = try await client.updateCluster(path: .init(id: cluster.id), body: .json(.init(context: "standin-cert"))).ok.body.json
                #expect(switched.context == "standin-cert")
                let renamed = try await client.updateCluster(path: .init(id: cluster.id), body: .json(.init(name: "production"))).ok.body.json
                #expect(renamed.name == "production" && renamed.context == "standin-cert")
                let discovered = try await ClusterHelpers.discover(server, token: cast.adminA.token, id: cluster.id)
                #expect(discovered.discoveryState == .ok, "\(discovered.lastError ?? "")")

                let keyData = try #require(Self.field("client-key-data", in: standin.kubeconfigText))
                let secrets = [standin.token, standin.password, keyData, String(keyData.prefix(40))]
                let stored = try await SecretsAtRestTests.rawDatabase(of: server)
                #expect(stored.count > 1000)
                var answers = ""
                for path in ["/api/v1/clusters", "/api/v1/clusters/\(cluster.id)", "/api/v1/clusters/\(cluster.id)/releases"] {
                    answers += try await server.request(.get, path, token: cast.adminA.token).text
                }
                #expect(answers.contains("production"))
                let log = server.logs.text
                for secret in secrets {
                    #expect(stored.range(of: Data(secret.utf8)) == nil, "a kubeconfig secret is stored in clear")
                    #expect(!answers.contains(secret), "a kubeconfig secret was returned")
                    #expect(!log.contains(secret), "a kubeconfig secret reached the log")
                }
                #expect(!answers.contains("kubeconfig"), "the kubeconfig is never returned")
            }
        }
    }

    /// The value of `key:` in a kubeconfig text.
    static func field(_ key: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("\(key): ") }
            .map { String($0.trimmingCharacters(in: .whitespaces).dropFirst(key.count + 2)) }
    }

    /// A kubeconfig whose one user is `user` (indented YAML under `user:`).
    static func kubeconfig(server: String, user: String) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: \(server)
            insecure-skip-tls-verify: true
        users:
        - name: u
          user:
        \(user)contexts:
        - name: x
          context: {cluster: c, user: u}
        current-context: x

        """
    }
}
