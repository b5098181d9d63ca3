import Foundation

/// The block structure of a Markdown document, rendered line by line.
struct BlockRenderer {
    /// Quotes nest this deep at most; deeper `>` are text (no input may exhaust the stack).
    static let maxDepth = 8
    let lines: [String]
    let headingOffset: Int
    let depth: Int
    var index = 0
    var out = ""

    init(lines: [String], headingOffset: Int, depth: Int = 0) {
        self.lines = lines
        self.headingOffset = headingOffset
        self.depth = depth
    }

    mutating func render() -> String {
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                index += 1
            } else if let fence = Self.fence(trimmed) {
                fencedCode(fence)
            } else if line.hasPrefix("    ") {
                indentedCode()
            } else if let level = Self.headingLevel(trimmed) {
                let text = trimmed.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                let clean = Self.closingHashesRemoved(text)
                let tag = "h\(min(level + headingOffset, 6))"
                out += "<\(tag)>\(Markdown.inline(clean))</\(tag)>\n"
                index += 1
            } else if Self.isRule(trimmed) {
                out += "<hr>\n"
                index += 1
            } else if trimmed.hasPrefix(">"), depth < Self.maxDepth {
                blockQuote()
            } else if Self.listMarker(trimmed) != nil {
                list()
            } else if trimmed.hasPrefix("|"), index + 1 < lines.count, Self.isTableSeparator(lines[index + 1]) {
                table()
            } else {
                paragraph()
            }
        }
        return out
    }

    /// `Title ##` → `Title` (an ATX heading's optional closing sequence).
    static func closingHashesRemoved(_ text: String) -> String {
        var core = Substring(text)
        while core.last == "#" { core = core.dropLast() }
        guard core.count < text.count, core.isEmpty || core.last == " " else { return text }
        while core.last == " " { core = core.dropLast() }
        return String(core)
    }

    static func fence(_ trimmed: String) -> String? {
        for marker in ["```", "~~~"] where trimmed.hasPrefix(marker) { return marker }
        return nil
    }

    static func headingLevel(_ trimmed: String) -> Int? {
        let hashes = trimmed.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = trimmed.dropFirst(hashes)
        return rest.isEmpty || rest.first == " " ? hashes : nil
    }

    static func isRule(_ trimmed: String) -> Bool {
        let compact = trimmed.filter { $0 != " " }
        guard compact.count >= 3, let first = compact.first, "-*_".contains(first) else { return false }
        return compact.allSatisfy { $0 == first }
    }

    /// `-`, `*`, `+` (unordered) or `1.`/`1)` (ordered), then a space: (ordered, text).
    static func listMarker(_ trimmed: String) -> (ordered: Bool, text: String)? {
        if let first = trimmed.first, "-*+".contains(first), trimmed.dropFirst().first == " " {
            return (false, String(trimmed.dropFirst(2)))
        }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        let rest = trimmed.dropFirst(digits.count)
        guard let mark = rest.first, mark == "." || mark == ")", rest.dropFirst().first == " " else { return nil }
        return (true, String(rest.dropFirst(2)))
    }

    static func isTableSeparator(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.contains("-") && trimmed.allSatisfy { "|-: ".contains($0) }
    }

    static func cells(_ line: String) -> [String] {
        var trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("|") { trimmed.removeFirst() }
        if trimmed.hasSuffix("|") { trimmed.removeLast() }
        return trimmed.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    mutating func fencedCode(_ fence: String) {
        index += 1
        var code: [String] = []
        while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).hasPrefix(fence) {
            code.append(lines[index])
            index += 1
        }
        index += 1  // the closing fence (or the end)
        out += "<pre><code>" + HTMLText.escape(code.joined(separator: "\n")) + "</code></pre>\n"
    }

    mutating func indentedCode() {
        var code: [String] = []
        while index < lines.count, lines[index].hasPrefix("    ") || lines[index].trimmingCharacters(in: .whitespaces).isEmpty {
            code.append(String(lines[index].dropFirst(min(4, lines[index].count))))
            index += 1
        }
        while code.last?.isEmpty == true { code.removeLast() }
        out += "<pre><code>" + HTMLText.escape(code.joined(separator: "\n")) + "</code></pre>\n"
    }

    mutating func blockQuote() {
        var quoted: [String] = []
        while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).hasPrefix(">") {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces).dropFirst()
            quoted.append(String(trimmed.hasPrefix(" ") ? trimmed.dropFirst() : trimmed))
            index += 1
        }
        var inner = BlockRenderer(lines: quoted, headingOffset: headingOffset, depth: depth + 1)
        out += "<blockquote>\n" + inner.render() + "</blockquote>\n"
    }

    mutating func list() {
        guard let first = Self.listMarker(lines[index].trimmingCharacters(in: .whitespaces)) else { return }
        let tag = first.ordered ? "ol" : "ul"
        var items: [String] = []
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let marker = Self.listMarker(trimmed) {
                guard marker.ordered == first.ordered else { break }  // another kind of list begins
                items.append(marker.text)
            } else if !trimmed.isEmpty, line.hasPrefix("  "), !items.isEmpty {
                items[items.count - 1] += " " + trimmed  // a continuation line
            } else {
                break
            }
            index += 1
        }
        out += "<\(tag)>\n" + items.map { "<li>\(Markdown.inline($0))</li>\n" }.joined() + "</\(tag)>\n"
    }

    mutating func table() {
        let header = Self.cells(lines[index])
        index += 2
        var rows: [[String]] = []
        while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
            rows.append(Self.cells(lines[index]))
            index += 1
        }
        var html = "<div class=\"table-wrap\"><table>\n<thead><tr>"
        html += header.map { "<th scope=\"col\">\(Markdown.inline($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>" + (0..<header.count).map { "<td>\(Markdown.inline($0 < row.count ? row[$0] : ""))</td>" }.joined() + "</tr>\n"
        }
        out += html + "</tbody>\n</table></div>\n"
    }

    mutating func paragraph() {
        var text: [String] = []
        while index < lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || Self.fence(trimmed) != nil || Self.headingLevel(trimmed) != nil
                || (trimmed.hasPrefix(">") && depth < Self.maxDepth)
                || (Self.isRule(trimmed) && !text.isEmpty && !trimmed.hasPrefix("-")) || (Self.listMarker(trimmed) != nil && text.isEmpty)
            {
                break
            }
            if Self.isRule(trimmed), trimmed.hasPrefix("-"), !text.isEmpty {
                // A setext heading: the paragraph becomes an h2.
                index += 1
                out += "<h\(min(2 + headingOffset, 6))>\(Markdown.inline(text.joined(separator: " ")))</h\(min(2 + headingOffset, 6))>\n"
                return
            }
            text.append(trimmed)
            index += 1
        }
        if text.isEmpty {
            // A line no other block took (a list marker we refused): plain text, never lost.
            text.append(lines[index].trimmingCharacters(in: .whitespaces))
            index += 1
        }
        out += "<p>\(Markdown.inline(text.joined(separator: "\n")))</p>\n"
    }
}
