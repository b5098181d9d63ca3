import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird

/// Administration: users (administrators: add, change role, reset password, remove), API tokens
/// (everyone their own, administrators their tenant's; a new token's value is shown once,
/// revoke), tenants (the system administrator: add, remove). Every rule is Core's: a member
/// reaching an admin page gets Core's 403.
extension ConsoleRoutes {
    func registerAdminPages(on router: Router<Context>) {
        router.get("/users") { request, context in
            try await signedIn(request, context: context) { user, _ in try await usersPage(user: user, values: UserFormValues(), error: nil) }
        }
        router.post("/users") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let values = UserFormValues(form)
                do {
                    let role: UserRole = values.admin ? .admin : .member
                    _ = try await users.create(
                        username: values.username,
                        password: values.password,
                        role: role,
                        tenantName: values.tenant,
                        caller: user.caller
                    )
                    return ConsoleRenderer.redirect(to: "/users")
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    return try await usersPage(user: user, values: values, error: error.message, status: APIErrorResponse.status(for: error.code))
                }
            }
        }
        router.post("/users/:id") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let role = form["role"].flatMap(UserRole.init(rawValue:))
                let password = form.text("password")
                do {
                    _ = try await users.update(id: try Self.id(context), password: password, role: role, caller: user.caller)
                } catch let error as CharthouseError where [.badRequest, .unprocessable].contains(error.code) {
                    return try await usersPage(
                        user: user,
                        values: UserFormValues(),
                        error: error.message,
                        status: APIErrorResponse.status(for: error.code)
                    )
                }
                return ConsoleRenderer.redirect(to: "/users")
            }
        }
        router.get("/users/:id/delete") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let target = try await users.get(id: try Self.id(context), caller: user.caller)
                guard user.caller.role == .admin else { throw CharthouseError.forbidden("only administrators can delete users") }
                return confirmation(
                    Confirmation(
                        question: "Remove the user \(target.username)?",
                        detail: "Its sessions and API tokens stop working at once.",
                        action: "/users/\(target.id)/delete",
                        button: "Remove user",
                        cancel: "/users"
                    ),
                    user: user,
                    section: "/users"
                )
            }
        }
        router.post("/users/:id/delete") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                try await users.delete(id: try Self.id(context), caller: user.caller)
                return ConsoleRenderer.redirect(to: "/users")
            }
        }
        router.get("/tokens") { request, context in
            try await signedIn(request, context: context) { user, _ in try await tokensPage(user: user, issued: nil, error: nil) }
        }
        router.post("/tokens") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let days = form.text("expiresInDays").flatMap { Int($0) }
                do {
                    let issued = try await access.createToken(
                        name: form.text("name") ?? "",
                        username: form.text("username"),
                        expiresIn: days.map { TimeInterval($0) * 86_400 },
                        caller: user.caller
                    )
                    return try await tokensPage(user: user, issued: issued, error: nil, status: .created)
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .notFound].contains(error.code) {
                    return try await tokensPage(user: user, issued: nil, error: error.message, status: APIErrorResponse.status(for: error.code))
                }
            }
        }
        router.post("/tokens/:id/revoke") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                try await access.revokeToken(id: try Self.id(context), caller: user.caller)
                return ConsoleRenderer.redirect(to: "/tokens")
            }
        }
        router.get("/tenants") { request, context in
            try await signedIn(request, context: context) { user, _ in try await tenantsPage(user: user, name: "", error: nil) }
        }
        router.post("/tenants") { request, context in
            try await signedIn(request, context: context, form: true) { user, form in
                let name = form.text("name") ?? ""
                do {
                    _ = try await tenants.create(name: name, caller: user.caller)
                    return ConsoleRenderer.redirect(to: "/tenants")
                } catch let error as CharthouseError where [.badRequest, .unprocessable, .conflict].contains(error.code) {
                    return try await tenantsPage(user: user, name: name, error: error.message, status: APIErrorResponse.status(for: error.code))
                }
            }
        }
        router.get("/tenants/:id/delete") { request, context in
            try await signedIn(request, context: context) { user, _ in
                let tenant = try await tenants.get(try Self.id(context), caller: user.caller)
                return confirmation(
                    Confirmation(
                        question: "Remove the tenant \(tenant.name)?",
                        detail: "Its users, registries, hosted charts, profiles and clusters are removed with it.",
                        action: "/tenants/\(tenant.id)/delete",
                        button: "Remove tenant",
                        cancel: "/tenants"
                    ),
                    user: user,
                    section: "/tenants"
                )
            }
        }
        router.post("/tenants/:id/delete") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                try await tenants.delete(try Self.id(context), caller: user.caller)
                return ConsoleRenderer.redirect(to: "/tenants")
            }
        }
    }

    func usersPage(user: ConsoleUser, values: UserFormValues, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let list = try await users.list(tenantName: nil, caller: user.caller)
        let tenantNames = user.caller.isSystemAdmin ? try await tenants.list(caller: user.caller).map(\.name) : []
        return renderer.render(
            "users",
            page: ConsoleLayout(title: "Users", user: user, section: "/users"),
            body: UsersBody(users: list, caller: user.caller, tenantNames: tenantNames, values: values, error: error),
            status: status
        )
    }

    func tokensPage(user: ConsoleUser, issued: IssuedToken?, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let list = try await access.listTokens(caller: user.caller)
        return renderer.render(
            "tokens",
            page: ConsoleLayout(title: "API tokens", user: user, section: "/tokens"),
            body: TokensBody(tokens: list, caller: user.caller, issued: issued, error: error),
            status: status
        )
    }

    func tenantsPage(user: ConsoleUser, name: String, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let list = try await tenants.list(caller: user.caller)
        return renderer.render(
            "tenants",
            page: ConsoleLayout(title: "Tenants", user: user, section: "/tenants"),
            body: TenantsBody(tenants: list, name: name, error: error),
            status: status
        )
    }
}
