public import Foundation

/// A username and password for a test peer's basic authentication.
public struct Credentials: Sendable, Hashable {
    public let username: String
    public let password: String
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Writes an htpasswd file: bcrypt for distribution, APR1-MD5 for nginx.
    func writeHtpasswd(to file: URL, bcrypt: Bool) throws {
        let htpasswd = try Shell.require("htpasswd")
        try Shell.run([htpasswd, bcrypt ? "-Bbc" : "-mbc", file.path, username, password])
    }

    public var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// A self-signed certificate for 127.0.0.1 made with openssl, for TLS peers.
public struct SelfSignedCertificate: Sendable {
    public let certificate: URL
    public let privateKey: URL

    public static func make(in directory: URL) throws -> SelfSignedCertificate {
        let openssl = try Shell.require("openssl")
        let certificate = directory.appendingPathComponent("tls.crt")
        let key = directory.appendingPathComponent("tls.key")
        try Shell.run([
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.path, "-out", certificate.path,
        ])
        return SelfSignedCertificate(certificate: certificate, privateKey: key)
    }

    public var pem: String { (try? String(contentsOf: certificate, encoding: .utf8)) ?? "" }
}
