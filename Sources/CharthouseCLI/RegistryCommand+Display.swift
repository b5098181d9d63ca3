import CharthouseAPI
import Foundation

/// How registries are shown: upstream registries with their connection and sync, hosted ones
/// with their access and last push (nothing that does not apply to them).
extension RegistryCommand {
    static func table(_ registries: [Components.Schemas.Registry]) -> Table {
        Table(
            header: ["NAME", "KIND", "SCOPE", "ENDPOINT", "ACCESS", "STATUS"],
            rows: registries.map { [$0.name, $0.kind.rawValue, $0.scope.rawValue, $0.endpoint, access($0), status($0)] }
        )
    }

    /// Who may read it: hosted `private`/`public`; upstream `none` or the username it signs in with.
    static func access(_ registry: Components.Schemas.Registry) -> String {
        if registry.kind == .hosted { return registry.access?.rawValue ?? "private" }
        if registry.noAuthentication == true { return "no auth" }
        return registry.username.map { "user \($0)" } ?? "credentials"
    }

    /// Hosted: when it was last pushed to; upstream: `protected` or its sync state.
    static func status(_ registry: Components.Schemas.Registry) -> String {
        if registry.kind == .hosted { return registry.lastPushAt.map { "pushed \(Table.date($0))" } ?? "empty" }
        guard let state = registry.syncState else { return "-" }
        switch state {
        case .protected: return "protected (never synced)"
        case .never: return "not synced yet"
        default: return "sync \(state.rawValue)"
        }
    }

    /// The `registry show` rows.
    static func fields(_ registry: Components.Schemas.Registry) -> [[String]] {
        var rows: [[String]] = [
            ["name", registry.name], ["id", registry.id], ["kind", registry.kind.rawValue], ["scope", registry.scope.rawValue],
            ["endpoint", registry.endpoint],
        ]
        if registry.kind == .hosted {
            rows += [
                ["chartRepositoryURL", registry.chartRepositoryURL ?? "-"], ["access", access(registry)],
                ["allowOverwrite", flag(registry.allowOverwrite)], ["charts", count(registry.charts)], ["versions", count(registry.versions)],
                ["lastPushAt", Table.date(registry.lastPushAt)],
            ]
        } else {
            rows += [
                ["protected", flag(registry.protected)], ["noAuthentication", flag(registry.noAuthentication)],
                ["username", registry.username ?? "-"], ["hasCredentials", flag(registry.hasCredentials)],
                ["caCertificate", registry.caCertificate == nil ? "-" : "(PEM)"], ["insecureSkipTLSVerify", flag(registry.insecureSkipTLSVerify)],
                ["plainHTTP", flag(registry.plainHTTP)],
                ["repositories", registry.repositories.map { $0.joined(separator: ", ") } ?? "(discovered)"],
                ["syncIntervalSeconds", count(registry.syncIntervalSeconds)], ["syncState", registry.syncState?.rawValue ?? "-"],
                ["lastSyncAt", Table.date(registry.lastSyncAt)], ["lastError", registry.lastError ?? "-"],
                ["charts", count(registry.charts)], ["versions", count(registry.versions)],
            ]
        }
        rows += [["createdAt", Table.date(registry.createdAt)], ["updatedAt", Table.date(registry.updatedAt)]]
        return rows
    }

    /// What an update changed, field by field (`registry update` prints it).
    static func changes(from before: Components.Schemas.Registry, to after: Components.Schemas.Registry, passwordChanged: Bool) -> Table {
        let old = Dictionary(fields(before).map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
        var rows = fields(after).filter { $0[0] != "updatedAt" && old[$0[0]] != $0[1] }.map { [$0[0], old[$0[0]] ?? "-", $0[1]] }
        if passwordChanged { rows.append(["password", "(sealed)", "(replaced)"]) }
        guard !rows.isEmpty else { return Table(header: [], rows: [["No change to \(after.name)."]]) }
        return Table(header: ["FIELD", "BEFORE", "AFTER"], rows: rows)
    }

    private static func flag(_ value: Bool?) -> String { value.map { $0 ? "true" : "false" } ?? "-" }
    private static func count(_ value: Int?) -> String { value.map(String.init) ?? "-" }
}
