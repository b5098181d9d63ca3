import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird

/// Clusters: import one by its kubeconfig (pasted or read from a file) or register one reached
/// only through its agent (its registration token and the `kubectl apply` manifest shown once);
/// a cluster's page with its discovery (and Discover now), the attached profile's layers with the
/// agent's progress and the drift report, and its discovered Helm releases with their catalog
/// match — refreshing itself while work is under way.
extension ConsoleRoutes {
    func registerClusterPages(on router: Router<Context>) {
        router.get("/clusters") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let views = try await clusters.list(caller: user.caller)
                return renderer.render(
                    "clusters",
                    page: ConsoleLayout(title: "Clusters", user: user, section: "/clusters"),
                    body: ClusterList(rows: views.map(ClusterRow.init), canWrite: user.caller.isTenantAdmin)
                )
            }
        }
        router.get("/clusters/new") { request, context in
            try await signedIn(request, context: context) { user, _ in
                clusterForm(user: user, values: ClusterFormValues(), errors: [:])
            }
        }
        router.post("/clusters") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let values = ClusterFormValues(form)
                do {
                    let view = try await clusters.create(values.input, caller: user.caller)
                    await discoveries.connected(view, unlessRunning: true)
                    return ConsoleRenderer.redirect(to: "/clusters/\(view.record.id)")
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    let field = ["name", "kubeconfig", "context"].contains(error.field ?? "") ? error.field ?? "form" : "form"
                    return clusterForm(user: user, values: values, errors: [field: error.message], status: APIErrorResponse.status(for: error.code))
                }
            }
        }
        router.get("/clusters/:id") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await clusters.get(id: try Self.id(context), caller: user.caller)
                let live = try await clusterLive(view, user: user, after: Self.after(request))
                return renderer.render(
                    "cluster",
                    page: ConsoleLayout(title: view.record.name, user: user, section: "/clusters"),
                    body: ClusterPage(view, live: live, canWrite: user.caller.isTenantAdmin, registration: nil)
                )
            }
        }
        // The part of the page the script refreshes while a discovery or a deployment runs.
        router.get("/clusters/:id/live") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await clusters.get(id: try Self.id(context), caller: user.caller)
                return renderer.render(
                    "cluster_live",
                    page: ConsoleLayout(title: view.record.name, user: user, section: "/clusters"),
                    body: LivePart(live: try await clusterLive(view, user: user, after: Self.after(request)))
                )
            }
        }
        router.post("/clusters/:id/discover") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                let view = try await discoveries.start(clusterID: try Self.id(context), caller: user.caller)
                return ConsoleRenderer.redirect(to: "/clusters/\(view.record.id)?after=\(view.discovery.runs)#discovery")
            }
        }
        router.post("/clusters/:id/agent-token") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                let view = try await clusters.get(id: try Self.id(context), caller: user.caller)
                let registration = try await agents.issueRegistrationToken(clusterID: view.record.id, caller: user.caller)
                let manifest = AgentManifest.render(
                    clusterID: view.record.id,
                    clusterName: view.record.name,
                    serverURL: agentServerURL(),
                    image: agentImage,
                    token: registration.token
                )
                // Shown once: the token is kept only as a digest.
                return renderer.render(
                    "cluster",
                    page: ConsoleLayout(title: view.record.name, user: user, section: "/clusters"),
                    body: ClusterPage(
                        view,
                        live: try await clusterLive(view, user: user, after: nil),
                        canWrite: true,
                        registration: (registration.token, manifest)
                    )
                )
            }
        }
        router.get("/clusters/:id/delete") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await clusters.get(id: try Self.id(context), caller: user.caller)
                return confirmation(
                    Confirmation(
                        question: "Remove the cluster \(view.record.name)?",
                        detail: "Charthouse forgets it and what it discovered there; nothing in the cluster changes.",
                        action: "/clusters/\(view.record.id)/delete",
                        button: "Remove cluster",
                        cancel: "/clusters/\(view.record.id)"
                    ),
                    user: user,
                    section: "/clusters"
                )
            }
        }
        router.post("/clusters/:id/delete") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                try await clusters.delete(id: try Self.id(context), caller: user.caller)
                return ConsoleRenderer.redirect(to: "/clusters")
            }
        }
    }

    /// The cluster's discovery, releases, attached profile, its layers' progress and drift.
    func clusterLive(_ view: ClusterView, user: ConsoleUser, after: Int?) async throws -> ClusterLive {
        let releases = try await clusters.releases(clusterID: view.record.id, namespace: nil, caller: user.caller)
        let (status, drift) = try await deployments.statusAndDrift(clusterID: view.record.id, caller: user.caller)
        return ClusterLive(view, releases: releases, status: status, drift: drift, canWrite: user.caller.isTenantAdmin, after: after)
    }

    /// `?after=N`: the discovery runs counted when "Discover now" was pressed.
    static func after(_ request: Request) -> Int? {
        request.uri.queryParameters.get("after").flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil }
    }

    func clusterForm(user: ConsoleUser, values: ClusterFormValues, errors: [String: String], status: HTTPResponse.Status = .ok) -> Response {
        struct Body {
            let values: ClusterFormValues
            let nameError: String?
            let kubeconfigError: String?
            let contextError: String?
            let formError: String?
        }
        return renderer.render(
            "cluster_form",
            page: ConsoleLayout(title: "Add a cluster", user: user, section: "/clusters"),
            body: Body(
                values: values,
                nameError: errors["name"],
                kubeconfigError: errors["kubeconfig"],
                contextError: errors["context"],
                formError: errors["form"]
            ),
            status: status
        )
    }
}

/// What the Add a cluster form holds (the kubeconfig is sent back only to the one who typed it).
struct ClusterFormValues {
    var name = ""
    var isAgent = false
    var kubeconfig = ""
    var context = ""

    init() {}

    init(_ form: ConsoleForm) {
        name = form.text("name") ?? ""
        isAgent = form["mode"] == "agent"
        kubeconfig = form["kubeconfig"] ?? ""
        context = form.text("context") ?? ""
    }

    var input: NewCluster {
        NewCluster(
            name: name,
            mode: isAgent ? .agent : .direct,
            kubeconfig: isAgent || kubeconfig.isEmpty ? nil : kubeconfig,
            context: isAgent || context.isEmpty ? nil : context
        )
    }
}
