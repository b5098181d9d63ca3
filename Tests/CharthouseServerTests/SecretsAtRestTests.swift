import CharthouseAPI
import Foundation
import HTTPTypes
import TestSupport
import Testing

@Suite("Secrets: never stored in clear, never returned, never logged")
struct SecretsAtRestTests {
    @Test("the raw database holds no password or token value, and the log holds none either")
    func noPlaintextAtRest() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            let apiToken = try await server.client(token: cast.adminA.token).createToken(body: .json(.init(name: "ci"))).created.body.json
            _ = try await server.request(.get, "/api/v1/me", token: apiToken.token)
            _ = try await server.request(
                .post,
                "/api/v1/login",
                headers: jsonHeaders,
                body: json(["username": "alice", "password": "a-wrong-password-xyz"])
            )
            let secrets = [
                TestServer.adminPassword, cast.adminA.password, cast.memberA.password, cast.adminB.password, cast.memberB.password,
                "a-wrong-password-xyz", apiToken.token, cast.systemAdminToken, cast.adminA.token, cast.memberB.token,
            ]
            let stored = try await Self.rawDatabase(of: server)
            #expect(stored.count > 1000, "the raw database was read")
            #expect(stored.contains(Data("alice".utf8)), "the raw database holds the data")
            for secret in secrets {
                #expect(stored.range(of: Data(secret.utf8)) == nil, "a secret is stored in clear")
            }
            let log = server.logs.text
            #expect(log.contains("path=/api/v1/me"))
            #expect(log.contains("tenant=\(cast.tenantA)"))
            for secret in secrets {
                #expect(!log.contains(secret), "a secret reached the log")
            }
            #expect(log.contains("Starting service"), "the lifecycle's debug lines were captured")
            #expect(!log.contains("SecretSealer") && !log.contains("SymmetricKey"), "service descriptions dumped the secret sealer")
        }
    }

    @Test("API responses never contain password hashes or token digests")
    func noHashesReturned() async throws {
        try await TestServer.with { server in
            let cast = try await TwoTenants.make(on: server)
            for path in ["/api/v1/users", "/api/v1/users/\(cast.memberA.id)", "/api/v1/me", "/api/v1/tokens"] {
                let response = try await server.request(.get, path, token: cast.adminA.token)
                #expect(response.status == 200)
                #expect(!response.text.contains("$2b$"), "bcrypt hash in \(path)")
                #expect(!response.text.lowercased().contains("password"), "password field in \(path)")
                #expect(!response.text.contains("digest"), "token digest in \(path)")
            }
        }
    }

    @Test("the secret key file is created once with mode 0600")
    func secretKeyFile() async throws {
        try await TestServer.with { server in
            let keyFile = server.dataDirectory.appendingPathComponent("secret.key")
            let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let key = try Data(contentsOf: keyFile)
            #expect(Data(base64Encoded: String(decoding: key, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))?.count == 32)
        }
    }

    @Test("a configured CHARTHOUSE_SECRET_KEY is used instead of a key file, and a bad one stops start-up")
    func configuredKey() async throws {
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        try await TestServer.with(.init(environment: ["CHARTHOUSE_SECRET_KEY": key])) { server in
            #expect(!FileManager.default.fileExists(atPath: server.dataDirectory.appendingPathComponent("secret.key").path))
        }
        await #expect(throws: (any Error).self) {
            try await TestServer.with(.init(environment: ["CHARTHOUSE_SECRET_KEY": "dG9vLXNob3J0"])) { _ in }
        }
    }

    /// Every byte the database engine keeps for this server: the SQLite file and its WAL, or a PostgreSQL dump.
    static func rawDatabase(of server: TestServer) async throws -> Data {
        if let url = server.databaseURL {
            return Data(try await PostgresServer.shared.dump(databaseURL: url).utf8)
        }
        var data = Data()
        for suffix in ["", "-wal", "-shm"] {
            let file = server.dataDirectory.appendingPathComponent("charthouse.sqlite" + suffix)
            if let bytes = try? Data(contentsOf: file) { data.append(bytes) }
        }
        return data
    }
}
