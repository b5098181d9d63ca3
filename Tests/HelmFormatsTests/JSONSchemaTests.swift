import HelmFormats
import Testing

/// The schema checker's edges that helm cannot show: what it leaves unchecked and how it stops.
@Suite("JSON schema checker")
struct JSONSchemaTests {
    func schema(_ json: String) throws -> JSONSchema { try JSONSchema(json: json) }

    @Test("unknown keywords are listed as not checked, never silently passed or failed; annotations and x- extensions are not")
    func notChecked() throws {
        let report = try schema(
            ##"{"type": "object", "title": "t", "x-ui": {}, "unevaluatedProperties": false, "properties": {"a": {"$dynamicRef": "#x", "description": "d"}}}"##
        ).validate(.object(["a": .integer(1), "b": .integer(2)]))
        #expect(report.isValid)
        #expect(report.notChecked == ["$dynamicRef", "unevaluatedProperties"])
    }

    @Test("a pattern that backtracks without end is abandoned in time and reported, not matched")
    func slowPattern() throws {
        let report = try schema(##"{"properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}"##).validate(
            .object(["a": .string(String(repeating: "a", count: 40) + "!")])
        )
        #expect(report.isValid)
        #expect(report.notChecked.contains { $0.hasPrefix("pattern '^(a+)+$'") })
    }

    @Test("a schema that refers to itself stops; remote references are reported")
    func references() throws {
        let looping = try schema(##"{"$ref": "#"}"##).validate(.integer(1))
        #expect(looping.notChecked.contains { $0.contains("recursion") })
        let remote = try schema(##"{"$ref": "https://example.com/schema.json"}"##).validate(.integer(1))
        #expect(remote.notChecked == ["$ref https://example.com/schema.json"])
        let tree = try schema(
            ##"{"$defs": {"node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}, "n": {"type": "integer"}}}}, "$ref": "#/$defs/node"}"##
        )
        let nested = JSONValue.object(["children": .array([.object(["n": .string("x")])])])
        #expect(tree.validate(nested).violations == [.init(path: "/children/0/n", message: "got string, want integer")])
    }

    @Test("a document that is not a schema is refused")
    func notASchema() {
        #expect(throws: HelmFormatError.self) { try JSONSchema(json: "[1, 2]") }
        #expect(throws: HelmFormatError.self) { try JSONSchema(json: "{") }
    }

    @Test("helm's coalescing: maps merge deeply, user values win, a user null removes a default")
    func coalesce() {
        let defaults: [String: JSONValue] = [
            "image": .object(["repository": .string("nginx"), "tag": .string("1.25")]),
            "replicas": .integer(1),
            "probe": .object(["enabled": .bool(true)]),
            "list": .array([.integer(1)]),
        ]
        let values: [String: JSONValue] = [
            "image": .object(["tag": .string("1.27")]),
            "probe": .null,
            "list": .array([.integer(2)]),
            "extra": .null,
        ]
        #expect(
            HelmValues.coalesce(values, over: defaults) == [
                "image": .object(["repository": .string("nginx"), "tag": .string("1.27")]),
                "replicas": .integer(1),
                "list": .array([.integer(2)]),
                "extra": .null,
            ]
        )
    }
}
