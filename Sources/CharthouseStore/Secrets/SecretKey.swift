import Crypto
public import Foundation
import HelmFormats

/// A 256-bit AES key with a short identifier derived from it, so sealed values name the key that sealed them.
public struct SecretKey: Sendable {
    /// First 8 hex digits of SHA-256 over the key; identifies, never reveals, the key.
    public let id: String
    let key: SymmetricKey

    /// Wraps raw key bytes; throws unless there are exactly 32.
    public init(bytes: some DataProtocol) throws {
        guard bytes.count == 32 else {
            throw StoreError.invalidConfiguration("a secret key must be 32 bytes (256 bits), got \(bytes.count)")
        }
        self.key = SymmetricKey(data: Data(bytes))
        self.id = Hex.lowercase(SHA256.hash(data: Data(bytes)).prefix(4))
    }

    /// Parses a base64-encoded 32-byte key, as given in `CHARTHOUSE_SECRET_KEY`.
    public init(base64: String) throws {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw StoreError.invalidConfiguration("the secret key is not valid base64")
        }
        try self.init(bytes: data)
    }

    /// A new random key.
    public static func generate() -> SecretKey {
        // 32 random bytes always make a valid key.
        try! SecretKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// The key as base64, for writing the key file.
    public var base64: String { key.withUnsafeBytes { Data($0).base64EncodedString() } }

    /// Reads the key file at `url`, or creates it with a new random key (mode 0600) when missing.
    public static func loadOrCreate(at url: URL) throws -> (key: SecretKey, created: Bool) {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: url.path) {
            let text = try String(contentsOf: url, encoding: .utf8)
            return (try SecretKey(base64: text), false)
        }
        let key = SecretKey.generate()
        try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard fileManager.createFile(atPath: url.path, contents: Data((key.base64 + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw StoreError.invalidConfiguration("cannot write the secret key file \(url.path)")
        }
        return (key, true)
    }
}
