public import Crypto
import Foundation
import HelmFormats

/// Seals secrets (registry passwords, kubeconfigs) for storage with AES-256-GCM.
///
/// A sealed value reads `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`. The `context` given
/// to ``seal(_:context:)`` (for example `registry/<id>/password`) is bound as authenticated data,
/// so a sealed value copied into another row does not open there. New values are sealed with the
/// current key; values sealed with a previous key still open, which is how keys rotate.
public struct SecretSealer: Sendable {
    private let current: SecretKey
    private let keysByID: [String: SecretKey]

    public init(current: SecretKey, previous: [SecretKey] = []) {
        self.current = current
        var keys: [String: SecretKey] = [:]
        for key in previous { keys[key.id] = key }
        keys[current.id] = current
        self.keysByID = keys
    }

    /// The identifier of the key new values are sealed with.
    public var currentKeyID: String { current.id }

    /// A key for another purpose (signing registry tokens, say), derived from the current key with
    /// HKDF-SHA256: replicas sharing the secret key derive the same one; sealing never reuses it.
    public func derivedKey(purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: current.key, info: Data("charthouse/\(purpose)".utf8), outputByteCount: 32)
    }

    public func seal(_ plaintext: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: current.key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw StoreError.sealing("AES-GCM produced no output") }
        return "v1.\(current.id).\(Base64URL.encode(combined))"
    }

    public func open(_ sealed: String, context: String) throws -> String {
        let parts = sealed.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let data = Base64URL.decode(String(parts[2])) else {
            throw StoreError.sealing("not a sealed secret")
        }
        guard let key = keysByID[String(parts[1])] else {
            throw StoreError.sealing("sealed with key \(parts[1]), which is not configured")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plaintext = try AES.GCM.open(box, using: key.key, authenticating: Data(context.utf8))
            return String(decoding: plaintext, as: UTF8.self)
        } catch {
            throw StoreError.sealing("sealed secret failed authentication (tampered, truncated or moved)")
        }
    }

    /// Whether `sealed` was sealed with an older key and should be sealed again.
    public func needsResealing(_ sealed: String) -> Bool {
        !sealed.hasPrefix("v1.\(current.id).")
    }

}
