public import CharthouseStore

/// What changed from one profile version to another. Layers are matched by namespace and
/// release name (what identifies a Helm release in a cluster).
public struct ProfileDiff: Sendable, Hashable {
    public struct Move: Sendable, Hashable {
        public let releaseName: String
        public let namespace: String
        public let from: Int
        public let to: Int
    }

    public struct FieldChange: Sendable, Hashable {
        public let field: String
        public let from: String
        public let to: String
    }

    public struct LayerChange: Sendable, Hashable {
        public let releaseName: String
        public let namespace: String
        public let fields: [FieldChange]
        /// The values as a unified diff, when they changed.
        public let valuesDiff: String?
    }

    public let from: ProfileRecord
    public let to: ProfileRecord
    public let added: [LayerView]
    public let removed: [LayerView]
    public let moved: [Move]
    public let changed: [LayerChange]

    /// Whether the two versions install the same thing in the same order.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && moved.isEmpty && changed.isEmpty }

    static func make(from old: ProfileView, to new: ProfileView) -> ProfileDiff {
        func key(_ layer: LayerView) -> String { "\(layer.layer.namespace)/\(layer.layer.releaseName)" }
        let before = Dictionary(old.layers.map { (key($0), $0) }) { first, _ in first }
        let after = Dictionary(new.layers.map { (key($0), $0) }) { first, _ in first }
        let added = new.layers.filter { before[key($0)] == nil }
        let removed = old.layers.filter { after[key($0)] == nil }
        // Order among the layers both versions have: a layer moved when its rank among them changed.
        let keptBefore = old.layers.filter { after[key($0)] != nil }.map(key)
        let keptAfter = new.layers.filter { before[key($0)] != nil }.map(key)
        var moved: [Move] = []
        var changed: [LayerChange] = []
        for (rank, name) in keptAfter.enumerated() {
            guard let a = before[name], let b = after[name] else { continue }
            if keptBefore.firstIndex(of: name) != rank {
                moved.append(Move(releaseName: b.layer.releaseName, namespace: b.layer.namespace, from: a.layer.position, to: b.layer.position))
            }
            var fields: [FieldChange] = []
            func compare(_ field: String, _ x: String?, _ y: String?) {
                if x != y { fields.append(FieldChange(field: field, from: x ?? "", to: y ?? "")) }
            }
            compare("registry", "\(a.registryScope)/\(a.registryName)", "\(b.registryScope)/\(b.registryName)")
            compare("chart", a.layer.chart, b.layer.chart)
            compare("version", a.layer.version, b.layer.version)
            compare("digest", a.layer.digest, b.layer.digest)
            compare("appVersion", a.layer.appVersion, b.layer.appVersion)
            let valuesDiff = UnifiedDiff.make(
                a.layer.values,
                b.layer.values,
                oldLabel: "\(old.profile.name) \(old.profile.version) \(name) values",
                newLabel: "\(new.profile.name) \(new.profile.version) \(name) values"
            )
            if !fields.isEmpty || valuesDiff != nil {
                changed.append(LayerChange(releaseName: b.layer.releaseName, namespace: b.layer.namespace, fields: fields, valuesDiff: valuesDiff))
            }
        }
        return ProfileDiff(from: old.profile, to: new.profile, added: added, removed: removed, moved: moved, changed: changed)
    }
}

extension ProfileService {
    /// What changed from profile `id` to profile `other` (both of the caller's tenant).
    public func diff(from id: String, to other: String, caller: Caller) async throws -> ProfileDiff {
        ProfileDiff.make(from: try await get(id: id, caller: caller), to: try await get(id: other, caller: caller))
    }
}
