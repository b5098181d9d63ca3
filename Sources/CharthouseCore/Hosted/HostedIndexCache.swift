import CharthouseStore
import Foundation
public import HelmFormats
public import NIOCore
import Synchronization

/// The classic side's hot path: each hosted registry's `index.yaml`, rendered once per change and
/// kept plain and gzipped with its `ETag`, together with the registry it belongs to, by namespace.
///
/// An entry is trusted for `revalidateAfter` (one second by default); after that one cheap read
/// of the registry and its revision counter decides whether the index is rendered again. A push
/// or delete on this replica drops the entry at once; other replicas see it within that second.
public final class HostedIndexCache: Sendable {
    /// A rendered index.
    public struct Rendered: Sendable {
        public let plain: ByteBuffer
        public let gzip: ByteBuffer
        /// The strong validator of the plain bytes, quoted (`"…"`); the gzipped variant's is
        /// the same with `-gz` before the closing quote.
        public let etag: String
        /// The versions listed, with their URLs, digests and creation times.
        public let versions: [IndexChartVersion]
        let revision: Int64
        /// Chart metadata by config blob digest (configs never change): the next render reads
        /// only the configs of versions pushed since.
        let configs: [String: IndexChartVersion]
    }

    /// What is known about a namespace.
    struct Entry: Sendable {
        var registry: RegistryRecord?
        var rendered: Rendered?
        /// When the registry and its revision were last read; `nil` once invalidated.
        var checkedAt: ContinuousClock.Instant?
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every invalidation, so a refresh that started before it is not kept.
        var generations: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let revalidateAfter: Duration
    let flights = SingleFlight<Entry>()

    init(revalidateAfter: Duration) {
        self.revalidateAfter = revalidateAfter
    }

    /// The entry if it was checked recently enough to be used as is.
    func fresh(_ namespace: String) -> Entry? {
        state.withLock { state in
            guard let entry = state.entries[namespace], let checkedAt = entry.checkedAt, ContinuousClock.now - checkedAt < revalidateAfter
            else { return nil }
            return entry
        }
    }

    /// The entry however old, and the generation a refresh must match to store its result.
    func stale(_ namespace: String) -> (entry: Entry?, generation: Int) {
        state.withLock { ($0.entries[namespace], $0.generations[namespace, default: 0]) }
    }

    func store(_ entry: Entry, namespace: String, generation: Int) {
        state.withLock { state in
            guard state.generations[namespace, default: 0] == generation else { return }
            state.entries[namespace] = entry
        }
    }

    /// Marks the namespace's entry as to be read again (its registry or its charts changed); what
    /// was rendered stays for the next render to reuse.
    public func invalidate(namespace: String) {
        state.withLock { state in
            state.entries[namespace]?.checkedAt = nil
            state.generations[namespace, default: 0] += 1
        }
    }
}
