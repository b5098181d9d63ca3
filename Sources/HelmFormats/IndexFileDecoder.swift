import Foundation

/// Reads an `index.yaml` as a stream of libyaml events and hands each chart version to a
/// callback, with helm's semantics (`repo.loadIndex` over `sigs.k8s.io/yaml.UnmarshalStrict`):
///
/// - the whole index is refused for invalid YAML, an unknown field, a duplicated key, a value of
///   the wrong shape (a list where a string belongs, a timestamp that is not RFC 3339, …), or a
///   missing `apiVersion`;
/// - a plain scalar in a string field becomes go-yaml's text for it (`1.10` → `1.1`, `yes` →
///   `true`), quoted scalars stay as written;
/// - an index that is valid JSON is read leniently, as helm's `json.Unmarshal` does (unknown
///   fields ignored), but numbers never become strings there;
/// - versions helm skips (`Validate` fails: no name, invalid SemVer, …) are reported, not fatal.
///
/// Only the first YAML document is read, as go-yaml does. Aliases are refused.
public struct IndexFileDecoder {
    /// What a decode found besides the versions themselves.
    public struct Report: Sendable, Hashable {
        public var apiVersion = ""
        /// `generated` as written, if present.
        public var generated: String?
        /// Versions handed to the callback (valid ones).
        public var versions = 0
        /// Versions helm would skip, with the reason.
        public var skipped: [Skipped] = []
        /// When a part of an index was decoded: its chart entries and top-level keys, for the
        /// checks across parts (a key in both halves is a duplicate).
        var entryNames: [String] = []
        var topLevelKeys: [String] = []
    }

    /// What the decoder reads: a whole index, or one of its two halves (see `IndexFileDecoder+Halves`).
    enum Part: Equatable {
        case whole
        /// The index up to a cut before a chart entry: everything but the apiVersion check.
        case head
        /// `entries:` followed by the rest of the index from the cut; that first key is not the index's own.
        case tail
    }

    /// A chart version helm skips when it loads the index.
    public struct Skipped: Sendable, Hashable {
        public let entry: String
        public let version: String
        public let reason: String
    }

    private let events: YAMLEventStream
    private let lenient: Bool
    private let part: Part
    /// Reading a chart's own `Chart.yaml` (see ``IndexChartVersion/init(chartYAML:)``).
    private var chartYAML = false
    private var peeked: YAMLEvent?

