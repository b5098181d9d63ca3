import CharthouseCore
import Foundation
import Hummingbird

/// A posted HTML form (`application/x-www-form-urlencoded`), read with a size limit.
struct ConsoleForm: Sendable {
    /// Forms carry names, endpoints, values files and CA certificates: 1 MiB is ample.
    static let maxSize = 1 << 20

    private(set) var fields: [String: String] = [:]

    init(fields: [String: String]) { self.fields = fields }

    /// Reads and decodes the request's body; a body over the limit or not a form is a 400.
    static func read(_ request: Request) async throws -> ConsoleForm {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw CharthouseError(.badRequest, "expected a form (application/x-www-form-urlencoded)")
        }
        var body = request.body
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maxSize)
        } catch {
            throw CharthouseError(.payloadTooLarge, "the form is larger than \(maxSize / 1024) KiB")
        }
        return ConsoleForm(fields: decode(String(buffer: buffer)))
    }

    /// `a=1&b=x+y` → `["a": "1", "b": "x y"]`; a repeated name keeps its last value.
    static func decode(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(parts[0]) else { continue }
            fields[name] = parts.count > 1 ? unescape(parts[1]) ?? "" : ""
        }
        return fields
    }

    private static func unescape(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// The field trimmed of surrounding white space; nil when missing or blank.
    func text(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A checkbox: present and not "off".
    func flag(_ name: String) -> Bool {
        guard let value = fields[name] else { return false }
        return value != "off" && value != "false"
    }
}

/// One `<option>` of a menu: what is posted, what is shown, whether it is chosen.
struct SelectOption {
    let value: String
    let label: String
    let selected: Bool
}
