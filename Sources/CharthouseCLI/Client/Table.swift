import Foundation

/// A plain-text table with a header row and columns padded to their widest cell; without a
/// header, lines of text.
struct Table {
    var header: [String]
    var rows: [[String]]
    /// A line printed above the table.
    var title: String?
    /// Tables printed after this one, each after a blank line.
    var following: [Table] = []

    init(header: [String], rows: [[String]], title: String? = nil) {
        self.header = header
        self.rows = rows
        self.title = title
    }

    func render() -> String {
        var widths = (header.isEmpty ? rows.first ?? [] : header).map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "   ") + "\n"
        }
        return (title.map { $0 + "\n" } ?? "") + ((header.isEmpty ? [] : [line(header)]) + rows.map(line)).joined()
            + following.map { "\n" + $0.render() }.joined()
    }

    /// A timestamp as everywhere in the CLI (RFC 3339, UTC), or `-`.
    static func date(_ date: Date?) -> String {
        date.map(Output.timestamp) ?? "-"
    }
}