    /// Decodes `data`, calling `onVersion` for every version helm keeps, in file order.
    public static func decode(_ data: some Collection<UInt8>, onVersion: (IndexChartVersion) throws -> Void) throws -> Report {
        guard data.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw HelmFormatError("empty index.yaml file")
        }
        let lenient = Self.isJSON(data)
        // Parse contiguous input (Data, arrays) in place rather than copying a large index.
        if let report = try data.withContiguousStorageIfAvailable({ buffer in
            var decoder = IndexFileDecoder(events: try YAMLEventStream(borrowing: buffer), lenient: lenient)
            return try decoder.decodeDocument(onVersion)
        }) {
            return report
        }
        var decoder = IndexFileDecoder(events: try YAMLEventStream(data), lenient: lenient)
        return try decoder.decodeDocument(onVersion)
    }

    init(events: YAMLEventStream, lenient: Bool, part: Part = .whole) {
        self.events = events
        self.part = part
        self.lenient = lenient
    }

    private static func isJSON(_ data: some Collection<UInt8>) -> Bool {
        guard let first = data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }), first == UInt8(ascii: "{") else {
            return false
        }
        return (try? JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed])) != nil
    }

    /// Reads a chart's `Chart.yaml` as helm's loader does (`yaml.Unmarshal` into its metadata):
    /// unknown fields are ignored, plain scalars in string fields become their text.
    static func decodeChartYAML(_ text: String) throws -> IndexChartVersion {
        var decoder = IndexFileDecoder(events: try YAMLEventStream(Array(text.utf8)), lenient: false)
        decoder.chartYAML = true
        guard try decoder.next() == .streamStart else { throw decoder.fail("not a YAML stream") }
        guard try decoder.next() == .documentStart, try decoder.next() == .mappingStart else {
            throw HelmFormatError("Chart.yaml is not a YAML mapping")
        }
        return try decoder.readChartVersion(entry: "")
    }

    // MARK: - Events

    private mutating func next() throws -> YAMLEvent {
        if let event = peeked {
            peeked = nil
            return event
        }
        let event = try events.next()
        if event == .alias { throw HelmFormatError("YAML aliases are not supported in index.yaml (line \(events.line))") }
        return event
    }

    private mutating func peek() throws -> YAMLEvent {
        if let event = peeked { return event }
        let event = try next()
        peeked = event
        return event
    }

    private func fail(_ message: String) -> HelmFormatError {
        HelmFormatError("\(message) (line \(events.line))")
    }

    // MARK: - Document

    mutating func decodeDocument(_ onVersion: (IndexChartVersion) throws -> Void) throws -> Report {
        var report = Report()
        guard try next() == .streamStart else { throw fail("not a YAML stream") }
        guard try next() == .documentStart else {
            throw HelmFormatError("no API version specified")
        }
        switch try next() {
        case .mappingStart: break
        case .scalar(let value, let style, let tag) where YAMLScalar(value, style: style, tag: tag) == .null:
            throw HelmFormatError("no API version specified")
        default:
            throw fail("index.yaml is not a YAML mapping")
        }
        var seen = Set<String>()
        while true {
            let event = try next()
            if event == .mappingEnd { break }
            let key = try keyText(event)
            try noteKey(key, in: &seen)
            if part == .head || (part == .tail && seen.count > 1) { report.topLevelKeys.append(key) }
            switch key.lowercased() {
            case "apiversion": report.apiVersion = try readString(field: "apiVersion")
            case "generated": report.generated = try readTime(field: "generated")
            case "entries": try readEntries(into: &report, onVersion)
            case "serverinfo": try skipValue(expecting: .mapping, field: "serverInfo")
            case "publickeys": _ = try readStringList(field: "publicKeys")
            case "annotations": _ = try readStringMap(field: "annotations")
            default: try unknownField(key)
            }
        }
        guard !report.apiVersion.isEmpty || part != .whole else { throw HelmFormatError("no API version specified") }
        return report
    }

    private mutating func readEntries(into report: inout Report, _ onVersion: (IndexChartVersion) throws -> Void) throws {
        switch try next() {
        case .mappingStart: break
        case .scalar(let value, let style, let tag) where YAMLScalar(value, style: style, tag: tag) == .null: return
        default: throw fail("entries must be a mapping of chart names to lists of versions")
        }
        var seen = Set<String>()
        while true {
            let event = try next()
            if event == .mappingEnd { return }
            let entry = try keyText(event)
            try noteKey(entry, in: &seen)
            if part != .whole { report.entryNames.append(entry) }
            switch try next() {
            case .sequenceStart: break
            case .scalar(let value, let style, let tag) where YAMLScalar(value, style: style, tag: tag) == .null: continue
            default: throw fail("entry \"\(entry)\" is not a list of chart versions")
            }
            while true {
                switch try next() {
                case .sequenceEnd:
                    break
                case .mappingStart:
                    var version = try readChartVersion(entry: entry)
                    if let reason = version.validate() {
                        report.skipped.append(Skipped(entry: entry, version: version.version, reason: reason))
                    } else {
                        report.versions += 1
                        try onVersion(version)
                    }
                    continue
                case .scalar(let value, let style, let tag) where YAMLScalar(value, style: style, tag: tag) == .null:
                    report.skipped.append(Skipped(entry: entry, version: "", reason: "empty entry"))
                    continue
                default:
                    throw fail("a version of \"\(entry)\" is not a mapping")
                }
                break
            }
        }
    }

    /// The fields of a chart version in an index, matched case-insensitively as Go's JSON does.
    private enum VersionField: Int, CaseIterable {
        case name, version, appVersion, description, apiVersion, type, kubeVersion, home, icon, condition, tags, deprecated
        case keywords, sources, annotations, maintainers, dependencies
        case digest, checksum, engine, tillerVersion, url, removed, urls, created

        static let byKey: [String: VersionField] = {
            var keys: [String: VersionField] = [:]
            for field in allCases {
                let name = "\(field)"
                keys[name] = field
                keys[name.lowercased()] = field
            }
            return keys
        }()

        /// The field a key names, and whether the key is spelled as the field (the usual case,
        /// matched without hashing).
        static func lookup(_ key: String) -> (field: VersionField, canonical: Bool)? {
            if let field = canonical(key) { return (field, true) }
            return (byKey[key] ?? byKey[key.lowercased()]).map { ($0, false) }
        }

        private static func canonical(_ key: String) -> VersionField? {
            switch key {
            case "name": return .name
            case "version": return .version
            case "appVersion": return .appVersion
            case "description": return .description
            case "apiVersion": return .apiVersion
            case "urls": return .urls
            case "created": return .created
            case "digest": return .digest
            case "type": return .type
            case "home": return .home
            case "icon": return .icon
            case "keywords": return .keywords
            case "sources": return .sources
            case "maintainers": return .maintainers
            case "annotations": return .annotations
            case "dependencies": return .dependencies
            case "kubeVersion": return .kubeVersion
            case "deprecated": return .deprecated
            default: return nil
            }
        }
    }

    private mutating func readChartVersion(entry: String) throws -> IndexChartVersion {
        var version = IndexChartVersion(entry: entry)
        // A key twice, spelled the same way, is a duplicate: canonical spellings are tracked as
        // bits, others (rare) in a list.
        var canonicalSeen: UInt64 = 0
        var otherSpellings: [String] = []
        while true {
            let event = try next()
            if event == .mappingEnd { return version }
            let key = try keyText(event)
            guard let (field, isCanonical) = VersionField.lookup(key) else {
                try unknownField(key)
                continue
            }
            if isCanonical {
                let bit: UInt64 = 1 << UInt64(field.rawValue)
                if canonicalSeen & bit != 0, !lenient { throw fail("key \"\(key)\" is duplicated") }
                canonicalSeen |= bit
            } else {
                if otherSpellings.contains(key), !lenient { throw fail("key \"\(key)\" is duplicated") }
                otherSpellings.append(key)
            }
            // A Chart.yaml has none of the index's own fields (helm's metadata ignores them there).
            if chartYAML, [.digest, .checksum, .engine, .tillerVersion, .url, .removed, .urls, .created].contains(field) {
                try skipValue(expecting: nil, field: key)
                continue
            }
            switch field {
            // Chart.yaml fields come through helm's embedded `*Metadata`, which sigs.k8s.io/yaml does
            // not see through: no scalar is coerced to a string there.
            case .name: version.name = try readString(field: key, coerce: chartYAML)
            case .version: version.version = try readString(field: key, coerce: chartYAML)
            case .appVersion: version.appVersion = try readString(field: key, coerce: chartYAML)
            case .description: version.description = try readString(field: key, coerce: chartYAML)
            case .apiVersion: version.apiVersion = try readString(field: key, coerce: chartYAML)
            case .type: version.type = try readString(field: key, coerce: chartYAML)
            case .kubeVersion: version.kubeVersion = try readString(field: key, coerce: chartYAML)
            case .home: version.home = try readString(field: key, coerce: chartYAML)
            case .icon: version.icon = try readString(field: key, coerce: chartYAML)
            case .condition: version.condition = try readString(field: key, coerce: chartYAML)
            case .tags: version.tags = try readString(field: key, coerce: chartYAML)
            case .deprecated: version.deprecated = try readBool(field: key)
            case .keywords: version.keywords = try readStringList(field: key, coerce: chartYAML)
            case .sources: version.sources = try readStringList(field: key, coerce: chartYAML)
            case .annotations: version.annotations = try readStringMap(field: key, coerce: chartYAML)
            case .maintainers: version.maintainers = try readMaintainers()
            case .dependencies: version.dependencies = try readDependencies()
            // The index's own fields of a chart version are coerced.
            case .digest: version.digest = try readString(field: key)
            case .checksum, .engine, .tillerVersion, .url: _ = try readString(field: key)
            case .removed: version.removed = try readBool(field: key)
            case .urls: version.urls = try readStringList(field: key)
            case .created: version.created = try readTime(field: key)
            }
        }
    }

    private mutating func readMaintainers() throws -> [IndexChartVersion.Maintainer?] {
        try readList(field: "maintainers") { decoder in
            var maintainer = IndexChartVersion.Maintainer()
            var seen = SmallKeySet()
            while true {
                let event = try decoder.next()
                if event == .mappingEnd { return maintainer }
                let key = try decoder.keyText(event)
                try decoder.noteKey(key, in: &seen)
                switch Self.lowercasedKey(key) {
                case "name": maintainer.name = try decoder.readString(field: key, coerce: decoder.chartYAML)
                case "email": maintainer.email = try decoder.readString(field: key, coerce: decoder.chartYAML)
                case "url": maintainer.url = try decoder.readString(field: key, coerce: decoder.chartYAML)
                default: try decoder.unknownField(key)
                }
            }
        }
    }

    private mutating func readDependencies() throws -> [IndexChartVersion.Dependency?] {
        try readList(field: "dependencies") { decoder in
            var dependency = IndexChartVersion.Dependency()
            var seen = SmallKeySet()
            while true {
                let event = try decoder.next()
                if event == .mappingEnd { return dependency }
                let key = try decoder.keyText(event)
                try decoder.noteKey(key, in: &seen)
                switch Self.lowercasedKey(key) {
                case "name": dependency.name = try decoder.readString(field: key, coerce: decoder.chartYAML)
                case "version": dependency.version = try decoder.readString(field: key, coerce: decoder.chartYAML)
                case "repository": dependency.repository = try decoder.readString(field: key, coerce: decoder.chartYAML)
                case "condition": dependency.condition = try decoder.readString(field: key, coerce: decoder.chartYAML)
                case "alias": dependency.alias = try decoder.readString(field: key, coerce: decoder.chartYAML)
                case "tags": dependency.tags = try decoder.readStringList(field: key, coerce: decoder.chartYAML)
                case "enabled": dependency.enabled = try decoder.readBool(field: key)
                case "import-values": try decoder.skipValue(expecting: .sequence, field: key)
                default: try decoder.unknownField(key)
                }
            }
        }
    }

    /// A list whose items are mappings read by `item`; null items are kept as `nil`.
    private mutating func readList<T>(field: String, _ item: (inout IndexFileDecoder) throws -> T) throws -> [T?] {
        switch try next() {
        case .sequenceStart: break
        case .scalar(let value, let style, let tag) where YAMLScalar(value, style: style, tag: tag) == .null: return []
        default: throw fail("\(field) must be a list")
        }
        var items: [T?] = []
        while true {
            switch try next() {
            case .sequenceEnd: return items
            case .mappingStart: items.append(try item(&self))
            case .scalar(let value, let style, let tag) where YAMLScalar(value, style: style, tag: tag) == .null: items.append(nil)
            default: throw fail("items of \(field) must be mappings")
            }
        }
    }

    // MARK: - Typed values

    private func keyText(_ event: YAMLEvent) throws -> String {
        guard case .scalar(let value, let style, let tag) = event else { throw fail("mapping keys must be scalars") }
        return YAMLScalar(value, style: style, tag: tag).stringValue ?? "null"
    }

    private func noteKey(_ key: String, in seen: inout Set<String>) throws {
        guard seen.insert(key).inserted || lenient else { throw fail("key \"\(key)\" is duplicated") }
    }

    private func noteKey(_ key: String, in seen: inout SmallKeySet) throws {
        guard seen.insert(key) || lenient else { throw fail("key \"\(key)\" is duplicated") }
    }

    /// The keys of a small mapping (a maintainer, a dependency), without hashing: a few keys
    /// compared directly.
    private struct SmallKeySet {
        private var keys: [String] = []

        mutating func insert(_ key: String) -> Bool {
            if keys.contains(key) { return false }
            if keys.isEmpty { keys.reserveCapacity(8) }
            keys.append(key)
            return true
        }
    }

    /// `key.lowercased()` without allocating when the key is already lowercase ASCII (as it is).
    private static func lowercasedKey(_ key: String) -> String {
        key.utf8.allSatisfy({ !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) && $0 < 0x80 }) ? key : key.lowercased()
    }

    private mutating func unknownField(_ key: String) throws {
        guard lenient || chartYAML else { throw fail("unknown field \"\(key)\"") }
        try skipValue(expecting: nil, field: key)
    }

    private mutating func scalar(field: String) throws -> YAMLScalar {
        guard case .scalar(let value, let style, let tag) = try next() else { throw fail("\(field) must be a scalar") }
        return YAMLScalar(value, style: style, tag: tag)
    }

    /// A string field; with `coerce`, a plain bool or number becomes its text (sigs.k8s.io/yaml's
    /// rule for string targets it can see), otherwise it refuses the index as helm's JSON step does.
    private mutating func readString(field: String, coerce: Bool = true) throws -> String {
        let value = try scalar(field: field)
        if lenient || !coerce {
            switch value {
            case .null: return ""
            case .string(let text): return text
            default: throw fail("\(field) must be a string")
            }
        }
        return value.stringValue ?? ""
    }

    private mutating func readBool(field: String) throws -> Bool {
        switch try scalar(field: field) {
        case .null: return false
        case .bool(let value): return value
        default: throw fail("\(field) must be a boolean")
        }
    }

    private mutating func readTime(field: String) throws -> String? {
        switch try scalar(field: field) {
        case .null: return nil
        case .string(let text):
            guard Self.isRFC3339(text) else { throw fail("\(field) \"\(text)\" is not an RFC 3339 time") }
            return text
        default: throw fail("\(field) must be a time")
        }
    }

    private mutating func readStringList(field: String, coerce: Bool = true) throws -> [String] {
        switch try next() {
        case .sequenceStart: break
        case .scalar(let value, let style, let tag) where YAMLScalar(value, style: style, tag: tag) == .null: return []
        default: throw fail("\(field) must be a list of strings")
        }
        var items: [String] = []
        while true {
            let event = try next()
            if event == .sequenceEnd { return items }
            guard case .scalar(let value, let style, let tag) = event else { throw fail("items of \(field) must be strings") }
            let scalar = YAMLScalar(value, style: style, tag: tag)
            switch scalar {
            case .null: items.append("")
            case .string(let text): items.append(text)
            default:
                guard coerce, !lenient else { throw fail("items of \(field) must be strings") }
                items.append(scalar.stringValue ?? "")
            }
        }
    }

    private mutating func readStringMap(field: String, coerce: Bool = true) throws -> [String: String] {
        switch try next() {
        case .mappingStart: break
        case .scalar(let value, let style, let tag) where YAMLScalar(value, style: style, tag: tag) == .null: return [:]
        default: throw fail("\(field) must be a mapping of strings")
        }
        var map: [String: String] = [:]
        var seen = Set<String>()
        while true {
            let event = try next()
            if event == .mappingEnd { return map }
            let key = try keyText(event)
            try noteKey(key, in: &seen)
            map[key] = try readString(field: "\(field).\(key)", coerce: coerce)
        }
    }

    private enum Shape { case mapping, sequence }

    /// Skips a value of any content, checking its outer shape when one is expected.
    private mutating func skipValue(expecting shape: Shape?, field: String) throws {
        let first = try next()
        switch first {
        case .scalar(let value, let style, let tag):
            guard shape == nil || YAMLScalar(value, style: style, tag: tag) == .null else { throw fail("\(field) has the wrong shape") }
            return
        case .mappingStart:
            guard shape == nil || shape == .mapping else { throw fail("\(field) must be a list") }
        case .sequenceStart:
            guard shape == nil || shape == .sequence else { throw fail("\(field) must be a mapping") }
        default:
            throw fail("unexpected YAML in \(field)")
        }
        var depth = 1
        while depth > 0 {
            switch try next() {
            case .mappingStart, .sequenceStart: depth += 1
            case .mappingEnd, .sequenceEnd: depth -= 1
            case .streamEnd, .documentEnd: throw fail("unexpected end of \(field)")
            default: break
            }
        }
    }

    /// Go's `time.Parse(time.RFC3339, …)`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    static func isRFC3339(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.upperBound <= bytes.count && range.allSatisfy { (48...57).contains(bytes[$0]) } }
        guard bytes.count >= 20, digits(0..<4), bytes[4] == 45, digits(5..<7), bytes[7] == 45, digits(8..<10), bytes[10] == 84,
            digits(11..<13), bytes[13] == 58, digits(14..<16), bytes[16] == 58, digits(17..<19)
        else { return false }
        var index = 19
        if bytes[index] == 46 {
            index += 1
            let start = index
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > start else { return false }
        }
        guard index < bytes.count else { return false }
        if bytes[index] == 90 { return index + 1 == bytes.count }
        guard bytes[index] == 43 || bytes[index] == 45, index + 6 == bytes.count else { return false }
        return digits((index + 1)..<(index + 3)) && bytes[index + 3] == 58 && digits((index + 4)..<(index + 6))
    }
}
