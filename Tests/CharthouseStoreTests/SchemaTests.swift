import CharthouseStore
import Foundation
import Logging
import TestSupport
import Testing

/// `postgres://…?search_path=SCHEMA`: several installations in one PostgreSQL database.
@Suite("PostgreSQL schemas")
struct SchemaTests {
    @Test("a search_path must be a plain schema name")
    func schemaNames() throws {
        #expect(try DatabaseLocation(url: "postgres://u@h/db?search_path=team_a").postgresSchema == "team_a")
        #expect(try DatabaseLocation(url: "postgres://u@h/db?tlsmode=disable").postgresSchema == nil)
        for bad in ["Team", "1team", "a-b", "x;drop", "", String(repeating: "a", count: 64)] {
            #expect(throws: StoreError.self, "\(bad)") {
                try DatabaseLocation(url: "postgres://u@h/db?search_path=\(bad.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? bad)")
            }
        }
    }

    @Test(
        "two schemas of one database are two installations: each migrated, neither sees the other",
        .enabled(if: TestServer.databaseEngine == "postgres", "schemas are PostgreSQL's")
    )
    func schemasApart() async throws {
        let base = try await PostgresServer.shared.makeSchema()
        let other = base.replacingOccurrences(of: "search_path=", with: "search_path=other_")
        defer { Task { await PostgresServer.release(base) } }
        var opened: [CharthouseDatabase] = []
        for url in [base, other] {
            let database = try CharthouseDatabase.open(try DatabaseLocation(url: url), logger: Logger(label: "schema-test"))
            try await Migrator(database: database, logger: Logger(label: "schema-test")).migrate()
            opened.append(database)
        }
        let tenants = [SQLTenantStore(database: opened[0]), SQLTenantStore(database: opened[1])]
        try await tenants[0].create(TenantRecord(id: UUID().uuidString, name: "acme", createdAt: Date()))
        try await tenants[1].create(TenantRecord(id: UUID().uuidString, name: "acme", createdAt: Date()))
        #expect(try await tenants[0].list().map(\.name) == ["acme"])
        #expect(try await tenants[1].list().count == 1, "the same name in the other schema is another tenant")
        // Migrating again applies nothing: each schema keeps its own record of migrations.
        #expect(try await Migrator(database: opened[1], logger: Logger(label: "schema-test")).migrate().isEmpty)
        for database in opened { try await database.shutdown() }
        try await PostgresServer.shared.execute(
            "DROP SCHEMA IF EXISTS \(other.components(separatedBy: "search_path=").last ?? "") CASCADE",
            databaseURL: base
        )
    }
}
