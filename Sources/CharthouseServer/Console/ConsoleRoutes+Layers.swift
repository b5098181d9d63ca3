import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird

/// A profile's layers: the seed's "Add layer" — the Repository menu, then for a synced, hosted or
/// system registry a chart list to type in and a version list from the catalog, for a protected
/// registry the chart name and version typed by hand; namespace, release name, values (the
/// server's YAML or schema error shown at its line) — and Done. Layers move up and down and are
/// removed; a draft's layer is edited.
extension ConsoleRoutes {
    func registerLayerPages(on router: Router<Context>) {
        router.get("/profiles/:id/layers/new") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await profiles.get(id: try Self.id(context), caller: user.caller)
                var values = LayerFormValues()
                values.registryID = request.uri.queryParameters.get("registry") ?? ""
                values.chart = request.uri.queryParameters.get("chart") ?? ""
                return try await layerForm(user: user, profile: view, values: values, errors: [:])
            }
        }
        router.post("/profiles/:id/layers") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let view = try await profiles.get(id: try Self.id(context), caller: user.caller)
                let values = LayerFormValues(form)
                do {
                    let input = LayerInput(
                        registryID: values.registryID,
                        chart: values.chart,
                        version: values.version,
                        releaseName: values.releaseName.isEmpty ? nil : values.releaseName,
                        namespace: values.namespace,
                        values: values.values
                    )
                    _ = try await profiles.addLayer(profileID: view.profile.id, input, caller: user.caller)
                    let location = "/profiles/\(view.profile.id)"
                    return Self.wantsJSON(request) ? ConsoleRenderer.json(["location": location]) : ConsoleRenderer.redirect(to: location)
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    return try await refusedLayer(error, request: request, user: user, profile: view, values: values)
                }
            }
        }
        router.get("/profiles/:id/layers/:layer/edit") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await profiles.get(id: try Self.id(context), caller: user.caller)
                let layerID = try Self.parameter(context, "layer")
                guard let layer = view.layers.first(where: { $0.layer.id == layerID })?.layer else { throw CharthouseError.notFound("layer") }
                return try await layerForm(user: user, profile: view, values: LayerFormValues(layer), errors: [:], editing: layerID)
            }
        }
        router.post("/profiles/:id/layers/:layer") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let view = try await profiles.get(id: try Self.id(context), caller: user.caller)
                let layerID = try Self.parameter(context, "layer")
                var values = LayerFormValues(form)
                guard let layer = view.layers.first(where: { $0.layer.id == layerID })?.layer else { throw CharthouseError.notFound("layer") }
                values.registryID = layer.registryID
                values.chart = layer.chart
                do {
                    let changes = LayerChanges(
                        version: values.version,
                        releaseName: values.releaseName.isEmpty ? nil : values.releaseName,
                        namespace: values.namespace,
                        values: values.values
                    )
                    _ = try await profiles.updateLayer(profileID: view.profile.id, layerID: layerID, changes, caller: user.caller)
                    let location = "/profiles/\(view.profile.id)"
                    return Self.wantsJSON(request) ? ConsoleRenderer.json(["location": location]) : ConsoleRenderer.redirect(to: location)
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    return try await refusedLayer(error, request: request, user: user, profile: view, values: values, editing: layerID)
                }
            }
        }
        router.post("/profiles/:id/layers/:layer/move") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let view = try await profiles.get(id: try Self.id(context), caller: user.caller)
                let layerID = try Self.parameter(context, "layer")
                var ids = view.layers.map(\.layer.id)
                guard let index = ids.firstIndex(of: layerID) else { throw CharthouseError.notFound("layer") }
                let target = form["direction"] == "up" ? index - 1 : index + 1
                if ids.indices.contains(target) {
                    ids.swapAt(index, target)
                    _ = try await profiles.orderLayers(profileID: view.profile.id, ids: ids, caller: user.caller)
                }
                return ConsoleRenderer.redirect(to: "/profiles/\(view.profile.id)#layer-\(layerID)")
            }
        }
        router.post("/profiles/:id/layers/:layer/delete") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                let id = try Self.id(context)
                _ = try await profiles.deleteLayer(profileID: id, layerID: try Self.parameter(context, "layer"), caller: user.caller)
                return ConsoleRenderer.redirect(to: "/profiles/\(id)")
            }
        }
        // The version list the Add layer form fills when a chart is picked.
        router.get("/catalog/:registry/:chart/versions.json") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let (registryID, chart) = try Self.chartPath(context)
                let versions = try await catalog.versions(registryID: registryID, chart: chart, caller: user.caller)
                return ConsoleRenderer.json(["versions": versions.map(\.version)])
            }
        }
    }

    /// The form again with the server's message beside its field (for values: with its line).
    func refusedLayer(
        _ error: CharthouseError,
        request: Request,
        user: ConsoleUser,
        profile: ProfileView,
        values: LayerFormValues,
        editing: String? = nil
    ) async throws -> Response {
        let field = Self.layerField(error)
        let status = APIErrorResponse.status(for: error.code)
        if Self.wantsJSON(request) {
            var body: [String: String] = ["field": field, "message": error.message]
            if let line = Self.line(of: error) { body["line"] = String(line) }
            return ConsoleRenderer.json(["errors": [field: error.message], "detail": body], status: status)
        }
        return try await layerForm(
            user: user,
            profile: profile,
            values: values,
            errors: [field: error.message],
            editing: editing,
            errorLine: Self.line(of: error),
            status: status
        )
    }

    /// Which field of the form an error is about: the one Core names (`registryId` is the
    /// Repository menu), else the form as a whole.
    static func layerField(_ error: CharthouseError) -> String {
        guard let field = error.field, ["registryId", "chart", "version", "namespace", "releaseName", "values"].contains(field) else {
            return "form"
        }
        return field == "registryId" ? "registry" : field
    }

    /// The line of the values a YAML error is at, from the parser's own error.
    static func line(of error: CharthouseError) -> Int? {
        (error.cause as? YAMLDocument.SyntaxError)?.line
    }

    func layerForm(
        user: ConsoleUser,
        profile: ProfileView,
        values: LayerFormValues,
        errors: [String: String],
        editing: String? = nil,
        errorLine: Int? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let visible = try await registries.list(caller: user.caller)
        var charts: [String] = []
        var versions: [String] = []
        let chosen = visible.first { $0.record.id == values.registryID }
        if let chosen, !chosen.record.isProtected {
            charts = try await catalog.charts(registryID: chosen.record.id, prefix: nil, limit: 500, cursor: nil, caller: user.caller).items.map(
                \.chart
            )
            if !values.chart.isEmpty {
                versions = (try? await catalog.versions(registryID: chosen.record.id, chart: values.chart, caller: user.caller).map(\.version)) ?? []
            }
        }
        return renderer.render(
            "layer_form",
            page: ConsoleLayout(title: editing == nil ? "Add layer" : "Edit layer", user: user, section: "/profiles"),
            body: LayerFormBody(
                profile: profile,
                registries: visible,
                values: values,
                charts: charts,
                versions: versions,
                errors: errors,
                editing: editing,
                errorLine: errorLine
            ),
            status: status
        )
    }
}
