import Foundation

/// How many test servers run at once. Swift Testing starts every test of a run together; on a
/// 2-core machine a hundred servers, their PostgreSQL connections and their helm processes at
/// once starve each other until peers time out. Tests wait here for a slot instead
/// (`CHARTHOUSE_TEST_SERVERS`, default 12). Servers are never nested, so waiting cannot deadlock.
actor ServerSlots {
    static let shared = ServerSlots(limit: ProcessInfo.processInfo.environment["CHARTHOUSE_TEST_SERVERS"].flatMap(Int.init) ?? 12)

    private let limit: Int
    private var used = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(limit, 1) }

    func acquire() async {
        if used < limit {
            used += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the slot to the next waiting test, or frees it.
    func release() {
        if waiting.isEmpty {
            used -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Runs `body` holding a slot.
    static func run<R>(_ body: () async throws -> R) async throws -> R {
        await shared.acquire()
        do {
            let result = try await body()
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }
}
