import SQLKit

/// ``RegistryStore`` over SQLite or PostgreSQL.
public struct SQLRegistryStore: RegistryStore {
    private let database: CharthouseDatabase
    private static let columns = """
        id, tenant_id, name, kind, endpoint, protected, no_authentication, username, password_sealed, ca_certificate,
        insecure_skip_tls_verify, plain_http, sync_interval_seconds, created_at, updated_at, repositories, public_pull,
        allow_overwrite
        """

    public init(database: CharthouseDatabase) {
        self.database = database
    }

    public func create(_ registry: RegistryRecord) async throws {
        try await database.withConnection { db in
            try await SQLErrors.mapUniqueViolation("registry \"\(registry.name)\" already exists") {
                try await db.raw(
                    """
                    INSERT INTO registries (id, tenant_id, scope_key, name, kind, endpoint, protected, no_authentication, username,
                        password_sealed, ca_certificate, insecure_skip_tls_verify, plain_http, sync_interval_seconds, created_at, updated_at,
                        repositories, public_pull, allow_overwrite)
                    VALUES (\(bind: registry.id), \(bind: registry.tenantID), \(bind: registry.tenantID ?? ""), \(bind: registry.name),
                        \(bind: registry.kind.rawValue), \(bind: registry.endpoint), \(bind: registry.isProtected ? 1 : 0),
                        \(bind: registry.noAuthentication ? 1 : 0), \(bind: registry.username), \(bind: registry.sealedPassword),
                        \(bind: registry.caCertificate), \(bind: registry.insecureSkipTLSVerify ? 1 : 0), \(bind: registry.plainHTTP ? 1 : 0),
                        \(bind: registry.syncIntervalSeconds), \(bind: Timestamp.from(registry.createdAt)), \(bind: Timestamp.from(registry.updatedAt)),
                        \(bind: registry.repositories.joined(separator: "\n")), \(bind: registry.publicPull ? 1 : 0),
                        \(bind: registry.allowOverwrite ? 1 : 0))
                    """
                ).run()
            }
        }
    }

    public func update(_ registry: RegistryRecord) async throws {
        let updated = try await database.withConnection { db in
            try await SQLErrors.mapUniqueViolation("registry \"\(registry.name)\" already exists") {
                try await db.raw(
                    """
                    UPDATE registries SET name = \(bind: registry.name), kind = \(bind: registry.kind.rawValue),
                        endpoint = \(bind: registry.endpoint), protected = \(bind: registry.isProtected ? 1 : 0),
                        no_authentication = \(bind: registry.noAuthentication ? 1 : 0), username = \(bind: registry.username),
                        password_sealed = \(bind: registry.sealedPassword), ca_certificate = \(bind: registry.caCertificate),
                        insecure_skip_tls_verify = \(bind: registry.insecureSkipTLSVerify ? 1 : 0),
                        plain_http = \(bind: registry.plainHTTP ? 1 : 0), sync_interval_seconds = \(bind: registry.syncIntervalSeconds),
                        updated_at = \(bind: Timestamp.from(registry.updatedAt)),
                        repositories = \(bind: registry.repositories.joined(separator: "\n")),
                        public_pull = \(bind: registry.publicPull ? 1 : 0), allow_overwrite = \(bind: registry.allowOverwrite ? 1 : 0)
                    WHERE id = \(bind: registry.id) RETURNING id
                    """
                ).all()
            }
        }
        guard !updated.isEmpty else { throw StoreError.notFound("registry \(registry.id) not found") }
    }

    public func listVisible(tenantID: String?) async throws -> [RegistryRecord] {
        try await database.withConnection { db in
            let query: SQLQueryString
            if let tenantID {
                query = """
                    SELECT \(unsafeRaw: Self.columns) FROM registries
                    WHERE tenant_id = \(bind: tenantID) OR tenant_id IS NULL
                    ORDER BY CASE WHEN tenant_id IS NULL THEN 1 ELSE 0 END, name
                    """
            } else {
                query = "SELECT \(unsafeRaw: Self.columns) FROM registries WHERE tenant_id IS NULL ORDER BY name"
            }
            return try await db.raw(query).all().map(Self.decode)
        }
    }

    public func find(id: String) async throws -> RegistryRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM registries WHERE id = \(bind: id)").first().map(Self.decode)
        }
    }

    public func findSystem(name: String) async throws -> RegistryRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM registries WHERE tenant_id IS NULL AND name = \(bind: name)").first()
                .map(Self.decode)
        }
    }

    public func listHosted() async throws -> [RegistryRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM registries WHERE kind = 'hosted' ORDER BY name").all().map(Self.decode)
        }
    }

    public func findHosted(namespace: String) async throws -> RegistryRecord? {
        let endpoint = RegistryRecord.hostedEndpoint(namespace: namespace)
        return try await database.withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM registries WHERE kind = 'hosted' AND endpoint = \(bind: endpoint)")
                .first().map(Self.decode)
        }
    }

    public func delete(id: String) async throws -> Bool {
        try await database.withConnection { db in
            !(try await db.raw("DELETE FROM registries WHERE id = \(bind: id) RETURNING id").all()).isEmpty
        }
    }

    private static func decode(_ row: any SQLRow) throws -> RegistryRecord {
        let kind = try row.decode(column: "kind", as: String.self)
        guard let registryKind = RegistryKind(rawValue: kind) else {
            throw StoreError.invalidConfiguration("unknown registry kind \"\(kind)\" stored")
        }
        var record = RegistryRecord(
            id: try row.decode(column: "id", as: String.self),
            tenantID: try row.decode(column: "tenant_id", as: String?.self),
            name: try row.decode(column: "name", as: String.self),
            kind: registryKind,
            endpoint: try row.decode(column: "endpoint", as: String.self),
            isProtected: try row.decode(column: "protected", as: Int.self) != 0,
            noAuthentication: try row.decode(column: "no_authentication", as: Int.self) != 0,
            username: try row.decode(column: "username", as: String?.self),
            sealedPassword: try row.decode(column: "password_sealed", as: String?.self),
            caCertificate: try row.decode(column: "ca_certificate", as: String?.self),
            insecureSkipTLSVerify: try row.decode(column: "insecure_skip_tls_verify", as: Int.self) != 0,
            plainHTTP: try row.decode(column: "plain_http", as: Int.self) != 0,
            syncIntervalSeconds: try row.decode(column: "sync_interval_seconds", as: Int.self),
            createdAt: Timestamp.date(try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Timestamp.date(try row.decode(column: "updated_at", as: Int64.self)),
            repositories: try row.decode(column: "repositories", as: String.self).split(separator: "\n").map(String.init)
        )
        record.publicPull = try row.decode(column: "public_pull", as: Int.self) != 0
        record.allowOverwrite = try row.decode(column: "allow_overwrite", as: Int.self) != 0
        return record
    }
}
