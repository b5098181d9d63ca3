/// A document that is not what Helm expects: the message says what and where.
public struct HelmFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
