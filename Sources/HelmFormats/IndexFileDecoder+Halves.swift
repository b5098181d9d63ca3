import Foundation

/// Decoding a large index in two halves at once, one per thread.
///
/// An index laid out as helm writes it (block style, `entries:` at the left margin, one chart
/// entry per key at a fixed indent) can be cut before a chart entry near its middle. The head is
/// the index up to the cut; the tail is read as `entries:` followed by the rest. Both are decoded
/// with the usual rules; ``merge(_:_:)`` then checks what only the whole index shows (an entry or
/// a top-level key in both halves, a missing apiVersion). Whenever a half fails, the caller
/// decodes the whole index once more with ``decode(_:onVersion:)``, for the exact error (a cut in
/// an unusual layout can only make a half fail, never read differently).
extension IndexFileDecoder {
    /// Indexes smaller than this decode in one piece: splitting would not pay.
    public static let halvesThreshold = 2 << 20

    /// Where the tail starts: the first byte of a chart entry's key line near the middle, or
    /// `nil` when the index is small or not laid out so that a cut is certain to be clean.
    public static func splitPoint(_ bytes: UnsafeRawBufferPointer, minimumSize: Int = halvesThreshold) -> Int? {
        guard bytes.count >= max(minimumSize, 64), bytes.baseAddress != nil else { return nil }
        let newline = UInt8(ascii: "\n")
        let space = UInt8(ascii: " ")
        guard let first = bytes.firstIndex(where: { $0 != space && $0 != newline && $0 != 0x0D && $0 != 0x09 }),
            bytes[first] != UInt8(ascii: "{")
        else { return nil }

        let base = bytes.baseAddress!
        /// The line starting at `start`: its end (index of "\n" or count) and the next line's start.
        func line(at start: Int) -> (end: Int, next: Int) {
            guard let found = memchr(base + start, Int32(newline), bytes.count - start) else { return (bytes.count, bytes.count) }
            let end = base.distance(to: UnsafeRawPointer(found))
            return (end, end + 1)
        }
        func indent(_ start: Int, _ end: Int) -> Int {
            var index = start
            while index < end, bytes[index] == space { index += 1 }
            return index - start
        }
        /// Whether the line is blank or a comment.
        func isTrivia(_ start: Int, _ end: Int) -> Bool {
            var index = start
            while index < end, bytes[index] == space || bytes[index] == 0x0D { index += 1 }
            return index == end || bytes[index] == UInt8(ascii: "#")
        }
        /// Whether the text is `key:` with nothing after the colon but spaces.
        func isBlockKey(_ start: Int, _ end: Int) -> Bool {
            var last = end
            while last > start, bytes[last - 1] == space || bytes[last - 1] == 0x0D { last -= 1 }
            guard last > start + 1, bytes[last - 1] == UInt8(ascii: ":") else { return false }
            for index in start..<(last - 1) {
                switch bytes[index] {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                    continue
                default:
                    return false
                }
            }
            return true
        }

        // Find `entries:` at the left margin; every line before it must be plain top-level
        // YAML (no document marker).
        var start = 0
        var entriesNext: Int?
        while start < bytes.count {
            let (end, next) = line(at: start)
            if end - start >= 3, bytes[start] == UInt8(ascii: "-") || bytes[start] == UInt8(ascii: "."),
                bytes[start + 1] == bytes[start], bytes[start + 2] == bytes[start]
            {
                return nil
            }
            if indent(start, end) == 0, !isTrivia(start, end), isBlockKey(start, end),
                end - start >= 8, Array(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + 8)])) == Array("entries:".utf8)
            {
                entriesNext = next
                break
            }
            start = next
        }
        guard let entriesStart = entriesNext else { return nil }

        // The entries' indent: the first meaningful line after `entries:`, a block key.
        start = entriesStart
        var childIndent = 0
        while start < bytes.count {
            let (end, next) = line(at: start)
            if !isTrivia(start, end) {
                childIndent = indent(start, end)
                guard childIndent > 0, isBlockKey(start + childIndent, end) else { return nil }
                break
            }
            start = next
        }
        guard childIndent > 0 else { return nil }

        // Walk to the middle: the mapping must not end (a line at the left margin) before the cut,
        // and no document marker may appear.
        let middle = bytes.count / 2
        var cut: Int?
        start = line(at: start).next
        while start < bytes.count {
            let (end, next) = line(at: start)
            if !isTrivia(start, end) {
                let lineIndent = indent(start, end)
                if lineIndent == 0 { return nil }
                if start >= middle, lineIndent == childIndent, isBlockKey(start + childIndent, end) {
                    cut = start
                    break
                }
            }
            start = next
        }
        guard let cut else { return nil }
        // No document marker in the tail either.
        start = cut
        while start < bytes.count {
            let (end, next) = line(at: start)
            if end - start >= 3, bytes[start] == UInt8(ascii: "-") || bytes[start] == UInt8(ascii: "."),
                bytes[start + 1] == bytes[start], bytes[start + 2] == bytes[start]
            {
                return nil
            }
            start = next
        }
        return cut
    }

    /// Decodes the index up to `cut` (see ``splitPoint(_:)``).
    public static func decodeHead(
        _ bytes: UnsafeRawBufferPointer,
        upTo cut: Int,
        onVersion: (IndexChartVersion) throws -> Void
    ) throws -> Report {
        let head = UnsafeRawBufferPointer(rebasing: bytes[0..<cut])
        var decoder = IndexFileDecoder(events: try YAMLEventStream(borrowingChunks: [head]), lenient: false, part: .head)
        return try decoder.decodeDocument(onVersion)
    }

    /// Decodes the index from `cut` on, as the continuation of its `entries`.
    public static func decodeTail(
        _ bytes: UnsafeRawBufferPointer,
        from cut: Int,
        onVersion: (IndexChartVersion) throws -> Void
    ) throws -> Report {
        try entriesPrefix.withUnsafeBytes { prefix in
            let chunks = [prefix, UnsafeRawBufferPointer(rebasing: bytes[cut...])]
            var decoder = IndexFileDecoder(events: try YAMLEventStream(borrowingChunks: chunks), lenient: false, part: .tail)
            return try decoder.decodeDocument(onVersion)
        }
    }

    private static let entriesPrefix: [UInt8] = Array("entries:\n".utf8)

    /// The report of the whole index from its halves' reports; throws where the whole index
    /// would have been refused (the caller then decodes it whole for the exact message).
    public static func merge(_ head: Report, _ tail: Report) throws -> Report {
        let headEntries = Set(head.entryNames)
        if let duplicate = tail.entryNames.first(where: headEntries.contains) {
            throw HelmFormatError("key \"\(duplicate)\" is duplicated")
        }
        let headKeys = Set(head.topLevelKeys)
        if let duplicate = tail.topLevelKeys.first(where: headKeys.contains) {
            throw HelmFormatError("key \"\(duplicate)\" is duplicated")
        }
        var report = Report()
        report.apiVersion = head.apiVersion.isEmpty ? tail.apiVersion : head.apiVersion
        guard !report.apiVersion.isEmpty else { throw HelmFormatError("no API version specified") }
        report.generated = head.generated ?? tail.generated
        report.versions = head.versions + tail.versions
        report.skipped = head.skipped + tail.skipped
        return report
    }
}
