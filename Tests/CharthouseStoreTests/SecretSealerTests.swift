import CharthouseStore
import Foundation
import Testing

@Suite("Secret sealing with AES-256-GCM")
struct SecretSealerTests {
    let key = SecretKey.generate()

    @Test("a sealed value hides the plaintext, names its key, and opens again")
    func roundTrip() throws {
        let sealer = SecretSealer(current: key)
        let sealed = try sealer.seal("hunter2-registry-password", context: "registry/r1/password")
        #expect(!sealed.contains("hunter2"))
        #expect(sealed.hasPrefix("v1.\(key.id)."))
        #expect(try sealer.open(sealed, context: "registry/r1/password") == "hunter2-registry-password")
        #expect(try sealer.seal("same", context: "c") != (try sealer.seal("same", context: "c")), "nonces differ")
    }

    @Test("tampered, truncated, moved or foreign values do not open")
    func refusesBadValues() throws {
        let sealer = SecretSealer(current: key)
        let sealed = try sealer.seal("secret", context: "registry/r1/password")
        var bytes = Array(sealed)
        bytes[bytes.count - 3] = bytes[bytes.count - 3] == "A" ? "B" : "A"
        #expect(throws: StoreError.self) { try sealer.open(String(bytes), context: "registry/r1/password") }
        #expect(throws: StoreError.self) { try sealer.open(String(sealed.dropLast(10)), context: "registry/r1/password") }
        #expect(throws: StoreError.self) { try sealer.open(sealed, context: "registry/r2/password") }
        #expect(throws: StoreError.self) { try SecretSealer(current: SecretKey.generate()).open(sealed, context: "registry/r1/password") }
        #expect(throws: StoreError.self) { try sealer.open("plaintext", context: "x") }
    }

    @Test("after rotation, old values still open and are marked for resealing")
    func rotation() throws {
        let old = SecretSealer(current: key)
        let sealedBefore = try old.seal("secret", context: "c")
        let newKey = SecretKey.generate()
        let rotated = SecretSealer(current: newKey, previous: [key])
        #expect(try rotated.open(sealedBefore, context: "c") == "secret")
        #expect(rotated.needsResealing(sealedBefore))
        let resealed = try rotated.seal("secret", context: "c")
        #expect(!rotated.needsResealing(resealed))
        #expect(throws: StoreError.self) { try old.open(resealed, context: "c") }
    }

    @Test("keys must be 32 bytes of base64; the key file is created 0600 and read back")
    func keyLoading() throws {
        #expect(throws: StoreError.self) { try SecretKey(base64: "c2hvcnQ=") }
        #expect(throws: StoreError.self) { try SecretKey(base64: "not base64 at all!") }
        #expect(try SecretKey(base64: key.base64).id == key.id)
        let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("key-\(UUID().uuidString)/secret.key")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let (created, wasCreated) = try SecretKey.loadOrCreate(at: file)
        #expect(wasCreated)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        let (loaded, createdAgain) = try SecretKey.loadOrCreate(at: file)
        #expect(!createdAgain)
        #expect(loaded.id == created.id)
    }
}
