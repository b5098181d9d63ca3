import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird

/// The seed's "Import from Cluster": in Add layer, pick the cluster, then one of the charts
/// discovered there from a dropdown, and Done adds it as a layer (its release name, namespace and
/// values) linked to the first exact catalog match or the registry picked. A cluster's page can
/// also make a new draft profile of all its deployed releases.
extension ConsoleRoutes {
    func registerImportPages(on router: Router<Context>) {
        router.get("/profiles/:id/layers/import") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let profile = try await profiles.get(id: try Self.id(context), caller: user.caller)
                var values = ImportFormValues()
                values.clusterID = request.uri.queryParameters.get("cluster") ?? ""
                return try await importForm(user: user, profile: profile, values: values, errors: [:])
            }
        }
        router.post("/profiles/:id/layers/import") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let profile = try await profiles.get(id: try Self.id(context), caller: user.caller)
                let values = ImportFormValues(form)
                do {
                    guard let selection = values.selection else { throw CharthouseError.invalidField("release", "choose a chart of the cluster") }
                    _ = try await profiles.importLayers(
                        profileID: profile.profile.id,
                        clusterID: values.clusterID,
                        releases: [selection],
                        caller: user.caller
                    )
                    let location = "/profiles/\(profile.profile.id)"
                    return Self.wantsJSON(request) ? ConsoleRenderer.json(["location": location]) : ConsoleRenderer.redirect(to: location)
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict, .notFound].contains(error.code) {
                    // A release or registry that is not there is the form's mistake, not a missing page.
                    let field = error.field == "release" ? "release" : error.field == "registryId" ? "registry" : "form"
                    let status = APIErrorResponse.status(for: error.code == .notFound ? .unprocessable : error.code)
                    if Self.wantsJSON(request) { return ConsoleRenderer.json(["errors": [field: error.message]], status: status) }
                    return try await importForm(user: user, profile: profile, values: values, errors: [field: error.message], status: status)
                }
            }
        }
        router.post("/profiles/from-cluster") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let clusterID = form.text("clusterId") ?? ""
                let view = try await profiles.createFromCluster(
                    clusterID: clusterID,
                    ProfileInput(name: form.text("name") ?? "", version: form.text("version") ?? "1.0.0"),
                    releases: nil,
                    caller: user.caller
                )
                return ConsoleRenderer.redirect(to: "/profiles/\(view.profile.id)")
            }
        }
    }

    func importForm(
        user: ConsoleUser,
        profile: ProfileView,
        values: ImportFormValues,
        errors: [String: String],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let clusterList = try await clusters.list(caller: user.caller)
        let chosen = clusterList.first { $0.record.id == values.clusterID }
        var releases: [ReleaseView] = []
        if let chosen { releases = try await clusters.releases(clusterID: chosen.record.id, namespace: nil, caller: user.caller) }
        let visible = chosen == nil ? [] : try await registries.list(caller: user.caller)
        return renderer.render(
            "layer_import",
            page: ConsoleLayout(title: "Import from Cluster", user: user, section: "/profiles"),
            body: ImportFormBody(
                profile: profile,
                clusters: clusterList,
                chosen: chosen,
                releases: releases,
                registries: visible,
                values: values,
                errors: errors
            ),
            status: status
        )
    }
}

/// What the Import from Cluster form holds: the cluster, the release (`NAMESPACE/NAME`), and
/// the registry to link it to (empty: the first exact catalog match).
struct ImportFormValues {
    var clusterID = ""
    var release = ""
    var registryID = ""

    init() {}

    init(_ form: ConsoleForm) {
        clusterID = form.text("cluster") ?? ""
        release = form.text("release") ?? ""
        registryID = form.text("registryId") ?? ""
    }

    var selection: ReleaseSelection? {
        let parts = release.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        return ReleaseSelection(namespace: parts[0], name: parts[1], registryID: registryID.isEmpty ? nil : registryID)
    }
}

struct ImportFormBody {
    let profileID: String
    let profileName: String
    let clusters: [SelectOption]
    let hasClusters: Bool
    let chosen: Bool
    let clusterID: String
    let clusterName: String
    let releases: [SelectOption]
    let hasReleases: Bool
    let registries: [SelectOption]
    let errorRelease: String?
    let errorRegistry: String?
    let errorForm: String?

    init(
        profile: ProfileView,
        clusters: [ClusterView],
        chosen: ClusterView?,
        releases: [ReleaseView],
        registries: [RegistryView],
        values: ImportFormValues,
        errors: [String: String]
    ) {
        profileID = profile.profile.id
        profileName = "\(profile.profile.name) \(profile.profile.version)"
        self.clusters = clusters.map { view in
            let count = view.discovery.releases
            return SelectOption(
                value: view.record.id,
                label: "\(view.record.name) (\(count) release\(count == 1 ? "" : "s"))",
                selected: view.record.id == chosen?.record.id
            )
        }
        hasClusters = !clusters.isEmpty
        self.chosen = chosen != nil
        clusterID = chosen?.record.id ?? ""
        clusterName = chosen?.record.name ?? ""
        self.releases = releases.map { release in
            let record = release.record
            let key = "\(record.namespace)/\(record.releaseName)"
            let match = release.catalogMatches.first { $0.kind == .exact }.map { "in \($0.registryName)" } ?? "not in the catalog"
            return SelectOption(
                value: key,
                label: "\(record.chart) \(record.chartVersion) — \(record.releaseName) in \(record.namespace), \(match)",
                selected: key == values.release
            )
        }
        hasReleases = !releases.isEmpty
        self.registries = registries.map {
            SelectOption(value: $0.record.id, label: LayerFormBody.label($0), selected: $0.record.id == values.registryID)
        }
        errorRelease = errors["release"]
        errorRegistry = errors["registry"]
        errorForm = errors["form"]
    }
}
