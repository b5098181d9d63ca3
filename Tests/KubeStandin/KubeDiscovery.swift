import HelmFormats

/// The discovery and OpenAPI documents, built from ``KubeResourceTable``. Aggregated discovery
/// is not offered: clients asking for it accept the plain documents.
enum KubeDiscovery {
    static let verbs: JSONValue = .array(
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"].map { .string($0) }
    )

    static let version: JSONValue = .object([
        "major": .string("1"), "minor": .string("33"), "gitVersion": .string("v1.33.0"), "gitCommit": .string("standin"),
        "gitTreeState": .string("clean"), "buildDate": .string("2026-01-01T00:00:00Z"), "goVersion": .string("go1.24.0"),
        "compiler": .string("gc"), "platform": .string("linux/amd64"),
    ])

    static let coreGroups: JSONValue = .object(["kind": .string("APIVersions"), "versions": .array([.string("v1")])])

    static var groups: JSONValue {
        .object([
            "kind": .string("APIGroupList"), "apiVersion": .string("v1"),
            "groups": .array(Set(KubeResourceTable.all.map(\.group)).filter { !$0.isEmpty }.sorted().compactMap(group)),
        ])
    }

    static func group(_ name: String) -> JSONValue? {
        let versions = KubeResourceTable.groupVersions.filter { $0.group == name }
        guard let preferred = versions.first else { return nil }
        let entries = versions.map { JSONValue.object(["groupVersion": .string("\(name)/\($0.version)"), "version": .string($0.version)]) }
        return .object([
            "kind": .string("APIGroup"), "apiVersion": .string("v1"), "name": .string(name), "versions": .array(entries),
            "preferredVersion": .object(["groupVersion": .string("\(name)/\(preferred.version)"), "version": .string(preferred.version)]),
        ])
    }

    static func resources(group: String, version: String) -> JSONValue {
        let types = KubeResourceTable.all.filter { $0.group == group && $0.version == version }
        return .object([
            "kind": .string("APIResourceList"), "apiVersion": .string("v1"),
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(
                types.map { type in
                    .object([
                        "name": .string(type.resource), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                        "kind": .string(type.kind), "verbs": verbs, "shortNames": .array(type.shortNames.map { .string($0) }),
                    ])
                }
            ),
        ])
    }

    /// `GET /openapi/v3`: one document per group version.
    static var openAPIIndex: JSONValue {
        var paths: [String: JSONValue] = [:]
        for (group, version) in KubeResourceTable.groupVersions {
            let path = group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
            paths[path] = .object(["serverRelativeURL": .string("/openapi/v3/\(path)?hash=standin1")])
        }
        return .object(["paths": .object(paths)])
    }

    /// A group version's OpenAPI v3 document: every operation takes `fieldValidation` (so clients
    /// leave validation to the server) and every kind has an open schema.
    static func openAPIDocument(group: String, version: String) -> JSONValue? {
        let types = KubeResourceTable.all.filter { $0.group == group && $0.version == version }
        guard !types.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        let fieldValidation: JSONValue = .array([
            .object(["name": .string("fieldValidation"), "in": .string("query"), "schema": .object(["type": .string("string")])])
        ])
        let open: JSONValue = .object(["type": .string("object"), "x-kubernetes-preserve-unknown-fields": .bool(true)])
        for type in types {
            let gvk: JSONValue = .object(["group": .string(group), "version": .string(version), "kind": .string(type.kind)])
            let operation: JSONValue = .object([
                "x-kubernetes-group-version-kind": gvk, "parameters": fieldValidation,
                "responses": .object(["200": .object(["description": .string("OK")])]),
            ])
            let collection = type.namespaced ? "\(prefix)/namespaces/{namespace}/\(type.resource)" : "\(prefix)/\(type.resource)"
            paths[collection] = .object(["post": operation])
            paths["\(collection)/{name}"] = .object(["put": operation, "patch": operation])
            let schemaName =
                "io.k8s.api.\(group.isEmpty ? "core" : group.split(separator: ".").first.map(String.init) ?? group).\(version).\(type.kind)"
            schemas[schemaName] = .object([
                "type": .string("object"), "x-kubernetes-group-version-kind": .array([gvk]),
                "properties": .object([
                    "apiVersion": .object(["type": .string("string")]), "kind": .object(["type": .string("string")]),
                    "metadata": open, "spec": open, "status": open, "data": open, "stringData": open, "binaryData": open,
                ]),
                "x-kubernetes-preserve-unknown-fields": .bool(true),
            ])
        }
        return .object([
            "openapi": .string("3.0.0"), "info": .object(["title": .string("Kubernetes"), "version": .string("v1.33.0")]),
            "paths": .object(paths), "components": .object(["schemas": .object(schemas)]),
        ])
    }
}
