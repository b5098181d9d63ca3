extension IndexChartVersion {
    /// The version's metadata as compact JSON with a fixed key order, written by hand: the sync
    /// engine stores and fingerprints it for every version, so it must be cheap.
    public var metadataJSON: String {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: Array("\":".utf8))
        }
        func string(_ name: StaticString, _ value: String, always: Bool = false) {
            guard always || !value.isEmpty else { return }
            key(name)
            Self.appendJSONString(value, to: &out)
        }
        func strings(_ name: StaticString, _ values: [String]) {
            guard !values.isEmpty else { return }
            key(name)
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.appendJSONString(value, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        func bool(_ name: StaticString, _ value: Bool) {
            guard value else { return }
            key(name)
            out.append(contentsOf: Array("true".utf8))
        }
        string("entry", entry, always: true)
        string("name", name, always: true)
        string("version", version, always: true)
        string("appVersion", appVersion)
        string("apiVersion", apiVersion)
        string("description", description)
        string("type", type)
        string("kubeVersion", kubeVersion)
        string("home", home)
        string("icon", icon)
        string("condition", condition)
        string("tags", tags)
        bool("deprecated", deprecated)
        strings("keywords", keywords)
        strings("sources", sources)
        if !maintainers.isEmpty {
            key("maintainers")
            out.append(UInt8(ascii: "["))
            for (index, maintainer) in maintainers.compactMap({ $0 }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                var fields: [(String, String)] = [("name", maintainer.name)]
                if !maintainer.email.isEmpty { fields.append(("email", maintainer.email)) }
                if !maintainer.url.isEmpty { fields.append(("url", maintainer.url)) }
                Self.appendObject(fields, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if !dependencies.isEmpty {
            key("dependencies")
            out.append(UInt8(ascii: "["))
            for (index, dependency) in dependencies.compactMap({ $0 }).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                var fields: [(String, String)] = [("name", dependency.name)]
                for (name, value) in [
                    ("version", dependency.version), ("repository", dependency.repository), ("condition", dependency.condition),
                    ("alias", dependency.alias),
                ] where !value.isEmpty {
                    fields.append((name, value))
                }
                Self.appendObject(fields, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if !annotations.isEmpty {
            key("annotations")
            Self.appendObject(annotations.sorted { $0.key < $1.key }, to: &out)
        }
        strings("urls", urls)
        string("digest", digest)
        if let created { string("created", created, always: true) }
        bool("removed", removed)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendObject(_ fields: [(String, String)], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(name, to: &out)
            out.append(UInt8(ascii: ":"))
            appendJSONString(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped; runs that
    /// need no escaping are copied at once.
    static func appendJSONString(_ value: String, to out: inout [UInt8]) {
        var value = value
        out.append(UInt8(ascii: "\""))
        value.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
                case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
                case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
