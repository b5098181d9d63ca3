import CharthouseCore
import CharthouseStore
import Foundation

/// What the profile templates show (stored properties only: Mustache reads them by reflection).

/// Profiles grouped by name, versions newest first.
struct ProfileGroups {
    struct Version {
        let version: String
        let href: String
        let state: String
        let layers: Int
        let updated: String
    }

    struct Group {
        let name: String
        let versions: [Version]
    }

    let groups: [Group]
    let isEmpty: Bool
    let canWrite: Bool

    init(_ views: [ProfileView], canWrite: Bool) {
        var order: [String] = []
        var byName: [String: [Version]] = [:]
        for view in views {
            let profile = view.profile
            if byName[profile.name] == nil { order.append(profile.name) }
            byName[profile.name, default: []].append(
                Version(
                    version: profile.version,
                    href: "/profiles/\(profile.id)",
                    state: profile.state.rawValue,
                    layers: view.layers.count,
                    updated: ConsoleFormat.time(profile.updatedAt)
                )
            )
        }
        groups = order.sorted().map { Group(name: $0, versions: byName[$0] ?? []) }
        isEmpty = groups.isEmpty
        self.canWrite = canWrite
    }
}

/// One layer in a profile's install order.
struct LayerRow {
    let id: String
    let profileID: String
    let position: Int
    let releaseName: String
    let namespace: String
    let chart: String
    let version: String
    let registry: String
    let source: String
    let isProtected: Bool
    let digest: String
    let stale: String?
    let hasValues: Bool
    let values: String
    let isFirst: Bool
    let isLast: Bool

    init(_ view: LayerView, count: Int, profileID: String) {
        let layer = view.layer
        id = layer.id
        self.profileID = profileID
        position = layer.position + 1
        releaseName = layer.releaseName
        namespace = layer.namespace
        chart = layer.chart
        version = layer.version
        registry = view.registryScope == "system" ? "system/\(view.registryName)" : view.registryName
        source = layer.source.rawValue
        isProtected = layer.isProtected
        digest = layer.digest.map { String($0.prefix(19)) } ?? "-"
        stale = layer.staleReason
        hasValues = !layer.values.isEmpty
        values = layer.values
        isFirst = layer.position == 0
        isLast = layer.position == count - 1
    }
}

struct ProfilePage {
    struct Other {
        let id: String
        let version: String
    }

    /// A variable as the page lists it (empty texts as `nil`: they would open sections).
    struct Variable {
        let name: String
        let required: Bool
        let defaultValue: String?
        let regex: String?
        let description: String?

        init(_ variable: ProfileVariable) {
            name = variable.name
            required = variable.required
            defaultValue = variable.defaultValue
            regex = variable.regex
            description = variable.description.isEmpty ? nil : variable.description
        }
    }

    let id: String
    let name: String
    let version: String
    let description: String?
    let state: String
    let isDraft: Bool
    let canWrite: Bool
    let canEdit: Bool
    let layers: [LayerRow]
    let hasLayers: Bool
    let staleCount: Int
    let hasStale: Bool
    let variables: [Variable]
    let hasVariables: Bool
    let others: [Other]
    let hasOthers: Bool

    init(_ view: ProfileView, versions: [ProfileView], canWrite: Bool) {
        let profile = view.profile
        id = profile.id
        name = profile.name
        version = profile.version
        description = profile.description.isEmpty ? nil : profile.description
        state = profile.state.rawValue
        isDraft = profile.state == .draft
        self.canWrite = canWrite
        canEdit = canWrite && profile.state == .draft
        layers = view.layers.map { LayerRow($0, count: view.layers.count, profileID: profile.id) }
        hasLayers = !layers.isEmpty
        staleCount = layers.filter { $0.stale != nil }.count
        hasStale = staleCount > 0
        variables = profile.variables.map(Variable.init)
        hasVariables = !profile.variables.isEmpty
        others = versions.filter { $0.profile.id != profile.id }.map {
            Other(id: $0.profile.id, version: $0.profile.version)
        }
        hasOthers = !others.isEmpty
    }
}

struct ProfileDiffPage {
    struct Line {
        let kind: String
        let text: String
    }

    let name: String
    let from: String
    let to: String
    let fromHref: String
    let lines: [Line]
    let isEmpty: Bool
    let valuesDiffs: [String]

    init(_ diff: ProfileDiff) {
        name = diff.from.name
        from = diff.from.version
        to = diff.to.version
        fromHref = "/profiles/\(diff.from.id)"
        var lines: [Line] = []
        for layer in diff.added {
            lines.append(
                Line(kind: "added", text: "+ \(layer.layer.releaseName) (\(layer.layer.namespace)): \(layer.layer.chart) \(layer.layer.version)")
            )
        }
        for layer in diff.removed {
            lines.append(
                Line(kind: "removed", text: "- \(layer.layer.releaseName) (\(layer.layer.namespace)): \(layer.layer.chart) \(layer.layer.version)")
            )
        }
        for move in diff.moved {
            lines.append(Line(kind: "moved", text: "~ \(move.releaseName) (\(move.namespace)): moved from #\(move.from + 1) to #\(move.to + 1)"))
        }
        var valuesDiffs: [String] = []
        for change in diff.changed {
            for field in change.fields {
                lines.append(Line(kind: "changed", text: "~ \(change.releaseName) (\(change.namespace)): \(field.field) \(field.from) → \(field.to)"))
            }
            if let values = change.valuesDiff { valuesDiffs.append(values) }
        }
        self.lines = lines
        self.valuesDiffs = valuesDiffs
        isEmpty = diff.isEmpty
    }
}
