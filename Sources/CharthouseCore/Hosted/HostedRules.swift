import CharthouseStore

/// The rules of a hosted registry's pushes, decided on what the push's transaction finds:
/// a chart version lives in one repository of a registry; a version, once stored, keeps its
/// archive unless the registry allows overwriting (then its tag moves to the new manifest, and
/// the old one stays reachable by digest until garbage collection).
enum HostedRules {
    static func decide(_ facts: HostedPushFacts, allowOverwrite: Bool) -> HostedPushDecision {
        if let repository = facts.versionElsewhere { return .refuse(.versionElsewhere(repository: repository)) }
        if let tagged = facts.taggedDigest, tagged != facts.digest, !allowOverwrite { return .refuse(.tagTaken(existing: tagged)) }
        return .store(movingTag: allowOverwrite)
    }
}
