import Foundation

/// The client's saved login: server URL and token, in a JSON file only its owner can read (0600).
///
/// Location: `$CHARTHOUSE_CONFIG`, else `$XDG_CONFIG_HOME/charthouse/config.json`, else
/// `~/.config/charthouse/config.json`.
struct ClientConfigFile: Codable {
    var server: String
    var token: String

    static func location(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["CHARTHOUSE_CONFIG"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let base: URL
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else if let home = environment["HOME"], !home.isEmpty {
            base = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".config", isDirectory: true)
        } else {
            base = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config", isDirectory: true)
        }
        return base.appendingPathComponent("charthouse/config.json")
    }

    static func load() -> ClientConfigFile? {
        guard let data = try? Data(contentsOf: location()) else { return nil }
        return try? JSONDecoder().decode(ClientConfigFile.self, from: data)
    }

    func save() throws -> URL {
        let url = Self.location()
        let fileManager = FileManager.default
        try fileManager.createDirectory(
            at: url.deletingLastPathComponent(),
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        // Create empty with 0600 first, so the token is never readable by others, even briefly.
        if fileManager.fileExists(atPath: url.path) { try fileManager.removeItem(at: url) }
        guard fileManager.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(url.path)")
        }
        try data.write(to: url)
        try fileManager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return url
    }

    /// Forgets the saved login (no error when there is none).
    static func remove() throws {
        let url = location()
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        try FileManager.default.removeItem(at: url)
    }
}
