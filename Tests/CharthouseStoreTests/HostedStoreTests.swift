import CharthouseStore
import Foundation
import Testing

/// The OCI metadata of hosted registries, on the engine under test.
@Suite("Hosted registry metadata")
struct HostedStoreTests {
    static func registry(_ id: String, tenant: String) -> RegistryRecord {
        RegistryRecord(
            id: id,
            tenantID: tenant,
            name: "hosted-\(id)",
            kind: .oci,
            endpoint: "oci://charthouse.local/\(id)",
            isProtected: false,
            noAuthentication: true,
            username: nil,
            sealedPassword: nil,
            caCertificate: nil,
            insecureSkipTLSVerify: false,
            plainHTTP: false,
            syncIntervalSeconds: 1800,
            createdAt: Date(),
            updatedAt: Date()
        )
    }

    /// The hosted rules as Core applies them (one version per registry; a tag moves only when overwriting).
    static func rules(overwrite: Bool) -> @Sendable (HostedPushFacts) -> HostedPushDecision {
        { facts in
            if let repository = facts.versionElsewhere { return .refuse(.versionElsewhere(repository: repository)) }
            if let tagged = facts.taggedDigest, tagged != facts.digest, !overwrite { return .refuse(.tagTaken(existing: tagged)) }
            return .store(movingTag: overwrite)
        }
    }

    static func manifest(_ repository: String, _ digest: String, version: String) -> HostedManifestRecord {
        HostedManifestRecord(
            repositoryID: repository,
            digest: digest,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            content: #"{"schemaVersion":2}"#,
            size: 19,
            configDigest: "sha256:" + String(repeating: "c", count: 64),
            chartName: "web",
            chartVersion: version,
            createdAt: Date()
        )
    }

