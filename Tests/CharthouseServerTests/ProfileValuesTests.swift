import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Layer values checked against the chart's `values.schema.json`, differentially: for charts
/// with schemas of three drafts and values files that pass and fail, Charthouse's verdict and
/// failing paths equal what the real helm 4 says for `helm template` with the same values.
@Suite("Profile values against chart schemas (differential with helm 4)")
struct ProfileValuesTests {
    struct Chart {
        let name: String
        let defaults: String
        let schema: String
        /// Values files: some valid, some not.
        let cases: [String]
    }

    static let charts = [
        Chart(
            name: "app",
            defaults: "replicas: 1\nimage:\n  repository: nginx\n  tag: \"1.25\"\n  pullPolicy: IfNotPresent\nmode: a\nport: 8080\n",
            schema: """
                {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": ["image"],
                 "properties": {
                   "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
                   "image": {"type": "object", "required": ["repository"], "additionalProperties": false,
                     "properties": {"repository": {"type": "string", "pattern": "^[a-z0-9./-]+$"}, "tag": {"type": "string", "minLength": 1},
                                    "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]}}},
                   "mode": {"oneOf": [{"const": "a"}, {"const": "b"}, {"type": "integer"}]},
                   "port": {"$ref": "#/definitions/port"},
                   "admin": {"type": "string", "format": "email"},
                   "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "maxItems": 3},
                   "labels": {"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": {"type": "integer"}},
                   "tls": {"type": "object", "if": {"properties": {"enabled": {"const": true}}, "required": ["enabled"]},
                           "then": {"required": ["secretName"]}, "else": {"not": {"required": ["secretName"]}}},
                   "size": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+(Mi|Gi)$"}]},
                   "ratio": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.5}},
                 "definitions": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}}}
                """,
            cases: [
                "",
                "replicas: 3\nimage:\n  tag: \"1.27\"\n",
                "replicas: 0\n",
                "replicas: \"3\"\n",
                "replicas: 2.0\n",
                "image:\n  repository: Nginx\n  pullPolicy: Sometimes\n",
                "image:\n  registry: docker.io\n",
                "image:\n  repository: null\n",
                "image: null\n",
                "mode: c\n",
                "mode: 7\n",
                "port: 70000\n",
                "port: http\n",
                "admin: ops@example.com\n",
                "admin: not-an-email\n",
                "tags: [a, b, a]\n",
                "tags: [a, b, c, d]\n",
                "tags: [a, 1]\n",
                "labels:\n  x-team: web\n  count: 2\n",
                "labels:\n  x-team: 1\n  count: two\n",
                "tls:\n  enabled: true\n",
                "tls:\n  enabled: true\n  secretName: web-tls\n",
                "tls:\n  enabled: false\n  secretName: web-tls\n",
                "size: 10Gi\n",
                "size: 10Tb\n",
                "size: [1]\n",
                "ratio: 1.5\n",
                "ratio: 0\n",
                "ratio: 0.7\n",
                "replicas: 11\nport: 0\nmode: [1]\nimage:\n  repository: UPPER\n",
            ]
        ),
        Chart(
            name: "modern",
            defaults: "name: web\nlimits:\n  cpu: 100m\n",
            schema: """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "properties": {
                   "name": {"$ref": "#/$defs/name", "maxLength": 8},
                   "limits": {"type": "object", "minProperties": 1, "maxProperties": 2, "propertyNames": {"enum": ["cpu", "memory", "storage"]}},
                   "backup": {"type": "object", "dependentRequired": {"schedule": ["retention"]}},
                   "kind": {"const": "Deployment"},
                   "weight": {"type": "integer", "exclusiveMaximum": 100},
                   "email": {"type": "string", "format": "email"},
                   "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}, "minItems": 1}, "contains": {"maxItems": 1}}},
                 "$defs": {"name": {"type": "string", "pattern": "^[a-z]+$"}}}
                """,
            cases: [
                "",
                "name: verylongname\n",
                "name: Web\n",
                "limits: {}\n",
                "limits: {cpu: 1, memory: 2, storage: 3}\n",
                "limits: {gpu: 1}\n",
                "backup: {schedule: daily}\n",
                "backup: {schedule: daily, retention: 7}\n",
                "kind: StatefulSet\n",
                "weight: 100\n",
                "weight: 99\n",
                "email: nope\n",
                "matrix: [[1, 2], [3]]\n",
                "matrix: [[1, 2], [3, 4]]\n",
                "matrix: [[], [x]]\n",
            ]
        ),
    ]

    /// The failing paths in helm 4's message: leaf lines, where a combinator's branches count as
    /// the combinator's own path and "validation failed" lines only group their children.
    static func helmPaths(_ output: String) -> Set<String> {
        var paths = Set<String>()
        var stack: [(indent: Int, combinator: Bool)] = []
        for line in output.split(separator: "\n") {
            guard let at = line.range(of: "- at '") else { continue }
            let indent = line.distance(from: line.startIndex, to: at.lowerBound)
            let rest = line[at.upperBound...]
            guard let close = rest.range(of: "': ") else { continue }
            let path = String(rest[..<close.lowerBound])
            let message = rest[close.upperBound...]
            while let last = stack.last, last.indent >= indent { stack.removeLast() }
            let insideCombinator = stack.contains { $0.combinator }
            // Lines whose children explain them: the branches of a combinator, the items that
            // failed `contains`, the rule a property name broke.
            let combinator = ["'oneOf'", "'anyOf'", "'allOf'", "'not'", "no items match contains", "invalid propertyName"].contains {
                message.hasPrefix($0)
            }
            stack.append((indent, combinator))
            if !insideCombinator, message != "validation failed" { paths.insert(path) }
        }
        return paths
    }

