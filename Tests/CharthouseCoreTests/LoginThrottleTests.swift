import CharthouseCore
import Synchronization
import Testing

/// Sign-in limits on a clock the test moves.
@Suite("Sign-in limits")
struct LoginThrottleTests {
    final class Clock: Sendable {
        let now = Mutex(1_000.0)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
    }

    private func throttle(perUsername: Int = 3, perAddress: Int = 5, maxKeys: Int = 100, clock: Clock) -> LoginThrottle {
        var limits = LoginThrottle.Limits()
        limits.perUsername = perUsername
        limits.perAddress = perAddress
        limits.maxKeys = maxKeys
        return LoginThrottle(limits: limits, clock: { clock.now.withLock { $0 } })
    }

    private func refusal(_ body: () throws -> Void) -> CharthouseError? {
        do {
            try body()
            return nil
        } catch {
            return error as? CharthouseError
        }
    }

    @Test("failures per username are limited case-insensitively, with the seconds until the oldest leaves the window")
    func perUsername() throws {
        let clock = Clock()
        let throttle = throttle(clock: clock)
        for _ in 0..<3 {
            _ = try throttle.begin(username: "Alice", address: nil)
            clock.advance(10)
        }
        let refused = try #require(refusal { _ = try throttle.begin(username: "alice", address: "10.0.0.9") })
        #expect(refused.code == .tooManyRequests)
        #expect(refused.retryAfter == 30, "the first failure (at 0 s) leaves the 60 s window at 60 s; now is 30 s")
        #expect(refusal { _ = try throttle.begin(username: "bob", address: nil) } == nil, "another user is not limited")
        clock.advance(31)
        #expect(refusal { _ = try throttle.begin(username: "alice", address: nil) } == nil, "the window moved on")
    }

    @Test("failures per address are limited across usernames")
    func perAddress() {
        let clock = Clock()
        let throttle = throttle(perUsername: 100, perAddress: 5, clock: clock)
        for index in 0..<5 { #expect(refusal { _ = try throttle.begin(username: "user\(index)", address: "192.0.2.1") } == nil) }
        #expect(refusal { _ = try throttle.begin(username: "fresh", address: "192.0.2.1") }?.code == .tooManyRequests)
        #expect(refusal { _ = try throttle.begin(username: "fresh", address: "192.0.2.2") } == nil)
    }

    @Test("a successful attempt stops counting; a refused one is not counted at all")
    func success() throws {
        let clock = Clock()
        let throttle = throttle(clock: clock)
        for _ in 0..<10 { throttle.succeeded(try throttle.begin(username: "alice", address: "192.0.2.1")) }
        #expect(refusal { _ = try throttle.begin(username: "alice", address: nil) } == nil, "ten good sign-ins are no failures")
        _ = try throttle.begin(username: "alice", address: nil)
        _ = try throttle.begin(username: "alice", address: nil)
        for _ in 0..<5 { #expect(refusal { _ = try throttle.begin(username: "alice", address: nil) } != nil) }
        clock.advance(61)
        #expect(refusal { _ = try throttle.begin(username: "alice", address: nil) } == nil, "refusals did not extend the wait")
    }

    @Test("memory stays bounded: past maxKeys the oldest keys are forgotten")
    func bounded() throws {
        let clock = Clock()
        let throttle = throttle(maxKeys: 50, clock: clock)
        for index in 0..<500 { _ = try throttle.begin(username: "user\(index)", address: nil) }
        #expect(throttle.trackedKeys <= 50)
    }
}
