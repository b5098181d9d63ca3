import CharthouseStore
import Foundation
import Testing

@testable import CharthouseCore

/// Pure rules of Core, tested without a server.
@Suite("Core rules")
struct RulesTests {
    static let first = "sha256:" + String(repeating: "1", count: 64)
    static let second = "sha256:" + String(repeating: "2", count: 64)

    @Test("push rules: one version per registry; a stored version keeps its archive unless overwriting")
    func pushRules() {
        let elsewhere = HostedPushFacts(digest: Self.first, versionElsewhere: "acme/other/web", taggedDigest: nil)
        #expect(HostedRules.decide(elsewhere, allowOverwrite: true) == .refuse(.versionElsewhere(repository: "acme/other/web")))
        let fresh = HostedPushFacts(digest: Self.first, versionElsewhere: nil, taggedDigest: nil)
        #expect(HostedRules.decide(fresh, allowOverwrite: false) == .store(movingTag: false))
        let same = HostedPushFacts(digest: Self.first, versionElsewhere: nil, taggedDigest: Self.first)
        #expect(HostedRules.decide(same, allowOverwrite: false) == .store(movingTag: false), "the same archive again is a no-op")
        let other = HostedPushFacts(digest: Self.second, versionElsewhere: nil, taggedDigest: Self.first)
        #expect(HostedRules.decide(other, allowOverwrite: false) == .refuse(.tagTaken(existing: Self.first)))
        #expect(HostedRules.decide(other, allowOverwrite: true) == .store(movingTag: true))
    }

    @Test("sync state transitions: success resets failures, failures back off up to the interval, an expired lease reads failed")
    func syncTransitions() {
        var state = SyncStateRecord(registryID: "r", state: .running)
        state.leaseOwner = "me"
        let started = Date()
        state.failed(startedAt: started, durationMs: 5, error: "boom", interval: 1800)
        #expect(state.state == .failed && state.failures == 1 && state.leaseOwner == nil && state.lastError == "boom")
        #expect(abs((state.nextSyncAt ?? .distantPast).timeIntervalSinceNow - 60) < 5, "30 s × 2^1")
        for _ in 0..<20 { state.failed(startedAt: started, durationMs: 5, error: "boom", interval: 1800) }
        #expect(abs((state.nextSyncAt ?? .distantPast).timeIntervalSinceNow - 1800) < 5, "capped at the interval")
        state.succeeded(
            startedAt: started,
            durationMs: 7,
            charts: 2,
            versions: 3,
            counts: (3, 0, 0, 1),
            nextSyncAt: started.addingTimeInterval(1800)
        )
        #expect(state.state == .ok && state.failures == 0 && state.lastError == nil && state.added == 3 && state.skipped == 1)
        state.unchanged(startedAt: started, durationMs: 1, nextSyncAt: started.addingTimeInterval(1800))
        #expect(state.state == .ok && state.added == 0 && state.versions == 3, "an unchanged sync keeps the counts")

        var running = SyncStateRecord(registryID: "r", state: .running)
        running.leaseExpiresAt = Date().addingTimeInterval(-1)
        #expect(running.effective().state == .failed && running.effective().lastError?.contains("interrupted") == true)
        running.leaseExpiresAt = Date().addingTimeInterval(30)
        #expect(running.effective().state == .running)
    }
}
