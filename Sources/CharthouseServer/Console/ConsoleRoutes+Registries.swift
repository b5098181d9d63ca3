import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird

/// The seed's "Admin > Settings > Registries": the tenant's registries and the system ones, "Add
/// New Helm Registry" (Protected and No authentication switches, credentials only while No
/// authentication is off), a registry's page with its sync state and counts, sync now, remove.
extension ConsoleRoutes {
    func registerRegistryPages(on router: Router<Context>) {
        router.get("/registries") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let views = try await registries.list(caller: user.caller)
                let removed = request.uri.queryParameters.get("removed").map { "Removed the registry \($0)." }
                return renderer.render(
                    "registries",
                    page: ConsoleLayout(title: "Registries", user: user, section: "/registries", notice: removed),
                    body: RegistryList(rows: views.map(RegistryRow.init), canAdd: user.caller.role == .admin)
                )
            }
        }
        router.get("/registries/new") { request, context in
            try await signedIn(request, context: context) { user, _ in
                registryForm(user: user, values: RegistryFormValues(), errors: [:])
            }
        }
        router.post("/registries") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                try await createRegistry(user: user, form: form, wantsJSON: Self.wantsJSON(request))
            }
        }
        router.get("/registries/:id") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await registries.get(id: try Self.id(context), caller: user.caller)
                return renderer.render(
                    "registry",
                    page: ConsoleLayout(title: view.record.name, user: user, section: "/registries"),
                    body: RegistryDetail(view, user: user)
                )
            }
        }
        // What the page's script polls while a sync runs.
        router.get("/registries/:id/state") { request, context in
            try await signedIn(request, context: context) { user, _ in
                ConsoleRenderer.json(RegistryRow(try await registries.get(id: try Self.id(context), caller: user.caller)))
            }
        }
        router.post("/registries/:id/sync") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                let view = try await catalog.requestSync(registryID: try Self.id(context), force: true, caller: user.caller)
                return ConsoleRenderer.redirect(to: "/registries/\(view.record.id)")
            }
        }
        router.get("/registries/:id/delete") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await registries.get(id: try Self.id(context), caller: user.caller)
                return confirmation(
                    Confirmation(
                        question: "Remove the registry \(view.record.name)?",
                        detail: "Its charts leave the catalog. A profile that uses it keeps it from being removed.",
                        action: "/registries/\(view.record.id)/delete",
                        button: "Remove registry",
                        cancel: "/registries/\(view.record.id)"
                    ),
                    user: user,
                    section: "/registries"
                )
            }
        }
        router.post("/registries/:id/delete") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                let id = try Self.id(context)
                let name = try await registries.get(id: id, caller: user.caller).record.name
                try await registries.delete(id: id, caller: user.caller)
                return ConsoleRenderer.redirect(to: "/registries?removed=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            }
        }
    }

    /// Creates the registry; a refused one shows the form again with the server's message beside
    /// its field and everything typed kept (as JSON to the page's script, which keeps the form).
    func createRegistry(user: ConsoleUser, form: ConsoleForm, wantsJSON: Bool) async throws -> Response {
        let values = RegistryFormValues(form)
        do {
            // The system administrator's registries are the system ones every tenant sees.
            let view = try await catalog.createRegistry(values.input, system: user.caller.isSystemAdmin, caller: user.caller)
            let location = "/registries/\(view.record.id)"
            return wantsJSON ? ConsoleRenderer.json(["location": location]) : ConsoleRenderer.redirect(to: location)
        } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
            let field = RegistryFormValues.fields.contains(error.field ?? "") ? error.field ?? "form" : "form"
            let status = APIErrorResponse.status(for: error.code)
            if wantsJSON { return ConsoleRenderer.json(["errors": [field: error.message]], status: status) }
            return registryForm(user: user, values: values, errors: [field: error.message], status: status)
        }
    }

    /// The Add New Helm Registry form, or the same form editing `editing`.
    func registryForm(
        user: ConsoleUser,
        values: RegistryFormValues,
        errors: [String: String],
        editing: RegistryRecord? = nil,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        let body = RegistryFormBody(values: values, errors: FieldErrors(errors), editing: editing)
        return renderer.render(
            "registry-form",
            page: ConsoleLayout(title: body.title, user: user, section: "/registries"),
            body: body,
            status: status
        )
    }

    static func id(_ context: Context) throws -> String { try parameter(context, "id") }

    /// A path parameter, percent-decoded (the router matches the raw path).
    static func parameter(_ context: Context, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding else {
            throw CharthouseError.notFound(name)
        }
        return value
    }

    /// The page's script asks for JSON; a plain form post gets a page.
    static func wantsJSON(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("application/json") == true
    }
}

/// One registry as the list and the page's script show it.
struct RegistryRow: Encodable, Sendable {
    let id: String
    let name: String
    let endpoint: String
    let kind: String
    let scope: String
    let isSystem: Bool
    /// `hosted`, `protected`, `no authentication` or `credentials`.
    let mode: String
    let state: String
    let syncing: Bool
    let charts: String
    let versions: String
    let lastSync: String
    let lastError: String?

    init(_ view: RegistryView) {
        let record = view.record
        id = record.id
        name = record.name
        endpoint = view.endpoint
        kind = record.kind.rawValue
        scope = view.scope.rawValue
        isSystem = view.scope == .system
        mode =
            record.kind == .hosted
            ? "hosted" : record.isProtected ? "protected" : record.noAuthentication ? "no authentication" : "credentials"
        state = record.kind == .hosted ? "hosted" : view.syncState
        syncing = ["never", "running"].contains(state)
        charts = view.sync.map { "\($0.charts)" } ?? "-"
        versions = view.sync.map { "\($0.versions)" } ?? "-"
        lastSync = view.sync?.lastSyncAt.map { ConsoleFormat.time($0) } ?? "-"
        lastError = view.sync?.lastError
    }
}

