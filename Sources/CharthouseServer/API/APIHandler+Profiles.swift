import CharthouseAPI
import CharthouseCore
import CharthouseStore
import OpenAPIRuntime

extension APIHandler {
    func listProfiles(_ input: Operations.ListProfiles.Input) async throws -> Operations.ListProfiles.Output {
        let views = try await profiles.list(name: input.query.name, caller: try CurrentCaller.require())
        // Versions arrive grouped by name, newest first: keep that order.
        var groups: [Components.Schemas.ProfileGroup] = []
        for view in views {
            let profile = Components.Schemas.Profile(view)
            if groups.last?.name == view.profile.name {
                groups[groups.count - 1].versions.append(profile)
            } else {
                groups.append(.init(name: view.profile.name, versions: [profile]))
            }
        }
        return .ok(.init(body: .json(.init(items: groups))))
    }

    func createProfile(_ input: Operations.CreateProfile.Input) async throws -> Operations.CreateProfile.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await profiles.create(
            .init(
                name: body.name,
                version: body.version,
                description: body.description ?? "",
                variables: (body.variables ?? []).map(ProfileVariable.init)
            ),
            caller: try CurrentCaller.require()
        )
        return .created(.init(body: .json(.init(view))))
    }

    func getProfile(_ input: Operations.GetProfile.Input) async throws -> Operations.GetProfile.Output {
        .ok(.init(body: .json(.init(try await profiles.get(id: input.path.id, caller: try CurrentCaller.require())))))
    }

    func updateProfile(_ input: Operations.UpdateProfile.Input) async throws -> Operations.UpdateProfile.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let changes = ProfileChanges(
            name: body.name,
            version: body.version,
            description: body.description,
            state: body.state.map { _ in ProfileState.published },
            variables: body.variables.map { $0.map(ProfileVariable.init) }
        )
        let view = try await profiles.update(id: input.path.id, changes: changes, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(view))))
    }

    func deleteProfile(_ input: Operations.DeleteProfile.Input) async throws -> Operations.DeleteProfile.Output {
        try await profiles.delete(id: input.path.id, caller: try CurrentCaller.require())
        return .noContent(.init())
    }

    func createProfileVersion(_ input: Operations.CreateProfileVersion.Input) async throws -> Operations.CreateProfileVersion.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await profiles.newVersion(of: input.path.id, version: body.version, caller: try CurrentCaller.require())
        return .created(.init(body: .json(.init(view))))
    }

    func addProfileLayer(_ input: Operations.AddProfileLayer.Input) async throws -> Operations.AddProfileLayer.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let layer = LayerInput(
            registryID: body.registryId,
            chart: body.chart,
            version: body.version ?? "",
            releaseName: body.releaseName,
            namespace: body.namespace,
            values: body.values ?? ""
        )
        let view = try await profiles.addLayer(profileID: input.path.id, layer, caller: try CurrentCaller.require())
        return .created(.init(body: .json(.init(view))))
    }

    func orderProfileLayers(_ input: Operations.OrderProfileLayers.Input) async throws -> Operations.OrderProfileLayers.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await profiles.orderLayers(profileID: input.path.id, ids: body.layerIds, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(view))))
    }

    func updateProfileLayer(_ input: Operations.UpdateProfileLayer.Input) async throws -> Operations.UpdateProfileLayer.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let changes = LayerChanges(version: body.version, releaseName: body.releaseName, namespace: body.namespace, values: body.values)
        let view = try await profiles.updateLayer(
            profileID: input.path.id,
            layerID: input.path.layerId,
            changes,
            caller: try CurrentCaller.require()
        )
        return .ok(.init(body: .json(.init(view))))
    }

    func deleteProfileLayer(_ input: Operations.DeleteProfileLayer.Input) async throws -> Operations.DeleteProfileLayer.Output {
        let view = try await profiles.deleteLayer(profileID: input.path.id, layerID: input.path.layerId, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(view))))
    }
}

extension Components.Schemas.Profile {
    init(_ view: ProfileView) {
        let profile = view.profile
        self.init(
            id: profile.id,
            name: profile.name,
            version: profile.version,
            description: profile.description,
            state: profile.state == .published ? .published : .draft,
            layers: view.layers.map(Components.Schemas.Layer.init),
            variables: profile.variables.map(Components.Schemas.ProfileVariable.init),
            createdAt: profile.createdAt,
            updatedAt: profile.updatedAt,
            publishedAt: profile.publishedAt
        )
    }
}

