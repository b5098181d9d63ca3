import CharthouseCore
import Crypto
import Foundation
import HTTPTypes
import HelmFormats
import Hummingbird

/// The console's sign-in: the API's login session, carried in an HttpOnly cookie, and the
/// CSRF token every form posts, derived from that session so it needs no storage and holds on
/// every replica. Before sign-in, the login form is protected by a double-submit cookie.
struct ConsoleSession: Sendable {
    static let sessionCookie = "charthouse_session"
    static let loginCookie = "charthouse_login"
    static let csrfField = "_csrf"

    /// Marks cookies `Secure` (the console is served over HTTPS).
    let secure: Bool

    /// The named cookie of a request, if present.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                let value = String(trimmed[trimmed.index(after: equals)...])
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`, Secure when served over HTTPS;
    /// `maxAge` 0 removes the cookie.
    func setCookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax\(secure ? "; Secure" : "")"
    }

    /// The CSRF token of a session: a hash of the session's secret token, which a page of
    /// another site can neither read (HttpOnly) nor compute.
    static func csrfToken(forSession token: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data("charthouse-console-csrf\u{0}\(token)".utf8)))
    }

    /// Whether `given` is the CSRF token of the session (compared in constant time).
    static func csrfMatches(_ given: String?, session token: String) -> Bool {
        guard let given else { return false }
        return constantTimeEqual(given, csrfToken(forSession: token))
    }

    /// A fresh random value for the login form's double-submit cookie.
    static func loginNonce() -> String {
        Hex.lowercase(SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) })
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

/// A signed-in console user: who they are and the session that proves it.
struct ConsoleUser: Sendable {
    let caller: Caller
    let sessionToken: String
    var csrf: String { ConsoleSession.csrfToken(forSession: sessionToken) }
}
