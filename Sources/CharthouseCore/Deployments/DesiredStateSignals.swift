import Foundation
import Synchronization

/// Wakes the long polls of a cluster's agent when its desired state may have changed in this
/// process. Other processes' changes are seen when a poll looks again (``DeploymentService``
/// re-reads every few seconds), so signals only make the common case prompt. A waiting poll
/// costs a suspended task and nothing else: no timer ticks while it waits.
public final class DesiredStateSignals: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Bool, Never>?
        /// Woken before it suspended (signalled: true; timed out or cancelled: false): it
        /// returns as soon as it tries to.
        var woken: Bool?
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [String: [UInt64: Waiter]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every poll of the cluster.
    public func signal(_ clusterID: String) {
        let woken = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard var waiters = state.waiters[clusterID] else { return [] }
            var continuations: [CheckedContinuation<Bool, Never>] = []
            for (id, waiter) in waiters {
                if let continuation = waiter.continuation {
                    continuations.append(continuation)
                    waiters[id] = nil
                } else if waiter.woken == nil {
                    waiters[id]?.woken = true
                }
            }
            state.waiters[clusterID] = waiters.isEmpty ? nil : waiters
            return continuations
        }
        for continuation in woken { continuation.resume(returning: true) }
    }

    /// Returns when the cluster is signalled (true), or `seconds` have passed or the task is
    /// cancelled — the client went away (false).
    @discardableResult
    func wait(_ clusterID: String, seconds: Double) async -> Bool {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            state.waiters[clusterID, default: [:]][state.nextID] = Waiter()
            return state.nextID
        }
        let timer = Task { [self] in
            do { try await Task.sleep(for: .milliseconds(Int(max(seconds, 0) * 1000))) } catch { return }
            wake(clusterID, id)
        }
        let signalled = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let early = state.withLock { state -> Bool? in
                    guard let woken = state.waiters[clusterID]?[id]?.woken else {
                        state.waiters[clusterID]?[id]?.continuation = continuation
                        return nil
                    }
                    remove(clusterID, id, from: &state)
                    return woken
                }
                if let early { continuation.resume(returning: early) }
            }
        } onCancel: {
            wake(clusterID, id)
        }
        timer.cancel()
        return signalled
    }

    /// Ends one poll without a signal: resumes it if it is suspended, else marks it so it does
    /// not suspend.
    private func wake(_ clusterID: String, _ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let waiter = state.waiters[clusterID]?[id] else { return nil }
            guard let continuation = waiter.continuation else {
                if waiter.woken == nil { state.waiters[clusterID]?[id]?.woken = false }
                return nil
            }
            remove(clusterID, id, from: &state)
            return continuation
        }
        continuation?.resume(returning: false)
    }

    private func remove(_ clusterID: String, _ id: UInt64, from state: inout State) {
        state.waiters[clusterID]?[id] = nil
        if state.waiters[clusterID]?.isEmpty == true { state.waiters[clusterID] = nil }
    }

    /// How many polls are waiting (for tests).
    var waiting: Int { state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } } }
}
