import Crypto
public import Foundation
import HelmFormats
public import NIOCore
public import NIOPosix

/// ``BlobStore`` on local disk: blobs at `ROOT/sha256/ab/abcdef…`, upload sessions at
/// `ROOT/uploads/<id>`. Bytes are written as they arrive (memory stays flat for any size) and
/// hashed on the way; a finished upload is renamed into place only after its digest matched,
/// which is atomic on one file system. The running hash of a session lives in memory; after a
/// restart it is recomputed from the session's file.
public final class FileBlobStore: BlobStore {
    private let root: URL
    private let fileIO: NonBlockingFileIO
    private let threadPool: NIOThreadPool
    private let sessions = UploadSessions()

    public init(root: URL, threadPool: NIOThreadPool = .singleton) throws {
        self.root = root
        self.threadPool = threadPool
        self.fileIO = NonBlockingFileIO(threadPool: threadPool)
        for folder in ["sha256", "uploads"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    public func startUpload() async throws -> String {
        let id = UUID().uuidString.lowercased()
        let path = uploadPath(id)
        try await threadPool.runIfActive {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        }
        await sessions.start(id)
        return id
    }

    public func append<Chunks: AsyncSequence & Sendable>(to upload: String, _ chunks: Chunks, limit: Int64) async throws -> Int64
    where Chunks.Element == ByteBuffer {
        let before = try await takeState(upload)
        var state = before
        let path = uploadPath(upload)
        do {
            try await fileIO.withFileHandle(path: path, mode: .write) { handle in
                var iterator = chunks.makeAsyncIterator()
                while true {
                    let next: ByteBuffer?
                    do {
                        next = try await iterator.next()
                    } catch {
                        throw BlobStoreError.interrupted
                    }
                    guard let chunk = next else { break }
                    guard state.size + Int64(chunk.readableBytes) <= limit else { throw BlobStoreError.tooLarge(limit: limit) }
                    try await fileIO.write(fileHandle: handle, toOffset: state.size, buffer: chunk)
                    chunk.withUnsafeReadableBytes { state.hasher.update(bufferPointer: $0) }
                    state.size += Int64(chunk.readableBytes)
                }
            }
        } catch {
            // An append is all or nothing: the session goes back to what it held before.
            let size = before.size
            let restored = (try? await threadPool.runIfActive { truncate(path, off_t(size)) == 0 }) ?? false
            if restored {
                await sessions.put(upload, before)
            } else {
                // The file could not be cut back: forget the hash, rebuilt from the file if used again.
                await sessions.drop(upload)
            }
            throw error
        }
        await sessions.put(upload, state)
        return state.size
    }

    public func uploadedSize(_ upload: String) async throws -> Int64? {
        guard isUploadID(upload) else { return nil }
        if let size = await sessions.size(upload) { return size }
        let path = uploadPath(upload)
        return try await threadPool.runIfActive {
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        }
    }

    public func finishUpload(_ upload: String, digest: String) async throws -> BlobInfo {
        guard BlobDigest.isValid(digest) else { throw BlobStoreError.invalidDigest(digest) }
        let state = try await takeState(upload)
        let actual = BlobDigest.from(state.hasher.finalize())
        let source = uploadPath(upload)
        guard actual == digest else {
            try? await fileIO.remove(path: source)
            await sessions.end(upload)
            throw BlobStoreError.digestMismatch(expected: digest, actual: actual)
        }
        let target = blobPath(digest)
        try await threadPool.runIfActive {
            let manager = FileManager.default
            try manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            // Same digest, same bytes: a blob already stored stays as it is.
            if manager.fileExists(atPath: target) {
                try manager.removeItem(atPath: source)
            } else if rename(source, target) != 0 {
                throw CocoaError(.fileWriteUnknown)
            }
        }
        await sessions.end(upload)
        return BlobInfo(digest: digest, size: state.size)
    }

    public func cancelUpload(_ upload: String) async throws {
        guard isUploadID(upload) else { throw BlobStoreError.unknownUpload(upload) }
        await sessions.end(upload)
        try? await fileIO.remove(path: uploadPath(upload))
    }

    public func info(digest: String) async throws -> BlobInfo? {
        guard BlobDigest.isValid(digest) else { return nil }
        let path = blobPath(digest)
        return try await threadPool.runIfActive {
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value else { return nil }
            return BlobInfo(digest: digest, size: size)
        }
    }

    public func localPath(digest: String) -> String? {
        BlobDigest.isValid(digest) ? blobPath(digest) : nil
    }

    public func read(digest: String, limit: Int) async throws -> ByteBuffer? {
        guard let info = try await info(digest: digest), info.size <= Int64(limit) else { return nil }
        return try await fileIO.withFileHandle(path: blobPath(digest), mode: .read) { handle in
            try await fileIO.read(fileHandle: handle, byteCount: Int(info.size), allocator: ByteBufferAllocator())
        }
    }

    public func delete(digest: String) async throws {
        guard BlobDigest.isValid(digest) else { return }
        try? await fileIO.remove(path: blobPath(digest))
    }

    public func allBlobs() async throws -> [(info: BlobInfo, written: Date)] {
        let folder = root.appendingPathComponent("sha256").path
        return try await threadPool.runIfActive {
            let manager = FileManager.default
            var found: [(info: BlobInfo, written: Date)] = []
            for prefix in try manager.contentsOfDirectory(atPath: folder) {
                for name in (try? manager.contentsOfDirectory(atPath: "\(folder)/\(prefix)")) ?? [] {
                    let digest = "sha256:" + name
                    guard BlobDigest.isValid(digest), let attributes = try? manager.attributesOfItem(atPath: "\(folder)/\(prefix)/\(name)")
                    else { continue }
                    let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
                    found.append((BlobInfo(digest: digest, size: size), attributes[.modificationDate] as? Date ?? .distantPast))
                }
            }
            return found
        }
    }

    public func removeStaleUploads(before date: Date) async throws -> Int {
        let folder = root.appendingPathComponent("uploads").path
        let stale = try await threadPool.runIfActive {
            let manager = FileManager.default
            return try manager.contentsOfDirectory(atPath: folder).filter { name in
                let modified = (try? manager.attributesOfItem(atPath: folder + "/" + name)[.modificationDate] as? Date) ?? .distantPast
                return modified < date
            }
        }
        for name in stale {
            await sessions.end(name)
            try? await fileIO.remove(path: folder + "/" + name)
        }
        return stale.count
    }

    // MARK: - Paths and sessions

    private func blobPath(_ digest: String) -> String {
        let hex = digest.dropFirst("sha256:".count)
        return root.appendingPathComponent("sha256/\(hex.prefix(2))/\(hex)").path
    }

    private func uploadPath(_ id: String) -> String { root.appendingPathComponent("uploads/\(id)").path }

    /// Upload ids are UUIDs we made: anything else never reaches the file system.
    private func isUploadID(_ id: String) -> Bool { UUID(uuidString: id) != nil && id == id.lowercased() }

    /// Takes a session's state for one operation (another operation on it meanwhile is refused);
    /// rebuilds it from the session's file after a restart.
    private func takeState(_ upload: String) async throws -> UploadSessions.State {
        guard isUploadID(upload) else { throw BlobStoreError.unknownUpload(upload) }
        switch await sessions.take(upload) {
        case .taken(let state): return state
        case .busy: throw BlobStoreError.unknownUpload(upload)
        case .missing:
            let path = uploadPath(upload)
            let state = try await threadPool.runIfActive { () -> UploadSessions.State? in
                guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
                defer { try? handle.close() }
                var state = UploadSessions.State()
                while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
                    state.hasher.update(data: data)
                    state.size += Int64(data.count)
                }
                return state
            }
            guard let state, await sessions.adopt(upload) else { throw BlobStoreError.unknownUpload(upload) }
            return state
        }
    }
}

/// The running hash and size of each open upload, and which ones an operation holds right now.
private actor UploadSessions {
    struct State: Sendable {
        var hasher = SHA256()
        var size: Int64 = 0
    }

    enum Taken {
        case taken(State)
        case busy
        case missing
    }

    private var states: [String: State] = [:]
    private var busy: Set<String> = []

    func start(_ id: String) { states[id] = State() }

    func take(_ id: String) -> Taken {
        if busy.contains(id) { return .busy }
        guard let state = states.removeValue(forKey: id) else { return .missing }
        busy.insert(id)
        return .taken(state)
    }

    /// Marks a session rebuilt from its file as held; false when another operation holds it.
    func adopt(_ id: String) -> Bool { busy.insert(id).inserted }

    func put(_ id: String, _ state: State) {
        busy.remove(id)
        states[id] = state
    }

    func size(_ id: String) -> Int64? { states[id]?.size }

    /// Releases a session without keeping its state (it is rebuilt from the file when needed).
    func drop(_ id: String) {
        busy.remove(id)
        states[id] = nil
    }

    func end(_ id: String) {
        busy.remove(id)
        states[id] = nil
    }
}
