import Hummingbird
import NIOCore

extension Request {
    /// The whole body, at most `limit` bytes, for every protocol alike: a declared
    /// `Content-Length` over the limit is refused before a byte is read, a body that grows past
    /// it as soon as it does (`tooLarge` either way), and a body the client cut short is
    /// `cutShort` (a client error, never a 500).
    mutating func collectBody(upTo limit: Int, tooLarge: some Error, cutShort: some Error) async throws -> ByteBuffer {
        if let declared = headers[.contentLength], (Int(declared) ?? .max) > limit { throw tooLarge }
        do {
            return try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch {
            throw cutShort
        }
    }
}
