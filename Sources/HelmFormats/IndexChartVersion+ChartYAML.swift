public import Foundation

extension IndexChartVersion {
    /// A chart's metadata read from its `Chart.yaml`, as helm's loader reads it (unknown fields
    /// ignored; a missing `apiVersion` is `v1`). Throws for YAML that is not a mapping or has
    /// fields of the wrong shape. Run ``validate()`` for helm's rules on the values.
    public init(chartYAML: String) throws {
        self = try IndexFileDecoder.decodeChartYAML(chartYAML)
        entry = name
        if apiVersion.isEmpty { apiVersion = "v1" }
    }

    /// The metadata as the JSON config blob `helm push` writes (`json.Marshal` of helm's
    /// `chart.Metadata`: its field order, empty fields left out).
    public var helmConfigJSON: Data {
        var out: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func key(_ name: String) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            Self.appendJSONString(name, to: &out)
            out.append(UInt8(ascii: ":"))
        }
        func string(_ name: String, _ value: String) {
            guard !value.isEmpty else { return }
            key(name)
            Self.appendJSONString(value, to: &out)
        }
        func strings(_ values: [String]) {
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendJSONString(value, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        func object(_ fields: [(String, String)], always: Set<String> = []) {
            out.append(UInt8(ascii: "{"))
            var firstField = true
            for (name, value) in fields where !value.isEmpty || always.contains(name) {
                if !firstField { out.append(UInt8(ascii: ",")) }
                firstField = false
                Self.appendJSONString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                Self.appendJSONString(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        string("name", name)
        string("home", home)
        if !sources.isEmpty {
            key("sources")
            strings(sources)
        }
        string("version", version)
        string("description", description)
        if !keywords.isEmpty {
            key("keywords")
            strings(keywords)
        }
        let people = maintainers.compactMap { $0 }
        if !people.isEmpty {
            key("maintainers")
            out.append(UInt8(ascii: "["))
            for (index, person) in people.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                object([("name", person.name), ("email", person.email), ("url", person.url)])
            }
            out.append(UInt8(ascii: "]"))
        }
        string("icon", icon)
        string("apiVersion", apiVersion)
        string("condition", condition)
        string("tags", tags)
        string("appVersion", appVersion)
        if deprecated {
            key("deprecated")
            out.append(contentsOf: Array("true".utf8))
        }
        if !annotations.isEmpty {
            key("annotations")
            object(annotations.sorted { $0.key < $1.key }, always: Set(annotations.keys))
        }
        string("kubeVersion", kubeVersion)
        let needed = dependencies.compactMap { $0 }
        if !needed.isEmpty {
            key("dependencies")
            out.append(UInt8(ascii: "["))
            for (index, dependency) in needed.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                // name and repository are always written (no omitempty in helm's struct).
                out.append(UInt8(ascii: "{"))
                Self.appendJSONString("name", to: &out)
                out.append(UInt8(ascii: ":"))
                Self.appendJSONString(dependency.name, to: &out)
                for (name, value) in [("version", dependency.version)] where !value.isEmpty {
                    out.append(contentsOf: Array(",\"\(name)\":".utf8))
                    Self.appendJSONString(value, to: &out)
                }
                out.append(contentsOf: Array(",\"repository\":".utf8))
                Self.appendJSONString(dependency.repository, to: &out)
                if !dependency.condition.isEmpty {
                    out.append(contentsOf: Array(",\"condition\":".utf8))
                    Self.appendJSONString(dependency.condition, to: &out)
                }
                if !dependency.tags.isEmpty {
                    out.append(contentsOf: Array(",\"tags\":".utf8))
                    strings(dependency.tags)
                }
                if dependency.enabled { out.append(contentsOf: Array(",\"enabled\":true".utf8)) }
                if !dependency.alias.isEmpty {
                    out.append(contentsOf: Array(",\"alias\":".utf8))
                    Self.appendJSONString(dependency.alias, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        string("type", type)
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }
}
