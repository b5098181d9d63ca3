/// What makes a chart the chart it is, for comparing the chart inside a release with a catalog
/// archive: name, version and appVersion from `Chart.yaml`, the default values (compared as
/// data, so YAML and JSON spellings of one value agree) and the top-level templates byte for
/// byte. Subcharts are not part of it: helm does not keep them in the release.
public struct ChartContent: Sendable, Hashable {
    public struct File: Sendable, Hashable {
        /// The path inside the chart (`templates/deployment.yaml`).
        public let name: String
        public let bytes: [UInt8]

        public init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    public let name: String
    public let version: String
    public let appVersion: String?
    public let values: JSONValue
    public let templates: [File]

    public init(name: String, version: String, appVersion: String?, values: JSONValue, templates: [File]) {
        self.name = name
        self.version = version
        self.appVersion = appVersion
        self.values = values
        self.templates = templates
    }

    /// The chart content of an archive read with its templates.
    public init(archive: ChartArchive) throws(HelmFormatError) {
        let metadata: JSONValue
        do {
            metadata = try YAMLDocument.parse(archive.chartYAML)
        } catch {
            throw HelmFormatError("Chart.yaml is not valid YAML: \(error)")
        }
        var values = JSONValue.object([:])
        if let file = archive.values {
            do {
                values = .object(try YAMLDocument.parseMapping(file.text))
            } catch {
                throw HelmFormatError("values.yaml is not valid YAML: \(error)")
            }
        }
        self.init(
            name: metadata["name"]?.stringValue ?? "",
            version: metadata["version"]?.stringValue ?? "",
            appVersion: metadata["appVersion"]?.stringValue,
            values: values,
            templates: archive.templates.map { File(name: $0.name, bytes: Array($0.text.utf8)) }
        )
    }

    /// A byte string equal for charts with the same code: the Chart.yaml fields and the
    /// templates (sorted by name), length-prefixed. Hash it for a fingerprint. The default
    /// values are compared apart (``comparableValues(_:config:)``): helm rewrites them in the
    /// release on `upgrade --reuse-values`.
    public var codeBytes: [UInt8] {
        var output: [UInt8] = []
        func field(_ bytes: some Collection<UInt8>) {
            output.append(contentsOf: Array(String(bytes.count).utf8))
            output.append(0x3A)
            output.append(contentsOf: bytes)
        }
        field(Array(name.utf8))
        field(Array(version.utf8))
        field(Array((appVersion ?? "").utf8))
        for template in templates.sorted(by: { $0.name < $1.name }) {
            field(Array(template.name.utf8))
            field(template.bytes)
        }
        return output
    }

    /// Default values as canonical JSON (sorted keys, integral numbers as integers) with every
    /// path the release's user values set taken out. `helm upgrade --reuse-values` stores the
    /// previous defaults coalesced with the previous user values as the chart's values; those
    /// paths are the user's (set in the current values too), so comparing the rest tells a
    /// changed default from a reused value — and a default the user overrides renders nothing.
    public static func comparableValues(_ values: JSONValue, config: JSONValue?) -> [UInt8] {
        var output: [UInt8] = []
        canonical(masking(values, by: config ?? .null), into: &output)
        return output
    }

    static func masking(_ values: JSONValue, by config: JSONValue) -> JSONValue {
        guard case .object(var members) = values, case .object(let set) = config else { return values }
        for (key, value) in set {
            if case .object = value, let current = members[key], case .object = current {
                members[key] = masking(current, by: value)
            } else {
                members[key] = nil
            }
        }
        return .object(members)
    }

    static func canonical(_ value: JSONValue, into output: inout [UInt8]) {
        switch value {
        case .null: output += Array("null".utf8)
        case .bool(let flag): output += Array((flag ? "true" : "false").utf8)
        case .integer(let number): output += Array(String(number).utf8)
        case .number(let number):
            if number.rounded() == number, abs(number) < 9.0e15 {
                output += Array(String(Int64(number)).utf8)
            } else {
                output += Array(String(number).utf8)
            }
        case .string(let text): string(text, into: &output)
        case .array(let elements):
            output.append(0x5B)
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(0x2C) }
                canonical(element, into: &output)
            }
            output.append(0x5D)
        case .object(let members):
            output.append(0x7B)
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output.append(0x2C) }
                string(key, into: &output)
                output.append(0x3A)
                canonical(members[key] ?? .null, into: &output)
            }
            output.append(0x7D)
        }
    }

    private static func string(_ text: String, into output: inout [UInt8]) {
        output.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22, 0x5C: output += [0x5C, byte]
            case 0..<0x20: output += Array("\\u00\(byte < 16 ? "0" : "")\(String(byte, radix: 16))".utf8)
            default: output.append(byte)
            }
        }
        output.append(0x22)
    }
}
