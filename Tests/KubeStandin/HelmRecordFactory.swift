public import Foundation
public import HelmFormats

/// Helm release records made the way helm writes them (`pkg/storage/driver`): release JSON,
/// gzip, base64 — in a Secret (`sh.helm.release.v1.NAME.vREV`, type `helm.sh/release.v1`, whose
/// data the API base64-encodes again) or a ConfigMap — with helm's labels. For tests and the
/// discovery benchmark, where installing thousands of releases with helm would take hours.
public enum HelmRecordFactory {
    public struct Release: Sendable {
        public var name: String
        public var namespace: String
        public var revision: Int
        public var status: String
        public var chart: String
        public var version: String
        public var appVersion: String
        /// User-supplied values; `nil` for none.
        public var config: JSONValue?
        public var values: JSONValue
        /// Template path → text.
        public var templates: [String: String]

        public init(
            name: String,
            namespace: String,
            revision: Int = 1,
            status: String = "deployed",
            chart: String = "demo",
            version: String = "1.0.0",
            appVersion: String = "1.0.0",
            config: JSONValue? = nil,
            values: JSONValue = .object(["replicaCount": .integer(1)]),
            templates: [String: String] = ["templates/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"]
        ) {
            self.name = name
            self.namespace = namespace
            self.revision = revision
            self.status = status
            self.chart = chart
            self.version = version
            self.appVersion = appVersion
            self.config = config
            self.values = values
            self.templates = templates
        }
    }

    /// helm's `data.release` value: base64 of the gzipped release JSON.
    public static func encoded(_ release: Release) -> String {
        var members: [String: JSONValue] = [
            "name": .string(release.name), "namespace": .string(release.namespace), "version": .integer(Int64(release.revision)),
            "info": .object([
                "first_deployed": .string("2026-01-01T00:00:00Z"), "last_deployed": .string("2026-01-02T00:00:00Z"),
                "status": .string(release.status), "description": .string(release.status == "deployed" ? "Install complete" : release.status),
            ]),
            "chart": .object([
                "metadata": .object([
                    "name": .string(release.chart), "version": .string(release.version), "appVersion": .string(release.appVersion),
                    "apiVersion": .string("v2"), "type": .string("application"),
                ]),
                "values": release.values,
                "templates": .array(
                    release.templates.sorted { $0.key < $1.key }.map {
                        .object(["name": .string($0.key), "data": .string(Data($0.value.utf8).base64EncodedString())])
                    }
                ),
            ]),
            "manifest": .string("---\n# Source: \(release.chart)/templates/configmap.yaml\n"),
        ]
        if let config = release.config { members["config"] = config }
        let json = (try? JSONEncoder().encode(JSONValue.object(members))) ?? Data()
        let gzipped = json.withUnsafeBytes { Gzip.compress($0, level: 6) }
        return Data(gzipped).base64EncodedString()
    }

    /// The record as a Secret (helm's default driver) or a ConfigMap, ready to create.
    public static func object(_ release: Release, configMap: Bool = false) -> JSONValue {
        let name = "sh.helm.release.v1.\(release.name).v\(release.revision)"
        let labels: JSONValue = .object([
            "name": .string(release.name), "owner": .string("helm"), "status": .string(release.status),
            "version": .string(String(release.revision)), "modifiedAt": .string("1767312000"),
        ])
        let data = encoded(release)
        if configMap {
            return .object([
                "apiVersion": .string("v1"), "kind": .string("ConfigMap"),
                "metadata": .object(["name": .string(name), "namespace": .string(release.namespace), "labels": labels]),
                "data": .object(["release": .string(data)]),
            ])
        }
        return .object([
            "apiVersion": .string("v1"), "kind": .string("Secret"), "type": .string("helm.sh/release.v1"),
            "metadata": .object(["name": .string(name), "namespace": .string(release.namespace), "labels": labels]),
            "data": .object(["release": .string(Data(data.utf8).base64EncodedString())]),
        ])
    }
}

extension KubeStandin {
    /// Creates `namespace` if it is missing.
    public func ensureNamespace(_ namespace: String) async throws {
        let namespaces = KubeResourceTable.find(group: "", version: "v1", resource: "namespaces")!
        if await store.exists(namespaces, namespace: nil, name: namespace) { return }
        _ = try await store.create(namespaces, namespace: nil, object: .object(["metadata": .object(["name": .string(namespace)])]))
    }

    /// Stores `object` (a Secret or ConfigMap) as if a client had created it.
    public func create(_ object: JSONValue) async throws {
        let configMap = object["kind"]?.stringValue == "ConfigMap"
        let type = KubeResourceTable.find(group: "", version: "v1", resource: configMap ? "configmaps" : "secrets")!
        let namespace = object["metadata"]?["namespace"]?.stringValue ?? "default"
        try await ensureNamespace(namespace)
        _ = try await store.create(type, namespace: namespace, object: object)
    }
}
