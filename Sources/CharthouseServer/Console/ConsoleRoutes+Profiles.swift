import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird

/// Profiles: the tenant's profiles grouped by name with their versions; create, publish, new
/// version, diff between versions, export (download) and import (upload or paste), delete a
/// draft. A profile's layers are on its page (``registerLayerPages(on:)``).
extension ConsoleRoutes {
    func registerProfilePages(on router: Router<Context>) {
        router.get("/profiles") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let views = try await profiles.list(name: nil, caller: user.caller)
                return renderer.render(
                    "profiles",
                    page: ConsoleLayout(title: "Profiles", user: user, section: "/profiles"),
                    body: ProfileGroups(views, canWrite: user.caller.role == .admin)
                )
            }
        }
        router.get("/profiles/new") { request, context in
            try await signedIn(request, context: context) { user, _ in
                profileForm(user: user, name: "", version: "1.0.0", description: "", errors: [:])
            }
        }
        router.post("/profiles") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let name = form.text("name") ?? ""
                let version = form.text("version") ?? ""
                let description = form.text("description") ?? ""
                do {
                    let view = try await profiles.create(ProfileInput(name: name, version: version, description: description), caller: user.caller)
                    return ConsoleRenderer.redirect(to: "/profiles/\(view.profile.id)")
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    let field = ["name", "version", "description"].contains(error.field ?? "") ? error.field ?? "form" : "form"
                    return profileForm(
                        user: user,
                        name: name,
                        version: version,
                        description: description,
                        errors: [field: error.message],
                        status: APIErrorResponse.status(for: error.code)
                    )
                }
            }
        }
        router.get("/profiles/import") { request, context in
            try await signedIn(request, context: context) { user, _ in
                importForm(user: user, text: "", error: nil)
            }
        }
        router.post("/profiles/import") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let text = form["document"] ?? ""
                do {
                    let view = try await profiles.importDocument(text, repin: form.flag("repin"), caller: user.caller)
                    return ConsoleRenderer.redirect(to: "/profiles/\(view.profile.id)")
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    return importForm(user: user, text: text, error: error.message, status: APIErrorResponse.status(for: error.code))
                }
            }
        }
        router.get("/profiles/:id") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await profiles.get(id: try Self.id(context), caller: user.caller)
                let versions = try await profiles.list(name: view.profile.name, caller: user.caller)
                return renderer.render(
                    "profile",
                    page: ConsoleLayout(title: "\(view.profile.name) \(view.profile.version)", user: user, section: "/profiles"),
                    body: ProfilePage(view, versions: versions, canWrite: user.caller.role == .admin)
                )
            }
        }
        router.get("/profiles/:id/export") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let view = try await profiles.get(id: try Self.id(context), caller: user.caller)
                let text = try await profiles.export(id: view.profile.id, caller: user.caller)
                var headers = ConsoleRenderer.pageHeaders
                headers[.contentType] = "application/yaml; charset=utf-8"
                headers[.contentDisposition] = "attachment; filename=\"\(view.profile.name)-\(view.profile.version).yaml\""
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
            }
        }
        router.get("/profiles/:id/diff") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let id = try Self.id(context)
                guard let other = request.uri.queryParameters.get("to"), !other.isEmpty else {
                    throw CharthouseError.invalidField("to", "choose a version to compare with")
                }
                let diff = try await profiles.diff(from: id, to: other, caller: user.caller)
                return renderer.render(
                    "profile_diff",
                    page: ConsoleLayout(title: "\(diff.from.name): \(diff.from.version) → \(diff.to.version)", user: user, section: "/profiles"),
                    body: ProfileDiffPage(diff)
                )
            }
        }
        router.post("/profiles/:id/publish") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                let view = try await profiles.update(id: try Self.id(context), changes: ProfileChanges(state: .published), caller: user.caller)
                return ConsoleRenderer.redirect(to: "/profiles/\(view.profile.id)")
            }
        }
        router.post("/profiles/:id/versions") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let view = try await profiles.newVersion(of: try Self.id(context), version: form.text("version") ?? "", caller: user.caller)
                return ConsoleRenderer.redirect(to: "/profiles/\(view.profile.id)")
            }
        }
        router.post("/profiles/:id/delete") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                try await profiles.delete(id: try Self.id(context), caller: user.caller)
                return ConsoleRenderer.redirect(to: "/profiles")
            }
        }
        registerLayerPages(on: router)
    }

    func profileForm(
        user: ConsoleUser,
        name: String,
        version: String,
        description: String,
        errors: [String: String],
        status: HTTPResponse.Status = .ok
    ) -> Response {
        struct Body {
            let name: String
            let version: String
            let description: String
            let errors: [String: String]
            let nameError: String?
            let versionError: String?
            let formError: String?
        }
        return renderer.render(
            "profile_form",
            page: ConsoleLayout(title: "Create profile", user: user, section: "/profiles"),
            body: Body(
                name: name,
                version: version,
                description: description,
                errors: errors,
                nameError: errors["name"],
                versionError: errors["version"],
                formError: errors["form"] ?? errors["description"]
            ),
            status: status
        )
    }

    func importForm(user: ConsoleUser, text: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        struct Body {
            let document: String
            let error: String?
        }
        return renderer.render(
            "profile_import",
            page: ConsoleLayout(title: "Import a profile", user: user, section: "/profiles"),
            body: Body(document: text, error: error),
            status: status
        )
    }
}