extension Components.Schemas.Layer {
    init(_ view: LayerView) {
        let layer = view.layer
        self.init(
            id: layer.id,
            position: layer.position,
            registryId: layer.registryID,
            registryName: view.registryName,
            registryScope: view.registryScope == "system" ? .system : .tenant,
            chart: layer.chart,
            version: layer.version,
            releaseName: layer.releaseName,
            namespace: layer.namespace,
            values: layer.values,
            source: .init(rawValue: layer.source.rawValue) ?? .manual,
            digest: layer.digest,
            pullReference: layer.pullReference,
            appVersion: layer.appVersion,
            registryKind: .init(rawValue: layer.registryKind) ?? .classic,
            protected: layer.isProtected,
            valuesSchema: layer.valuesSchema,
            valuesNotChecked: layer.valuesNotChecked,
            stale: layer.staleReason.map { .init(reason: $0, since: layer.staleSince ?? layer.updatedAt) }
        )
    }
}

extension APIHandler {
    func importProfile(_ input: Operations.ImportProfile.Input) async throws -> Operations.ImportProfile.Output {
        guard case .yaml(let body) = input.body else { throw CharthouseError(.badRequest, "expected a YAML body") }
        let text = try await String(collecting: body, upTo: 4 << 20)
        let view = try await profiles.importDocument(text, repin: input.query.repin ?? false, caller: try CurrentCaller.require())
        return .created(.init(body: .json(.init(view))))
    }

    func exportProfile(_ input: Operations.ExportProfile.Input) async throws -> Operations.ExportProfile.Output {
        let text = try await profiles.export(id: input.path.id, caller: try CurrentCaller.require())
        return .ok(.init(body: .yaml(HTTPBody(text))))
    }

    func getResolvedProfile(_ input: Operations.GetResolvedProfile.Input) async throws -> Operations.GetResolvedProfile.Output {
        let resolved = try await profiles.resolved(id: input.path.id, caller: try CurrentCaller.require())
        let profile = resolved.profile
        let layers = resolved.layers.map { item in
            let layer = item.view.layer
            return Components.Schemas.ResolvedLayer(
                position: layer.position,
                releaseName: layer.releaseName,
                namespace: layer.namespace,
                chart: layer.chart,
                version: layer.version,
                registryId: layer.registryID,
                registryName: item.view.registryName,
                registryScope: item.view.registryScope == "system" ? .system : .tenant,
                registryKind: .init(rawValue: layer.registryKind) ?? .classic,
                protected: layer.isProtected,
                pullReference: layer.pullReference,
                digest: layer.digest,
                values: layer.values,
                mergedValues: item.mergedValues,
                stale: layer.staleReason.map { .init(reason: $0, since: layer.staleSince ?? layer.updatedAt) }
            )
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        id: profile.id,
                        name: profile.name,
                        version: profile.version,
                        state: profile.state == .published ? .published : .draft,
                        layers: layers
                    )
                )
            )
        )
    }
}

extension APIHandler {
    func diffProfiles(_ input: Operations.DiffProfiles.Input) async throws -> Operations.DiffProfiles.Output {
        let diff = try await profiles.diff(from: input.path.id, to: input.path.other, caller: try CurrentCaller.require())
        func reference(_ profile: ProfileRecord) -> Components.Schemas.ProfileRef {
            .init(id: profile.id, name: profile.name, version: profile.version, state: profile.state == .published ? .published : .draft)
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        from: reference(diff.from),
                        to: reference(diff.to),
                        added: diff.added.map(Components.Schemas.Layer.init),
                        removed: diff.removed.map(Components.Schemas.Layer.init),
                        moved: diff.moved.map { .init(releaseName: $0.releaseName, namespace: $0.namespace, from: $0.from, to: $0.to) },
                        changed: diff.changed.map { change in
                            .init(
                                releaseName: change.releaseName,
                                namespace: change.namespace,
                                fields: change.fields.map { .init(field: .init(rawValue: $0.field) ?? .version, from: $0.from, to: $0.to) },
                                valuesDiff: change.valuesDiff
                            )
                        }
                    )
                )
            )
        )
    }
}

extension ProfileVariable {
    init(_ body: Components.Schemas.ProfileVariable) {
        self.init(
            name: body.name,
            description: body.description ?? "",
            defaultValue: body._default,
            required: body.required ?? false,
            regex: body.regex
        )
    }
}

extension Components.Schemas.ProfileVariable {
    init(_ variable: ProfileVariable) {
        self.init(
            name: variable.name,
            description: variable.description,
            _default: variable.defaultValue,
            required: variable.required,
            regex: variable.regex
        )
    }
}
