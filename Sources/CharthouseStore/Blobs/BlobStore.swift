public import Foundation
import HelmFormats
public import NIOCore

/// A stored blob: its digest (`sha256:<hex>`) and size in bytes.
public struct BlobInfo: Sendable, Hashable {
    public let digest: String
    public let size: Int64

    public init(digest: String, size: Int64) {
        self.digest = digest
        self.size = size
    }
}

/// Why a blob operation was refused.
public enum BlobStoreError: Error, Sendable, Equatable {
    /// The uploaded bytes do not have the digest the client named.
    case digestMismatch(expected: String, actual: String)
    /// Not `sha256:` followed by 64 lowercase hex digits.
    case invalidDigest(String)
    /// No upload session with this id (never started, finished, cancelled or cleaned up).
    case unknownUpload(String)
    /// The upload would grow past the configured limit.
    case tooLarge(limit: Int64)
    /// The request body ended early (the client went away before sending all it declared).
    case interrupted
}

/// Content-addressed storage for the blobs of hosted charts (OCI layers and configs, chart
/// archives). An upload is written to a session of its own while its digest is computed; the blob
/// becomes visible under its digest only once the whole upload matched the digest the client
/// named, so a killed or failed upload leaves nothing readable behind. Kept small so that an
/// object store can stand in for ``FileBlobStore`` later.
public protocol BlobStore: Sendable {
    /// Opens an upload session and returns its id.
    func startUpload() async throws -> String
    /// Appends `chunks` to an upload, refusing to grow it past `limit` bytes; returns its new size.
    /// All or nothing: when it throws (too large, body interrupted), the upload holds what it held
    /// before.
    func append<Chunks: AsyncSequence & Sendable>(to upload: String, _ chunks: Chunks, limit: Int64) async throws -> Int64
    where Chunks.Element == ByteBuffer
    /// The bytes received so far, or `nil` for an unknown upload.
    func uploadedSize(_ upload: String) async throws -> Int64?
    /// Checks the upload against `digest` and stores it as that blob; the session ends either way.
    func finishUpload(_ upload: String, digest: String) async throws -> BlobInfo
    func cancelUpload(_ upload: String) async throws
    /// The blob's size, or `nil` when it is not stored.
    func info(digest: String) async throws -> BlobInfo?
    /// The file holding the blob, for stores on local disk (served without copying), else `nil`.
    func localPath(digest: String) -> String?
    /// Reads a whole blob into memory (small blobs only: manifests' configs, chart archives).
    func read(digest: String, limit: Int) async throws -> ByteBuffer?
    func delete(digest: String) async throws
    /// Every stored blob with when it was written (for garbage collection).
    func allBlobs() async throws -> [(info: BlobInfo, written: Date)]
    /// Removes upload sessions untouched since `date`; returns how many.
    func removeStaleUploads(before date: Date) async throws -> Int
}

extension BlobStore {
    /// Stores `bytes` in one go (uploads from the server itself, tests).
    public func store(_ bytes: ByteBuffer, digest: String) async throws -> BlobInfo {
        let upload = try await startUpload()
        do {
            _ = try await append(to: upload, [bytes].async, limit: Int64(bytes.readableBytes))
            return try await finishUpload(upload, digest: digest)
        } catch {
            try? await cancelUpload(upload)
            throw error
        }
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
