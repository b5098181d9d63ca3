import CharthouseCore
import CharthouseStore
import Foundation

/// What the Add layer form holds.
struct LayerFormValues {
    var registryID = ""
    var chart = ""
    var version = ""
    var namespace = ""
    var releaseName = ""
    var values = ""

    init() {}

    init(_ form: ConsoleForm) {
        registryID = form.text("registryId") ?? ""
        chart = form.text("chart") ?? ""
        version = form.text("version") ?? ""
        namespace = form.text("namespace") ?? ""
        releaseName = form.text("releaseName") ?? ""
        values = form["values"] ?? ""
    }

    init(_ layer: ProfileLayerRecord) {
        registryID = layer.registryID
        chart = layer.chart
        version = layer.version
        namespace = layer.namespace
        releaseName = layer.releaseName
        values = layer.values
    }
}

struct LayerFormBody {
    let profileID: String
    let profileName: String
    let action: String
    let editing: Bool
    let registries: [SelectOption]
    let registryChosen: Bool
    let registryName: String
    let isProtected: Bool
    let values: LayerFormValues
    let charts: [String]
    let versions: [SelectOption]
    let hasVersions: Bool
    let errorRegistry: String?
    let errorChart: String?
    let errorVersion: String?
    let errorNamespace: String?
    let errorReleaseName: String?
    let errorValues: String?
    /// The line of the values a YAML error names (the page's script puts the caret there).
    let errorLine: String?
    let errorForm: String?

    init(
        profile: ProfileView,
        registries: [RegistryView],
        values: LayerFormValues,
        charts: [String],
        versions: [String],
        errors: [String: String],
        editing: String?,
        errorLine: Int?
    ) {
        profileID = profile.profile.id
        profileName = "\(profile.profile.name) \(profile.profile.version)"
        action = editing.map { "/profiles/\(profile.profile.id)/layers/\($0)" } ?? "/profiles/\(profile.profile.id)/layers"
        self.editing = editing != nil
        self.registries = registries.map { view in
            SelectOption(value: view.record.id, label: Self.label(view), selected: view.record.id == values.registryID)
        }
        let chosen = registries.first { $0.record.id == values.registryID }
        registryChosen = chosen != nil
        registryName = chosen?.record.name ?? ""
        isProtected = chosen?.record.isProtected ?? false
        self.values = values
        self.charts = charts
        let listed = versions.contains(values.version) || values.version.isEmpty ? versions : [values.version] + versions
        self.versions = listed.map { SelectOption(value: $0, label: $0, selected: $0 == values.version) }
        hasVersions = !listed.isEmpty
        errorRegistry = errors["registry"]
        errorChart = errors["chart"]
        errorVersion = errors["version"]
        errorNamespace = errors["namespace"]
        errorReleaseName = errors["releaseName"]
        errorValues = errors["values"]
        self.errorLine = errorLine.map(String.init)
        errorForm = errors["form"]
    }

    /// A registry in a Repository menu: its name and what kind it is.
    static func label(_ view: RegistryView) -> String {
        let suffix = view.record.isProtected ? " (protected)" : view.scope == .system ? " (system)" : view.record.kind == .hosted ? " (hosted)" : ""
        return view.record.name + suffix
    }
}
