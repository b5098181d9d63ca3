import Foundation

/// The `Range` request header of a blob or chart download (RFC 9110 §14), one range only.
/// What it asks for is served (206), refused as unsatisfiable (416), or refused as malformed
/// (400); it is never ignored.
public enum ByteRange: Equatable, Sendable {
    /// Serve these bytes (inclusive bounds).
    case satisfiable(ClosedRange<Int64>)
    /// Well-formed but outside the resource (or more than one range): 416 with `bytes */size`.
    case unsatisfiable
    /// Not a byte range at all: 400.
    case malformed

    /// `bytes=A-B`, `bytes=A-` or `bytes=-N` within a resource of `size` bytes.
    public init(header: String, size: Int64) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else {
            self = .malformed
            return
        }
        let specs = trimmed.dropFirst("bytes=".count).split(separator: ",", omittingEmptySubsequences: false)
        guard specs.allSatisfy({ Self.isSpec($0.trimmingCharacters(in: .whitespaces)) }) else {
            self = .malformed
            return
        }
        // Several ranges are well-formed, but only one is served.
        guard specs.count == 1 else {
            self = .unsatisfiable
            return
        }
        let parts = specs[0].trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false)
        let last = size - 1
        // Digits only (checked above): a number too large for Int64 is past any end.
        let start = parts[0].isEmpty ? nil : Int64(parts[0]) ?? Int64.max
        let end = parts[1].isEmpty ? nil : Int64(parts[1]) ?? Int64.max
        switch (start, end) {
        case (let start?, let end?) where start <= end && start <= last: self = .satisfiable(start...min(end, last))
        case (let start?, nil) where start <= last: self = .satisfiable(start...last)
        case (nil, let suffix?) where suffix > 0 && size > 0: self = .satisfiable(max(0, size - suffix)...last)
        case (let start?, let end?) where start > end: self = .malformed
        default: self = .unsatisfiable
        }
    }

    /// `A-B`, `A-` or `-N` with decimal digits.
    private static func isSpec(_ spec: String) -> Bool {
        let parts = spec.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, !(parts[0].isEmpty && parts[1].isEmpty), parts[0].utf8.count <= 64, parts[1].utf8.count <= 64 else {
            return false
        }
        return parts.allSatisfy { $0.utf8.allSatisfy { (48...57).contains($0) } }
    }
}

/// The `Content-Range` of an upload chunk as the OCI spec writes it: `<start>-<end>`, inclusive.
public enum ChunkRange {
    /// The chunk's first byte and length, or `nil` when the header is not `<start>-<end>` with
    /// `start <= end`.
    public static func parse(_ header: String) -> (start: Int64, length: Int64)? {
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("bytes ") { text = text.dropFirst("bytes ".count) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 18 && $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let start = Int64(parts[0]), let end = Int64(parts[1]), start <= end
        else { return nil }
        return (start, end - start + 1)
    }
}

/// What an `Authorization` header carries, as the registry protocols read it.
public enum AuthorizationHeader: Equatable, Sendable {
    /// `Basic base64(username:password)`; the password may itself hold colons.
    case basic(username: String, password: String)
    /// `Bearer <token>`.
    case bearer(String)
    /// Any other scheme, or a header that cannot be read.
    case unusable

    public init(_ header: String) {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[1].utf8.count <= 8192 else {
            self = .unusable
            return
        }
        switch parts[0].lowercased() {
        case "basic":
            guard let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
                let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
            else {
                self = .unusable
                return
            }
            self = .basic(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
        case "bearer":
            let token = parts[1].trimmingCharacters(in: .whitespaces)
            self = token.isEmpty ? .unusable : .bearer(token)
        default:
            self = .unusable
        }
    }
}
