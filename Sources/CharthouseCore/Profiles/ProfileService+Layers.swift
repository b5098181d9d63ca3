import CharthouseStore
import Foundation

extension ProfileService {
    /// Adds a layer at the end of a draft's install order, resolved and checked.
    public func addLayer(profileID: String, _ input: LayerInput, caller: Caller) async throws -> ProfileView {
        let tenantID = try writer(caller)
        let releaseName = input.releaseName ?? input.chart
        try ProfileRules.validateReleaseName(releaseName)
        try ProfileRules.validateNamespace(input.namespace)
        _ = try ValuesCheck.mapping(input.values)
        // The profile first: another tenant's answers 404 whatever the layer names.
        guard try await stores.profiles.find(id: profileID, tenantID: tenantID) != nil else {
            throw CharthouseError.notFound("profile \"\(profileID)\"")
        }
        let resolution = try await resolver.resolve(registryID: input.registryID, chart: input.chart, version: input.version, caller: caller)
        let outcome = try Self.checkValues(input.values, resolution.chart, resolution.version, files: resolution.files)
        let now = Date()
        let layer = Self.layer(
            profileID: profileID,
            resolution: resolution,
            releaseName: releaseName,
            namespace: input.namespace,
            values: input.values,
            outcome: outcome,
            now: now
        )
        let profile = try await editDraft(id: profileID, tenantID: tenantID, now: now) { editor in
            var layer = layer
            layer.position = (try await editor.layers().map(\.position).max() ?? -1) + 1
            try await Self.mapDuplicate { try await editor.insert(layer) }
            return editor.profile
        }
        return try await view(profile, caller: caller)
    }

    /// Changes a layer of a draft: a new version (or range) is resolved again against the
    /// layer's registry, new values are checked again.
    public func updateLayer(profileID: String, layerID: String, _ changes: LayerChanges, caller: Caller) async throws -> ProfileView {
        let tenantID = try writer(caller)
        if let releaseName = changes.releaseName { try ProfileRules.validateReleaseName(releaseName) }
        if let namespace = changes.namespace { try ProfileRules.validateNamespace(namespace) }
        if let values = changes.values { _ = try ValuesCheck.mapping(values) }
        // Resolving may read the catalog and fetch a chart: before the draft's transaction.
        guard let current = try await stores.profiles.layers(profileID: profileID).first(where: { $0.id == layerID }),
            try await stores.profiles.find(id: profileID, tenantID: tenantID) != nil
        else { throw CharthouseError.notFound("layer \"\(layerID)\" of profile \"\(profileID)\"") }
        let resolution: LayerResolver.Resolution? =
            if let version = changes.version {
                try await resolver.resolve(registryID: current.registryID, chart: current.chart, version: version, caller: caller)
            } else {
                nil
            }
        // New values, or a new version: the values are checked against that chart's schema.
        let outcome: ValuesCheck.Outcome?
        if changes.values != nil || resolution != nil {
            let files: ChartFilesRecord?
            if let resolution { files = resolution.files } else { files = try await resolver.files(of: current, caller: caller) }
            outcome = try Self.checkValues(
                changes.values ?? current.values,
                current.chart,
                resolution?.version ?? current.version,
                files: files
            )
        } else {
            outcome = nil
        }
        let now = Date()
        let profile = try await editDraft(id: profileID, tenantID: tenantID, now: now) { editor in
            guard var layer = try await editor.layers().first(where: { $0.id == layerID }) else {
                throw CharthouseError.notFound("layer \"\(layerID)\" of profile \"\(profileID)\"")
            }
            if let resolution {
                layer.version = resolution.version
                layer.source = layer.source == .imported ? .imported : resolution.source
                layer.digest = resolution.digest
                layer.pullReference = resolution.pullReference
                layer.appVersion = resolution.appVersion
                layer.staleReason = nil
                layer.staleSince = nil
            }
            layer.releaseName = changes.releaseName ?? layer.releaseName
            layer.namespace = changes.namespace ?? layer.namespace
            layer.values = changes.values ?? layer.values
            if let outcome {
                layer.valuesSchema = outcome.schema
                layer.valuesNotChecked = outcome.notChecked
            }
            layer.updatedAt = now
            try await Self.mapDuplicate { try await editor.update(layer) }
            return editor.profile
        }
        return try await view(profile, caller: caller)
    }

