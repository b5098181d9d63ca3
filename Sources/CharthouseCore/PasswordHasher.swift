import Crypto
import Foundation
import HummingbirdBcrypt
public import NIOPosix

/// Hashes and verifies passwords with bcrypt, off the cooperative thread pool.
///
/// Passwords longer than bcrypt's 72-byte limit are first reduced to base64(SHA-256), so no part
/// of a long password is silently ignored.
public struct PasswordHasher: Sendable {
    /// bcrypt's work factor (4–31); each step doubles the cost.
    public let cost: UInt8
    private let threadPool: NIOThreadPool
    /// Verified against when a username is unknown, so that answers take as long as for a known one.
    private let decoyHash: String

    public init(cost: UInt8 = 12, threadPool: NIOThreadPool = .singleton) {
        precondition((4...31).contains(cost), "bcrypt cost must be 4...31")
        self.cost = cost
        self.threadPool = threadPool
        self.decoyHash = Bcrypt.hash("charthouse-decoy-password", cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let input = Self.bcryptInput(password)
        let cost = self.cost
        return try await threadPool.runIfActive { Bcrypt.hash(input, cost: cost) }
    }

    /// Verifies `password` against `hash`; with `hash` `nil` (unknown user) it spends the same time and fails.
    public func verify(_ password: String, hash: String?) async throws -> Bool {
        let input = Self.bcryptInput(password)
        let target = hash ?? decoyHash
        let matches = try await threadPool.runIfActive { Bcrypt.verify(input, hash: target) }
        return matches && hash != nil
    }

    private static func bcryptInput(_ password: String) -> String {
        guard password.utf8.count > 72 else { return password }
        return Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }
}
