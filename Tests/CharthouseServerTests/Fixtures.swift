import CharthouseAPI
import Foundation
import TestSupport
import Testing

/// Two tenants, each with an admin and a member, all logged in: the usual cast of a test.
struct TwoTenants {
    struct Member {
        let id: String
        let username: String
        let password: String
        let token: String
    }

    let systemAdminToken: String
    let tenantA: String
    let tenantB: String
    let adminA: Member
    let memberA: Member
    let adminB: Member
    let memberB: Member

    static func make(on server: TestServer, prefix: String = "") async throws -> TwoTenants {
        let root = try await server.adminToken()
        let client = server.client(token: root)
        let tenantA = "\(prefix)acme"
        let tenantB = "\(prefix)globex"
        for name in [tenantA, tenantB] {
            _ = try await client.createTenant(body: .json(.init(name: name))).created
        }
        func user(_ username: String, _ role: Components.Schemas.Role, _ tenant: String) async throws -> Member {
            let password = "pw-\(username)-123"
            let created = try await client.createUser(body: .json(.init(username: username, password: password, role: role, tenant: tenant)))
                .created.body.json
            return Member(id: created.id, username: username, password: password, token: try await server.login(username, password))
        }
        return TwoTenants(
            systemAdminToken: root,
            tenantA: tenantA,
            tenantB: tenantB,
            adminA: try await user("\(prefix)alice", .admin, tenantA),
            memberA: try await user("\(prefix)arthur", .member, tenantA),
            adminB: try await user("\(prefix)bob", .admin, tenantB),
            memberB: try await user("\(prefix)betty", .member, tenantB)
        )
    }
}

/// JSON bodies for raw requests.
func json(_ object: [String: Any]) -> Data {
    try! JSONSerialization.data(withJSONObject: object)
}

let jsonHeaders = [("Content-Type", "application/json")]

/// Asserts a REST error: status, JSON envelope and code.
func expectError(_ response: RawResponse, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(response.status == status, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers["content-type"]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    #expect(response.error?.code == code, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(response.error?.message.isEmpty == false, sourceLocation: sourceLocation)
}

extension Array where Element == Components.Schemas.Registry {
    /// The registries people added: without the hosted ones every tenant and the system own.
    var added: [Element] { filter { $0.kind != .hosted } }
}

extension TestServer {
    /// A database fault on demand: a trigger refuses every catalog row of a chart named `poison`.
    func poisonCatalog() async throws {
        try await executeSQL(
            sqlite: """
                CREATE TRIGGER poison BEFORE INSERT ON catalog_versions WHEN NEW.chart = 'poison'
                BEGIN SELECT RAISE(ABORT, 'poisoned row refused by a trigger'); END;
                """,
            postgres: """
                CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN
                IF NEW.chart = 'poison' THEN RAISE EXCEPTION 'poisoned row refused by a trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
                CREATE TRIGGER poison BEFORE INSERT ON catalog_versions FOR EACH ROW EXECUTE FUNCTION poison();
                """
        )
    }

    /// Removes the fault of ``poisonCatalog()``.
    func curePoisonedCatalog() async throws {
        try await executeSQL(sqlite: "DROP TRIGGER poison;", postgres: "DROP TRIGGER poison ON catalog_versions; DROP FUNCTION poison();")
    }
}
