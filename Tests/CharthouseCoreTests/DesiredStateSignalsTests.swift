import Testing

@testable import CharthouseCore

/// The wake-ups behind the agent's long poll: a signal wakes every poll of its cluster and no
/// other, a poll ends by itself when its time is up or its task is cancelled, and a signal that
/// comes while a poll is getting ready to wait is not lost. Nothing is left registered after.
@Suite("Desired-state signals")
struct DesiredStateSignalsTests {
    /// Waits until `count` polls are registered (they register before they suspend).
    static func registered(_ signals: DesiredStateSignals, _ count: Int) async throws {
        while signals.waiting < count { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test("a signal wakes every poll of its cluster, not another cluster's")
    func wakesItsCluster() async throws {
        let signals = DesiredStateSignals()
        // An hour: only the signal can end these polls within the test's time limit.
        let first = Task { await signals.wait("a", seconds: 3600) }
        let second = Task { await signals.wait("a", seconds: 3600) }
        let other = Task { await signals.wait("b", seconds: 3600) }
        try await Self.registered(signals, 3)
        signals.signal("a")
        let woken = (await first.value, await second.value)
        #expect(woken == (true, true))
        #expect(signals.waiting == 1)
        other.cancel()
        #expect(await other.value == false)
        #expect(signals.waiting == 0)
    }

    @Test("a poll returns when its time is up, and when its task is cancelled")
    func timeoutAndCancellation() async throws {
        let signals = DesiredStateSignals()
        let clock = ContinuousClock()
        let start = clock.now
        #expect(await signals.wait("a", seconds: 0.2) == false)
        #expect(clock.now - start >= .milliseconds(200))
        let cancelled = Task { await signals.wait("a", seconds: 3600) }
        try await Self.registered(signals, 1)
        cancelled.cancel()
        #expect(await cancelled.value == false)
        #expect(signals.waiting == 0)
        // Already cancelled before it waits: it does not wait.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await signals.wait("a", seconds: 3600)
        }
        #expect(await early.value == false)
        #expect(signals.waiting == 0)
    }

    @Test("many polls and signals at once: every poll returns, nothing stays registered")
    func concurrent() async throws {
        let signals = DesiredStateSignals()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask { _ = await signals.wait("c\(index % 4)", seconds: 3600) }
            }
            group.addTask {
                while !Task.isCancelled {
                    for cluster in 0..<4 { signals.signal("c\(cluster)") }
                    try? await Task.sleep(for: .milliseconds(1))
                }
            }
            var finished = 0
            while finished < 200, await group.next() != nil { finished += 1 }
            group.cancelAll()
        }
        #expect(signals.waiting == 0)
    }
}