/// (Templates see stored properties only: Mustache reads values through reflection.)
struct RegistryList {
    let rows: [RegistryRow]
    let canAdd: Bool
    let isEmpty: Bool

    init(rows: [RegistryRow], canAdd: Bool) {
        self.rows = rows
        self.canAdd = canAdd
        self.isEmpty = rows.isEmpty
    }
}

struct RegistryDetail {
    let registry: RegistryRow
    let isAdmin: Bool
    let canSync: Bool
    let canRemove: Bool
    /// Tenant registries by tenant administrators, system ones by the system administrator.
    let canEdit: Bool
    /// The hosted registry's commands: `helm registry login`, `helm push`, `helm repo add`.
    let commands: [String]
    let hasCommands: Bool

    init(_ view: RegistryView, user: ConsoleUser) {
        registry = RegistryRow(view)
        let admin = view.scope == .system ? user.caller.isSystemAdmin : user.caller.role == .admin
        isAdmin = admin
        canSync = admin && view.record.kind != .hosted && !view.record.isProtected
        canRemove = admin && view.record.kind != .hosted
        canEdit = canRemove
        if view.record.kind == .hosted, let host = URLComponents(string: view.endpoint.replacingOccurrences(of: "oci://", with: "http://")) {
            let hostPort = "\(host.host ?? "")\(host.port.map { ":\($0)" } ?? "")"
            let repository = view.chartRepositoryURL ?? ""
            commands = [
                "helm registry login \(hostPort) -u \(user.caller.username)",
                "helm push mychart-0.1.0.tgz \(view.endpoint)",
                "helm repo add \(view.record.name) \(repository) --username \(user.caller.username)",
            ]
        } else {
            commands = []
        }
        hasCommands = !commands.isEmpty
    }
}

/// Asks before a destructive action; the form posts to `action`.
struct Confirmation {
    let question: String
    let detail: String
    let action: String
    let button: String
    let cancel: String
}

/// What the Add New Helm Registry form holds (the password is never sent back to the browser).
struct RegistryFormValues {
    static let fields: Set<String> = ["name", "endpoint", "username", "password", "caCertificate", "repositories", "plainHTTP"]
    var name = ""
    var endpoint = ""
    var isProtected = false
    var noAuthentication = false
    var username = ""
    var password = ""
    var caCertificate = ""
    var insecureSkipTLSVerify = false
    var plainHTTP = false
    /// Whether "Advanced" starts open: it holds something.
    var advancedOpen = false

    init() {}

    init(_ form: ConsoleForm) {
        name = form.text("name") ?? ""
        endpoint = form.text("endpoint") ?? ""
        isProtected = form.flag("protected")
        noAuthentication = form.flag("noAuthentication")
        username = form.text("username") ?? ""
        password = form["password"] ?? ""
        caCertificate = form.text("caCertificate") ?? ""
        insecureSkipTLSVerify = form.flag("insecureSkipTLSVerify")
        plainHTTP = form.flag("plainHTTP")
        advancedOpen = !caCertificate.isEmpty || insecureSkipTLSVerify || plainHTTP
    }

    /// The registry as Core takes it: with No authentication on, the credential fields are ignored.
    var input: NewRegistry {
        NewRegistry(
            name: name,
            endpoint: endpoint,
            isProtected: isProtected,
            noAuthentication: noAuthentication,
            username: noAuthentication || username.isEmpty ? nil : username,
            password: noAuthentication || password.isEmpty ? nil : password,
            caCertificate: caCertificate.isEmpty ? nil : caCertificate,
            insecureSkipTLSVerify: insecureSkipTLSVerify,
            plainHTTP: plainHTTP
        )
    }
}

struct RegistryFormBody {
    let values: RegistryFormValues
    let errors: FieldErrors
    let title: String
    let action: String
    let cancel: String
    /// Editing a registry that has a password stored: an empty field keeps it.
    let keepsPassword: Bool

    init(values: RegistryFormValues, errors: FieldErrors, editing: RegistryRecord?) {
        self.values = values
        self.errors = errors
        title = editing.map { "Edit \($0.name)" } ?? "Add New Helm Registry"
        action = editing.map { "/registries/\($0.id)" } ?? "/registries"
        cancel = editing.map { "/registries/\($0.id)" } ?? "/registries"
        keepsPassword = editing?.sealedPassword != nil
    }
}

/// Messages by field for a form, and one for the form as a whole.
struct FieldErrors {
    let name: String?
    let endpoint: String?
    let username: String?
    let password: String?
    let caCertificate: String?
    let plainHTTP: String?
    let form: String?

    init(_ errors: [String: String]) {
        name = errors["name"]
        endpoint = errors["endpoint"]
        username = errors["username"]
        password = errors["password"]
        caCertificate = errors["caCertificate"]
        plainHTTP = errors["plainHTTP"]
        form = errors["form"] ?? errors["repositories"]
    }
}

enum ConsoleFormat {
    /// A timestamp as the console shows it: `2026-12-02 13:45 UTC`.
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return String(formatter.string(from: date).prefix(16)) + " UTC"
    }

    /// A URL path segment: unreserved characters kept, everything else percent-encoded.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// A query value, encoded like a path segment.
    static func queryValue(_ text: String) -> String { pathSegment(text) }

    static let unreserved: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        set.insert(charactersIn: "-._~")
        return set
    }()
}