    public func deleteLayer(profileID: String, layerID: String, caller: Caller) async throws -> ProfileView {
        let tenantID = try writer(caller)
        let profile = try await editDraft(id: profileID, tenantID: tenantID, now: Date()) { editor in
            guard try await editor.delete(layerID: layerID) else {
                throw CharthouseError.notFound("layer \"\(layerID)\" of profile \"\(profileID)\"")
            }
            // Positions stay dense: 0, 1, 2, …
            try await editor.order(try await editor.layers().map(\.id))
            return editor.profile
        }
        return try await view(profile, caller: caller)
    }

    /// Sets the install order: `ids` must name every layer of the draft exactly once.
    public func orderLayers(profileID: String, ids: [String], caller: Caller) async throws -> ProfileView {
        let tenantID = try writer(caller)
        let profile = try await editDraft(id: profileID, tenantID: tenantID, now: Date()) { editor in
            let current = try await editor.layers().map(\.id)
            guard ids.count == current.count, Set(ids) == Set(current) else {
                let missing = Set(current).subtracting(ids).sorted()
                let unknown = Set(ids).subtracting(current).sorted()
                var problems: [String] = []
                if ids.count != Set(ids).count { problems.append("an id appears twice") }
                if !missing.isEmpty { problems.append("missing: \(missing.joined(separator: ", "))") }
                if !unknown.isEmpty { problems.append("not layers of this profile: \(unknown.joined(separator: ", "))") }
                throw CharthouseError(.unprocessable, "the order must list every layer of the profile once (\(problems.joined(separator: "; ")))")
            }
            try await editor.order(ids)
            return editor.profile
        }
        return try await view(profile, caller: caller)
    }

    /// A layer of `profileID` for a resolved chart, at position 0 (placed by its caller).
    static func layer(
        profileID: String,
        resolution: LayerResolver.Resolution,
        releaseName: String,
        namespace: String,
        values: String,
        outcome: ValuesCheck.Outcome,
        now: Date
    ) -> ProfileLayerRecord {
        ProfileLayerRecord(
            id: TokenValue.newID(),
            profileID: profileID,
            position: 0,
            registryID: resolution.registry.id,
            chart: resolution.chart,
            version: resolution.version,
            releaseName: releaseName,
            namespace: namespace,
            values: values,
            source: resolution.source,
            digest: resolution.digest,
            pullReference: resolution.pullReference,
            appVersion: resolution.appVersion,
            registryKind: resolution.registry.kind.rawValue,
            isProtected: resolution.registry.isProtected,
            valuesSchema: outcome.schema,
            valuesNotChecked: outcome.notChecked,
            createdAt: now,
            updatedAt: now
        )
    }

    /// The values checked against the chart's files; a protected layer's only as YAML.
    static func checkValues(_ values: String, _ chart: String, _ version: String, files: ChartFilesRecord?) throws -> ValuesCheck.Outcome {
        guard let files else {
            _ = try ValuesCheck.mapping(values)
            return ValuesCheck.Outcome(schema: "not applicable", notChecked: [])
        }
        guard ProfileVariables.references(in: values).isEmpty else {
            // Only the attachment knows the variables' values: the schema is checked then.
            _ = try ValuesCheck.mapping(values)
            return ValuesCheck.Outcome(schema: "checked when attached (the values use profile variables)", notChecked: [])
        }
        return try ValuesCheck.check(values, chart: chart, version: version, files: files)
    }
}