    /// The failing paths in Charthouse's 422 message.
    static func ourPaths(_ message: String) -> Set<String> {
        Set(
            message.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("- at '"), let close = line.dropFirst(6).range(of: "': ") else { return nil }
                return String(line.dropFirst(6)[..<close.lowerBound])
            }
        )
    }

    @Test("every values file: the same verdict and the same failing paths as helm template")
    func differential() async throws {
        let helm = try HelmCLI(major: 4)
        defer { helm.removeHome() }
        let folder = try ScratchDirectory.make("charthouse-schemas")
        defer { try? FileManager.default.removeItem(at: folder) }
        let work = try ScratchDirectory.make("charthouse-schema-charts")
        defer { try? FileManager.default.removeItem(at: work) }
        var archives: [String: URL] = [:]
        for chart in Self.charts {
            let directory = work.appendingPathComponent(chart.name)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("templates"), withIntermediateDirectories: true)
            try "apiVersion: v2\nname: \(chart.name)\nversion: 1.0.0\n".write(
                to: directory.appendingPathComponent("Chart.yaml"),
                atomically: true,
                encoding: .utf8
            )
            try chart.defaults.write(to: directory.appendingPathComponent("values.yaml"), atomically: true, encoding: .utf8)
            try chart.schema.write(to: directory.appendingPathComponent("values.schema.json"), atomically: true, encoding: .utf8)
            try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\ndata:\n  values: {{ .Values | toJson | quote }}\n".write(
                to: directory.appendingPathComponent("templates/configmap.yaml"),
                atomically: true,
                encoding: .utf8
            )
            try helm.run(["package", directory.path, "-d", folder.path])
            archives[chart.name] = folder.appendingPathComponent("\(chart.name)-1.0.0.tgz")
        }
        try helm.run(["repo", "index", folder.path])
        let packaged = archives
        let nginx = try await NginxServer(serving: folder)
        defer { nginx.stop() }

        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let client = server.client(token: cast.adminA.token)
            let registry = try await client.createRegistry(body: .json(.init(name: "schemas", endpoint: nginx.baseURL, noAuthentication: true)))
                .created.body.json
            #expect(try await CatalogSyncTests.waitForSync(server, token: cast.adminA.token, id: registry.id).syncState == .ok)
            let profile = try await client.createProfile(body: .json(.init(name: "schemas", version: "1.0.0"))).created.body.json
            var accepted = 0
            var refused = 0
            for chart in Self.charts {
                let archive = try #require(packaged[chart.name])
                for (index, values) in chart.cases.enumerated() {
                    let file = work.appendingPathComponent("\(chart.name)-\(index).yaml")
                    try values.write(to: file, atomically: true, encoding: .utf8)
                    let helmResult = try await helm.runDetached(["template", "r", archive.path, "-f", file.path], check: false)
                    let helmOutput = helmResult.stdout + helmResult.stderr
                    let response = try await server.request(
                        .post,
                        "/api/v1/profiles/\(profile.id)/layers",
                        token: cast.adminA.token,
                        headers: jsonHeaders,
                        body: json([
                            "registryId": registry.id, "chart": chart.name, "version": "1.0.0", "namespace": "ns",
                            "releaseName": "\(chart.name)-\(index)", "values": values,
                        ])
                    )
                    let label = "\(chart.name) case \(index): \(values.debugDescription)"
                    if helmResult.status == 0 {
                        accepted += 1
                        #expect(response.status == 201, "helm accepts \(label); Charthouse: \(response.text)")
                    } else {
                        refused += 1
                        #expect(helmOutput.contains("don't meet the specifications"), "helm refuses \(label) for its schema: \(helmOutput)")
                        #expect(response.status == 422, "helm refuses \(label); Charthouse: \(response.status) \(response.text)")
                        let message = response.error?.message ?? ""
                        var expected = Self.helmPaths(helmOutput)
                        // Known difference: helm 4 places a nested object's propertyNames failure at
                        // the root ('') instead of at the object; Charthouse names the object.
                        if helmOutput.contains("invalid propertyName"), expected == [""] { expected = ["/limits"] }
                        #expect(Self.ourPaths(message) == expected, "\(label)\nhelm:\n\(helmOutput)\nCharthouse:\n\(message)")
                    }
                }
            }
            #expect(accepted >= 10 && refused >= 20, "the cases cover both verdicts: \(accepted) accepted, \(refused) refused")
            let layers = try await client.getProfile(path: .init(id: profile.id)).ok.body.json.layers
            #expect(layers.allSatisfy { $0.valuesSchema == "checked" && $0.valuesNotChecked.isEmpty })
        }
    }
}
