import CharthouseStore
import Foundation
import HelmFormats
public import Logging
import RegistryClient

/// Tenant and system Helm registries: added, validated, listed, changed and removed.
///
/// Rules (DESIGN.md §1): only admins change registries (tenant admins their tenant's, the system
/// admin the system ones); unprotected registries are checked live before anything is stored and
/// again whenever their endpoint, credentials or TLS settings change; protected ones are never
/// contacted. Passwords are sealed at rest and never returned.
public struct RegistryService: Sendable {
    private let stores: Stores
    private let policy: RegistryPolicy
    private let validator: RegistryValidator
    /// `host[:port]` where clients reach this server, for hosted registries' endpoints.
    /// `http` or `https`, for hosted registries' classic URLs.
    /// Where clients reach this server, for hosted registries' endpoints.
    private let urls: PublicURLs
    /// Told the namespace of a hosted registry whose settings changed (its cached index goes).
    private let hostedChanged: @Sendable (String) -> Void

    public init(
        stores: Stores,
        policy: RegistryPolicy,
        urls: PublicURLs = PublicURLs(),
        hostedChanged: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.stores = stores
        self.policy = policy
        self.validator = RegistryValidator(policy: policy)
        self.urls = urls
        self.hostedChanged = hostedChanged
    }

    private func view(_ record: RegistryRecord, sync: SyncStateRecord? = nil) async throws -> RegistryView {
        var view = RegistryView(record, sync: sync, urls: urls)
        if record.kind == .hosted { view.lastPushAt = try await stores.hosted.revision(registryID: record.id)?.changedAt }
        return view
    }

    /// The caller's tenant's registries followed by the system registries.
    public func list(caller: Caller) async throws -> [RegistryView] {
        let records = try await stores.registries.listVisible(tenantID: caller.tenantID)
        let states = try await stores.catalog.states(registryIDs: records.map(\.id))
        var views: [RegistryView] = []
        for record in records { views.append(try await view(record, sync: states[record.id])) }
        return views
    }

    public func get(id: String, caller: Caller) async throws -> RegistryView {
        let record = try await visibleRecord(id: id, caller: caller)
        return try await view(record, sync: try await stores.catalog.state(registryID: record.id))
    }

    /// Adds a registry to the caller's tenant (tenant admins), or to the system when `system` (system admin).
    public func create(_ input: NewRegistry, system: Bool, caller: Caller) async throws -> RegistryView {
        if system {
            guard caller.isSystemAdmin else { throw CharthouseError.forbidden("only the system administrator adds system registries") }
        } else {
            guard !caller.isSystemAdmin else {
                throw CharthouseError.forbidden("the system administrator adds system registries at /api/v1/system/registries")
            }
            guard caller.isTenantAdmin else { throw CharthouseError.forbidden("only tenant administrators add registries") }
        }
        try NameRules.validateRegistryName(input.name)
        let now = Date()
        let id = TokenValue.newID()
        var record = RegistryRecord(
            id: id,
            tenantID: system ? nil : caller.tenantID,
            name: input.name,
            kind: .classic,
            endpoint: input.endpoint,
            isProtected: input.isProtected,
            noAuthentication: input.noAuthentication,
            username: input.username.nonEmpty,
            sealedPassword: nil,
            caCertificate: input.caCertificate.nonEmpty,
            insecureSkipTLSVerify: input.insecureSkipTLSVerify,
            plainHTTP: input.plainHTTP,
            syncIntervalSeconds: input.syncIntervalSeconds ?? policy.defaultSyncInterval,
            createdAt: now,
            updatedAt: now,
            repositories: input.repositories
        )
        let endpoint = try normalize(&record)
        let password = try credentialsRule(record: record, password: input.password.nonEmpty, passwordKept: false)
        if !record.isProtected {
            try await validator.validate(endpoint, credentials: Self.credentials(record, password: password), record: record)
        }
        if let password {
            record.sealedPassword = try stores.sealer.seal(password, context: RegistryRecord.passwordSealingContext(id: id))
        }
        do {
            try await stores.registries.create(record)
        } catch let error as StoreError where error.isDuplicate {
            throw CharthouseError(.conflict, "registry \"\(record.name)\" already exists", cause: error, field: "name")
        }
        return try await view(record)
    }

