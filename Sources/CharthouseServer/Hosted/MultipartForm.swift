import Foundation
import NIOCore

/// The parts of a `multipart/form-data` body (RFC 7578) by field name, as ChartMuseum uploads
/// send them (`chart`, `prov`). Only what uploads need: each part's `name` and its bytes.
enum MultipartForm {
    /// The boundary of a `multipart/form-data` content type, or `nil` for other types.
    static func boundary(contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("boundary=") {
            var value = String(parameter.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    /// The parts of `body`; throws a description of what is malformed.
    static func parse(_ body: ByteBuffer, boundary: String) throws -> [String: ByteBuffer] {
        let bytes = Array(body.readableBytesView)
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        guard var position = find(delimiter, in: bytes, from: 0) else { throw Malformed("no part starts with the boundary") }
        var parts: [String: ByteBuffer] = [:]
        while true {
            position += delimiter.count
            if bytes[position..<min(position + 2, bytes.count)].elementsEqual([45, 45]) { return parts }  // "--": the end
            guard bytes[position..<min(position + 2, bytes.count)].elementsEqual(crlf) else { throw Malformed("a boundary line is broken") }
            position += 2
            guard let headerEnd = find(crlf + crlf, in: bytes, from: position) else { throw Malformed("a part has no end of headers") }
            let headers = String(decoding: bytes[position..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = find(crlf + delimiter, in: bytes, from: contentStart) else { throw Malformed("a part does not end") }
            if let name = fieldName(headers) { parts[name] = ByteBuffer(bytes: bytes[contentStart..<next]) }
            position = next + 2
        }
    }

    /// The `name` parameter of a part's `Content-Disposition: form-data; name="…"`.
    private static func fieldName(_ headers: String) -> String? {
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for parameter in line.split(separator: ";").dropFirst() {
                let pair = parameter.trimmingCharacters(in: .whitespaces)
                guard pair.lowercased().hasPrefix("name=") else { continue }
                return String(pair.dropFirst(5)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    struct Malformed: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
