import CharthouseStore
import Foundation
import HelmFormats

/// Cluster profiles: versions of an ordered list of add-on layers, drafted, then published
/// (immutable). Members of a tenant read its profiles; its administrators write them.
public struct ProfileService: Sendable {
    let stores: Stores
    let resolver: LayerResolver
    /// Where "Import from Cluster" finds releases.
    let clusters: ClusterService?

    public init(stores: Stores, registries: RegistryService, files: ChartFileService, clusters: ClusterService? = nil) {
        self.stores = stores
        self.resolver = LayerResolver(stores: stores, registries: registries, files: files)
        self.clusters = clusters
    }

    public func create(_ input: ProfileInput, caller: Caller) async throws -> ProfileView {
        let profile = try Self.newDraft(input, tenantID: try writer(caller))
        try await Self.mapDuplicate { try await stores.profiles.create(profile, layers: []) }
        return ProfileView(profile: profile, layers: [])
    }

    /// A new draft version, its input checked.
    static func newDraft(_ input: ProfileInput, tenantID: String) throws -> ProfileRecord {
        try ProfileRules.validateName(input.name)
        try ProfileRules.validateVersion(input.version)
        try validateDescription(input.description)
        try ProfileVariables.validate(input.variables)
        let now = Date()
        return ProfileRecord(
            id: TokenValue.newID(),
            tenantID: tenantID,
            name: input.name,
            version: input.version,
            description: input.description,
            state: .draft,
            createdAt: now,
            updatedAt: now,
            variables: input.variables
        )
    }

    /// The tenant's profiles (of one name, when given), versions of a name newest first.
    public func list(name: String?, caller: Caller) async throws -> [ProfileView] {
        let tenantID = try reader(caller)
        if let name { try ProfileRules.validateName(name) }
        let profiles = try await stores.profiles.list(tenantID: tenantID, name: name)
        let layers = try await stores.profiles.layers(profileIDs: profiles.map(\.id))
        let registries = try await registryNames(caller)
        return Self.ordered(profiles).map { profile in
            ProfileView(profile: profile, layers: (layers[profile.id] ?? []).map { Self.view($0, registries: registries) })
        }
    }

    public func get(id: String, caller: Caller) async throws -> ProfileView {
        let tenantID = try reader(caller)
        guard let profile = try await stores.profiles.find(id: id, tenantID: tenantID) else { throw CharthouseError.notFound("profile \"\(id)\"") }
        return try await view(profile, caller: caller)
    }

    /// Changes a draft's name, version or description, or publishes it. A published profile
    /// never changes.
    public func update(id: String, changes: ProfileChanges, caller: Caller) async throws -> ProfileView {
        let tenantID = try writer(caller)
        if let name = changes.name { try ProfileRules.validateName(name) }
        if let version = changes.version { try ProfileRules.validateVersion(version) }
        if let description = changes.description { try Self.validateDescription(description) }
        if let variables = changes.variables { try ProfileVariables.validate(variables) }
        let now = Date()
        let updated = try await editDraft(id: id, tenantID: tenantID, now: now) { editor in
            var profile = editor.profile
            profile.name = changes.name ?? profile.name
            profile.version = changes.version ?? profile.version
            profile.description = changes.description ?? profile.description
            profile.variables = changes.variables ?? profile.variables
            profile.updatedAt = now
            if changes.state == .published {
                let layers = try await editor.layers()
                try Self.checkReferences(layers, declared: profile.variables)
                let stale = layers.filter { $0.staleReason != nil }
                guard stale.isEmpty else {
                    let names = stale.map { "\($0.releaseName) (\($0.staleReason ?? ""))" }.joined(separator: ", ")
                    throw CharthouseError(.conflict, "a profile with stale layers cannot be published: \(names); update or remove them first")
                }
                profile.state = .published
                profile.publishedAt = now
            }
            try await Self.mapDuplicate { try await editor.update(profile) }
            return profile
        }
        return try await view(updated, caller: caller)
    }

    /// Deletes a draft; published versions stay.
    public func delete(id: String, caller: Caller) async throws {
        let tenantID = try writer(caller)
        do {
            try await stores.profiles.deleteDraft(id: id, tenantID: tenantID)
        } catch let error as StoreError where error.isNotFound {
            throw CharthouseError.notFound("profile \"\(id)\"")
        } catch let error as StoreError where error.isConflict {
            throw CharthouseError(.conflict, "profile \"\(id)\" is published: published profile versions are never deleted", cause: error)
        }
    }

