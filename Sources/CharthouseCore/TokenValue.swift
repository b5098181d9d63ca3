import Crypto
import Foundation
import HelmFormats

/// Bearer token values: 32 random bytes, base64url, with a prefix telling sessions (`chs_`) from API tokens (`cht_`).
enum TokenValue {
    static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Base64URL.encode(bytes)
    }

    /// Lowercase hex SHA-256: what is stored and looked up in place of the value.
    static func digest(_ value: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(value.utf8)))
    }

    static func newID() -> String { UUID().uuidString.lowercased() }
}
