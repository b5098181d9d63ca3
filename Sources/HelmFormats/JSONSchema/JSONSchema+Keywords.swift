import Foundation

extension JSONSchema.Checker {
    typealias Violation = JSONSchema.Violation

    // MARK: - Numbers

    mutating func numeric(_ instance: JSONValue, _ schema: [String: JSONValue], path: String) -> [Violation] {
        guard let value = Self.number(instance) else { return [] }
        var found: [Violation] = []
        let shown = Self.quoted(instance)
        func bound(_ keyword: String, _ fails: (Double, Double) -> Bool) {
            guard let limit = schema[keyword].flatMap(Self.number), fails(value, limit) else { return }
            found.append(Violation(path: path, message: "\(keyword): got \(shown), want \(Self.quoted(schema[keyword] ?? .null))"))
        }
        // Draft 4: a boolean exclusiveMinimum/exclusiveMaximum makes minimum/maximum exclusive.
        let exclusiveMinimum = schema["exclusiveMinimum"] == .bool(true)
        let exclusiveMaximum = schema["exclusiveMaximum"] == .bool(true)
        bound("minimum") { exclusiveMinimum ? $0 <= $1 : $0 < $1 }
        bound("maximum") { exclusiveMaximum ? $0 >= $1 : $0 > $1 }
        bound("exclusiveMinimum") { $0 <= $1 }
        bound("exclusiveMaximum") { $0 >= $1 }
        if let divisor = schema["multipleOf"].flatMap(Self.number), divisor > 0 {
            let quotient = value / divisor
            if quotient.rounded() != quotient || !quotient.isFinite {
                found.append(Violation(path: path, message: "\(shown) not multipleOf \(Self.quoted(schema["multipleOf"] ?? .null))"))
            }
        }
        return found
    }

    // MARK: - Strings

    mutating func string(_ text: String, _ schema: [String: JSONValue], path: String) -> [Violation] {
        var found: [Violation] = []
        let length = text.unicodeScalars.count
        if let minimum = schema["minLength"].flatMap(Self.number), Double(length) < minimum {
            found.append(Violation(path: path, message: "minLength: got \(length), want \(Int(minimum))"))
        }
        if let maximum = schema["maxLength"].flatMap(Self.number), Double(length) > maximum {
            found.append(Violation(path: path, message: "maxLength: got \(length), want \(Int(maximum))"))
        }
        if let pattern = schema["pattern"]?.stringValue {
            switch patterns.matches(pattern, text) {
            case true?: break
            case false?: found.append(Violation(path: path, message: "'\(text)' does not match pattern '\(pattern)'"))
            case nil: notChecked.insert("pattern '\(pattern)' (not a regular expression this checker can run in time)")
            }
        }
        if legacyDraft, let format = schema["format"]?.stringValue {
            switch JSONSchema.Formats.check(format, text) {
            case true?: break
            case false?: found.append(Violation(path: path, message: "'\(text)' is not valid \(format)"))
            case nil: notChecked.insert("format '\(format)'")
            }
        }
        return found
    }

    // MARK: - Arrays

    mutating func array(_ elements: [JSONValue], _ schema: [String: JSONValue], path: String, depth: Int) -> [Violation] {
        var found: [Violation] = []
        if let minimum = schema["minItems"].flatMap(Self.number), Double(elements.count) < minimum {
            found.append(Violation(path: path, message: "minItems: got \(elements.count), want \(Int(minimum))"))
        }
        if let maximum = schema["maxItems"].flatMap(Self.number), Double(elements.count) > maximum {
            found.append(Violation(path: path, message: "maxItems: got \(elements.count), want \(Int(maximum))"))
        }
        if schema["uniqueItems"] == .bool(true) {
            outer: for i in elements.indices {
                for j in elements.indices where j > i && Self.equal(elements[i], elements[j]) {
                    found.append(Violation(path: path, message: "items at \(i) and \(j) are equal"))
                    break outer
                }
            }
        }
        // The leading items: `prefixItems` (2020-12) or an array `items` (earlier drafts).
        let prefix = schema["prefixItems"]?.arrayValue ?? schema["items"]?.arrayValue ?? []
        let rest: JSONValue? =
            schema["prefixItems"] != nil ? schema["items"] : (schema["items"]?.arrayValue != nil ? schema["additionalItems"] : schema["items"])
        for (index, element) in elements.enumerated() {
            let itemSchema = index < prefix.count ? prefix[index] : rest
            if let itemSchema { found += errors(element, itemSchema, path: Self.child(path, String(index)), depth: depth + 1) }
        }
        if let contains = schema["contains"] {
            var matching = 0
            for element in elements where errors(element, contains, path: path, depth: depth + 1).isEmpty { matching += 1 }
            let minimum = schema["minContains"].flatMap(Self.number).map(Int.init) ?? 1
            if matching < minimum {
                found.append(
                    Violation(path: path, message: matching == 0 ? "no items match contains schema" : "minContains: got \(matching), want \(minimum)")
                )
            }
            if let maximum = schema["maxContains"].flatMap(Self.number).map(Int.init), matching > maximum {
                found.append(Violation(path: path, message: "maxContains: got \(matching), want \(maximum)"))
            }
        }
        return found
    }

    // MARK: - Objects

