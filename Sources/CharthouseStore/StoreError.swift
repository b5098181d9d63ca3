/// An error raised by the persistence layer.
///
/// A struct over a private enum, so new cases never break callers; match with `==` on the statics.
public struct StoreError: Error, Hashable, CustomStringConvertible, Sendable {
    private enum Code: Hashable, Sendable {
        case duplicate
        case notFound
        case invalidConfiguration
        case sealing
        case unavailable
        case invalidText
        case leaseLost
        case conflict
    }

    private let code: Code
    /// What went wrong, in words fit for a log line or an error message. Never holds secret material.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A unique constraint refused the write (a name or key already taken).
    public static func duplicate(_ message: String) -> StoreError { .init(.duplicate, message) }
    /// The row addressed does not exist.
    public static func notFound(_ message: String) -> StoreError { .init(.notFound, message) }
    /// The database URL, key or data directory is unusable.
    public static func invalidConfiguration(_ message: String) -> StoreError { .init(.invalidConfiguration, message) }
    /// A sealed secret could not be opened: unknown key, tampered or truncated ciphertext.
    public static func sealing(_ message: String) -> StoreError { .init(.sealing, message) }
    /// The database could not be reached.
    public static func unavailable(_ message: String) -> StoreError { .init(.unavailable, message) }
    /// Text in a query or row that the database cannot hold (PostgreSQL refuses NUL characters).
    public static func invalidText(_ message: String) -> StoreError { .init(.invalidText, message) }

    /// A sync's lease passed to another owner (it ran past the lease): its results were not saved.
    public static func leaseLost(_ message: String) -> StoreError { .init(.leaseLost, message) }

    /// The row is not in a state that allows the write (a published profile is immutable).
    public static func conflict(_ message: String) -> StoreError { .init(.conflict, message) }

    public var isDuplicate: Bool { code == .duplicate }
    public var isNotFound: Bool { code == .notFound }
    public var isUnavailable: Bool { code == .unavailable }
    /// A client's text the database cannot hold (a NUL character): the client's error, not ours.
    public var isInvalidText: Bool { code == .invalidText }
    public var isLeaseLost: Bool { code == .leaseLost }
    public var isConflict: Bool { code == .conflict }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { message }
}