    /// Copies a profile (draft or published) as a new draft version with the same layers.
    public func newVersion(of id: String, version: String, caller: Caller) async throws -> ProfileView {
        let tenantID = try writer(caller)
        try ProfileRules.validateVersion(version)
        guard let source = try await stores.profiles.find(id: id, tenantID: tenantID) else { throw CharthouseError.notFound("profile \"\(id)\"") }
        let now = Date()
        var copy = source
        copy.id = TokenValue.newID()
        copy.version = version
        copy.state = .draft
        copy.createdAt = now
        copy.updatedAt = now
        copy.publishedAt = nil
        let layers = try await stores.profiles.layers(profileID: source.id).map { layer in
            var layer = layer
            layer.id = TokenValue.newID()
            layer.profileID = copy.id
            layer.createdAt = now
            layer.updatedAt = now
            return layer
        }
        try await Self.mapDuplicate { try await stores.profiles.create(copy, layers: layers) }
        return try await view(copy, caller: caller)
    }

    // MARK: - Rules and views

    /// The caller's tenant, for reading: any user of a tenant.
    func reader(_ caller: Caller) throws -> String {
        guard let tenantID = caller.tenantID else {
            throw CharthouseError.forbidden("profiles belong to tenants: sign in as a user of the tenant")
        }
        return tenantID
    }

    /// The caller's tenant, for writing: its administrators only.
    func writer(_ caller: Caller) throws -> String {
        let tenantID = try reader(caller)
        guard caller.role == .admin else { throw CharthouseError.forbidden("only tenant administrators change profiles") }
        return tenantID
    }

    /// Runs `body` on a draft, turning the store's refusals into the API's errors.
    func editDraft<R: Sendable>(
        id: String,
        tenantID: String,
        now: Date,
        _ body: @Sendable (any ProfileDraftEditor) async throws -> R
    )
        async throws -> R
    {
        do {
            return try await stores.profiles.editDraft(id: id, tenantID: tenantID, now: now, body)
        } catch let error as StoreError where error.isNotFound {
            throw CharthouseError.notFound("profile \"\(id)\"")
        } catch let error as StoreError where error.isConflict {
            throw CharthouseError(
                .conflict,
                "profile \"\(id)\" is published and cannot change; create a new version (POST /api/v1/profiles/\(id)/versions)",
                cause: error
            )
        }
    }

    static func mapDuplicate<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as StoreError where error.isDuplicate {
            throw CharthouseError(.conflict, error.message, cause: error)
        }
    }

    /// Every variable the layers' values reference is declared (checked when publishing).
    static func checkReferences(_ layers: [ProfileLayerRecord], declared: [ProfileVariable]) throws {
        let names = Set(declared.map(\.name))
        let undeclared = layers.flatMap { layer in
            ProfileVariables.references(in: layer.values).filter { !names.contains($0) }.map { "\(layer.releaseName) uses \($0)" }
        }
        guard undeclared.isEmpty else {
            throw CharthouseError(
                .unprocessable,
                "the layers' values use variables the profile does not declare: \(undeclared.joined(separator: ", ")); declare them in variables"
            )
        }
    }

    static func validateDescription(_ description: String) throws {
        guard description.count <= 1024 else { throw CharthouseError.invalidField("description", "must be at most 1024 characters") }
    }

    /// Versions of one name together, newest first; names in order.
    static func ordered(_ profiles: [ProfileRecord]) -> [ProfileRecord] {
        profiles.sorted { a, b in
            if a.name != b.name { return a.name < b.name }
            switch (SemanticVersion(a.version), SemanticVersion(b.version)) {
            case (let x?, let y?) where x.compare(y) != 0: return x > y
            default: return a.version > b.version
            }
        }
    }

    func view(_ profile: ProfileRecord, caller: Caller) async throws -> ProfileView {
        let layers = try await stores.profiles.layers(profileID: profile.id)
        let registries = try await registryNames(caller)
        return ProfileView(profile: profile, layers: layers.map { Self.view($0, registries: registries) })
    }

    /// Names and scopes of the registries the caller sees, by id.
    func registryNames(_ caller: Caller) async throws -> [String: (name: String, scope: String)] {
        let visible = try await stores.registries.listVisible(tenantID: caller.tenantID)
        return Dictionary(visible.map { ($0.id, (name: $0.name, scope: $0.tenantID == nil ? "system" : "tenant")) }) { first, _ in first }
    }

    static func view(_ layer: ProfileLayerRecord, registries: [String: (name: String, scope: String)]) -> LayerView {
        let registry = registries[layer.registryID]
        return LayerView(layer: layer, registryName: registry?.name ?? layer.registryID, registryScope: registry?.scope ?? "tenant")
    }
}
