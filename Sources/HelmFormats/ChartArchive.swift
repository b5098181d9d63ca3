/// The files of a chart archive (`.tgz`) that the catalog shows, read with Helm's own rules
/// (`pkg/chart/loader`): members live under one base directory, whose name is dropped; absolute
/// paths, `..` and drive letters are refused; sizes are capped per file and in total; a UTF-8 byte
/// order mark is trimmed. Only the chart's top-level `Chart.yaml`, `values.yaml`,
/// `values.schema.json` and README are kept; every other byte is skipped as it streams past.
public struct ChartArchive: Sendable, Hashable {
    /// Size limits, Helm's by default (100 MiB in total, 5 MiB per file).
    public struct Limits: Sendable, Hashable {
        public var maxDecompressedSize: Int
        public var maxFileSize: Int
        /// Stricter than helm, for a registry accepting uploads: links that point outside the
        /// chart, absolute member names and members outside the one base directory are refused
        /// (helm ignores link targets, strips a leading `/` and takes the first directory's name).
        public var strict: Bool

        public init(maxDecompressedSize: Int = 100 << 20, maxFileSize: Int = 5 << 20, strict: Bool = false) {
            self.maxDecompressedSize = maxDecompressedSize
            self.maxFileSize = maxFileSize
            self.strict = strict
        }
    }

    /// A top-level file of the chart.
    public struct File: Sendable, Hashable {
        /// Its path inside the chart, without the base directory (`values.yaml`).
        public let name: String
        public let text: String
    }

    /// The base directory of the members (usually the chart's name).
    public let baseDirectory: String
    public let chartYAML: String
    /// `values.yaml`, if the chart has one.
    public let values: File?
    /// The first `README.md`, `README.txt` or `README` (any case) in archive order, as `helm show readme` picks it.
    public let readme: File?
    /// `values.schema.json`, if the chart has one.
    public let schema: File?
    /// The files under `templates/`, in archive order; read only when asked for.
    public let templates: [File]

    /// Reads a gzip-compressed chart archive (with `includeTemplates`, its templates too).
    public init(gzipped bytes: UnsafeRawBufferPointer, limits: Limits = .init(), includeTemplates: Bool = false) throws(HelmFormatError) {
        var reader = Reader(limits: limits, includeTemplates: includeTemplates)
        var tar = TarStream(
            announce: { member throws(HelmFormatError) in try reader.want(member) },
            collect: { member, data throws(HelmFormatError) in reader.keep(member, data) }
        )
        // The stream is capped a little above the files' total, for headers and padding.
        try Gzip.inflate(bytes, limit: limits.maxDecompressedSize + (16 << 20)) { chunk throws(HelmFormatError) in
            try tar.feed(chunk)
        }
        guard tar.isAtBoundary else { throw HelmFormatError("the archive is truncated (a tar member ends early)") }
        guard reader.fileCount > 0 else { throw HelmFormatError("no files in chart archive") }
        guard let chartYAML = reader.chartYAML else { throw HelmFormatError("Chart.yaml file is missing") }
        self.baseDirectory = reader.baseDirectory ?? ""
        self.chartYAML = chartYAML.text
        self.values = reader.values
        self.readme = reader.readme
        self.schema = reader.schema
        self.templates = reader.templates
    }

