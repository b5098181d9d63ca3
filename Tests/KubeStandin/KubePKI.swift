public import Foundation

/// The stand-in's credentials, made once with openssl and kept in `pki/`: a CA, a server
/// certificate for 127.0.0.1, `localhost` and `kubernetes.standin.test` (for `tls-server-name`), a
/// client certificate, a bearer token and a password.
public struct KubePKI: Sendable {
    public static let serverName = "kubernetes.standin.test"
    public let directory: URL
    public var caCertificate: URL { directory.appendingPathComponent("ca.crt") }
    public var caKey: URL { directory.appendingPathComponent("ca.key") }
    public var serverCertificate: URL { directory.appendingPathComponent("server.crt") }
    public var serverKey: URL { directory.appendingPathComponent("server.key") }
    public var clientCertificate: URL { directory.appendingPathComponent("client.crt") }
    public var clientKey: URL { directory.appendingPathComponent("client.key") }
    public let token: String
    public let password: String

    /// The credentials in `directory`, made there first if missing. Without `addressInCertificate`
    /// the server certificate names only `localhost` and ``serverName``: a client connecting to
    /// 127.0.0.1 must then check it against a name it is told (`tls-server-name`).
    static func load(in directory: URL, addressInCertificate: Bool = true) throws -> KubePKI {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        let tokenFile = directory.appendingPathComponent("token")
        let passwordFile = directory.appendingPathComponent("password")
        if !manager.fileExists(atPath: tokenFile.path) {
            try Data(randomText().utf8).write(to: tokenFile)
            try Data(randomText().utf8).write(to: passwordFile)
        }
        let pki = KubePKI(
            directory: directory,
            token: try String(contentsOf: tokenFile, encoding: .utf8),
            password: try String(contentsOf: passwordFile, encoding: .utf8)
        )
        if !manager.fileExists(atPath: pki.clientCertificate.path) { try pki.make(addressInCertificate: addressInCertificate) }
        return pki
    }

    private static func randomText() -> String {
        (0..<32).map { _ in String("abcdefghijklmnopqrstuvwxyz0123456789".randomElement()!) }.joined()
    }

    private func make(addressInCertificate: Bool) throws {
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.openssl(
            ["req", "-x509"] + ec + [
                "-days", "30", "-subj", "/CN=standin-ca", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", caKey.path, "-out", caCertificate.path,
            ]
        )
        try sign(
            name: "server",
            subject: "/CN=kube-apiserver",
            extensions:
                "subjectAltName=\(addressInCertificate ? "IP:127.0.0.1," : "")DNS:localhost,DNS:\(Self.serverName)\nextendedKeyUsage=serverAuth\n"
        )
        try sign(name: "client", subject: "/O=system:masters/CN=standin-admin", extensions: "extendedKeyUsage=clientAuth\n")
    }

    private func sign(name: String, subject: String, extensions: String) throws {
        let request = directory.appendingPathComponent("\(name).csr")
        let extensionsFile = directory.appendingPathComponent("\(name).ext")
        try Data(extensions.utf8).write(to: extensionsFile)
        try Self.openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject,
            "-keyout", directory.appendingPathComponent("\(name).key").path, "-out", request.path,
        ])
        try Self.openssl([
            "x509", "-req", "-in", request.path, "-CA", caCertificate.path, "-CAkey", caKey.path, "-CAcreateserial", "-days", "30",
            "-extfile", extensionsFile.path, "-out", directory.appendingPathComponent("\(name).crt").path,
        ])
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw KubeStandinError("openssl \(arguments.first ?? "") failed: \(String(decoding: message, as: UTF8.self))")
        }
    }

    func base64(_ file: URL) throws -> String {
        try Data(contentsOf: file).base64EncodedString()
    }
}

extension KubeStandin {
    /// Writes `kubeconfig`: one cluster, a user per credential and a context per user.
    func writeKubeconfig() throws {
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: standin
              cluster:
                server: \(server)
                certificate-authority-data: \(try pki.base64(pki.caCertificate))
            users:
            - name: standin-token
              user:
                token: \(token)
            - name: standin-cert
              user:
                client-certificate-data: \(try pki.base64(pki.clientCertificate))
                client-key-data: \(try pki.base64(pki.clientKey))
            - name: standin-basic
              user:
                username: \(username)
                password: \(password)
            contexts:
            - name: standin-token
              context:
                cluster: standin
                user: standin-token
            - name: standin-cert
              context:
                cluster: standin
                user: standin-cert
            - name: standin-basic
              context:
                cluster: standin
                user: standin-basic
            current-context: standin-token

            """
        try Data(text.utf8).write(to: kubeconfig, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: kubeconfig.path)
    }
}
