import HelmFormats
import Testing

@Suite("OCI routes and repository names")
struct OCIRouteTests {
    @Test("paths under /v2/ map to their API area, names with slashes taken from the end")
    func routes() {
        let cases: [(String, OCIRoute?)] = [
            ("", .base),
            ("token", .token),
            ("_catalog", .catalog),
            ("acme/web/tags/list", .tags(repository: "acme/web")),
            ("acme/charts/web/manifests/1.0.0", .manifest(repository: "acme/charts/web", reference: "1.0.0")),
            ("acme/web/manifests/sha256:abc", .manifest(repository: "acme/web", reference: "sha256:abc")),
            ("a/manifests/b/manifests/c", .manifest(repository: "a/manifests/b", reference: "c")),
            ("acme/web/blobs/sha256:abc", .blob(repository: "acme/web", digest: "sha256:abc")),
            ("acme/web/blobs/uploads/", .uploads(repository: "acme/web")),
            ("acme/web/blobs/uploads", .uploads(repository: "acme/web")),
            ("acme/web/blobs/uploads/0b1c", .upload(repository: "acme/web", id: "0b1c")),
            ("acme/web/blobs/uploadsx", .blob(repository: "acme/web", digest: "uploadsx")),
            ("acme/web", nil),
            ("acme/web/tags", nil),
            ("acme/web/other/thing", nil),
        ]
        for (path, expected) in cases { #expect(OCIRoute(path: path) == expected, "\(path)") }
    }

    @Test("what a route needs: push for uploads and writes, pull for reads and listings; scopes only for valid names")
    func rights() {
        let manifest = OCIRoute.manifest(repository: "acme/web", reference: "1.0.0")
        #expect(!manifest.isPush(method: "GET") && !manifest.isPush(method: "HEAD"))
        #expect(manifest.isPush(method: "PUT") && manifest.isPush(method: "DELETE"))
        #expect(OCIRoute.uploads(repository: "acme/web").isPush(method: "GET"))
        #expect(!OCIRoute.tags(repository: "acme/web").isPush(method: "PUT"))
        #expect(manifest.scope(method: "GET") == "repository:acme/web:pull")
        #expect(manifest.scope(method: "PUT") == "repository:acme/web:pull,push")
        #expect(OCIRoute.catalog.scope(method: "GET") == "registry:catalog:*")
        #expect(OCIRoute.manifest(repository: "Acme/Web\"", reference: "x").scope(method: "GET") == nil)
        #expect(OCIRoute.base.scope(method: "GET") == nil)
    }

    @Test("the repository name grammar")
    func names() {
        for valid in ["a", "acme/web", "a.b/c_d/e__f/g-h/i---j", "0/1", String(repeating: "a", count: 255)] {
            #expect(OCIRepositoryName.isValid(valid), "\(valid)")
        }
        for invalid in ["", "A", "a//b", "/a", "a/", "a..b", "a___b", "-a", "a-", "a_", "a b", "é", String(repeating: "a", count: 256)] {
            #expect(!OCIRepositoryName.isValid(invalid), "\(invalid)")
        }
    }
}

@Suite("Protocol primitives: digests, hex, base64url, chart tags")
struct PrimitiveTests {
    @Test("digests: one form, sha256:<64 lowercase hex>")
    func digests() {
        let hex = String(repeating: "ab", count: 32)
        #expect(BlobDigest.isValid("sha256:" + hex))
        #expect(!BlobDigest.isValid(hex) && !BlobDigest.isValid("sha256:" + hex.uppercased()) && !BlobDigest.isValid("sha256:abc"))
        #expect(BlobDigest.canonical(hex) == "sha256:" + hex)
        #expect(BlobDigest.canonical("SHA256:" + hex.uppercased()) == "sha256:" + hex)
        #expect(BlobDigest.canonical("md5:abc") == nil)
        #expect(BlobDigest.normalized("d0") == "d0")
    }

    @Test("hex, base64url, and helm's version-as-tag rule")
    func encodings() {
        #expect(Hex.lowercase([0, 15, 255]) == "000fff")
        let bytes: [UInt8] = [0xfb, 0xff, 0xfe, 0x00]
        #expect(Base64URL.encode(bytes) == "-__-AA")
        #expect(Base64URL.decode("-__-AA").map(Array.init) == bytes)
        #expect(Base64URL.decode("not base64!") == nil)
        #expect(ChartTag.tag(forVersion: "1.0.0+build.5") == "1.0.0_build.5")
        #expect(ChartTag.version(forTag: "1.0.0_build.5") == "1.0.0+build.5")
    }
}
