import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird

/// Clusters: import one by its kubeconfig (pasted or read from a file) or register one reached
/// only through its agent (its registration token and the `kubectl apply` manifest shown once);
/// a cluster's page with its discovered Helm releases and their catalog match.
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
                let releases = try await clusters.releases(clusterID: view.record.id, namespace: nil, caller: user.caller)
                return renderer.render(
                    "cluster",
                    page: ConsoleLayout(title: view.record.name, user: user, section: "/clusters"),
                    body: ClusterPage(view, releases: releases, canWrite: user.caller.isTenantAdmin, registration: nil)
                )
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
                let releases = try await clusters.releases(clusterID: view.record.id, namespace: nil, caller: user.caller)
                // Shown once: the token is kept only as a digest.
                return renderer.render(
                    "cluster",
                    page: ConsoleLayout(title: view.record.name, user: user, section: "/clusters"),
                    body: ClusterPage(view, releases: releases, canWrite: true, registration: (registration.token, manifest))
                )
            }
        }
        router.get("/clusters/:id/delete") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await clusters.get(id: try Self.id(context), caller: user.caller)
                return renderer.render(
                    "confirm",
                    page: ConsoleLayout(title: "Remove \(view.record.name)", user: user, section: "/clusters"),
                    body: Confirmation(
                        question: "Remove the cluster \(view.record.name)?",
                        detail: "Charthouse forgets it and what it discovered there; nothing in the cluster changes.",
                        action: "/clusters/\(view.record.id)/delete",
                        button: "Remove cluster",
                        cancel: "/clusters/\(view.record.id)"
                    )
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

struct ClusterRow {
    let id: String
    let name: String
    let mode: String
    let server: String
    let version: String
    let state: String
    let releases: Int
    let lastRun: String
    let lastError: String?

    init(_ view: ClusterView) {
        id = view.record.id
        name = view.record.name
        mode = view.record.mode.rawValue
        server = view.record.mode == .agent ? "through its agent" : view.record.server
        version = view.record.kubernetesVersion.isEmpty ? "-" : view.record.kubernetesVersion
        state = view.state.rawValue
        releases = view.discovery.releases
        lastRun = view.discovery.lastRunAt.map(ConsoleFormat.time) ?? "-"
        lastError = view.lastError
    }
}

struct ClusterList {
    let rows: [ClusterRow]
    let isEmpty: Bool
    let canWrite: Bool

    init(rows: [ClusterRow], canWrite: Bool) {
        self.rows = rows
        isEmpty = rows.isEmpty
        self.canWrite = canWrite
    }
}

struct ClusterPage {
    struct Release {
        let namespace: String
        let name: String
        let chart: String
        let version: String
        let status: String
        let revision: Int
        let match: String
    }

    let cluster: ClusterRow
    let isAgent: Bool
    let agentSeen: String
    let canWrite: Bool
    let releases: [Release]
    let hasReleases: Bool
    let token: String?
    let manifest: String?

    init(_ view: ClusterView, releases: [ReleaseView], canWrite: Bool, registration: (token: String, manifest: String)?) {
        cluster = ClusterRow(view)
        isAgent = view.record.mode == .agent
        agentSeen = view.record.agentSeenAt.map(ConsoleFormat.time) ?? "never"
        self.canWrite = canWrite
        self.releases = releases.map { release in
            let record = release.record
            let match = release.catalogMatches.first.map { "\($0.kind.rawValue) in \($0.registryName)" } ?? "not in the catalog"
            return Release(
                namespace: record.namespace,
                name: record.releaseName,
                chart: record.chart,
                version: record.chartVersion,
                status: record.status,
                revision: record.revision,
                match: match
            )
        }
        hasReleases = !releases.isEmpty
        token = registration?.token
        manifest = registration?.manifest
    }
}
