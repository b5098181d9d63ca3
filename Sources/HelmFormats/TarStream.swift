/// A tar archive read as it streams in, the way Go's `archive/tar` reads what `helm package`
/// writes: ustar and GNU headers (with the ustar name prefix, base-256 sizes, GNU long names) and
/// PAX extended headers (`path`, `size`). Each member is announced to the caller, who says whether
/// it wants the bytes; unwanted bytes are skipped, never kept.
struct TarStream {
    /// One member's header.
    struct Member {
        var name: String
        var size: Int
        /// `0` regular file, `5` directory, `2` symbolic link, …
        var type: UInt8
        /// The target of a hard (`1`) or symbolic (`2`) link.
        var linkName = ""

        var isLink: Bool { type == UInt8(ascii: "1") || type == UInt8(ascii: "2") }

        var isDirectory: Bool { type == UInt8(ascii: "5") }
        var isRegularFile: Bool { type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "7") }
    }

    /// Called for each member; return whether its bytes should be collected.
    typealias Announce = (Member) throws(HelmFormatError) -> Bool
    /// Called with a collected member's bytes.
    typealias Collect = (Member, [UInt8]) throws(HelmFormatError) -> Void

    private enum State {
        case header
        /// Reading a member's data (or skipping it), then its padding to the next 512-byte block.
        case data(Member, remaining: Int, padding: Int, keep: Bool)
        /// A PAX or GNU long-name header's data, read to apply to the next member.
        case meta(type: UInt8, remaining: Int, padding: Int)
        case ended
    }

    private var state = State.header
    private var block: [UInt8] = []
    private var collected: [UInt8] = []
    private var meta: [UInt8] = []
    private var longName: String?
    private var paxPath: String?
    private var paxSize: Int?
    private let announce: Announce
    private let collect: Collect
    /// The largest PAX or long-name header accepted.
    private static let maxMetaSize = 1 << 20

    init(announce: @escaping Announce, collect: @escaping Collect) {
        self.announce = announce
        self.collect = collect
        block.reserveCapacity(512)
    }

    /// Whether the stream stopped between members, as a complete archive does (Go also accepts
    /// an archive that ends without the zero blocks).
    var isAtBoundary: Bool {
        switch state {
        case .ended: return true
        case .header: return block.isEmpty
        default: return false
        }
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(HelmFormatError) {
        var index = 0
        while index < bytes.count {
            switch state {
            case .ended:
                return
            case .header:
                let take = min(512 - block.count, bytes.count - index)
                block.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<index + take]))
                index += take
                if block.count == 512 {
                    try readHeader()
                    block.removeAll(keepingCapacity: true)
                }
            case .data(let member, let remaining, let padding, let keep):
                let take = min(remaining, bytes.count - index)
                if keep { collected.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<index + take])) }
                index += take
                if remaining - take > 0 {
                    state = .data(member, remaining: remaining - take, padding: padding, keep: keep)
                } else {
                    if keep && remaining > 0 {
                        try collect(member, collected)
                        collected = []
                    }
                    let skip = min(padding, bytes.count - index)
                    index += skip
                    state = padding - skip == 0 ? .header : .data(member, remaining: 0, padding: padding - skip, keep: false)
                }
            case .meta(let type, let remaining, let padding):
                let take = min(remaining, bytes.count - index)
                meta.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<index + take]))
                index += take
                if remaining - take > 0 {
                    state = .meta(type: type, remaining: remaining - take, padding: padding)
                } else {
                    if remaining > 0 { try applyMeta(type: type) }
                    let skip = min(padding, bytes.count - index)
                    index += skip
                    state = padding - skip == 0 ? .header : .meta(type: type, remaining: 0, padding: padding - skip)
                }
            }
        }
    }

    private mutating func readHeader() throws(HelmFormatError) {
        if block.allSatisfy({ $0 == 0 }) {
            state = .ended
            return
        }
        try verifyChecksum()
        let type = block[156]
        let size = try Self.number(block[124..<136], field: "size")
        let padding = (512 - size % 512) % 512
        switch type {
        case UInt8(ascii: "x"), UInt8(ascii: "L"):
            guard size <= Self.maxMetaSize else { throw HelmFormatError("archive: extended header of \(size) bytes is too large") }
            meta.removeAll(keepingCapacity: true)
            state = size == 0 ? .header : .meta(type: type, remaining: size, padding: padding)
            return
        case UInt8(ascii: "g"), UInt8(ascii: "K"):
            // Global PAX headers and GNU long link names do not name a member: skipped.
            let keep = false
            state = size == 0 ? .header : .data(Member(name: "", size: size, type: type), remaining: size, padding: padding, keep: keep)
            return
        default:
            break
        }
        let name = longName ?? paxPath ?? headerName()
        longName = nil
        paxPath = nil
        let memberSize = paxSize ?? size
        paxSize = nil
        var memberType = type
        // Old tar: a regular file whose name ends in "/" is a directory.
        if (type == 0 || type == UInt8(ascii: "0")) && name.hasSuffix("/") { memberType = UInt8(ascii: "5") }
        let member = Member(name: name, size: memberSize, type: memberType, linkName: Self.string(block[157..<257]))
        let dataSize =
            [UInt8(ascii: "1"), UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "4"), UInt8(ascii: "5"), UInt8(ascii: "6")]
                .contains(type) ? 0 : memberSize
        let keep = try announce(member)
        let dataPadding = (512 - dataSize % 512) % 512
        collected = []
        if keep && dataSize == 0 { try collect(member, []) }
        if dataSize == 0 {
            state = .header
        } else {
            // The declared size is only a claim: reserve at most 1 MiB ahead of the bytes that come.
            if keep { collected.reserveCapacity(min(dataSize, 1 << 20)) }
            state = .data(member, remaining: dataSize, padding: dataPadding, keep: keep)
        }
    }

    /// The name field, with the ustar prefix when the header is POSIX ustar.
    private func headerName() -> String {
        let name = Self.string(block[0..<100])
        let isUstar = block[257..<263].elementsEqual("ustar\u{0}".utf8)
        guard isUstar else { return name }
        let prefix = Self.string(block[345..<500])
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    private func verifyChecksum() throws(HelmFormatError) {
        let stored = try Self.number(block[148..<156], field: "checksum")
        var unsigned = 0
        var signed = 0
        for (offset, byte) in block.enumerated() {
            let value = (148..<156).contains(offset) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw HelmFormatError("archive: invalid tar header (checksum mismatch); the file is not a tar archive or is damaged")
        }
    }

    private mutating func applyMeta(type: UInt8) throws(HelmFormatError) {
        if type == UInt8(ascii: "L") {
            longName = Self.string(meta[...])
            return
        }
        // PAX records: "<length> <key>=<value>\n".
        var index = 0
        while index < meta.count {
            guard let space = meta[index...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: meta[index..<space], as: UTF8.self)), length > 0, index + length <= meta.count,
                meta[index + length - 1] == UInt8(ascii: "\n")
            else { throw HelmFormatError("archive: invalid PAX extended header") }
            let record = meta[(space + 1)..<(index + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                let value = String(decoding: record[(equals + 1)...], as: UTF8.self)
                switch key {
                case "path": paxPath = value
                case "size":
                    guard let size = Int(value), size >= 0 else { throw HelmFormatError("archive: invalid PAX size \(value)") }
                    paxSize = size
                default: break
                }
            }
            index += length
        }
    }

    /// A NUL-terminated string field.
    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }

    /// An octal field, or a base-256 one (GNU) when its first byte has the high bit set.
    private static func number(_ bytes: ArraySlice<UInt8>, field: String) throws(HelmFormatError) -> Int {
        if let first = bytes.first, first & 0x80 != 0 {
            var value = Int(first & 0x7f)
            for byte in bytes.dropFirst() {
                guard value < (Int.max >> 8) else { throw HelmFormatError("archive: tar \(field) field overflows") }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var seenDigit = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard value < (Int.max >> 3) else { throw HelmFormatError("archive: tar \(field) field overflows") }
                value = value * 8 + Int(byte - UInt8(ascii: "0"))
                seenDigit = true
            case 0, UInt8(ascii: " "):
                if seenDigit { return value }
            default:
                throw HelmFormatError("archive: invalid tar header (\(field) field is not a number)")
            }
        }
        return value
    }
}
