public import CharthouseStore
import Foundation
import HelmFormats

/// A layer as the deployer will install it.
public struct ResolvedLayer: Sendable, Hashable {
    public let view: LayerView
    /// The values helm will render with: the chart's defaults with the layer's values coalesced
    /// over them, as YAML (a protected layer's own values: its chart is never read here).
    public let mergedValues: String
}

/// A profile version as the deployer will install it, layer by layer in order.
public struct ResolvedProfile: Sendable, Hashable {
    public let profile: ProfileRecord
    public let layers: [ResolvedLayer]
}

extension ProfileService {
    /// Every layer in order with its merged values, pull reference and pinned digest.
    public func resolved(id: String, caller: Caller) async throws -> ResolvedProfile {
        let view = try await get(id: id, caller: caller)
        var layers: [ResolvedLayer] = []
        for layer in view.layers {
            let own = try ValuesCheck.mapping(layer.layer.values)
            var merged = own
            if layer.layer.source != .manual, !layer.layer.isProtected, layer.layer.staleReason == nil,
                let files = try await resolver.files(of: layer.layer, caller: caller)
            {
                merged = HelmValues.coalesce(own, over: (try? YAMLDocument.parseMapping(files.values ?? "")) ?? [:])
            }
            layers.append(ResolvedLayer(view: layer, mergedValues: merged.isEmpty ? "{}\n" : YAMLEmitter.document(.object(merged))))
        }
        return ResolvedProfile(profile: view.profile, layers: layers)
    }

    /// The profile as a `charthouse/v1` `ClusterProfile` YAML document.
    public func export(id: String, caller: Caller) async throws -> String {
        ProfileDocument(try await get(id: id, caller: caller)).yaml
    }

    /// Creates a draft from a document, every layer resolved again against the caller's tenant:
    /// registries by scope and name, charts and versions in their catalogs, values against the
    /// charts' schemas, digests compared with the document's (a difference is refused unless
    /// `repin`). All or nothing: the 422 lists every problem.
    public func importDocument(_ text: String, repin: Bool, caller: Caller) async throws -> ProfileView {
        let tenantID = try writer(caller)
        let document = try ProfileDocument(yaml: text)
        try ProfileRules.validateName(document.name, field: "metadata.name")
        try ProfileRules.validateVersion(document.version, field: "metadata.version")
        try Self.validateDescription(document.description)
        try ProfileVariables.validate(document.variables, field: "spec.variables")
        let visible = try await stores.registries.listVisible(tenantID: tenantID)
        let now = Date()
        let profileID = TokenValue.newID()
        var problems: [String] = []
        var layers: [ProfileLayerRecord] = []
        for (index, entry) in document.layers.enumerated() {
            let at = "layer \(entry.releaseName) (\(entry.namespace))"
            guard let registry = visible.first(where: { $0.name == entry.registryName && ($0.tenantID == nil) == (entry.registryScope == "system") })
            else {
                problems.append("\(at): registry \(entry.registryScope)/\(entry.registryName) not found")
                continue
            }
            do {
                try ProfileRules.validateReleaseName(entry.releaseName)
                try ProfileRules.validateNamespace(entry.namespace)
                let resolution = try await resolver.resolve(registryID: registry.id, chart: entry.chart, version: entry.version, caller: caller)
                if resolution.version != entry.version {
                    problems.append("\(at): \(entry.chart) \(entry.version) is not an exact version in \(registry.name)")
                    continue
                }
                if let expected = entry.digest, let found = resolution.digest, expected != found, !repin {
                    problems.append(
                        "\(at): \(entry.chart) \(entry.version) in \(registry.name) is \(found), the document pins \(expected) (import with repin=true to take the registry's)"
                    )
                    continue
                }
                let outcome = try Self.checkValues(entry.values, resolution.chart, resolution.version, files: resolution.files)
                layers.append(
                    ProfileLayerRecord(
                        id: TokenValue.newID(),
                        profileID: profileID,
                        position: index,
                        registryID: registry.id,
                        chart: resolution.chart,
                        version: resolution.version,
                        releaseName: entry.releaseName,
                        namespace: entry.namespace,
                        values: entry.values,
                        source: resolution.source,
                        digest: resolution.digest,
                        pullReference: resolution.pullReference,
                        appVersion: resolution.appVersion,
                        registryKind: registry.kind.rawValue,
                        isProtected: registry.isProtected,
                        valuesSchema: outcome.schema,
                        valuesNotChecked: outcome.notChecked,
                        createdAt: now,
                        updatedAt: now
                    )
                )
            } catch let error as CharthouseError where error.code != .internal && error.code != .unavailable {
                problems.append("\(at): \(error.message)")
            }
        }
        guard problems.isEmpty else {
            throw CharthouseError(.unprocessable, "the profile cannot be imported:\n" + problems.map { "- \($0)" }.joined(separator: "\n"))
        }
        let profile = ProfileRecord(
            id: profileID,
            tenantID: tenantID,
            name: document.name,
            version: document.version,
            description: document.description,
            state: .draft,
            createdAt: now,
            updatedAt: now,
            variables: document.variables
        )
        try await Self.mapDuplicate { try await stores.profiles.create(profile, layers: layers) }
        return try await view(profile, caller: caller)
    }
}
