import Foundation

/// A chart's `values.schema.json`, checked against values as helm checks them before it renders:
/// the keywords charts use from drafts 4 to 2020-12, `$ref` within the document, messages in
/// the words of helm 4's validator (`at '/image/tag': got number, want string`).
///
/// A keyword this checker does not implement is never silently passed or failed: it is listed in
/// ``Report/notChecked``.
public struct JSONSchema: Sendable {
    /// One failed rule: where in the values (a JSON pointer, `""` for the root) and why.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        public let path: String
        public let message: String

        public init(path: String, message: String) {
            self.path = path
            self.message = message
        }

        public var description: String { "at '\(path)': \(message)" }
    }

    /// The outcome of a check.
    public struct Report: Sendable, Hashable {
        public var violations: [Violation] = []
        /// Keywords present in the schema that were not checked (sorted).
        public var notChecked: [String] = []
        public var isValid: Bool { violations.isEmpty }
    }

    let root: JSONValue

    /// A schema document: an object or a boolean. Throws for anything else.
    public init(_ document: JSONValue) throws(HelmFormatError) {
        switch document {
        case .object, .bool: root = document
        default: throw HelmFormatError("a JSON schema must be an object or a boolean, not \(document.kindName)")
        }
    }

    /// Parses a schema from its JSON text.
    public init(json text: String) throws(HelmFormatError) {
        let document: JSONValue
        do {
            document = try JSONValue.decode(text)
        } catch {
            throw HelmFormatError("values.schema.json is not valid JSON")
        }
        try self.init(document)
    }

    /// Checks `instance`; violations come in document order, deepest rules where they apply.
    public func validate(_ instance: JSONValue) -> Report {
        var checker = Checker(root: root)
        checker.check(instance, against: root, path: "", depth: 0)
        var report = Report()
        report.violations = checker.violations
        report.notChecked = checker.notChecked.sorted()
        return report
    }

    /// Keywords read for their meaning alone (annotations), never checked.
    static let annotations: Set<String> = [
        "$schema", "$id", "id", "$comment", "$anchor", "$vocabulary", "title", "description", "default", "examples", "readOnly", "writeOnly",
        "deprecated", "contentMediaType", "contentEncoding", "contentSchema", "$defs", "definitions", "then", "else",
        "additionalItems",
    ]

    /// Keywords that 2019-09 and 2020-12 added: not keywords in earlier drafts.
    static let laterKeywords = ["prefixItems", "dependentRequired", "dependentSchemas", "minContains", "maxContains"]

    /// Keywords this checker implements.
    static let implemented: Set<String> = [
        "type", "required", "properties", "additionalProperties", "patternProperties", "propertyNames", "minProperties", "maxProperties",
        "dependencies", "dependentRequired", "dependentSchemas", "items", "prefixItems", "contains", "minContains", "maxContains",
        "minItems", "maxItems", "uniqueItems", "enum", "const", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "allOf", "anyOf", "oneOf", "not", "if", "$ref",
    ]
}

extension JSONValue {
    /// Decodes JSON text.
    public static func decode(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
