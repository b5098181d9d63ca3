/// A line diff of two texts in the unified format (`diff -u`): `---`/`+++` headers, `@@` hunks
/// with three lines of context. Pure; quadratic in the line counts, so larger texts are only
/// said to differ.
public enum UnifiedDiff {
    /// Texts whose line counts multiply past this are not diffed line by line.
    static let maxCells = 4_000_000

    /// The diff from `old` to `new`, or `nil` when they are equal.
    public static func make(_ old: String, _ new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String? {
        guard old != new else { return nil }
        let a = lines(old)
        let b = lines(new)
        let header = "--- \(oldLabel)\n+++ \(newLabel)\n"
        guard a.count * b.count <= maxCells else { return header + "(the texts differ; too large to show line by line)\n" }
        let script = edits(a, b)
        var out = header
        var index = 0
        while index < script.count {
            // The next change, with its context before and after; nearby changes share a hunk.
            guard let first = script[index...].firstIndex(where: { $0.kind != .same }) else { break }
            var last = first
            var scan = first
            while scan < script.count {
                if script[scan].kind != .same {
                    last = scan
                } else if scan - last > 2 * context {
                    break
                }
                scan += 1
            }
            let start = max(first - context, index)
            let end = min(last + context + 1, script.count)
            let slice = script[start..<end]
            let oldStart = (slice.first?.oldLine ?? 0) + 1
            let newStart = (slice.first?.newLine ?? 0) + 1
            let oldCount = slice.filter { $0.kind != .inserted }.count
            let newCount = slice.filter { $0.kind != .deleted }.count
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for edit in slice {
                switch edit.kind {
                case .same: out += " \(edit.text)\n"
                case .deleted: out += "-\(edit.text)\n"
                case .inserted: out += "+\(edit.text)\n"
                }
            }
            index = end
        }
        return out
    }

    /// `start,count` as diff writes it: `start` alone for one line, the line before for none.
    static func range(_ start: Int, _ count: Int) -> String {
        switch count {
        case 0: "\(start - 1),0"
        case 1: "\(start)"
        default: "\(start),\(count)"
        }
    }

    struct Edit {
        enum Kind { case same, deleted, inserted }
        let kind: Kind
        let text: Substring
        /// Lines of the old and new text before this one.
        let oldLine: Int
        let newLine: Int
    }

    static func lines(_ text: String) -> [Substring] {
        guard !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if text.hasSuffix("\n") { lines.removeLast() }
        return lines
    }

    /// The shortest edit script by a longest common subsequence table.
    static func edits(_ a: [Substring], _ b: [Substring]) -> [Edit] {
        let n = a.count
        let m = b.count
        var table = [Int](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i * (m + 1) + j] =
                    a[i] == b[j] ? table[(i + 1) * (m + 1) + j + 1] + 1 : max(table[(i + 1) * (m + 1) + j], table[i * (m + 1) + j + 1])
            }
        }
        var script: [Edit] = []
        var i = 0
        var j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                script.append(Edit(kind: .same, text: a[i], oldLine: i, newLine: j))
                i += 1
                j += 1
            } else if i < n, j == m || table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1] {
                script.append(Edit(kind: .deleted, text: a[i], oldLine: i, newLine: j))
                i += 1
            } else {
                script.append(Edit(kind: .inserted, text: b[j], oldLine: i, newLine: j))
                j += 1
            }
        }
        return script
    }
}
