import SQLKit

/// `catalog_versions.manifest_digest`: the manifest digest of an OCI or hosted chart version, so
/// that a profile layer's pull reference names exact content (`oci://HOST/REPO/CHART@sha256:…`).
struct AddCatalogManifestDigests: Migration {
    let name = "0011_add_catalog_manifest_digests"

    func apply(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE catalog_versions ADD COLUMN manifest_digest TEXT").run()
    }
}
