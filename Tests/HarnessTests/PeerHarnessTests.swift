import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The real peers later features are tested against start, answer and stop as the harness promises.
@Suite("Test harness: real peers on 127.0.0.1")
struct PeerHarnessTests {
    @Test("helm 3.17 and helm 4.1 are installed and isolated", arguments: [3, 4])
    func helmVersions(major: Int) throws {
        let helm = try HelmCLI(major: major)
        defer { helm.removeHome() }
        let version = try helm.run(["version", "--short"]).stdout
        #expect(version.hasPrefix("v\(major)."))
        #expect(helm.environment["HELM_CONFIG_HOME"]?.hasPrefix(helm.home.path) == true)
    }

    @Test("nginx serves a classic repository that helm reads, with basic auth and with TLS", arguments: [3, 4])
    func nginxClassicRepository(major: Int) async throws {
        let helm = try HelmCLI(major: major)
        defer { helm.removeHome() }
        let folder = try ScratchDirectory.make("charthouse-repo")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try helm.packageChart(name: "hello", version: "1.2.3", in: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("hello"))
        try helm.run(["repo", "index", folder.path])

        let credentials = Credentials(username: "reader", password: "reader-password")
        let secured = try await NginxServer(serving: folder, credentials: credentials)
        defer { secured.stop() }
        let anonymous = try await HTTPClient.shared.execute(HTTPClientRequest(url: secured.baseURL + "/index.yaml"), timeout: .seconds(5))
        #expect(anonymous.status.code == 401)
        let refused = try helm.run(["repo", "add", "open", secured.baseURL], check: false)
        #expect(refused.status != 0)
        try helm.run(["repo", "add", "secured", secured.baseURL, "--username", credentials.username, "--password", credentials.password])
        let search = try helm.run(["search", "repo", "secured/hello", "-o", "json"]).stdout
        #expect(search.contains("\"version\":\"1.2.3\""))

        let tls = try await NginxServer(serving: folder, useTLS: true)
        defer { tls.stop() }
        let untrusted = try helm.run(["repo", "add", "tls-untrusted", tls.baseURL], check: false)
        #expect(untrusted.status != 0)
        #expect(untrusted.stderr.contains("certificate"))
        let caFile = try #require(tls.tls).certificate.path
        try helm.run(["repo", "add", "tls", tls.baseURL, "--ca-file", caFile])
        #expect(try helm.run(["search", "repo", "tls/hello"]).stdout.contains("1.2.3"))
    }

    @Test("distribution with htpasswd takes helm pushes; skopeo reads the Helm manifest", arguments: [3, 4])
    func distributionRegistry(major: Int) async throws {
        let helm = try HelmCLI(major: major)
        defer { helm.removeHome() }
        let folder = try ScratchDirectory.make("charthouse-push")
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = try helm.packageChart(name: "pushed", version: "0.4.0", in: folder)
        let credentials = Credentials(username: "pusher", password: "pusher-password")
        let registry = try await DistributionRegistry(credentials: credentials)
        defer { registry.stop() }

        let anonymous = try await HTTPClient.shared.execute(HTTPClientRequest(url: registry.baseURL + "/v2/"), timeout: .seconds(5))
        #expect(anonymous.status.code == 401)
        #expect(anonymous.headers.first(name: "WWW-Authenticate")?.hasPrefix("Basic") == true)

        // helm 3.17 falls back to plain HTTP on its own; helm 4 has to be told.
        let plainHTTP = major == 3 ? ["--insecure"] : ["--plain-http"]
        try helm.run(
            ["registry", "login", registry.host, "--username", credentials.username, "--password-stdin"] + plainHTTP,
            stdin: credentials.password
        )
        try helm.run(["push", archive.path, "oci://\(registry.host)/charts", "--plain-http"])
        let shown = try helm.run(["show", "chart", "oci://\(registry.host)/charts/pushed", "--version", "0.4.0", "--plain-http"]).stdout
        #expect(shown.contains("name: pushed"))

        let skopeo = try Shell.require("skopeo")
        let manifest = try Shell.run([
            skopeo, "inspect", "--raw", "--tls-verify=false", "--creds", "\(credentials.username):\(credentials.password)",
            "docker://\(registry.host)/charts/pushed:0.4.0",
        ]).stdout
        #expect(manifest.contains("application/vnd.cncf.helm.config.v1+json"))
        #expect(manifest.contains("application/vnd.cncf.helm.chart.content.v1.tar+gzip"))
    }
}
