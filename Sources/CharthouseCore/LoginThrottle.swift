public import Foundation
import Synchronization

/// Slows password guessing: within a sliding window (a minute by default), at most
/// `perUsername` failed password checks for one username and `perAddress` from one client
/// address. Past either, sign-ins are refused with `too_many_requests` and the seconds to wait,
/// before any bcrypt work is done. An attempt counts as failed from the moment it starts (so many
/// parallel guesses cannot all slip in before the first one fails) until it succeeds.
///
/// Kept in memory per server process: behind several replicas the limits apply per replica.
public final class LoginThrottle: Sendable {
    public struct Limits: Sendable {
        public var perUsername = 10
        public var perAddress = 50
        public var window: TimeInterval = 60
        /// Keys remembered at most; the oldest are forgotten first (memory stays bounded).
        public var maxKeys = 100_000
        public init() {}
    }

    /// One attempt that was let through; pass it back to ``succeeded(_:)`` when the password was right.
    public struct Attempt: Sendable {
        let keys: [String]
        let time: TimeInterval
    }

    private struct State {
        /// Failure times per key, oldest first.
        var failures: [String: [TimeInterval]] = [:]
        /// Keys in the order they were first seen (for eviction).
        var order: [String] = []
    }

    public let limits: Limits
    private let state = Mutex(State())
    private let clock: @Sendable () -> TimeInterval

    public init(limits: Limits = .init(), clock: @escaping @Sendable () -> TimeInterval = { Date().timeIntervalSinceReferenceDate }) {
        self.limits = limits
        self.clock = clock
    }

    /// Lets an attempt for `username` from `address` (`nil`: unknown) through, counted as failed
    /// until ``succeeded(_:)``; throws `too_many_requests` (with the wait) when a limit is reached.
    public func begin(username: String, address: String?) throws -> Attempt {
        let now = clock()
        let userKey = "u:" + username.lowercased()
        let addressKey = address.map { "a:" + $0 }
        let limits = self.limits
        let wait: TimeInterval? = state.withLock { state in
            var wait: TimeInterval = 0
            for (key, limit) in [(userKey, limits.perUsername), (addressKey, limits.perAddress)] {
                guard let key else { continue }
                guard let times = state.failures[key] else { continue }
                let recent = times.filter { $0 > now - limits.window }
                // A key with nothing left in the window is forgotten.
                state.failures[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first { wait = max(wait, oldest + limits.window - now) }
            }
            guard wait == 0 else { return wait }
            for key in [userKey, addressKey].compactMap({ $0 }) {
                if state.failures[key] == nil { state.order.append(key) }
                state.failures[key, default: []].append(now)
            }
            if state.order.count > limits.maxKeys {
                let excess = state.order.count - limits.maxKeys
                for key in state.order.prefix(excess) { state.failures[key] = nil }
                state.order.removeFirst(excess)
            }
            return nil
        }
        if let wait {
            throw CharthouseError.tooManyRequests(retryAfter: Int(wait.rounded(.up)))
        }
        return Attempt(keys: [userKey, addressKey].compactMap { $0 }, time: now)
    }

    /// How many usernames and addresses are remembered now (bounded by ``Limits/maxKeys``).
    public var trackedKeys: Int { state.withLock { $0.failures.count } }

    /// The attempt's password was right: it no longer counts as a failure.
    public func succeeded(_ attempt: Attempt) {
        state.withLock { state in
            for key in attempt.keys {
                guard var times = state.failures[key], let index = times.lastIndex(of: attempt.time) else { continue }
                times.remove(at: index)
                state.failures[key] = times
            }
        }
    }
}
