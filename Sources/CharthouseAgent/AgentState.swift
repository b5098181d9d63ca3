import CharthouseAPI
import Foundation

/// What the agent keeps on disk so it goes on reconciling through a control-plane outage and
/// after a restart: the last desired state it received, and every release it manages.
struct AgentState: Codable, Sendable {
    /// One release the agent installed (or is trying to).
    struct Managed: Codable, Sendable, Hashable {
        var layerID: String
        var namespace: String
        var releaseName: String
        var chart: String
        var version: String
        /// The digest of the archive installed (verified).
        var digest: String?
        var valuesDigest: String
        var mode: String
        var phase: String
        var revision: Int?
        var message: String?
        var attempts: Int
        var lastAttemptAt: Date?
        var startedAt: Date?
        var deployedAt: Date?

        var key: String { "\(namespace)/\(releaseName)" }

        /// Whether this is what `layer` asks for, installed: the same chart, version, digest and
        /// values (a new profile version's unchanged layer is not installed again).
        func satisfies(_ layer: Components.Schemas.DesiredLayer) -> Bool {
            phase == "deployed" && sameContent(as: layer)
        }

        func sameContent(as layer: Components.Schemas.DesiredLayer) -> Bool {
            chart == layer.chart && version == layer.version && valuesDigest == layer.valuesDigest && (layer.digest == nil || digest == layer.digest)
        }
    }

    var desired: Components.Schemas.DesiredState?
    var etag: String?
    var managed: [String: Managed] = [:]

    static func load(from file: URL) -> AgentState {
        guard let data = try? Data(contentsOf: file) else { return AgentState() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(AgentState.self, from: data)) ?? AgentState()
    }

    /// Written to a temporary file and renamed over the old one: never half-written.
    func save(to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: file, options: .atomic)
    }
}
