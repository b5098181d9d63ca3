import Foundation

/// Writes a JSON document as block-style YAML that ``YAMLDocument`` (and helm) read back as the
/// same document: keys in a given order (the rest sorted), strings quoted whenever YAML would
/// read them as something else, multi-line strings as literal blocks (`|`) kept byte for byte.
public enum YAMLEmitter {
    /// The document's text, ending with a newline. Keys named in `keyOrder` come first, in
    /// that order; other keys follow sorted.
    public static func document(_ value: JSONValue, keyOrder: [String] = []) -> String {
        var lines: [String] = []
        let rank = Dictionary(keyOrder.enumerated().map { ($1, $0) }) { first, _ in first }
        write(value, indent: 0, rank: rank, into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(_ value: JSONValue, indent: Int, rank: [String: Int], into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            let keys = members.keys.sorted { a, b in
                switch (rank[a], rank[b]) {
                case (let x?, let y?): x < y
                case (_?, nil): true
                case (nil, _?): false
                case (nil, nil): a < b
                }
            }
            for key in keys {
                guard let child = members[key] else { continue }
                if case .string(let text) = child, let block = literal(text, indent: indent + 2) {
                    lines.append("\(pad)\(string(key)): \(block.header)")
                    lines += block.lines
                } else if let inline = scalar(child) {
                    lines.append("\(pad)\(string(key)): \(inline)")
                } else {
                    lines.append("\(pad)\(string(key)):")
                    if case .array = child {
                        write(child, indent: indent, rank: rank, into: &lines)
                    } else {
                        write(child, indent: indent + 2, rank: rank, into: &lines)
                    }
                }
            }
        case .array(let elements) where !elements.isEmpty:
            for element in elements {
                if case .string(let text) = element {
                    // A block's indentation indicator counts from the sequence, not the dash: keep
                    // those strings quoted.
                    if let block = literal(text, indent: indent + 2), !block.header.contains("2") {
                        lines.append("\(pad)- \(block.header)")
                        lines += block.lines
                    } else {
                        lines.append("\(pad)- \(string(text))")
                    }
                    continue
                }
                if let inline = scalar(element) {
                    lines.append("\(pad)- \(inline)")
                    continue
                }
                var nested: [String] = []
                write(element, indent: 0, rank: rank, into: &nested)
                for (index, line) in nested.enumerated() { lines.append(index == 0 ? "\(pad)- \(line)" : "\(pad)  \(line)") }
            }
        case .string(let text):
            if let block = literal(text, indent: indent + 2) {
                lines.append(pad + block.header)
                lines += block.lines
            } else {
                lines.append(pad + string(text))
            }
        default:
            lines.append(pad + (scalar(value) ?? "null"))
        }
    }

    /// A multi-line string as a literal block: its header (`|`, `|-`, `|+`, with an indentation
    /// indicator when the text starts with a space) and its lines. `nil` when a block cannot hold
    /// the text exactly (carriage returns, control characters, trailing spaces on a line).
    static func literal(_ text: String, indent: Int) -> (header: String, lines: [String])? {
        guard text.contains("\n") else { return nil }
        let printable = text.unicodeScalars.allSatisfy { $0 == "\n" || $0 == "\t" || (!needsEscape($0) && $0 != "\r") }
        guard printable, !text.contains("\u{FEFF}") else { return nil }
        var body = Substring(text)
        var trailing = 0
        while body.hasSuffix("\n") {
            body = body.dropLast()
            trailing += 1
        }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        // A line of spaces only would be read back as an empty line or as indentation.
        guard !body.isEmpty, !lines.contains(where: { !$0.isEmpty && $0.allSatisfy { $0 == " " } }) else { return nil }
        let chomp = trailing == 0 ? "-" : trailing == 1 ? "" : "+"
        let indicator = (lines.first { !$0.isEmpty }?.first == " ") ? "2" : ""
        let pad = String(repeating: " ", count: indent)
        var out = lines.map { $0.isEmpty ? "" : pad + $0 }
        if trailing > 1 { out += Array(repeating: "", count: trailing - 1) }
        return ("|" + indicator + chomp, out)
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
    public static func string(_ text: String) -> String {
        let reserved: Set<String> = [
            "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO",
            "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
        ]
        let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._/-@+"))
        // Plain only when YAML (1.1, as helm reads it) reads it back as this very string.
        let plain =
            !reserved.contains(text) && text.unicodeScalars.allSatisfy { $0.isASCII && safe.contains($0) }
            && !"-@".contains(text.first ?? "-") && YAMLScalar(text, style: .plain, tag: nil) == .string(text)
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
                if needsEscape(scalar) {
                    quoted += scalar.value <= 0xFFFF ? String(format: "\\u%04X", scalar.value) : String(format: "\\U%08X", scalar.value)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }

    /// Whether a scalar must be written as an escape: YAML allows only its printable set raw
    /// (no C0 or C1 controls, no DEL, no U+FFFE/U+FFFF), and its line breaks beyond `\n`
    /// (NEL, LS, PS) would be read as breaks.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return true  // written as \t, \n, \r where they are not handled before
        case 0x20...0x7E: return false
        case 0x85, 0x2028, 0x2029: return true
        case 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return false
        default: return true
        }
    }
}
