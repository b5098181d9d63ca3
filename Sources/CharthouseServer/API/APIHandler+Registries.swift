import CharthouseAPI
import CharthouseCore
import CharthouseStore

extension APIHandler {
    func listRegistries(_ input: Operations.ListRegistries.Input) async throws -> Operations.ListRegistries.Output {
        let list = try await registries.list(caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(items: list.map(Components.Schemas.Registry.init)))))
    }

    func createRegistry(_ input: Operations.CreateRegistry.Input) async throws -> Operations.CreateRegistry.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await catalog.createRegistry(NewRegistry(body), system: false, caller: try CurrentCaller.require())
        return .created(.init(body: .json(.init(view))))
    }

    func createSystemRegistry(_ input: Operations.CreateSystemRegistry.Input) async throws -> Operations.CreateSystemRegistry.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let view = try await catalog.createRegistry(NewRegistry(body), system: true, caller: try CurrentCaller.require())
        return .created(.init(body: .json(.init(view))))
    }

    func getRegistry(_ input: Operations.GetRegistry.Input) async throws -> Operations.GetRegistry.Output {
        let view = try await registries.get(id: input.path.id, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(view))))
    }

    func updateRegistry(_ input: Operations.UpdateRegistry.Input) async throws -> Operations.UpdateRegistry.Output {
        guard case .json(let body) = input.body else { throw CharthouseError(.badRequest, "expected a JSON body") }
        let changes = RegistryChanges(
            name: body.name,
            endpoint: body.endpoint,
            isProtected: body.protected,
            noAuthentication: body.noAuthentication,
            username: body.username,
            password: body.password,
            caCertificate: body.caCertificate,
            insecureSkipTLSVerify: body.insecureSkipTLSVerify,
            plainHTTP: body.plainHTTP,
            syncIntervalSeconds: body.syncIntervalSeconds,
            repositories: body.repositories,
            publicPull: body._public,
            allowOverwrite: body.allowOverwrite
        )
        let view = try await registries.update(id: input.path.id, changes: changes, caller: try CurrentCaller.require())
        return .ok(.init(body: .json(.init(view))))
    }

    func deleteRegistry(_ input: Operations.DeleteRegistry.Input) async throws -> Operations.DeleteRegistry.Output {
        try await registries.delete(id: input.path.id, caller: try CurrentCaller.require())
        return .noContent(.init())
    }
}

extension NewRegistry {
    init(_ body: Components.Schemas.CreateRegistryRequest) {
        self.init(
            name: body.name,
            endpoint: body.endpoint,
            isProtected: body.protected ?? false,
            noAuthentication: body.noAuthentication ?? false,
            username: body.username,
            password: body.password,
            caCertificate: body.caCertificate,
            insecureSkipTLSVerify: body.insecureSkipTLSVerify ?? false,
            plainHTTP: body.plainHTTP ?? false,
            syncIntervalSeconds: body.syncIntervalSeconds,
            repositories: body.repositories ?? []
        )
    }
}

extension Components.Schemas.Registry {
    init(_ view: RegistryView) {
        let record = view.record
        let hosted = record.kind == .hosted
        // A hosted registry is Charthouse's own: no upstream connection settings, no sync.
        let sync: SyncStateRecord? = hosted ? nil : view.sync
        let syncState: SyncStatePayload? = hosted ? nil : SyncStatePayload(rawValue: view.syncState) ?? .never
        let access: AccessPayload? = hosted ? (record.publicPull ? ._public : ._private) : nil
        let lastDiff: Components.Schemas.SyncDiff? = sync.flatMap {
            $0.lastSyncAt == nil ? nil : .init(added: $0.added, removed: $0.removed, updated: $0.updated, skipped: $0.skipped)
        }
        self.init(
            id: record.id,
            name: record.name,
            endpoint: view.endpoint,
            kind: .init(rawValue: record.kind.rawValue) ?? .classic,
            scope: view.scope == .system ? .system : .tenant,
            protected: hosted ? nil : record.isProtected,
            noAuthentication: hosted ? nil : record.noAuthentication,
            hasCredentials: hosted ? nil : view.hasCredentials,
            username: record.username,
            caCertificate: record.caCertificate,
            insecureSkipTLSVerify: hosted ? nil : record.insecureSkipTLSVerify,
            plainHTTP: hosted ? nil : record.plainHTTP,
            syncIntervalSeconds: hosted ? nil : record.syncIntervalSeconds,
            repositories: record.repositories.isEmpty ? nil : record.repositories,
            _public: hosted ? record.publicPull : nil,
            allowOverwrite: hosted ? record.allowOverwrite : nil,
            chartRepositoryURL: view.chartRepositoryURL,
            access: access,
            lastPushAt: view.lastPushAt,
            syncState: syncState,
            lastSyncAt: sync?.lastSyncAt,
            lastSyncDurationMs: sync?.lastDurationMs,
            lastError: sync?.lastError,
            charts: view.sync?.charts,
            versions: view.sync?.versions,
            lastDiff: lastDiff,
            createdAt: record.createdAt,
            updatedAt: record.updatedAt
        )
    }
}
