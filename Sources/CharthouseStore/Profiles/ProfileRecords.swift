public import Foundation

/// Whether a profile version may still change.
public enum ProfileState: String, Sendable, Hashable, CaseIterable {
    /// Editable; may be deleted.
    case draft
    /// Immutable: what clusters deploy.
    case published
}

/// Where a layer's chart came from.
public enum LayerSource: String, Sendable, Hashable, CaseIterable {
    /// Picked from a synced, hosted or system registry's catalog (pinned to a digest).
    case catalog
    /// Typed by hand for a protected registry (not checked against anything).
    case manual
    /// Taken from a release found in a cluster.
    case imported
}

/// One version of a cluster profile, as stored (its layers are rows of their own).
public struct ProfileRecord: Sendable, Hashable {
    public var id: String
    public var tenantID: String
    public var name: String
    public var version: String
    public var description: String
    public var state: ProfileState
    public var createdAt: Date
    public var updatedAt: Date
    public var publishedAt: Date?
    /// The variables its layers' values may reference as `{{ .charthouse.var.NAME }}`.
    public var variables: [ProfileVariable]

    public init(
        id: String,
        tenantID: String,
        name: String,
        version: String,
        description: String,
        state: ProfileState,
        createdAt: Date,
        updatedAt: Date,
        publishedAt: Date? = nil,
        variables: [ProfileVariable] = []
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.version = version
        self.description = description
        self.state = state
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.publishedAt = publishedAt
        self.variables = variables
    }
}

/// An add-on layer of a profile: one Helm release, with what the server resolved for it.
public struct ProfileLayerRecord: Sendable, Hashable {
    public var id: String
    public var profileID: String
    /// Install order within the profile, from 0.
    public var position: Int
    public var registryID: String
    public var chart: String
    /// The exact version (a range is resolved before it is stored).
    public var version: String
    public var releaseName: String
    public var namespace: String
    /// The layer's values as YAML text, kept as written.
    public var values: String
    public var source: LayerSource
    /// The chart archive's digest (`sha256:…`) from the catalog; `nil` for manual layers.
    public var digest: String?
    /// Where the deployer pulls the chart: an archive URL or `oci://HOST/REPO/CHART`.
    public var pullReference: String?
    public var appVersion: String?
    /// The registry's kind when the layer was resolved (`classic`, `oci`, `hosted`).
    public var registryKind: String
    public var isProtected: Bool
    /// How the values were checked: `checked` (against the chart's schema), `no schema`, or
    /// `not applicable` (a protected registry's chart is never read).
    public var valuesSchema: String
    /// Schema keywords that were not checked.
    public var valuesNotChecked: [String]
    /// Why the pinned content no longer matches the catalog, and since when.
    public var staleReason: String?
    public var staleSince: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String,
        profileID: String,
        position: Int,
        registryID: String,
        chart: String,
        version: String,
        releaseName: String,
        namespace: String,
        values: String,
        source: LayerSource,
        digest: String?,
        pullReference: String?,
        appVersion: String?,
        registryKind: String,
        isProtected: Bool,
        valuesSchema: String,
        valuesNotChecked: [String] = [],
        staleReason: String? = nil,
        staleSince: Date? = nil,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.profileID = profileID
        self.position = position
        self.registryID = registryID
        self.chart = chart
        self.version = version
        self.releaseName = releaseName
        self.namespace = namespace
        self.values = values
        self.source = source
        self.digest = digest
        self.pullReference = pullReference
        self.appVersion = appVersion
        self.registryKind = registryKind
        self.isProtected = isProtected
        self.valuesSchema = valuesSchema
        self.valuesNotChecked = valuesNotChecked
        self.staleReason = staleReason
        self.staleSince = staleSince
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A variable a profile declares, as Palette has them: cluster attachments supply its value.
public struct ProfileVariable: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    /// Used when an attachment gives no value.
    public var defaultValue: String?
    /// An attachment must give a value (or the variable must have a default).
    public var required: Bool
    /// A regular expression the whole value must match.
    public var regex: String?

    public init(name: String, description: String = "", defaultValue: String? = nil, required: Bool = false, regex: String? = nil) {
        self.name = name
        self.description = description
        self.defaultValue = defaultValue
        self.required = required
        self.regex = regex
    }

    enum CodingKeys: String, CodingKey {
        case name, description, required, regex
        case defaultValue = "default"
    }

    /// The column's JSON text.
    static func encode(_ variables: [ProfileVariable]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(variables)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func decode(_ text: String) -> [ProfileVariable] {
        (try? JSONDecoder().decode([ProfileVariable].self, from: Data(text.utf8))) ?? []
    }
}
