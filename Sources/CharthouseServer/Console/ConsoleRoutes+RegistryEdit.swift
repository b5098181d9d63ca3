import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird

/// Editing a registry with the Add New Helm Registry form: what is stored filled in (never the
/// password: an empty one keeps it), the same live validation beside each field, and a sync of
/// an unprotected registry once its connection is saved.
extension ConsoleRoutes {
    func registerRegistryEditPages(on router: Router<Context>) {
        router.get("/registries/:id/edit") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await registries.get(id: try Self.id(context), caller: user.caller)
                guard RegistryDetail(view, user: user).canEdit else {
                    throw CharthouseError.forbidden("only administrators change this registry")
                }
                return registryForm(user: user, values: RegistryFormValues(view.record), errors: [:], editing: view.record)
            }
        }
        router.post("/registries/:id") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let current = try await registries.get(id: try Self.id(context), caller: user.caller).record
                let values = RegistryFormValues(form)
                let wantsJSON = Self.wantsJSON(request)
                do {
                    let view = try await registries.update(id: current.id, changes: values.changes, caller: user.caller)
                    if !view.record.isProtected { _ = try await catalog.requestSync(registryID: view.record.id, force: false, caller: user.caller) }
                    let location = "/registries/\(view.record.id)"
                    return wantsJSON ? ConsoleRenderer.json(["location": location]) : ConsoleRenderer.redirect(to: location)
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    let field = RegistryFormValues.fields.contains(error.field ?? "") ? error.field ?? "form" : "form"
                    let status = APIErrorResponse.status(for: error.code)
                    if wantsJSON { return ConsoleRenderer.json(["errors": [field: error.message]], status: status) }
                    return registryForm(user: user, values: values, errors: [field: error.message], editing: current, status: status)
                }
            }
        }
    }
}

extension RegistryFormValues {
    /// A stored registry, to edit (its password stays on the server).
    init(_ record: RegistryRecord) {
        self.init()
        name = record.name
        endpoint = record.endpoint
        isProtected = record.isProtected
        noAuthentication = record.noAuthentication
        username = record.username ?? ""
        caCertificate = record.caCertificate ?? ""
        insecureSkipTLSVerify = record.insecureSkipTLSVerify
        plainHTTP = record.plainHTTP
        advancedOpen = !caCertificate.isEmpty || insecureSkipTLSVerify || plainHTTP
    }

    /// The form as changes: an empty password keeps the stored one, an empty CA certificate
    /// removes it; with No authentication on, the credentials are not sent.
    var changes: RegistryChanges {
        RegistryChanges(
            name: name,
            endpoint: endpoint,
            isProtected: isProtected,
            noAuthentication: noAuthentication,
            username: noAuthentication ? nil : username,
            password: noAuthentication || password.isEmpty ? nil : password,
            caCertificate: caCertificate,
            insecureSkipTLSVerify: insecureSkipTLSVerify,
            plainHTTP: plainHTTP
        )
    }
}
