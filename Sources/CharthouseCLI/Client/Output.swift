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
        var lines: [String] = []
        YAMLWriter.write(document, indent: 0, into: &lines)
        return lines.joined(separator: "\n")
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }
}

/// A small YAML 1.2 emitter for JSON documents (what ``Output/yaml(_:)`` prints).
enum YAMLWriter {
    static func write(_ value: JSONValue, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            for key in members.keys.sorted() {
                guard let child = members[key] else { continue }
                if let inline = scalar(child) {
                    lines.append("\(pad)\(string(key)): \(inline)")
                } else {
                    lines.append("\(pad)\(string(key)):")
                    if case .array = child {
                        write(child, indent: indent, into: &lines)
                    } else {
                        write(child, indent: indent + 2, into: &lines)
                    }
                }
            }
        case .array(let elements) where !elements.isEmpty:
            for element in elements {
                if let inline = scalar(element) {
                    lines.append("\(pad)- \(inline)")
                    continue
                }
                var nested: [String] = []
                write(element, indent: 0, into: &nested)
                for (index, line) in nested.enumerated() { lines.append(index == 0 ? "\(pad)- \(line)" : "\(pad)  \(line)") }
            }
        default:
            lines.append(pad + (scalar(value) ?? "null"))
        }
    }

    /// A scalar's text, or `nil` for a non-empty collection.
    static func scalar(_ value: JSONValue) -> String? {
        switch value {
        case .object(let members): return members.isEmpty ? "{}" : nil
        case .array(let elements): return elements.isEmpty ? "[]" : nil
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .number(let number): return String(number)
        case .string(let text): return string(text)
        }
    }

    /// A string plain when YAML reads it back as that same string, else double-quoted (JSON's
    /// escapes are valid in YAML's double-quoted scalars).
    static func string(_ text: String) -> String {
        let reserved: Set<String> = [
            "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "no", "on", "off", "y", "n",
        ]
        let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._/-@+"))
        let plain =
            !reserved.contains(text) && Double(text) == nil && text.unicodeScalars.allSatisfy { $0.isASCII && safe.contains($0) }
            && !"-.@+0123456789".contains(text.first ?? "-")  // numbers in any notation stay strings
        if plain { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    quoted += String(format: "\\u%04X", scalar.value)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}
