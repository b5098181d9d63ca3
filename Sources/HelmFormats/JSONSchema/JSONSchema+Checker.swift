import Foundation

extension JSONSchema {
    /// Walks an instance and a schema together, collecting violations and unchecked keywords.
    struct Checker {
        let root: JSONValue
        /// Drafts 4 to 7: `format` asserts, `$ref` hides its siblings, draft 4's boolean
        /// `exclusiveMinimum`. Later drafts (and a schema that names none, as helm 4 reads it)
        /// treat `format` as an annotation.
        let legacyDraft: Bool
        var notChecked: Set<String> = []
        var violations: [Violation] = []
        var patterns = PatternCache()
        /// `$ref` chains deeper than this stop (a schema that refers to itself without end).
        static let maxDepth = 200

        init(root: JSONValue) {
            self.root = root
            let draft = root["$schema"]?.stringValue ?? ""
            legacyDraft = ["draft-03", "draft-04", "draft-06", "draft-07"].contains { draft.contains($0) }
        }

        mutating func check(_ instance: JSONValue, against schema: JSONValue, path: String, depth: Int) {
            violations += errors(instance, schema, path: path, depth: depth)
        }

        /// The violations of `instance` against `schema` (recording unchecked keywords).
        mutating func errors(_ instance: JSONValue, _ schema: JSONValue, path: String, depth: Int) -> [Violation] {
            switch schema {
            case .bool(true): return []
            case .bool(false): return [Violation(path: path, message: "not allowed (false schema)")]
            case .object(let keywords): return errors(instance, keywords, path: path, depth: depth)
            default:
                notChecked.insert("schema of type \(schema.kindName)")
                return []
            }
        }

        private mutating func errors(_ instance: JSONValue, _ schema: [String: JSONValue], path: String, depth: Int) -> [Violation] {
            guard depth < Self.maxDepth else {
                notChecked.insert("$ref (recursion deeper than \(Self.maxDepth))")
                return []
            }
            for keyword in schema.keys where !JSONSchema.implemented.contains(keyword) && !JSONSchema.annotations.contains(keyword) {
                if !keyword.hasPrefix("x-") { notChecked.insert(keyword) }
            }
            // Keywords of later drafts mean nothing in drafts 4 to 7 (helm ignores them there too).
            var schema = schema
            if legacyDraft { for keyword in JSONSchema.laterKeywords { schema.removeValue(forKey: keyword) } }
            var found: [Violation] = []
            if let reference = schema["$ref"]?.stringValue {
                if let target = resolve(reference) {
                    found += errors(instance, target, path: path, depth: depth + 1)
                } else {
                    notChecked.insert("$ref \(reference)")
                }
                if legacyDraft { return found }
            }
            found += generic(instance, schema, path: path)
            switch instance {
            case .integer, .number: found += numeric(instance, schema, path: path)
            case .string(let text): found += string(text, schema, path: path)
            case .array(let elements): found += array(elements, schema, path: path, depth: depth)
            case .object(let members): found += object(members, schema, path: path, depth: depth)
            default: break
            }
            found += combinators(instance, schema, path: path, depth: depth)
            return found
        }

        // MARK: - type, enum, const

        private func generic(_ instance: JSONValue, _ schema: [String: JSONValue], path: String) -> [Violation] {
            var found: [Violation] = []
            if let type = schema["type"] {
                let allowed = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
                if !allowed.contains(where: { Self.matches(instance, type: $0) }) {
                    found.append(Violation(path: path, message: "got \(instance.kindName), want \(allowed.joined(separator: " or "))"))
                }
            }
            if let options = schema["enum"]?.arrayValue, !options.contains(where: { Self.equal($0, instance) }) {
                found.append(Violation(path: path, message: "value must be one of \(options.map(Self.quoted).joined(separator: ", "))"))
            }
            if let constant = schema["const"], !Self.equal(constant, instance) {
                found.append(Violation(path: path, message: "value must be \(Self.quoted(constant))"))
            }
            return found
        }

        static func matches(_ instance: JSONValue, type: String) -> Bool {
            switch (type, instance) {
            case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
            case ("number", .integer), ("number", .number), ("integer", .integer): true
            case ("integer", .number(let value)): value.rounded() == value && value.isFinite
            default: false
            }
        }

        /// JSON equality: numbers by value (1 equals 1.0), objects by members.
        static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
            switch (a, b) {
            case (.integer(let x), .integer(let y)): return x == y
            case (.integer, .number), (.number, .integer), (.number, .number): return number(a) == number(b)
            case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
            case (.object(let x), .object(let y)):
                return x.count == y.count && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
            default: return a == b
            }
        }

        static func number(_ value: JSONValue) -> Double? {
            switch value {
            case .integer(let number): Double(number)
            case .number(let number): number
            default: nil
            }
        }

        static func quoted(_ value: JSONValue) -> String {
            switch value {
            case .string(let text): "'\(text)'"
            case .integer(let number): String(number)
            case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
            case .bool(let flag): flag ? "true" : "false"
            case .null: "null"
            case .array, .object:
                (try? String(decoding: JSONEncoder.sorted.encode(value), as: UTF8.self)) ?? value.kindName
            }
        }

        // MARK: - $ref

        /// The schema a local reference names (`#`, `#/definitions/x`, `#/$defs/x`, any JSON
        /// pointer into the document); `nil` for references outside it.
        func resolve(_ reference: String) -> JSONValue? {
            guard reference.hasPrefix("#") else { return nil }
            let pointer = String(reference.dropFirst()).removingPercentEncoding ?? String(reference.dropFirst())
            guard pointer.isEmpty || pointer.hasPrefix("/") else { return nil }
            var node = root
            for token in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
                let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                switch node {
                case .object(let members):
                    guard let next = members[key] else { return nil }
                    node = next
                case .array(let elements):
                    guard let index = Int(key), elements.indices.contains(index) else { return nil }
                    node = elements[index]
                default:
                    return nil
                }
            }
            return node
        }

        /// `base/key` with the key escaped as a JSON pointer token.
        static func child(_ base: String, _ key: String) -> String {
            base + "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }
    }
}

extension JSONEncoder {
    /// Sorted keys, so messages and documents come out the same each time.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
