import Foundation

/// Markdown to HTML for chart READMEs, safely: every character of the source is escaped, raw
/// HTML shows as text, links keep only `http`, `https`, `mailto` and in-page targets, and
/// images become links (the console loads nothing from elsewhere). A CommonMark subset:
/// headings, paragraphs, fenced and indented code, block quotes, lists, tables, rules,
/// emphasis, code spans, links and autolinks.
public enum Markdown {
    /// The HTML of `source`; headings are shifted down `headingOffset` levels (a page's own
    /// title is its `h1`).
    public static func html(_ source: String, headingOffset: Int = 1) -> String {
        var renderer = BlockRenderer(lines: Self.lines(source), headingOffset: headingOffset)
        return renderer.render()
    }

    static func lines(_ source: String) -> [String] {
        source.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}").replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\t", with: "    ").components(separatedBy: "\n")
    }

    /// A link target the console may point at, or nil.
    static func safeURL(_ url: String) -> String? {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") || lower.hasPrefix("#") {
            return trimmed
        }
        return nil
    }

    // MARK: - Inline

    /// Inline Markdown of one block's text, escaped. Linear in the text: every look-ahead
    /// (closing backticks, brackets, parentheses, angle brackets) is a table lookup.
    static func inline(_ text: String) -> String {
        let characters = Array(text)
        let count = characters.count
        func nextTable(_ target: Character) -> [Int] {
            var table = [Int](repeating: count, count: count + 1)
            var index = count - 1
            while index >= 0 {
                table[index] = characters[index] == target ? index : table[index + 1]
                index -= 1
            }
            return table
        }
        let nextBracket = nextTable("]")
        let nextParen = nextTable(")")
        let nextAngle = nextTable(">")
        let nextTick = nextTable("`")
        var out = ""
        var plain = ""
        func flush() {
            out += emphasis(HTMLText.escape(plain))
            plain = ""
        }
        func string(_ range: Range<Int>) -> String { String(characters[range]) }
        var index = 0
        while index < count {
            let character = characters[index]
            if character == "\\", index + 1 < count, "\\`*_{}[]()#+-.!<>|".contains(characters[index + 1]) {
                plain.append(characters[index + 1])
                index += 2
                continue
            }
            if character == "`" {
                var run = index
                while run < count, characters[run] == "`" { run += 1 }
                let length = run - index
                // The next run of exactly as many backticks closes the span (a few runs looked at, at most).
                var candidate = nextTick[run]
                var looked = 0
                while candidate < count, looked < 32 {
                    var end = candidate
                    while end < count, characters[end] == "`" { end += 1 }
                    if end - candidate == length {
                        flush()
                        out += "<code>" + HTMLText.escape(string(run..<candidate).trimmingCharacters(in: .whitespaces)) + "</code>"
                        index = end
                        break
                    }
                    candidate = nextTick[end]
                    looked += 1
                }
                if index >= run { continue }
                plain += string(index..<run)
                index = run
                continue
            }
            if character == "<", nextAngle[index] < count {
                let inside = string(index + 1..<nextAngle[index])
                if !inside.contains(" "), let url = safeURL(inside), !url.hasPrefix("#") {
                    flush()
                    out += link(url, text: HTMLText.escape(inside))
                    index = nextAngle[index] + 1
                    continue
                }
            }
            let image = character == "!" && index + 1 < count && characters[index + 1] == "["
            let open = image ? index + 1 : index
            if characters[open] == "[", nextBracket[open] < count {
                let close = nextBracket[open]
                if close + 1 < count, characters[close + 1] == "(", nextParen[close + 1] < count {
                    let label = string(open + 1..<close)
                    let target = string(close + 2..<nextParen[close + 1]).trimmingCharacters(in: .whitespaces)
                    let url = String(target.prefix { $0 != " " })
                    flush()
                    let shown = image ? HTMLText.escape(label.isEmpty ? url : label) : inline(label)
                    out += safeURL(url).map { link($0, text: shown) } ?? shown
                    index = nextParen[close + 1] + 1
                    continue
                }
            }
            plain.append(character)
            index += 1
        }
        flush()
        return out
    }

    static func link(_ url: String, text: String) -> String {
        "<a href=\"\(HTMLText.escape(url))\" rel=\"nofollow noopener noreferrer\">\(text)</a>"
    }

    /// `**strong**`, `__strong__`, `*em*`, `_em_` in escaped text, paired left to right.
    static func emphasis(_ escaped: String) -> String {
        guard escaped.contains("*") || escaped.contains("_") else { return escaped }
        var text = pair(escaped, "**", "strong", wordBound: false)
        text = pair(text, "__", "strong", wordBound: true)
        text = pair(text, "*", "em", wordBound: false)
        return pair(text, "_", "em", wordBound: true)
    }

    /// Wraps the text between successive `marker`s in `tag` where it does not start or end with
    /// white space (and, with `wordBound`, where the markers are not inside a word: snake_case).
    static func pair(_ text: String, _ marker: String, _ tag: String, wordBound: Bool) -> String {
        let parts = text.components(separatedBy: marker)
        guard parts.count >= 3 else { return text }
        var out = parts[0]
        var index = 1
        while index < parts.count {
            let inner = parts[index]
            let isWord: (Character?) -> Bool = { $0.map { $0.isLetter || $0.isNumber } ?? false }
            if index + 1 < parts.count, let first = inner.first, let last = inner.last, !first.isWhitespace, !last.isWhitespace,
                !wordBound || (!isWord(out.last) && !isWord(parts[index + 1].first))
            {
                out += "<\(tag)>\(inner)</\(tag)>" + parts[index + 1]
                index += 2
            } else {
                out += marker + inner
                index += 1
            }
        }
        return out
    }
}