    mutating func object(_ members: [String: JSONValue], _ schema: [String: JSONValue], path: String, depth: Int) -> [Violation] {
        var found: [Violation] = []
        if let required = schema["required"]?.arrayValue?.compactMap(\.stringValue) {
            let missing = required.filter { members[$0] == nil }
            if missing.count == 1 { found.append(Violation(path: path, message: "missing property '\(missing[0])'")) }
            if missing.count > 1 {
                found.append(Violation(path: path, message: "missing properties \(missing.map { "'\($0)'" }.joined(separator: ", "))"))
            }
        }
        if let minimum = schema["minProperties"].flatMap(Self.number), Double(members.count) < minimum {
            found.append(Violation(path: path, message: "minProperties: got \(members.count), want \(Int(minimum))"))
        }
        if let maximum = schema["maxProperties"].flatMap(Self.number), Double(members.count) > maximum {
            found.append(Violation(path: path, message: "maxProperties: got \(members.count), want \(Int(maximum))"))
        }
        let properties = schema["properties"]?.objectValue ?? [:]
        let patternProperties = schema["patternProperties"]?.objectValue ?? [:]
        var additional: [String] = []
        for key in members.keys.sorted() {
            guard let value = members[key] else { continue }
            var matched = false
            if let propertySchema = properties[key] {
                matched = true
                found += errors(value, propertySchema, path: Self.child(path, key), depth: depth + 1)
            }
            for (pattern, patternSchema) in patternProperties.sorted(by: { $0.key < $1.key }) {
                switch patterns.matches(pattern, key) {
                case true?:
                    matched = true
                    found += errors(value, patternSchema, path: Self.child(path, key), depth: depth + 1)
                case false?: break
                case nil: notChecked.insert("patternProperties '\(pattern)'")
                }
            }
            if !matched, let additionalSchema = schema["additionalProperties"] {
                if additionalSchema == .bool(false) {
                    additional.append(key)
                } else {
                    found += errors(value, additionalSchema, path: Self.child(path, key), depth: depth + 1)
                }
            }
            if let names = schema["propertyNames"], !errors(.string(key), names, path: path, depth: depth + 1).isEmpty {
                found.append(Violation(path: path, message: "invalid propertyName '\(key)'"))
            }
        }
        if !additional.isEmpty {
            found.append(Violation(path: path, message: "additional properties \(additional.map { "'\($0)'" }.joined(separator: ", ")) not allowed"))
        }
        // `dependencies` (up to draft 7) and its two successors.
        var requiredWhen: [String: JSONValue] = [:]
        var schemaWhen: [String: JSONValue] = [:]
        if case .object(let map)? = schema["dependencies"] {
            for (key, value) in map { if value.arrayValue != nil { requiredWhen[key] = value } else { schemaWhen[key] = value } }
        }
        if case .object(let map)? = schema["dependentRequired"] { requiredWhen.merge(map) { a, _ in a } }
        if case .object(let map)? = schema["dependentSchemas"] { schemaWhen.merge(map) { a, _ in a } }
        for (key, list) in requiredWhen.sorted(by: { $0.key < $1.key }) where members[key] != nil {
            let missing = (list.arrayValue ?? []).compactMap(\.stringValue).filter { members[$0] == nil }
            if !missing.isEmpty {
                found.append(
                    Violation(path: path, message: "properties \(missing.map { "'\($0)'" }.joined(separator: ", ")) required, if '\(key)' exists")
                )
            }
        }
        for (key, dependent) in schemaWhen.sorted(by: { $0.key < $1.key }) where members[key] != nil {
            found += errors(.object(members), dependent, path: path, depth: depth + 1)
        }
        return found
    }

    // MARK: - allOf, anyOf, oneOf, not, if/then/else

    mutating func combinators(_ instance: JSONValue, _ schema: [String: JSONValue], path: String, depth: Int) -> [Violation] {
        var found: [Violation] = []
        if let all = schema["allOf"]?.arrayValue {
            for sub in all { found += errors(instance, sub, path: path, depth: depth + 1) }
        }
        if let any = schema["anyOf"]?.arrayValue {
            var results: [[Violation]] = []
            for sub in any { results.append(errors(instance, sub, path: path, depth: depth + 1)) }
            if !results.contains(where: \.isEmpty) {
                found.append(Violation(path: path, message: "'anyOf' failed, none matched: " + Self.summary(results)))
            }
        }
        if let one = schema["oneOf"]?.arrayValue {
            var results: [[Violation]] = []
            for sub in one { results.append(errors(instance, sub, path: path, depth: depth + 1)) }
            let passing = results.indices.filter { results[$0].isEmpty }
            if passing.isEmpty {
                found.append(Violation(path: path, message: "'oneOf' failed, none matched: " + Self.summary(results)))
            } else if passing.count > 1 {
                found.append(Violation(path: path, message: "'oneOf' failed, subschemas \(passing.map(String.init).joined(separator: ", ")) matched"))
            }
        }
        if let not = schema["not"], errors(instance, not, path: path, depth: depth + 1).isEmpty {
            found.append(Violation(path: path, message: "'not' failed"))
        }
        if let condition = schema["if"] {
            let branch = errors(instance, condition, path: path, depth: depth + 1).isEmpty ? schema["then"] : schema["else"]
            if let branch { found += errors(instance, branch, path: path, depth: depth + 1) }
        }
        return found
    }

    /// The branches' failures in one line: `value must be 'a'; value must be 'b'`.
    static func summary(_ results: [[Violation]]) -> String {
        results.map { branch in branch.map { $0.path.isEmpty ? $0.message : "at '\($0.path)': \($0.message)" }.joined(separator: ", ") }
            .joined(separator: "; ")
    }
}
