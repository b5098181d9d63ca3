import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird

/// Attaching a published profile to a cluster (its variables, per-cluster values for any layer,
/// what detaching does, whether drift is put right), changing the attached version, detaching.
/// The cluster's page then follows the agent's progress layer by layer.
extension ConsoleRoutes {
    func registerDeploymentPages(on router: Router<Context>) {
        router.get("/clusters/:id/attach") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let cluster = try await clusters.get(id: try Self.id(context), caller: user.caller)
                guard user.caller.isTenantAdmin else { throw CharthouseError.forbidden("only tenant administrators attach profiles") }
                var values = AttachFormValues()
                let current = try? await deployments.attachment(clusterID: cluster.record.id, caller: user.caller)
                if let current {
                    values = AttachFormValues(current.attachment)
                }
                if let chosen = request.uri.queryParameters.get("profile") { values.profileID = chosen }
                return try await attachForm(user: user, cluster: cluster, values: values, error: nil)
            }
        }
        router.post("/clusters/:id/attach") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let cluster = try await clusters.get(id: try Self.id(context), caller: user.caller)
                let values = AttachFormValues(form)
                do {
                    _ = try await deployments.attach(clusterID: cluster.record.id, values.input, caller: user.caller)
                    let location = "/clusters/\(cluster.record.id)#deployment"
                    return Self.wantsJSON(request) ? ConsoleRenderer.json(["location": location]) : ConsoleRenderer.redirect(to: location)
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    let status = APIErrorResponse.status(for: error.code)
                    let field = error.field == "profileId" ? "profile" : "form"
                    if Self.wantsJSON(request) { return ConsoleRenderer.json(["errors": [field: error.message]], status: status) }
                    return try await attachForm(user: user, cluster: cluster, values: values, error: error.message, status: status)
                }
            }
        }
        router.get("/clusters/:id/detach") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let cluster = try await clusters.get(id: try Self.id(context), caller: user.caller)
                let attached = try await deployments.attachment(clusterID: cluster.record.id, caller: user.caller)
                let outcome =
                    attached.attachment.onDetach == .uninstall
                    ? "The agent uninstalls every release the profile installed."
                    : "The releases stay in the cluster, no longer managed."
                return confirmation(
                    Confirmation(
                        question: "Detach \(attached.profile.name) \(attached.profile.version) from \(cluster.record.name)?",
                        detail: outcome,
                        action: "/clusters/\(cluster.record.id)/detach",
                        button: "Detach",
                        cancel: "/clusters/\(cluster.record.id)"
                    ),
                    user: user,
                    section: "/clusters"
                )
            }
        }
        router.post("/clusters/:id/detach") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                let id = try Self.id(context)
                try await deployments.detach(clusterID: id, caller: user.caller)
                return ConsoleRenderer.redirect(to: "/clusters/\(id)#deployment")
            }
        }
    }

    func attachForm(
        user: ConsoleUser,
        cluster: ClusterView,
        values: AttachFormValues,
        error: String?,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let published = try await profiles.list(name: nil, caller: user.caller).filter { $0.profile.state == .published }
        let chosen = published.first { $0.profile.id == values.profileID }
        return renderer.render(
            "attach_form",
            page: ConsoleLayout(title: "Attach a profile to \(cluster.record.name)", user: user, section: "/clusters"),
            body: AttachFormBody(cluster: cluster, published: published, chosen: chosen, values: values, error: error),
            status: status
        )
    }
}

/// What the attach form holds: the profile, variables by name, values by `NAMESPACE/RELEASE`
/// (the key an attachment keeps, the same across the profile's versions).
struct AttachFormValues {
    var profileID = ""
    var variables: [String: String] = [:]
    var values: [String: String] = [:]
    var onDetach = DetachPolicy.uninstall
    var reconcileDrift = false

    init() {}

    /// The attachment there is, to change its version.
    init(_ attachment: AttachmentRecord) {
        profileID = attachment.profileID
        variables = attachment.variables
        values = attachment.values
        onDetach = attachment.onDetach
        reconcileDrift = attachment.reconcileDrift
    }

    init(_ form: ConsoleForm) {
        profileID = form.text("profileId") ?? ""
        for (name, value) in form.fields {
            if name.hasPrefix("variable."), !value.isEmpty { variables[String(name.dropFirst(9))] = value }
            if name.hasPrefix("values."), !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                values[String(name.dropFirst(7))] = value
            }
        }
        onDetach = form["onDetach"] == DetachPolicy.orphan.rawValue ? .orphan : .uninstall
        reconcileDrift = form.flag("reconcileDrift")
    }

    var input: AttachmentInput {
        AttachmentInput(profileID: profileID, values: values, variables: variables, onDetach: onDetach, reconcileDrift: reconcileDrift)
    }
}

struct AttachFormBody {
    struct Variable {
        let name: String
        let value: String
        let placeholder: String
        let required: Bool
        /// `nil` when there is nothing to say (an empty string would still open a section).
        let hint: String?
    }

    struct LayerValues {
        let id: String
        let key: String
        let label: String
        let value: String
        let open: Bool
    }

    let clusterID: String
    let clusterName: String
    let profiles: [SelectOption]
    let hasProfiles: Bool
    let chosen: Bool
    let profileID: String
    let variables: [Variable]
    let layers: [LayerValues]
    let orphan: Bool
    let reconcileDrift: Bool
    let error: String?

    init(cluster: ClusterView, published: [ProfileView], chosen: ProfileView?, values: AttachFormValues, error: String?) {
        clusterID = cluster.record.id
        clusterName = cluster.record.name
        profiles = published.map {
            SelectOption(value: $0.profile.id, label: "\($0.profile.name) \($0.profile.version)", selected: $0.profile.id == values.profileID)
        }
        hasProfiles = !published.isEmpty
        self.chosen = chosen != nil
        profileID = chosen?.profile.id ?? ""
        variables = (chosen?.profile.variables ?? []).map { variable in
            var hint = variable.description
            if let regex = variable.regex { hint += (hint.isEmpty ? "" : " ") + "Must match \(regex)." }
            return Variable(
                name: variable.name,
                value: values.variables[variable.name] ?? "",
                placeholder: variable.defaultValue ?? "",
                required: variable.required && variable.defaultValue == nil,
                hint: hint.isEmpty ? nil : hint
            )
        }
        layers = (chosen?.layers ?? []).enumerated().map { index, view in
            let layer = view.layer
            let key = "\(layer.namespace)/\(layer.releaseName)"
            return LayerValues(
                id: "values-\(index)",
                key: key,
                label: "\(layer.releaseName) in \(layer.namespace) (\(layer.chart) \(layer.version))",
                value: values.values[key] ?? "",
                open: !(values.values[key] ?? "").isEmpty
            )
        }
        orphan = values.onDetach == .orphan
        reconcileDrift = values.reconcileDrift
        self.error = error
    }
}
