import CharthouseCore
import CharthouseStore
import Crypto
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird
import Mustache
import NIOCore

/// Renders the console's pages from the Mustache templates compiled into the binary (every value
/// HTML-escaped; the one `{{{…}}}` is a README already made safe by `Markdown`), with the security headers every page carries, and
/// serves the stylesheet and script under names fingerprinted by their content.
struct ConsoleRenderer: Sendable {
    /// One static file, served at `/assets/<name>` with a year-long immutable cache.
    struct Asset: Sendable {
        let name: String
        let contentType: String
        let bytes: ByteBuffer
    }

    let library: MustacheLibrary
    let stylesheet: Asset
    let script: Asset

    /// Scripts and styles only from this server; no frames, plugins or foreign form targets.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// Mustache's own HTML escaping goes character by character, so a quote followed by a
    /// combining mark would pass unescaped and close an attribute; every template uses this one.
    struct SafeHTML: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLText.escape(text) }
    }

    init() throws {
        MustacheContentTypes.register(SafeHTML(), named: "SAFEHTML")
        var library = MustacheLibrary()
        let templates: [(String, [UInt8])] = [
            ("layout", PackageResources.layout_mustache), ("login", PackageResources.login_mustache),
            ("error", PackageResources.error_mustache), ("registries", PackageResources.registries_mustache),
            ("registry", PackageResources.registry_mustache), ("registry-form", PackageResources.registry_form_mustache),
            ("confirm", PackageResources.confirm_mustache), ("catalog", PackageResources.catalog_mustache),
            ("catalog_results", PackageResources.catalog_results_mustache), ("chart", PackageResources.chart_mustache),
            ("chart_version", PackageResources.chart_version_mustache), ("profiles", PackageResources.profiles_mustache),
            ("profile_form", PackageResources.profile_form_mustache), ("profile_import", PackageResources.profile_import_mustache),
            ("profile", PackageResources.profile_mustache), ("profile_diff", PackageResources.profile_diff_mustache),
            ("layer_form", PackageResources.layer_form_mustache), ("clusters", PackageResources.clusters_mustache),
            ("cluster_form", PackageResources.cluster_form_mustache), ("cluster", PackageResources.cluster_mustache),
            ("cluster_live", PackageResources.cluster_live_mustache), ("attach_form", PackageResources.attach_form_mustache),
            ("layer_import", PackageResources.layer_import_mustache), ("users", PackageResources.users_mustache),
            ("tenants", PackageResources.tenants_mustache), ("tokens", PackageResources.tokens_mustache),
        ]
        for (name, bytes) in templates {
            try library.register("{{% CONTENT_TYPE: SAFEHTML}}" + String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
        self.stylesheet = Self.asset("console", "css", "text/css; charset=utf-8", PackageResources.console_css)
        self.script = Self.asset("console", "js", "text/javascript; charset=utf-8", PackageResources.console_js)
    }

    static func asset(_ base: String, _ suffix: String, _ contentType: String, _ bytes: [UInt8]) -> Asset {
        let fingerprint = Hex.lowercase(SHA256.hash(data: bytes).prefix(6))
        return Asset(name: "\(base).\(fingerprint).\(suffix)", contentType: contentType, bytes: ByteBuffer(bytes: bytes))
    }

    /// The asset named `name`, if it is one of this build's.
    func asset(named name: String) -> Asset? {
        [stylesheet, script].first { $0.name == name }
    }

    /// A page: `template` rendered with `page` (what the layout shows) and `body`.
    func render<Body>(
        _ template: String,
        page: ConsoleLayout,
        body: Body,
        status: HTTPResponse.Status = .ok,
        headers extra: HTTPFields = [:]
    ) -> Response {
        var layout = page
        layout.stylesheet = "/assets/\(stylesheet.name)"
        layout.script = "/assets/\(script.name)"
        let html = library.render(ConsolePage(page: layout, body: body), withTemplate: template) ?? "template \(template) is missing"
        var headers = Self.pageHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A redirect after a form post (303: the browser follows with GET).
    static func redirect(to location: String, headers extra: HTTPFields = [:]) -> Response {
        var headers = pageHeaders
        headers[.location] = location
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }

    /// JSON for the console's script (sync progress, form errors), with the page headers.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var headers = pageHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    static let pageHeaders: HTTPFields = [
        .contentSecurityPolicy: contentSecurityPolicy,
        contentTypeOptions: "nosniff",
        frameOptions: "DENY",
        referrerPolicy: "same-origin",
        .cacheControl: "no-store",
    ]

    /// An asset's response: cached for a year, never revalidated (its name changes with it).
    func assetResponse(_ asset: Asset, head: Bool) -> Response {
        let headers: HTTPFields = [
            .contentType: asset.contentType,
            .contentLength: "\(asset.bytes.readableBytes)",
            .cacheControl: "public, max-age=31536000, immutable",
            Self.contentTypeOptions: "nosniff",
        ]
        return Response(status: .ok, headers: headers, body: head ? .init() : .init(byteBuffer: asset.bytes))
    }
}

/// What every template gets: the layout's facts and the page's own.
struct ConsolePage<Body> {
    let page: ConsoleLayout
    let body: Body
}

/// The frame around every page: title, who is signed in, navigation, the CSRF token.
struct ConsoleLayout: Sendable {
    struct NavItem: Sendable {
        let label: String
        let href: String
        let current: Bool
    }

    var title: String
    var username: String?
    var tenant: String?
    var role: String?
    var csrf: String?
    var nav: [NavItem] = []
    var notice: String?
    var stylesheet = ""
    var script = ""

    /// The console's sections a caller may use, in the navigation's order: no tenant pages for
    /// the system administrator, no administration for members.
    static func sections(for caller: Caller) -> [(String, String)] {
        var sections = [("Registries", "/registries"), ("Catalog", "/catalog")]
        if !caller.isSystemAdmin { sections += [("Profiles", "/profiles"), ("Clusters", "/clusters")] }
        if caller.isSystemAdmin { sections.append(("Tenants", "/tenants")) }
        if caller.role == .admin { sections.append(("Users", "/users")) }
        sections.append(("API tokens", "/tokens"))
        return sections
    }

    init(title: String, user: ConsoleUser?, section: String? = nil, notice: String? = nil) {
        self.title = title
        self.username = user?.caller.username
        self.tenant = user.map { $0.caller.tenantName ?? "system" }
        self.role = user.map { $0.caller.isSystemAdmin ? "system administrator" : $0.caller.role.rawValue }
        self.csrf = user?.csrf
        self.notice = notice
        if let user {
            nav = Self.sections(for: user.caller).map {
                NavItem(label: $0.0, href: $0.1, current: $0.1 == section)
            }
        }
    }
}
