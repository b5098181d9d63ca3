import Foundation

/// The parts of a `multipart/form-data` body (RFC 7578) by field name, as ChartMuseum uploads
/// send them (`chart`, `prov`). Only what uploads need: each part's `name` and where its bytes
/// are. Boundaries are found with Knuth–Morris–Pratt (linear time whatever the body and the
/// boundary the client chose), so a hostile body costs no more than a plain one of its size.
public enum MultipartForm {
    /// Why a body is not a multipart form.
    public struct Malformed: Error, Equatable, Sendable {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The boundary of a `multipart/form-data` content type, or `nil` for other types.
    public static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("boundary=") {
            var value = String(parameter.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.utf8.count > 70 ? nil : value
        }
        return nil
    }

    /// The byte ranges of the parts of `body` by field name (a later part of the same name wins);
    /// throws ``Malformed`` saying what is wrong.
    public static func parse(_ body: UnsafeRawBufferPointer, boundary: String) throws(Malformed) -> [String: Range<Int>] {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var position = find(delimiter, in: body, from: 0) else { throw Malformed("no part starts with the boundary") }
        var parts: [String: Range<Int>] = [:]
        while true {
            position += delimiter.count
            if starts(body, at: position, with: [45, 45]) { return parts }  // "--": the end
            guard starts(body, at: position, with: crlf) else { throw Malformed("a boundary line is broken") }
            position += 2
            guard let headerEnd = find(crlf + crlf, in: body, from: position) else { throw Malformed("a part has no end of headers") }
            guard headerEnd - position <= 16 << 10 else { throw Malformed("a part's headers are too long") }
            let headers = String(decoding: UnsafeRawBufferPointer(rebasing: body[position..<headerEnd]), as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = find(crlf + delimiter, in: body, from: contentStart) else { throw Malformed("a part does not end") }
            if let name = fieldName(headers) { parts[name] = contentStart..<next }
            position = next + 2
        }
    }

    /// ``parse(_:boundary:)`` over an array, with each part's bytes.
    public static func parse(_ body: [UInt8], boundary: String) throws(Malformed) -> [String: [UInt8]] {
        let ranges = body.withUnsafeBytes { bytes in Result { () throws(Malformed) in try parse(bytes, boundary: boundary) } }
        return try ranges.get().mapValues { Array(body[$0]) }
    }

    /// The `name` parameter of a part's `Content-Disposition: form-data; name="…"`.
    private static func fieldName(_ headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for parameter in line.split(separator: ";").dropFirst() {
                let pair = parameter.trimmingCharacters(in: .whitespaces)
                guard pair.lowercased().hasPrefix("name=") else { continue }
                var name = Substring(pair.dropFirst(5))
                if name.hasPrefix("\"") { name = name.dropFirst() }
                if name.hasSuffix("\"") { name = name.dropLast() }
                return String(name)
            }
        }
        return nil
    }

    private static func starts(_ body: UnsafeRawBufferPointer, at position: Int, with prefix: [UInt8]) -> Bool {
        position >= 0 && position + prefix.count <= body.count && prefix.indices.allSatisfy { body[position + $0] == prefix[$0] }
    }

    /// The first index of `needle` in `haystack` at or after `start` (Knuth–Morris–Pratt).
    private static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard !needle.isEmpty, start >= 0, start <= haystack.count else { return nil }
        var failure = [Int](repeating: 0, count: needle.count)
        var length = 0
        for index in 1..<max(needle.count, 1) {
            while length > 0, needle[index] != needle[length] { length = failure[length - 1] }
            if needle[index] == needle[length] { length += 1 }
            failure[index] = length
        }
        var matched = 0
        var index = start
        while index < haystack.count {
            let byte = haystack[index]
            while matched > 0, byte != needle[matched] { matched = failure[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count { return index - needle.count + 1 }
            index += 1
        }
        return nil
    }
}
