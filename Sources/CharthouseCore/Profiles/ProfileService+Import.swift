import CharthouseStore
import Foundation

/// A release of a cluster to turn into a layer, and optionally the registry to link it to.
public struct ReleaseSelection: Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// Link to this registry instead of the first `exact` catalog match. An unprotected one must
    /// hold the chart and version; a protected one takes them as typed.
    public var registryID: String?

    public init(namespace: String, name: String, registryID: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.registryID = registryID
    }
}

extension ProfileService {
    /// "Import from Cluster": layers made of releases discovered in a cluster — the release's
    /// name, namespace and user-supplied values — added at the end of a draft's install order.
    public func importLayers(profileID: String, clusterID: String, releases: [ReleaseSelection], caller: Caller) async throws -> ProfileView {
        let tenantID = try writer(caller)
        guard try await stores.profiles.find(id: profileID, tenantID: tenantID) != nil else {
            throw CharthouseError.notFound("profile \"\(profileID)\"")
        }
        let layers = try await importedLayers(profileID: profileID, clusterID: clusterID, selections: releases, caller: caller)
        let profile = try await editDraft(id: profileID, tenantID: tenantID, now: Date()) { editor in
            var next = (try await editor.layers().map(\.position).max() ?? -1) + 1
            for var layer in layers {
                layer.position = next
                next += 1
                try await Self.mapDuplicate { try await editor.insert(layer) }
            }
            return editor.profile
        }
        return try await view(profile, caller: caller)
    }

    /// A new draft profile whose layers are a cluster's releases: the ones named, or every
    /// `deployed` release, in namespace and name order.
    public func createFromCluster(
        clusterID: String,
        _ input: ProfileInput,
        releases: [ReleaseSelection]?,
        caller: Caller
    ) async throws
        -> ProfileView
    {
        let profile = try Self.newDraft(input, tenantID: try writer(caller))
        let selections: [ReleaseSelection]
        if let releases {
            selections = releases
        } else {
            let found = try await clusterService().releases(clusterID: clusterID, namespace: nil, caller: caller)
            selections = found.filter { $0.record.status == "deployed" }.map {
                ReleaseSelection(namespace: $0.record.namespace, name: $0.record.releaseName)
            }
            guard !selections.isEmpty else { throw CharthouseError(.unprocessable, "the cluster has no deployed release to import") }
        }
        var layers = try await importedLayers(profileID: profile.id, clusterID: clusterID, selections: selections, caller: caller)
        for index in layers.indices { layers[index].position = index }
        try await Self.mapDuplicate { try await stores.profiles.create(profile, layers: layers) }
        return try await view(profile, caller: caller)
    }

    private func clusterService() throws -> ClusterService {
        guard let clusters else { throw CharthouseError(.internal, "clusters are not available") }
        return clusters
    }

    /// The layers for `selections`, resolved and their values checked; a 422 names every release
    /// that has no registry to link to.
    private func importedLayers(
        profileID: String,
        clusterID: String,
        selections: [ReleaseSelection],
        caller: Caller
    ) async throws
        -> [ProfileLayerRecord]
    {
        guard !selections.isEmpty else { throw CharthouseError.invalidField("releases", "name at least one release") }
        let clusters = try clusterService()
        var layers: [ProfileLayerRecord] = []
        var unmatched: [String] = []
        let now = Date()
        for selection in selections {
            let release = try await clusters.release(clusterID: clusterID, namespace: selection.namespace, name: selection.name, caller: caller)
            let row = release.record
            let registryID: String
            if let chosen = selection.registryID {
                registryID = chosen
            } else if let exact = release.catalogMatches.first(where: { $0.kind == .exact }) {
                registryID = exact.registryID
            } else {
                let seen = release.catalogMatches.map { "\($0.kind.rawValue) in \($0.registryName)" }
                let detail = seen.isEmpty ? "in no catalog" : seen.joined(separator: ", ")
                unmatched.append("\(row.namespace)/\(row.releaseName) (\(row.chart) \(row.chartVersion): \(detail))")
                continue
            }
            try ProfileRules.validateNamespace(row.namespace)
            try ProfileRules.validateReleaseName(row.releaseName)
            let resolution = try await resolver.resolve(registryID: registryID, chart: row.chart, version: row.chartVersion, caller: caller)
            let outcome = try Self.checkValues(row.configYAML, resolution.chart, resolution.version, files: resolution.files)
            var layer = Self.layer(
                profileID: profileID,
                resolution: resolution,
                releaseName: row.releaseName,
                namespace: row.namespace,
                values: row.configYAML,
                outcome: outcome,
                now: now
            )
            layer.source = .imported
            layers.append(layer)
        }
        guard unmatched.isEmpty else {
            throw CharthouseError(
                .unprocessable,
                "no registry holds the chart of \(unmatched.joined(separator: "; ")); name a registryId for each (a protected registry takes the chart as typed)"
            )
        }
        return layers
    }
}
