import CharthouseStore
import Crypto
import Foundation
import HelmFormats
import NIOCore
import TestSupport
import Testing

/// Content-addressed blob storage on local disk: uploads in one go and in chunks, digests checked
/// before anything becomes visible, sessions that survive a restart, limits and cleanup.
@Suite("Blob store on local disk")
struct BlobStoreTests {
    static func digest(_ bytes: [UInt8]) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func chunks(_ bytes: [UInt8], size: Int) -> AsyncStream<ByteBuffer> {
        let parts = stride(from: 0, to: bytes.count, by: size).map { ByteBuffer(bytes: bytes[$0..<min($0 + size, bytes.count)]) }
        return AsyncStream { continuation in
            for part in parts { continuation.yield(part) }
            continuation.finish()
        }
    }

    func withStore(_ body: (FileBlobStore, URL) async throws -> Void) async throws {
        let root = try ScratchDirectory.make("charthouse-blobs")
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(try FileBlobStore(root: root), root)
    }

    @Test("a blob uploaded in chunks over several calls is stored under its digest and reads back")
    func chunkedUpload() async throws {
        try await withStore { store, root in
            let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let digest = Self.digest(bytes)
            let upload = try await store.startUpload()
            #expect(try await store.append(to: upload, Self.chunks(Array(bytes[0..<100_000]), size: 7_000), limit: 1 << 20) == 100_000)
            #expect(try await store.uploadedSize(upload) == 100_000)
            #expect(try await store.info(digest: digest) == nil, "nothing is visible before the upload is finished")
            #expect(try await store.append(to: upload, Self.chunks(Array(bytes[100_000...]), size: 65_536), limit: 1 << 20) == 300_000)
            let info = try await store.finishUpload(upload, digest: digest)
            #expect(info == BlobInfo(digest: digest, size: 300_000))
            #expect(try await store.info(digest: digest) == info)
            let read = try #require(try await store.read(digest: digest, limit: 1 << 20))
            #expect(Array(read.readableBytesView) == bytes)
            let path = try #require(store.localPath(digest: digest))
            #expect(path.hasPrefix(root.path + "/sha256/"))
            #expect(try await store.uploadedSize(upload) == nil, "the session ended")
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("uploads").path).isEmpty)
            // The same bytes again: one blob.
            #expect(try await store.store(ByteBuffer(bytes: bytes), digest: digest) == info)
        }
    }

    @Test("a digest mismatch stores nothing and ends the session; bad digests, ids and sizes are refused")
    func refusals() async throws {
        try await withStore { store, root in
            let bytes = Array("chart bytes".utf8)
            let wrong = Self.digest(Array("other bytes".utf8))
            let upload = try await store.startUpload()
            _ = try await store.append(to: upload, Self.chunks(bytes, size: 4), limit: 100)
            await #expect(throws: BlobStoreError.digestMismatch(expected: wrong, actual: Self.digest(bytes))) {
                try await store.finishUpload(upload, digest: wrong)
            }
            #expect(try await store.info(digest: wrong) == nil)
            #expect(try await store.info(digest: Self.digest(bytes)) == nil)
            #expect(try await store.uploadedSize(upload) == nil)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("uploads").path).isEmpty)

            let second = try await store.startUpload()
            await #expect(throws: BlobStoreError.invalidDigest("sha256:ABC")) { try await store.finishUpload(second, digest: "sha256:ABC") }
            await #expect(throws: BlobStoreError.tooLarge(limit: 8)) {
                try await store.append(to: second, Self.chunks(bytes, size: 4), limit: 8)
            }
            #expect(try await store.uploadedSize(second) == 0, "an append that passes the limit keeps nothing of itself")
            _ = try await store.append(to: second, Self.chunks(Array(bytes.prefix(4)), size: 4), limit: 100)
            // The body breaks off half-way: the upload holds what it held before, hash included.
            let broken = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(ByteBuffer(bytes: Array(bytes.dropFirst(4).prefix(3))))
                continuation.finish(throwing: CancellationError())
            }
            await #expect(throws: BlobStoreError.interrupted) { try await store.append(to: second, broken, limit: 100) }
            #expect(try await store.uploadedSize(second) == 4)
            _ = try await store.append(to: second, Self.chunks(Array(bytes.dropFirst(4)), size: 3), limit: 100)
            #expect(
                try await store.finishUpload(second, digest: Self.digest(bytes)).size == Int64(bytes.count),
                "the hash survived the broken append"
            )
            for id in ["../../etc/passwd", "not-a-uuid", UUID().uuidString.lowercased()] {
                await #expect(throws: BlobStoreError.unknownUpload(id)) { try await store.append(to: id, Self.chunks(bytes, size: 4), limit: 100) }
            }
            #expect(store.localPath(digest: "sha256:../../etc") == nil)
        }
    }

    @Test("an upload continues after a restart (the hash is rebuilt from disk); stale sessions are cleaned up")
    func restartAndCleanup() async throws {
        try await withStore { store, root in
            let bytes = (0..<50_000).map { UInt8(truncatingIfNeeded: $0) }
            let upload = try await store.startUpload()
            _ = try await store.append(to: upload, Self.chunks(Array(bytes[0..<20_000]), size: 4096), limit: 1 << 20)
            let restarted = try FileBlobStore(root: root)
            #expect(try await restarted.uploadedSize(upload) == 20_000)
            _ = try await restarted.append(to: upload, Self.chunks(Array(bytes[20_000...]), size: 4096), limit: 1 << 20)
            #expect(try await restarted.finishUpload(upload, digest: Self.digest(bytes)).size == 50_000)

            let abandoned = try await restarted.startUpload()
            _ = try await restarted.append(to: abandoned, Self.chunks(bytes, size: 1000), limit: 1 << 20)
            #expect(try await restarted.removeStaleUploads(before: Date().addingTimeInterval(-3600)) == 0)
            #expect(try await restarted.removeStaleUploads(before: Date().addingTimeInterval(60)) == 1)
            #expect(try await restarted.uploadedSize(abandoned) == nil)
            #expect(try await restarted.info(digest: Self.digest(bytes))?.size == 50_000, "finished blobs are not touched")
        }
    }
}

@Suite("Blob digests")
struct BlobDigestTests {
    @Test("the digest of bytes, in the one form")
    func digestOfBytes() {
        #expect(BlobDigest.of(Array("".utf8)) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
