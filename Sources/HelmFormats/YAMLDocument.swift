/// A YAML text read as helm reads values files (`sigs.k8s.io/yaml`: YAML 1.1 scalars as go-yaml
/// resolves them, then JSON): the first document as a ``JSONValue``, with anchors, aliases and
/// merge keys (`<<`) resolved and mapping keys turned into strings.
public enum YAMLDocument {
    /// Where and why a YAML text was refused.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public let line: Int
        public let column: Int
        public let reason: String

        public init(line: Int, column: Int, reason: String) {
            self.line = line
            self.column = column
            self.reason = reason
        }

        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    /// Aliases expand to at most this many values in all (a "billion laughs" document stops here).
    public static let maxExpandedValues = 1_000_000
    /// Sequences and mappings nest at most this deep. Values files nest a few levels; what reads
    /// a document (merging, schemas, JSON) recurses through it, so no input may nest deeper than
    /// a thread's stack allows.
    public static let maxDepth = 100

    /// The first document of `text`; an empty text (or only comments) is `null`.
    public static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        let stream: YAMLEventStream
        do {
            stream = try YAMLEventStream(Array(text.utf8))
        } catch {
            throw SyntaxError(line: 1, column: 1, reason: (error as? HelmFormatError)?.message ?? "cannot read the YAML text")
        }
        var reader = Reader(stream: stream)
        return try reader.document()
    }

    /// The values of a values file: a mapping, or an empty one for an empty text (helm's rule).
    public static func parseMapping(_ text: String) throws(SyntaxError) -> [String: JSONValue] {
        switch try parse(text) {
        case .object(let members): return members
        case .null: return [:]
        case let other:
            throw SyntaxError(line: 1, column: 1, reason: "values must be a YAML mapping (key: value), not \(other.kindName)")
        }
    }

    private struct Reader {
        let stream: YAMLEventStream
        var anchors: [String: JSONValue] = [:]
        var expanded = 0
        var depth = 0

        init(stream: YAMLEventStream) { self.stream = stream }

        mutating func next() throws(SyntaxError) -> YAMLEvent {
            do {
                return try stream.next()
            } catch {
                throw Self.syntaxError((error as? HelmFormatError)?.message ?? "invalid YAML")
            }
        }

        /// libyaml's message is "invalid YAML at line L, column C: problem".
        static func syntaxError(_ message: String) -> SyntaxError {
            let prefix = "invalid YAML at line "
            guard message.hasPrefix(prefix) else { return SyntaxError(line: 1, column: 1, reason: message) }
            let rest = message.dropFirst(prefix.count)
            let numbers = rest.prefix { $0 != ":" }.split(separator: ",").map { Int($0.filter(\.isASCIIDigit)) ?? 1 }
            let reason = rest.drop { $0 != ":" }.dropFirst().drop { $0 == " " }
            return SyntaxError(line: numbers.first ?? 1, column: numbers.count > 1 ? numbers[1] : 1, reason: String(reason))
        }

        func error(_ reason: String) -> SyntaxError {
            SyntaxError(line: stream.eventStart.line, column: stream.eventStart.column, reason: reason)
        }

        mutating func document() throws(SyntaxError) -> JSONValue {
            while true {
                switch try next() {
                case .streamStart: continue
                case .documentStart: return try value(try next())
                default: return .null
                }
            }
        }

        mutating func value(_ event: YAMLEvent) throws(SyntaxError) -> JSONValue {
            let anchor = stream.eventAnchor
            let result: JSONValue
            switch event {
            case .scalar(let text, let style, let tag):
                result = try scalar(YAMLScalar(text, style: style, tag: tag))
            case .alias:
                guard let name = anchor, let target = anchors[name] else {
                    throw error("unknown anchor '\(stream.eventAnchor ?? "")' referenced")
                }
                expanded += target.size
                guard expanded <= YAMLDocument.maxExpandedValues else {
                    throw error("aliases expand to more than \(YAMLDocument.maxExpandedValues) values")
                }
                return target
            case .sequenceStart:
                try enter()
                defer { depth -= 1 }
                var elements: [JSONValue] = []
                while true {
                    let next = try next()
                    if next == .sequenceEnd { break }
                    elements.append(try value(next))
                }
                result = .array(elements)
            case .mappingStart:
                try enter()
                defer { depth -= 1 }
                result = .object(try mapping())
            default:
                throw error("unexpected YAML event")
            }
            if let anchor, event != .alias { anchors[anchor] = result }
            return result
        }

        mutating func enter() throws(SyntaxError) {
            depth += 1
            guard depth <= YAMLDocument.maxDepth else {
                throw error("sequences and mappings nest deeper than \(YAMLDocument.maxDepth) levels")
            }
        }

        mutating func mapping() throws(SyntaxError) -> [String: JSONValue] {
            var members: [String: JSONValue] = [:]
            var merged: [String: JSONValue] = [:]
            while true {
                let keyEvent = try next()
                if keyEvent == .mappingEnd { break }
                let isMerge = keyEvent == .scalar("<<", .plain, tag: nil)
                let key = try self.key(keyEvent)
                let item = try value(try next())
                guard isMerge else {
                    members[key] = item
                    continue
                }
                // `<<: *base` or `<<: [*a, *b]`: earlier sources win over later ones, explicit keys over all.
                let sources: [JSONValue] = if case .array(let list) = item { list } else { [item] }
                for source in sources {
                    guard case .object(let fields) = source else { throw error("map merge requires map or sequence of maps as the value") }
                    merged.merge(fields) { first, _ in first }
                }
            }
            return merged.merging(members) { _, explicit in explicit }
        }

        /// A mapping key as JSON has it: a string (numbers, booleans and null written as text).
        mutating func key(_ event: YAMLEvent) throws(SyntaxError) -> String {
            switch try value(event) {
            case .string(let text): return text
            case .integer(let number): return String(number)
            case .number(let number): return GoFloatFormat.float32Shortest(number)
            case .bool(let flag): return flag ? "true" : "false"
            case .null: return "null"
            case .array, .object: throw error("a mapping key must be a scalar, not a collection")
            }
        }

        func scalar(_ scalar: YAMLScalar) throws(SyntaxError) -> JSONValue {
            switch scalar {
            case .null: return .null
            case .bool(let flag): return .bool(flag)
            case .integer(let text):
                if let number = Int64(text) { return .integer(number) }
                return .number(Double(text) ?? 0)
            case .float(let number):
                guard number.isFinite else { throw error("\(number) cannot be represented in JSON") }
                return .number(number)
            case .string(let text): return .string(text)
            }
        }
    }
}

extension JSONValue {
    /// How many values this one holds, itself included.
    var size: Int {
        switch self {
        case .array(let elements): 1 + elements.reduce(0) { $0 + $1.size }
        case .object(let members): 1 + members.values.reduce(0) { $0 + $1.size }
        default: 1
        }
    }

    /// The JSON Schema name of this value's kind ("object", "array", "string", "integer", …).
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "integer"
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
