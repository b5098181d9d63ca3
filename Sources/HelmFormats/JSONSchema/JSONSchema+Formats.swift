import Foundation

extension JSONSchema {
    /// Regular expressions of `pattern` and `patternProperties`, compiled once per check. A
    /// match that runs longer than ``limit`` is abandoned (a pattern that backtracks without end
    /// cannot stall the server); so is a pattern the engine cannot compile.
    struct PatternCache {
        private var compiled: [String: NSRegularExpression?] = [:]
        static let limit: TimeInterval = 0.1
        /// Strings longer than this are not matched (the answer would not come in time).
        static let maxInput = 64 * 1024

        /// Whether `text` matches `pattern` (unanchored, as JSON Schema has it); `nil` when
        /// the pattern cannot be compiled or the match ran out of time.
        mutating func matches(_ pattern: String, _ text: String) -> Bool? {
            let expression: NSRegularExpression?
            if let cached = compiled[pattern] {
                expression = cached
            } else {
                expression = try? NSRegularExpression(pattern: pattern)
                compiled[pattern] = expression
            }
            guard let expression, text.utf16.count <= Self.maxInput else { return nil }
            let start = Date()
            var found = false
            var timedOut = false
            expression.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(location: 0, length: text.utf16.count)) {
                result,
                _,
                stop in
                if result != nil {
                    found = true
                    stop.pointee = true
                } else if Date().timeIntervalSince(start) > Self.limit {
                    timedOut = true
                    stop.pointee = true
                }
            }
            return timedOut ? nil : found
        }
    }

    /// The `format` values drafts 4 to 7 assert; `nil` for a format this checker does not know.
    enum Formats {
        static func check(_ format: String, _ text: String) -> Bool? {
            switch format {
            case "date-time": isDateTime(text)
            case "date": isDate(text)
            case "time": isTime(text)
            case "email": isEmail(text)
            case "hostname": isHostname(text)
            case "ipv4": isIPv4(text)
            case "ipv6": text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } && text.count <= 45
            case "uri": isURI(text, absolute: true)
            case "uri-reference": isURI(text, absolute: false)
            case "uuid": UUID(uuidString: text) != nil && text.count == 36
            case "regex": (try? NSRegularExpression(pattern: text)) != nil
            default: nil
            }
        }

        static func isDate(_ text: String) -> Bool {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month)
            else { return false }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            return (1...days).contains(day)
        }

        static func isTime(_ text: String) -> Bool {
            var rest = Substring(text)
            guard rest.count >= 8 else { return false }
            let clock = rest.prefix(8)
            rest = rest.dropFirst(8)
            let fields = clock.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count == 3, fields.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isNumber) }),
                let hour = Int(fields[0]), let minute = Int(fields[1]), let second = Int(fields[2]), hour < 24, minute < 60, second <= 60
            else { return false }
            if rest.first == "." {
                rest = rest.dropFirst()
                let digits = rest.prefix { $0.isNumber }
                guard !digits.isEmpty else { return false }
                rest = rest.dropFirst(digits.count)
            }
            if rest == "Z" || rest == "z" { return true }
            guard rest.count == 6, let sign = rest.first, sign == "+" || sign == "-" else { return false }
            let offset = rest.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
            guard offset.count == 2, let hours = Int(offset[0]), let minutes = Int(offset[1]) else { return false }
            return hours < 24 && minutes < 60
        }

        static func isDateTime(_ text: String) -> Bool {
            guard let separator = text.firstIndex(where: { $0 == "T" || $0 == "t" }) else { return false }
            return isDate(String(text[..<separator])) && isTime(String(text[text.index(after: separator)...]))
        }

        static func isEmail(_ text: String) -> Bool {
            guard let at = text.lastIndex(of: "@") else { return false }
            let local = text[..<at]
            let domain = text[text.index(after: at)...]
            return !local.isEmpty && local.count <= 64 && !domain.isEmpty && (isHostname(String(domain)) || domain.hasPrefix("["))
        }

        static func isHostname(_ text: String) -> Bool {
            let name = text.hasSuffix(".") ? String(text.dropLast()) : text
            guard !name.isEmpty, name.utf8.count <= 253 else { return false }
            return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        }

        static func isIPv4(_ text: String) -> Bool {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4
                && parts.allSatisfy { part in
                    !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isNumber) && (part == "0" || part.first != "0") && (Int(part) ?? 256) <= 255
                }
        }

        static func isURI(_ text: String, absolute: Bool) -> Bool {
            guard !text.contains(" "), let components = URLComponents(string: text) else { return false }
            return !absolute || components.scheme != nil
        }
    }
}
