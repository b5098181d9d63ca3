import CharthouseStore
import HelmFormats

/// A profile as one YAML document (`apiVersion: charthouse/v1`, `kind: ClusterProfile`), so that
/// profiles live in git and move between tenants and servers. Registries are named by scope and
/// name, never by id; nothing server-specific (ids, times, state) is in it, so an export
/// imported elsewhere exports to the same bytes.
struct ProfileDocument: Sendable, Hashable {
    static let apiVersion = "charthouse/v1"
    static let kind = "ClusterProfile"
    /// One order serves every mapping of the document: metadata (name, version, description),
    /// layers (releaseName, namespace, registry, chart, version, digest, values), registry (scope, name).
    static let keyOrder = [
        "apiVersion", "kind", "metadata", "spec", "variables", "layers", "releaseName", "namespace", "registry", "scope", "name", "chart", "version",
        "description", "digest", "values", "default", "required", "regex",
    ]

    struct Layer: Sendable, Hashable {
        var releaseName: String
        var namespace: String
        /// `tenant` or `system`.
        var registryScope: String
        var registryName: String
        var chart: String
        var version: String
        var digest: String?
        var values: String
    }

    var name: String
    var version: String
    var description: String
    var layers: [Layer]
    var variables: [ProfileVariable]

    init(name: String, version: String, description: String, layers: [Layer], variables: [ProfileVariable] = []) {
        self.name = name
        self.version = version
        self.description = description
        self.layers = layers
        self.variables = variables
    }

    init(_ view: ProfileView) {
        self.init(
            name: view.profile.name,
            version: view.profile.version,
            description: view.profile.description,
            layers: view.layers.map { layer in
                Layer(
                    releaseName: layer.layer.releaseName,
                    namespace: layer.layer.namespace,
                    registryScope: layer.registryScope,
                    registryName: layer.registryName,
                    chart: layer.layer.chart,
                    version: layer.layer.version,
                    digest: layer.layer.digest,
                    values: layer.layer.values
                )
            },
            variables: view.profile.variables
        )
    }

    /// The document's YAML text.
    var yaml: String {
        var metadata: [String: JSONValue] = ["name": .string(name), "version": .string(version)]
        if !description.isEmpty { metadata["description"] = .string(description) }
        let layers: [JSONValue] = layers.map { layer in
            var fields: [String: JSONValue] = [
                "releaseName": .string(layer.releaseName),
                "namespace": .string(layer.namespace),
                "registry": .object(["scope": .string(layer.registryScope), "name": .string(layer.registryName)]),
                "chart": .string(layer.chart),
                "version": .string(layer.version),
            ]
            if let digest = layer.digest { fields["digest"] = .string(digest) }
            if !layer.values.isEmpty { fields["values"] = .string(layer.values) }
            return .object(fields)
        }
        var spec: [String: JSONValue] = ["layers": .array(layers)]
        if !variables.isEmpty {
            spec["variables"] = .array(
                variables.map { variable in
                    var fields: [String: JSONValue] = ["name": .string(variable.name)]
                    if !variable.description.isEmpty { fields["description"] = .string(variable.description) }
                    if let value = variable.defaultValue { fields["default"] = .string(value) }
                    if variable.required { fields["required"] = .bool(true) }
                    if let regex = variable.regex { fields["regex"] = .string(regex) }
                    return .object(fields)
                }
            )
        }
        let document: JSONValue = .object([
            "apiVersion": .string(Self.apiVersion),
            "kind": .string(Self.kind),
            "metadata": .object(metadata),
            "spec": .object(spec),
        ])
        return YAMLEmitter.document(document, keyOrder: Self.keyOrder)
    }

    /// Reads a document; throws a 422 listing every problem of its form.
    init(yaml text: String) throws {
        let document: JSONValue
        do {
            document = try YAMLDocument.parse(text)
        } catch {
            throw CharthouseError(.unprocessable, "the profile document is not valid YAML: \(error.description)", cause: error)
        }
        var problems: [String] = []
        func string(_ value: JSONValue?, _ field: String, required: Bool = true) -> String {
            switch value {
            case .string(let text)?: return text
            case nil, .null?: if required { problems.append("\(field) is missing") }
            case let other?: problems.append("\(field) must be a string, not \(other.kindName)")
            }
            return ""
        }
        if document[("apiVersion")]?.stringValue != Self.apiVersion { problems.append("apiVersion must be \(Self.apiVersion)") }
        if document["kind"]?.stringValue != Self.kind { problems.append("kind must be \(Self.kind)") }
        name = string(document["metadata"]?["name"], "metadata.name")
        version = string(document["metadata"]?["version"], "metadata.version")
        description = string(document["metadata"]?["description"], "metadata.description", required: false)
        var layers: [Layer] = []
        let items = document["spec"]?["layers"]
        if items != nil, items?.arrayValue == nil { problems.append("spec.layers must be a list") }
        for (index, item) in (items?.arrayValue ?? []).enumerated() {
            let at = "spec.layers[\(index)]"
            guard item.objectValue != nil else {
                problems.append("\(at) must be a mapping")
                continue
            }
            let scope = string(item["registry"]?["scope"], "\(at).registry.scope")
            if !scope.isEmpty, scope != "tenant", scope != "system" { problems.append("\(at).registry.scope must be tenant or system") }
            let digest = string(item["digest"], "\(at).digest", required: false)
            layers.append(
                Layer(
                    releaseName: string(item["releaseName"], "\(at).releaseName"),
                    namespace: string(item["namespace"], "\(at).namespace"),
                    registryScope: scope,
                    registryName: string(item["registry"]?["name"], "\(at).registry.name"),
                    chart: string(item["chart"], "\(at).chart"),
                    version: string(item["version"], "\(at).version"),
                    digest: digest.isEmpty ? nil : digest,
                    values: string(item["values"], "\(at).values", required: false)
                )
            )
        }
        self.layers = layers
        var variables: [ProfileVariable] = []
        let declared = document["spec"]?["variables"]
        if declared != nil, declared?.arrayValue == nil { problems.append("spec.variables must be a list") }
        for (index, item) in (declared?.arrayValue ?? []).enumerated() {
            let at = "spec.variables[\(index)]"
            var required = false
            switch item["required"] {
            case .bool(let flag)?: required = flag
            case nil, .null?: break
            default: problems.append("\(at).required must be true or false")
            }
            let defaultValue = string(item["default"], "\(at).default", required: false)
            let regex = string(item["regex"], "\(at).regex", required: false)
            variables.append(
                ProfileVariable(
                    name: string(item["name"], "\(at).name"),
                    description: string(item["description"], "\(at).description", required: false),
                    defaultValue: item["default"] == nil ? nil : defaultValue,
                    required: required,
                    regex: regex.isEmpty ? nil : regex
                )
            )
        }
        self.variables = variables
        guard problems.isEmpty else {
            throw CharthouseError(
                .unprocessable,
                "the profile document is not a \(Self.kind):\n" + problems.map { "- \($0)" }.joined(separator: "\n")
            )
        }
    }
}
