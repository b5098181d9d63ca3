import Foundation
import HelmFormats

/// How output is printed: a table for people, JSON or YAML for programs.
enum OutputFormat: String, CaseIterable {
    case table
    case json
    case yaml
}

/// Renders values as JSON or YAML with one timestamp format everywhere: RFC 3339 in UTC
/// (`2026-12-01T06:19:05Z`), the same in tables.
enum Output {
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// YAML of the same document as ``json(_:)``: block style, keys sorted, strings quoted
    /// whenever YAML could read them as something else.
    static func yaml<T: Encodable>(_ value: T) throws -> String {
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(try json(value).utf8))
        return String(YAMLEmitter.document(document).dropLast())
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }
}