    /// Reads a gzip-compressed chart archive (with `includeTemplates`, its templates too).
    public init(gzipped bytes: [UInt8], limits: Limits = .init(), includeTemplates: Bool = false) throws(HelmFormatError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(HelmFormatError) in try ChartArchive(gzipped: buffer, limits: limits, includeTemplates: includeTemplates) }
        }
        self = try result.get()
    }

    /// The README names `helm show readme` looks for, lowercased.
    static let readmeNames: Set<String> = ["readme.md", "readme.txt", "readme"]

    /// Applies Helm's path and size rules member by member and keeps the files wanted.
    private struct Reader {
        let limits: Limits
        let includeTemplates: Bool
        var templates: [File] = []
        var remaining: Int
        var fileCount = 0
        var baseDirectory: String?
        var chartYAML: File?
        var values: File?
        var readme: File?
        var schema: File?

        init(limits: Limits, includeTemplates: Bool) {
            self.limits = limits
            self.includeTemplates = includeTemplates
            self.remaining = limits.maxDecompressedSize
        }

        mutating func want(_ member: TarStream.Member) throws(HelmFormatError) -> Bool {
            guard !member.isDirectory else { return false }
            let path = try Self.chartPath(member.name)
            fileCount += 1
            if baseDirectory == nil { baseDirectory = path.base }
            if limits.strict {
                guard !member.name.hasPrefix("/") else { throw HelmFormatError("chart illegally contains absolute paths: \"\(member.name)\"") }
                guard path.base == baseDirectory else {
                    throw HelmFormatError("chart has more than one top-level directory: \"\(baseDirectory ?? "")\" and \"\(path.base)\"")
                }
            }
            guard member.size <= remaining else {
                throw HelmFormatError("decompressed chart is larger than the maximum size \(limits.maxDecompressedSize)")
            }
            guard member.size <= limits.maxFileSize else {
                throw HelmFormatError("decompressed chart file \"\(member.name)\" is larger than the maximum file size \(limits.maxFileSize)")
            }
            remaining -= member.size
            if member.isLink, limits.strict { try Self.checkLink(member, at: path.name) }
            guard member.isRegularFile else { return false }
            switch path.name {
            case "Chart.yaml", "values.yaml", "values.schema.json": return true
            case let name where includeTemplates && name.hasPrefix("templates/"): return true
            default: return readme == nil && Self.isReadme(path.name)
            }
        }

        mutating func keep(_ member: TarStream.Member, _ data: [UInt8]) {
            let name = (try? Self.chartPath(member.name).name) ?? member.name
            var bytes = data[...]
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            let file = File(name: name, text: String(decoding: bytes, as: UTF8.self))
            switch name {
            case "Chart.yaml": chartYAML = file
            case "values.yaml": values = file
            case "values.schema.json": schema = file
            case let name where name.hasPrefix("templates/"): templates.append(file)
            default: if readme == nil { readme = file }
            }
        }

        /// A link must point inside the chart: not absolute, not above the base directory.
        static func checkLink(_ member: TarStream.Member, at name: String) throws(HelmFormatError) {
            let target = member.linkName
            let escapes = HelmFormatError("chart contains a link that points outside it: \"\(member.name)\" -> \"\(target)\"")
            guard !target.hasPrefix("/"), !target.contains("\\") else { throw escapes }
            if member.type == UInt8(ascii: "1") {
                // A hard link names a member from the archive's root, inside the base directory.
                let cleaned = clean(target)
                guard cleaned != "..", !cleaned.hasPrefix("../"), (try? chartPath(target)) != nil else { throw escapes }
                return
            }
            // A symbolic link is relative to the directory holding it.
            let directory = name.split(separator: "/").dropLast().joined(separator: "/")
            let cleaned = clean(directory.isEmpty ? target : directory + "/" + target)
            guard cleaned != "..", !cleaned.hasPrefix("../") else { throw escapes }
        }

        static func isReadme(_ name: String) -> Bool {
            !name.contains("/") && ChartArchive.readmeNames.contains(name.lowercased())
        }

        /// Helm's rules for a member's name: the first path element is the base directory and is
        /// dropped; what remains must be a clean relative path inside it.
        static func chartPath(_ raw: String) throws(HelmFormatError) -> (base: String, name: String) {
            let delimiter: Character = raw.contains("\\") ? "\\" : "/"
            let parts = raw.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
            let rest = parts.dropFirst().joined(separator: "/")
            if rest.hasPrefix("/") { throw HelmFormatError("chart illegally contains absolute paths") }
            let cleaned = Self.clean(rest)
            if cleaned == "." { throw HelmFormatError("chart illegally contains content outside the base directory: \"\(raw)\"") }
            if cleaned.hasPrefix("..") { throw HelmFormatError("chart illegally references parent directory") }
            let scalars = Array(cleaned.unicodeScalars.prefix(3))
            if scalars.count == 3, scalars[0].properties.isAlphabetic, scalars[0].isASCII, scalars[1] == ":", scalars[2] == "/" {
                throw HelmFormatError("chart contains illegally named files")
            }
            if parts.first == "Chart.yaml" { throw HelmFormatError("chart yaml not in base directory") }
            return (parts.first ?? "", cleaned)
        }

        /// Go's `path.Clean` for a relative path.
        static func clean(_ path: String) -> String {
            var stack: [Substring] = []
            for element in path.split(separator: "/", omittingEmptySubsequences: true) {
                switch element {
                case ".": continue
                case "..":
                    if let last = stack.last, last != ".." { stack.removeLast() } else { stack.append(element) }
                default: stack.append(element)
                }
            }
            return stack.isEmpty ? "." : stack.joined(separator: "/")
        }
    }
}
