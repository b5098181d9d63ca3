import CharthouseStore
import Foundation
import HelmFormats
import Logging
import NIOCore
import Synchronization

/// Decodes a fetched `index.yaml` into batches of versions on threads of their own: a large
/// index in two halves at once (see `IndexFileDecoder+Halves`), any other whole.
enum IndexDecoding {
    /// Decoding in halves failed somewhere: the caller drops what it read and decodes the index
    /// whole, which gives helm's exact outcome and message.
    struct HalvesFailed: Error {}

    typealias Event = CatalogSyncEngine.ListingEvent

    /// Versions per batch handed to the writer.
    static let batchSize = 500

    /// A pipe of the index's versions; `halves: false` decodes it whole.
    static func pipe(_ body: ByteBuffer, repository: String, halves: Bool, logger: Logger) -> BatchPipe<Event> {
        BatchPipe.start(depth: 2, name: "index-decode") { emit in
            do {
                try body.withUnsafeReadableBytes { bytes in
                    if halves, let cut = IndexFileDecoder.splitPoint(bytes) {
                        logger.debug("index read in halves", metadata: ["bytes": "\(bytes.count)", "cut": "\(cut)"])
                        try decodeHalves(bytes, cut: cut, repository: repository, emit: emit)
                    } else {
                        try withoutActuallyEscaping(emit) { emit in
                            var batch = Batch(emit: emit, repository: repository)
                            let report = try IndexFileDecoder.decode(bytes) { try batch.add($0) }
                            try batch.flush()
                            try emit(.skipped(report.skipped.count))
                        }
                    }
                }
            } catch let error as HelmFormatError {
                throw CharthouseError(.unprocessable, "index.yaml refused: \(error.message)", cause: error)
            }
        }
    }

    /// Makes each version's catalog record (chart URL resolved as helm does, metadata JSON,
    /// fingerprint) and emits them in batches.
    private struct Batch {
        let emit: (Event) throws -> Void
        let repository: String
        var records: [ListedVersion] = []

        init(emit: @escaping (Event) throws -> Void, repository: String) {
            self.emit = emit
            self.repository = repository
            records.reserveCapacity(IndexDecoding.batchSize)
        }

        mutating func add(_ version: IndexChartVersion) throws {
            let semanticVersion = SemanticVersion(version.version)
            let url = version.urls.first.map { ChartURL.resolve($0, repository: repository) } ?? ""
            records.append(
                ListedVersion(
                    record: CatalogVersionRecord(version, url: url, semanticVersion: semanticVersion),
                    semanticVersion: semanticVersion,
                    icon: version.icon,
                    keywords: version.keywords
                )
            )
            if records.count >= IndexDecoding.batchSize { try flush() }
        }

        mutating func flush() throws {
            guard !records.isEmpty else { return }
            try emit(.indexRecords(records))
            records.removeAll(keepingCapacity: true)
        }
    }

    /// Head on this thread, tail on a second one; both emit into the same pipe.
    private static func decodeHalves(_ bytes: UnsafeRawBufferPointer, cut: Int, repository: String, emit: (Event) throws -> Void) throws {
        // Set when a half fails, so the other stops at its next version.
        let failed = Locked(false)
        let tailReport = Locked<Result<IndexFileDecoder.Report, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        try withoutActuallyEscaping(emit) { emit in
            let sharedEmit = Shared(emit)
            let sharedBytes = Shared(bytes)
            let tailThread = Thread {
                let result = Result {
                    guard let emit = sharedEmit.value, let bytes = sharedBytes.value else { throw HalvesFailed() }
                    return try decodeHalf(emit: emit, repository: repository, failed: failed) { onVersion in
                        try IndexFileDecoder.decodeTail(bytes, from: cut, onVersion: onVersion)
                    }
                }
                tailReport.withLock { $0 = result }
                // `emit` must not outlive `withoutActuallyEscaping`: drop it before saying done.
                sharedEmit.value = nil
                done.signal()
            }
            tailThread.name = "index-decode-tail"
            tailThread.start()
            let head = Result {
                try decodeHalf(emit: emit, repository: repository, failed: failed) { onVersion in
                    try IndexFileDecoder.decodeHead(bytes, upTo: cut, onVersion: onVersion)
                }
            }
            // The tail thread uses `bytes` and `emit`: wait for it before either goes away.
            done.wait()
            let tail = tailReport.withLock { $0 }
            for result in [head, tail] {
                if case .failure(let error) = result, error is CancellationError { throw error }
            }
            guard case .success(let headReport) = head, case .success(let tailReport)? = tail,
                let report = try? IndexFileDecoder.merge(headReport, tailReport)
            else { throw HalvesFailed() }
            try emit(.skipped(report.skipped.count))
        }
    }

    /// Decodes one half with `decode`, emitting its records in batches; stops at the next version
    /// once the other half failed, and says so when this one fails.
    private static func decodeHalf(
        emit: @escaping (Event) throws -> Void,
        repository: String,
        failed: Locked<Bool>,
        _ decode: ((IndexChartVersion) throws -> Void) throws -> IndexFileDecoder.Report
    ) throws -> IndexFileDecoder.Report {
        do {
            var batch = Batch(emit: emit, repository: repository)
            let report = try decode { version in
                if failed.withLock({ $0 }) { throw HalvesFailed() }
                try batch.add(version)
            }
            try batch.flush()
            return report
        } catch {
            failed.withLock { $0 = true }
            throw error
        }
    }

    /// Hands a value to the tail thread, which the caller joins before the value goes away; the
    /// thread clears it when done.
    private final class Shared<Value>: @unchecked Sendable {
        var value: Value?
        init(_ value: Value) { self.value = value }
    }

    /// A value behind a lock, shared by the two halves.
    private final class Locked<Value: Sendable>: Sendable {
        private let mutex: Mutex<Value>
        init(_ value: sending Value) { mutex = Mutex(value) }
        func withLock<R>(_ body: (inout sending Value) -> sending R) -> sending R { mutex.withLock(body) }
    }
}