    /// Changes a registry; unprotected registries are validated again when the change touches the
    /// endpoint, credentials, TLS settings or protection. Nothing is stored if validation fails.
    public func update(id: String, changes: RegistryChanges, caller: Caller) async throws -> RegistryView {
        let current = try await visibleRecord(id: id, caller: caller)
        if current.kind == .hosted { return try await updateHosted(current, changes: changes, caller: caller) }
        guard changes.publicPull == nil, changes.allowOverwrite == nil else {
            throw CharthouseError.invalidField(changes.publicPull != nil ? "public" : "allowOverwrite", "applies to hosted registries only")
        }
        try authorizeChange(current, caller: caller)
        var record = current
        if let name = changes.name {
            try NameRules.validateRegistryName(name)
            record.name = name
        }
        if let endpoint = changes.endpoint { record.endpoint = endpoint }
        if let isProtected = changes.isProtected { record.isProtected = isProtected }
        if let noAuthentication = changes.noAuthentication { record.noAuthentication = noAuthentication }
        if let username = changes.username { record.username = username.isEmpty ? nil : username }
        if let caCertificate = changes.caCertificate { record.caCertificate = caCertificate.isEmpty ? nil : caCertificate }
        if let insecure = changes.insecureSkipTLSVerify { record.insecureSkipTLSVerify = insecure }
        if let plainHTTP = changes.plainHTTP { record.plainHTTP = plainHTTP }
        if let interval = changes.syncIntervalSeconds { record.syncIntervalSeconds = interval }
        if let repositories = changes.repositories { record.repositories = repositories }
        let endpoint = try normalize(&record)

        let newPassword = changes.password.nonEmpty
        var password = newPassword
        if password == nil, !record.noAuthentication, let sealed = current.sealedPassword {
            password = try stores.sealer.open(sealed, context: RegistryRecord.passwordSealingContext(id: id))
        }
        password = try credentialsRule(record: record, password: password, passwordKept: newPassword == nil && password != nil)
        let connectionChanged =
            record.endpoint != current.endpoint || record.noAuthentication != current.noAuthentication
            || record.username != current.username || newPassword != nil || record.caCertificate != current.caCertificate
            || record.insecureSkipTLSVerify != current.insecureSkipTLSVerify || record.plainHTTP != current.plainHTTP
            || (current.isProtected && !record.isProtected) || record.repositories != current.repositories
        if !record.isProtected, connectionChanged {
            try await validator.validate(endpoint, credentials: Self.credentials(record, password: password), record: record)
        }
        if record.noAuthentication {
            record.sealedPassword = nil
        } else if let newPassword {
            record.sealedPassword = try stores.sealer.seal(newPassword, context: RegistryRecord.passwordSealingContext(id: id))
        }
        guard record != current else { return try await view(current) }
        record.updatedAt = Date()
        do {
            try await stores.registries.update(record)
        } catch let error as StoreError where error.isDuplicate {
            throw CharthouseError(.conflict, "registry \"\(record.name)\" already exists", cause: error, field: "name")
        } catch let error as StoreError where error.isNotFound {
            throw CharthouseError.notFound("registry \"\(id)\"")
        }
        return try await view(record)
    }

    public func delete(id: String, caller: Caller) async throws {
        let record = try await visibleRecord(id: id, caller: caller)
        try authorizeChange(record, caller: caller)
        let users = try await stores.profiles.profilesUsing(registryID: record.id)
        if !users.isEmpty {
            // Names only of the caller's own profiles; another tenant's are counted.
            let own = users.filter { $0.tenantID == caller.tenantID }.map { "\($0.name) \($0.version)" }
            let others = users.count - own.count
            var named = own
            if others > 0 { named.append("\(others) profile version(s) of other tenants") }
            throw CharthouseError(
                .conflict,
                "registry \"\(record.name)\" is used by layers of \(named.joined(separator: ", ")); remove those layers (or delete the draft profiles) first"
            )
        }
        guard try await stores.registries.delete(id: id) else { throw CharthouseError.notFound("registry \"\(id)\"") }
    }

    /// Gives the system and every tenant its hosted registry, where one is missing (at start-up;
    /// new tenants get theirs when they are created).
    public func ensureHostedRegistries() async throws {
        try await Self.ensureHostedRegistry(tenant: nil, stores: stores, policy: policy)
        for tenant in try await stores.tenants.list() {
            try await Self.ensureHostedRegistry(tenant: tenant, stores: stores, policy: policy)
        }
    }

    /// The hosted registry of `tenant` (of the system when `nil`), created if missing: named
    /// `hosted` in a tenant (`system` for the system's), or `hosted-N` when a registry already
    /// took that name.
    static func ensureHostedRegistry(tenant: TenantRecord?, stores: Stores, policy: RegistryPolicy) async throws {
        let namespace = tenant?.name ?? "system"
        let existing = try await stores.registries.listVisible(tenantID: tenant?.id)
        if existing.contains(where: { $0.kind == .hosted && $0.tenantID == tenant?.id }) { return }
        let base = tenant == nil ? "system" : "hosted"
        let taken = Set(existing.filter { $0.tenantID == tenant?.id }.map(\.name))
        let name = ([base] + (2...99).map { "\(base)-\($0)" }).first { !taken.contains($0) } ?? "\(base)-\(TokenValue.newID().prefix(8))"
        let now = Date()
        do {
            try await createHosted(name: name, tenant: tenant, namespace: namespace, now: now, stores: stores, policy: policy)
        } catch let error as StoreError where error.isDuplicate {
            // Another replica starting at the same time made it first: that one stands.
            let again = try await stores.registries.listVisible(tenantID: tenant?.id)
            guard again.contains(where: { $0.kind == .hosted && $0.tenantID == tenant?.id }) else { throw error }
        }
    }