    @Test("repositories per registry, blob links, uploads, manifests by digest and tag, tag paging, deletes")
    func metadata() async throws {
        try await withTestDatabase { database in
            try await SQLTenantStore(database: database).create(TenantRecord(id: "ta", name: "acme", createdAt: Date()))
            try await SQLTenantStore(database: database).create(TenantRecord(id: "tb", name: "globex", createdAt: Date()))
            try await SQLRegistryStore(database: database).create(Self.registry("ra", tenant: "ta"))
            try await SQLRegistryStore(database: database).create(Self.registry("rb", tenant: "tb"))
            let store = SQLHostedStore(database: database)

            let web = try await store.ensureRepository(registryID: "ra", name: "acme/charts/web")
            #expect(try await store.ensureRepository(registryID: "ra", name: "acme/charts/web") == web, "created once")
            let api = try await store.ensureRepository(registryID: "ra", name: "acme/api")
            let other = try await store.ensureRepository(registryID: "rb", name: "globex/web")
            #expect(
                try await store.repositoryNames(registryIDs: ["ra", "rb"], after: nil, limit: 10).isEmpty,
                "a repository is listed once it holds a manifest"
            )
            #expect(try await store.repository(registryID: "rb", name: "acme/charts/web") == nil, "names are per registry")

            let blob = "sha256:" + String(repeating: "a", count: 64)
            try await store.linkBlob(repositoryID: web.id, digest: blob, size: 42)
            try await store.linkBlob(repositoryID: web.id, digest: blob, size: 42)
            #expect(try await store.linkedBlob(repositoryID: web.id, digest: blob) == 42)
            #expect(try await store.linkedBlob(repositoryID: other.id, digest: blob) == nil, "a blob is readable only where it was pushed or mounted")

            try await store.startUpload(id: "u1", repositoryID: web.id)
            #expect(try await store.uploadRepository(id: "u1") == web.id)
            try await store.endUpload(id: "u1")
            #expect(try await store.uploadRepository(id: "u1") == nil)

            let first = "sha256:" + String(repeating: "1", count: 64)
            let second = "sha256:" + String(repeating: "2", count: 64)
            #expect(try await store.revision(registryID: "ra") == nil)
            #expect(
                try await store.putManifest(
                    Self.manifest(web.id, first, version: "1.0.0"),
                    tag: "1.0.0",
                    registryID: "ra",
                    decide: Self.rules(overwrite: false),
                    catalog: { _ in }
                )
                    == .stored(previous: nil)
            )
            #expect(try await store.revision(registryID: "ra")?.revision == 1)
            #expect(
                try await store.putManifest(
                    Self.manifest(web.id, second, version: "1.0.0"),
                    tag: "1.0.0",
                    registryID: "ra",
                    decide: Self.rules(overwrite: false),
                    catalog: { _ in }
                )
                    == .tagTaken(existing: first),
                "without replacing, a tag stays where it is"
            )
            #expect(try await store.revision(registryID: "ra")?.revision == 1, "a refused push changes nothing")
            #expect(
                try await store.putManifest(
                    Self.manifest(other.id, second, version: "1.0.0"),
                    tag: "1.0.0",
                    registryID: "ra",
                    decide: Self.rules(overwrite: true),
                    catalog: { _ in }
                )
                    == .versionElsewhere(repository: "acme/charts/web"),
                "a chart version lives in one repository of a registry"
            )
            #expect(
                try await store.putManifest(
                    Self.manifest(web.id, second, version: "1.0.0"),
                    tag: "1.0.0",
                    registryID: "ra",
                    decide: Self.rules(overwrite: true),
                    catalog: { _ in }
                )
                    == .stored(previous: first),
                "replacing moves the tag"
            )
            try await store.putManifest(
                Self.manifest(web.id, first, version: "0.9.0"),
                tag: "0.9.0",
                registryID: "ra",
                decide: Self.rules(overwrite: false),
                catalog: { _ in }
            )
            try await store.putManifest(
                Self.manifest(web.id, first, version: "0.9.0"),
                tag: "latest",
                registryID: "ra",
                decide: Self.rules(overwrite: false),
                catalog: { _ in }
            )
            #expect(try await store.revision(registryID: "ra")?.revision == 4)
            #expect(try await store.chartManifest(registryID: "ra", chart: "web", version: "1.0.0")?.manifest.digest == second)
            #expect(
                try await store.chartManifests(registryID: "ra").map(\.tag) == ["1.0.0"],
                "a chart version is a manifest tagged with its own version"
            )
            #expect(try await store.manifest(repositoryID: web.id, tag: "1.0.0")?.digest == second)
            #expect(try await store.manifest(repositoryID: web.id, digest: first)?.chartVersion == "1.0.0", "the first stored copy stays")
            #expect(try await store.manifest(repositoryID: other.id, digest: first) == nil)
            #expect(try await store.tags(repositoryID: web.id, after: nil, limit: 2) == ["0.9.0", "1.0.0"])
            #expect(try await store.tags(repositoryID: web.id, after: "1.0.0", limit: 10) == ["latest"])

            #expect(try await store.deleteManifest(repositoryID: web.id, digest: first, catalog: { _ in }))
            #expect(try await store.tags(repositoryID: web.id, after: nil, limit: 10) == ["1.0.0"], "tags of a deleted manifest go with it")
            #expect(try await !store.deleteManifest(repositoryID: web.id, digest: first, catalog: { _ in }))

            #expect(try await store.repositoryNames(registryIDs: ["ra"], after: nil, limit: 10) == ["acme/charts/web"])
            try await store.putManifest(
                Self.manifest(api.id, first, version: "2.0.0"),
                tag: "2.0.0",
                registryID: "ra",
                decide: Self.rules(overwrite: false),
                catalog: { _ in }
            )
            #expect(try await store.repositoryNames(registryIDs: ["ra"], after: nil, limit: 10) == ["acme/api", "acme/charts/web"])
            #expect(try await store.repositoryNames(registryIDs: ["ra"], after: "acme/api", limit: 10) == ["acme/charts/web"])
            #expect(try await store.repositoryNames(registryIDs: ["ra", "rb"], after: nil, limit: 1) == ["acme/api"])

            // Removing the registry removes its repositories and everything under them.
            try await SQLRegistryStore(database: database).delete(id: "ra")
            #expect(try await store.repositoryNames(registryIDs: ["ra"], after: nil, limit: 10).isEmpty)
            #expect(try await store.linkedBlob(repositoryID: web.id, digest: blob) == nil)
        }
    }
}
