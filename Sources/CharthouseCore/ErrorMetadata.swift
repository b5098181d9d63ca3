public import Logging

extension Logger.Metadata {
    /// How an error is logged everywhere: its type, and the type of the lower layer's error it
    /// translates (``CharthouseError/cause``, ``HostedRegistryError/cause``). Types only, never
    /// descriptions: a database driver's or client's text may hold a query or a credential.
    public static func error(_ error: any Error) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["error.type": .string(String(reflecting: type(of: error)))]
        let cause: (any Error)? =
            switch error {
            case let error as CharthouseError: error.cause
            case let error as HostedRegistryError: error.cause
            default: nil
            }
        if let cause { metadata["error.cause.type"] = .string(String(reflecting: type(of: cause))) }
        return metadata
    }
}