    private static func createHosted(
        name: String,
        tenant: TenantRecord?,
        namespace: String,
        now: Date,
        stores: Stores,
        policy: RegistryPolicy
    ) async throws {
        try await stores.registries.create(
            RegistryRecord(
                id: TokenValue.newID(),
                tenantID: tenant?.id,
                name: name,
                kind: .hosted,
                endpoint: RegistryRecord.hostedEndpoint(namespace: namespace),
                isProtected: false,
                noAuthentication: true,
                username: nil,
                sealedPassword: nil,
                caCertificate: nil,
                insecureSkipTLSVerify: false,
                plainHTTP: false,
                syncIntervalSeconds: policy.defaultSyncInterval,
                createdAt: now,
                updatedAt: now
            )
        )
    }

    /// Creates or updates the system registries named on the command line. A failed live check is
    /// logged, not fatal: the operator's configuration is kept and the next sync reports the error.
    public func ensureSystemRegistries(_ specs: [SystemRegistrySpec], logger: Logger) async throws {
        for spec in specs {
            try NameRules.validateRegistryName(spec.name, field: "--system-registry")
            let now = Date()
            let existing = try await stores.registries.findSystem(name: spec.name)
            let id = existing?.id ?? TokenValue.newID()
            var record = RegistryRecord(
                id: id,
                tenantID: nil,
                name: spec.name,
                kind: .classic,
                endpoint: spec.endpoint,
                isProtected: false,
                noAuthentication: spec.username == nil,
                username: spec.username,
                sealedPassword: nil,
                caCertificate: existing?.caCertificate,
                insecureSkipTLSVerify: existing?.insecureSkipTLSVerify ?? false,
                plainHTTP: spec.plainHTTP,
                syncIntervalSeconds: existing?.syncIntervalSeconds ?? policy.defaultSyncInterval,
                createdAt: existing?.createdAt ?? now,
                updatedAt: now,
                repositories: existing?.repositories ?? []
            )
            let endpoint = try normalize(&record)
            let password = try credentialsRule(record: record, password: spec.password, passwordKept: false)
            if let password {
                record.sealedPassword = try stores.sealer.seal(password, context: RegistryRecord.passwordSealingContext(id: id))
            }
            do {
                try await validator.validate(endpoint, credentials: Self.credentials(record, password: password), record: record)
            } catch let error as CharthouseError {
                logger.warning("system registry failed its live check", metadata: ["registry": .string(spec.name), "error": .string(error.message)])
            }
            if existing == nil {
                try await stores.registries.create(record)
            } else {
                try await stores.registries.update(record)
            }
            logger.info("system registry configured", metadata: ["registry": .string(spec.name), "endpoint": .string(record.endpoint)])
        }
    }

    // MARK: - Rules

    func visibleRecord(id: String, caller: Caller) async throws -> RegistryRecord {
        guard let record = try await stores.registries.find(id: id), record.tenantID == nil || record.tenantID == caller.tenantID else {
            throw CharthouseError.notFound("registry \"\(id)\"")
        }
        return record
    }

    /// A hosted registry's settings: anonymous pull and overwriting versions. Nothing else of it
    /// changes. Its tenant's admins (the system administrator for `system`) change them.
    private func updateHosted(_ current: RegistryRecord, changes: RegistryChanges, caller: Caller) async throws -> RegistryView {
        let others: [Any?] = [
            changes.name, changes.endpoint, changes.isProtected, changes.noAuthentication, changes.username, changes.password,
            changes.caCertificate, changes.insecureSkipTLSVerify, changes.plainHTTP, changes.syncIntervalSeconds, changes.repositories,
        ]
        guard others.allSatisfy({ $0 == nil }) else {
            throw CharthouseError(
                .conflict,
                "the hosted registry \"\(current.name)\" is managed by Charthouse: only public and allowOverwrite can be changed"
            )
        }
        let allowed = current.tenantID == nil ? caller.isSystemAdmin : caller.isTenantAdmin && caller.tenantID == current.tenantID
        guard allowed else { throw CharthouseError.forbidden("only administrators of \(current.name) change its settings") }
        var record = current
        if let publicPull = changes.publicPull { record.publicPull = publicPull }
        if let allowOverwrite = changes.allowOverwrite { record.allowOverwrite = allowOverwrite }
        guard record != current else { return try await view(current, sync: try await stores.catalog.state(registryID: current.id)) }
        record.updatedAt = Date()
        try await stores.registries.update(record)
        if let namespace = record.hostedNamespace { hostedChanged(namespace) }
        return try await view(record, sync: try await stores.catalog.state(registryID: record.id))
    }

