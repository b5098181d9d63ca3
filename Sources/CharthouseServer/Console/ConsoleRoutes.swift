import CharthouseCore
import CharthouseStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The web console at `/`: server-rendered pages over the same Core services as the REST API.
/// Sign-in makes an API login session kept in an HttpOnly cookie; every form posts the session's
/// CSRF token; every page carries a strict Content-Security-Policy. Errors are pages, in the
/// console's own format; a request without a valid session is sent to the sign-in page.
struct ConsoleRoutes: Sendable {
    typealias Context = CharthouseRequestContext

    let access: AccessService
    let tenants: TenantService
    let users: UserService
    let registries: RegistryService
    let catalog: CatalogService
    let chartFiles: ChartFileService
    let profiles: ProfileService
    let clusters: ClusterService
    let deployments: DeploymentService
    let discoveries: DiscoveryRequests
    let agents: AgentService
    /// Where agents reach this server, and the image they run (for the agent manifest).
    let agentServerURL: @Sendable () -> String
    let agentImage: String
    let renderer: ConsoleRenderer
    let session: ConsoleSession
    let clients: ClientAddresses
    let logger: Logger

    func register(on router: Router<Context>) {
        router.get("/") { request, _ in
            ConsoleRenderer.redirect(to: ConsoleSession.cookie(ConsoleSession.sessionCookie, in: request) == nil ? "/login" : "/registries")
        }
        router.get("/assets/:name") { _, context in try assetResponse(context, head: false) }
        router.head("/assets/:name") { _, context in try assetResponse(context, head: true) }
        router.get("/login") { request, _ in loginPage(request, error: nil, username: "") }
        router.post("/login") { request, context in try await login(request, context: context) }
        router.post("/logout") { request, context in
            try await signedIn(request, context: context, form: true) { user, _ in
                try await access.logout(caller: user.caller)
                return ConsoleRenderer.redirect(
                    to: "/login",
                    headers: [.setCookie: session.setCookie(ConsoleSession.sessionCookie, "", maxAge: 0)]
                )
            }
        }
        registerRegistryPages(on: router)
        registerRegistryEditPages(on: router)
        registerCatalogPages(on: router)
        registerProfilePages(on: router)
        registerClusterPages(on: router)
        registerDeploymentPages(on: router)
        registerImportPages(on: router)
        registerAdminPages(on: router)
    }

    /// A page asking to confirm a destructive action.
    func confirmation(_ body: Confirmation, user: ConsoleUser, section: String) -> Response {
        renderer.render("confirm", page: ConsoleLayout(title: body.question, user: user, section: section), body: body)
    }

    // MARK: - Sign-in

    func loginPage(_ request: Request, error: String?, username: String, status: HTTPResponse.Status = .ok) -> Response {
        struct Body {
            let error: String?
            let username: String
            let nonce: String
            /// Where to go after signing in (percent-encoded), when not the start page.
            let next: String?
        }
        // The login form's own CSRF defence: the same random value in a cookie and in the form.
        let nonce = ConsoleSession.loginNonce()
        let target = Self.safeNext(request.uri.queryParameters.get("next"))
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "/-._~")
        let next = target == "/registries" ? nil : target.addingPercentEncoding(withAllowedCharacters: allowed)
        return renderer.render(
            "login",
            page: ConsoleLayout(title: "Sign in", user: nil),
            body: Body(error: error, username: username, nonce: nonce, next: next),
            status: status,
            headers: [.setCookie: session.setCookie(ConsoleSession.loginCookie, nonce, maxAge: 3600)]
        )
    }

    func login(_ request: Request, context: Context) async throws -> Response {
        let form: ConsoleForm
        do {
            form = try await ConsoleForm.read(request)
        } catch let error as CharthouseError {
            return loginPage(request, error: error.message, username: "", status: APIErrorResponse.status(for: error.code))
        }
        let username = form.text("username") ?? ""
        guard let cookie = ConsoleSession.cookie(ConsoleSession.loginCookie, in: request),
            ConsoleSession.constantTimeEqual(cookie, form[ConsoleSession.csrfField] ?? "")
        else {
            return loginPage(request, error: "The sign-in form expired; please sign in again.", username: username, status: .forbidden)
        }
        do {
            let grant = try await access.login(
                username: username,
                password: form["password"] ?? "",
                address: clients.address(of: request, context: context)
            )
            let lifetime = max(Int(grant.expiresAt.timeIntervalSinceNow), 1)
            var headers = HTTPFields()
            headers.append(HTTPField(name: .setCookie, value: session.setCookie(ConsoleSession.sessionCookie, grant.token, maxAge: lifetime)))
            headers.append(HTTPField(name: .setCookie, value: session.setCookie(ConsoleSession.loginCookie, "", maxAge: 0)))
            return ConsoleRenderer.redirect(to: Self.safeNext(request.uri.queryParameters.get("next")), headers: headers)
        } catch let error as CharthouseError where [.unauthorized, .tooManyRequests, .badRequest].contains(error.code) {
            let message = error.code == .unauthorized ? "Wrong username or password." : error.message
            return loginPage(request, error: message, username: username, status: APIErrorResponse.status(for: error.code))
        }
    }

    /// Where to go after sign-in: a path of this console, never another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.hasPrefix("/login") else {
            return "/registries"
        }
        return next
    }

    // MARK: - Signed-in requests

    /// Runs `body` for a signed-in user; without a valid session, sends the browser to sign in.
    /// With `form`, reads the posted form and refuses it (403) without the session's CSRF token.
    /// Core's errors become error pages.
    func signedIn(
        _ request: Request,
        context: Context,
        form readsForm: Bool = false,
        _ body: (ConsoleUser, ConsoleForm) async throws -> Response
    ) async throws -> Response {
        guard let token = ConsoleSession.cookie(ConsoleSession.sessionCookie, in: request) else { return signInFirst(request) }
        let caller: Caller
        do {
            caller = try await access.authenticate(bearer: token)
        } catch let error as CharthouseError where error.code == .unauthorized {
            return signInFirst(request)
        }
        context.state.caller = caller
        let user = ConsoleUser(caller: caller, sessionToken: token)
        do {
            var form = ConsoleForm(fields: [:])
            if readsForm {
                form = try await ConsoleForm.read(request)
                guard ConsoleSession.csrfMatches(form[ConsoleSession.csrfField], session: token) else {
                    throw CharthouseError(.forbidden, "The form's security token is missing or wrong. Reload the page and try again.")
                }
            }
            return try await body(user, form)
        } catch let error as CharthouseError {
            return errorPage(error, user: user)
        }
    }

    /// 303 to the sign-in page, coming back here after (for a page; a form post goes home).
    func signInFirst(_ request: Request) -> Response {
        let back = request.method == .get ? request.uri.path : "/registries"
        let query = back == "/registries" ? "" : "?next=" + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return ConsoleRenderer.redirect(to: "/login" + query)
    }

    func errorPage(_ error: CharthouseError, user: ConsoleUser?) -> Response {
        struct Body {
            let status: Int
            let message: String
        }
        let status = APIErrorResponse.status(for: error.code)
        if status == .internalServerError { logger.error("console request failed", metadata: ["error": .string(error.description)]) }
        return renderer.render(
            "error",
            page: ConsoleLayout(title: status.reasonPhrase, user: user),
            body: Body(status: status.code, message: error.message),
            status: status
        )
    }

    func assetResponse(_ context: Context, head: Bool) throws -> Response {
        guard let name = context.parameters.get("name"), let asset = renderer.asset(named: name) else {
            throw HTTPError(.notFound)
        }
        return renderer.assetResponse(asset, head: head)
    }
}
