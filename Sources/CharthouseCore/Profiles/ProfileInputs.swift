public import CharthouseStore

/// A new profile version.
public struct ProfileInput: Sendable {
    public var name: String
    public var version: String
    public var description: String
    public var variables: [ProfileVariable]

    public init(name: String, version: String, description: String = "", variables: [ProfileVariable] = []) {
        self.name = name
        self.version = version
        self.description = description
        self.variables = variables
    }
}

/// A partial update of a profile: `nil` leaves a field as it is. `state: .published` publishes.
public struct ProfileChanges: Sendable {
    public var name: String?
    public var version: String?
    public var description: String?
    public var state: ProfileState?
    /// Replaces the declared variables.
    public var variables: [ProfileVariable]?

    public init(
        name: String? = nil,
        version: String? = nil,
        description: String? = nil,
        state: ProfileState? = nil,
        variables: [ProfileVariable]? = nil
    ) {
        self.name = name
        self.version = version
        self.description = description
        self.state = state
        self.variables = variables
    }
}

/// A layer to add: the chart, a version or a version range, where and how it is installed.
public struct LayerInput: Sendable {
    public var registryID: String
    public var chart: String
    /// An exact version, a range (`^1.2`, `~2.0`, `>=1.0 <2`) resolved now, or empty for the
    /// highest stable version.
    public var version: String
    /// Defaults to the chart name.
    public var releaseName: String?
    public var namespace: String
    /// YAML text; empty for none.
    public var values: String

    public init(registryID: String, chart: String, version: String, releaseName: String? = nil, namespace: String, values: String = "") {
        self.registryID = registryID
        self.chart = chart
        self.version = version
        self.releaseName = releaseName
        self.namespace = namespace
        self.values = values
    }
}

/// A partial update of a layer: `nil` leaves a field as it is. A new version (or range) is
/// resolved again; new values are checked again.
public struct LayerChanges: Sendable {
    public var version: String?
    public var releaseName: String?
    public var namespace: String?
    public var values: String?

    public init(version: String? = nil, releaseName: String? = nil, namespace: String? = nil, values: String? = nil) {
        self.version = version
        self.releaseName = releaseName
        self.namespace = namespace
        self.values = values
    }
}

/// A profile version with its layers in install order, as callers see it.
public struct ProfileView: Sendable, Hashable {
    public let profile: ProfileRecord
    public let layers: [LayerView]
}

/// A layer with the name and scope of its registry.
public struct LayerView: Sendable, Hashable {
    public let layer: ProfileLayerRecord
    public let registryName: String
    /// `tenant` or `system`.
    public let registryScope: String
}