    func authorizeChange(_ record: RegistryRecord, caller: Caller) throws {
        if record.kind == .hosted {
            throw CharthouseError(.conflict, "the hosted registry \"\(record.name)\" is managed by Charthouse: push charts to it with helm")
        }
        if record.tenantID == nil {
            guard caller.isSystemAdmin else { throw CharthouseError.forbidden("system registries are read-only for tenants") }
        } else {
            guard caller.isTenantAdmin else { throw CharthouseError.forbidden("only tenant administrators change registries") }
        }
    }

    /// Checks the endpoint and transport settings, sets `kind` and the normalised endpoint.
    private func normalize(_ record: inout RegistryRecord) throws -> RegistryEndpoint {
        let endpoint: RegistryEndpoint
        do {
            endpoint = try RegistryEndpoint(parsing: record.endpoint)
        } catch let error as HelmFormatError {
            throw CharthouseError.invalidField("endpoint", error.message)
        }
        record.endpoint = endpoint.description
        record.kind = endpoint.isOCI ? .oci : .classic
        if record.plainHTTP, !endpoint.isOCI {
            throw CharthouseError.invalidField("plainHTTP", "applies to oci:// endpoints only; use an http:// endpoint for a classic repository")
        }
        if endpoint.isPlainHTTP || record.plainHTTP, !policy.allowInsecureRegistries {
            throw CharthouseError(
                .unprocessable,
                "plain-HTTP registries are not allowed on this server (start it with --allow-insecure-registries to permit them)"
            )
        }
        if let pem = record.caCertificate {
            guard !endpoint.isPlainHTTP, !record.plainHTTP else {
                throw CharthouseError.invalidField("caCertificate", "applies to TLS endpoints only")
            }
            do {
                _ = try TLSTrust.certificates(pem: pem)
            } catch {
                throw CharthouseError.invalidField("caCertificate", "is not a PEM-encoded X.509 certificate")
            }
        }
        if !record.repositories.isEmpty {
            guard endpoint.isOCI else {
                throw CharthouseError.invalidField(
                    "repositories",
                    "applies to oci:// endpoints only; a classic repository lists its charts in index.yaml"
                )
            }
            guard record.repositories.count <= RegistryPolicy.maxRepositories else {
                throw CharthouseError.invalidField("repositories", "at most \(RegistryPolicy.maxRepositories) repositories")
            }
            for repository in record.repositories where !OCIRepositoryName.isValid(repository) {
                throw CharthouseError.invalidField(
                    "repositories",
                    "\"\(repository)\" is not an OCI repository name (lowercase letters, digits and . _ - separators, / between parts)"
                )
            }
            var seen = Set<String>()
            record.repositories = record.repositories.filter { seen.insert($0).inserted }
        }
        guard RegistryPolicy.syncIntervalRange.contains(record.syncIntervalSeconds) else {
            throw CharthouseError.invalidField(
                "syncIntervalSeconds",
                "must be between \(RegistryPolicy.syncIntervalRange.lowerBound) and \(RegistryPolicy.syncIntervalRange.upperBound)"
            )
        }
        return endpoint
    }

    /// `noAuthentication` needs nothing; otherwise a username and a password are required.
    private func credentialsRule(record: RegistryRecord, password: String?, passwordKept: Bool) throws -> String? {
        if record.noAuthentication {
            guard record.username == nil, password == nil || passwordKept else {
                throw CharthouseError.invalidField("username", "must not be given together with noAuthentication")
            }
            return nil
        }
        guard let username = record.username else {
            throw CharthouseError.invalidField("username", "is required unless noAuthentication is true")
        }
        guard !username.contains(":"), username.count <= 256 else {
            throw CharthouseError.invalidField("username", "must not contain ':' and must be at most 256 characters")
        }
        guard let password else { throw CharthouseError.invalidField("password", "is required unless noAuthentication is true") }
        guard password.utf8.count <= 4096 else { throw CharthouseError.invalidField("password", "must be at most 4096 bytes") }
        return password
    }

    private static func credentials(_ record: RegistryRecord, password: String?) -> RegistryCredentials {
        guard !record.noAuthentication, let username = record.username, let password else { return .anonymous }
        return .basic(username: username, password: password)
    }
}

extension Optional where Wrapped == String {
    /// `nil` for `nil` and for the empty string, as forms send it.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
