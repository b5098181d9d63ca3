import Foundation
import HelmFormats
import Testing

/// What the emitter writes, the YAML reader reads back as the same document.
@Suite("YAML emitter")
struct YAMLEmitterTests {
    static let tricky: [String] = [
        "", "plain", "yes", "No", "null", "~", "1.0", "0x1F", "1e3", "-leading", "a: b", "# not a comment", "[x]", "{y}", "&anchor",
        "*alias", "quote \" and \\ backslash", "tab\there", "multi\nline\n", "no trailing newline\nat the end", "two trailing\n\n",
        "  indented first\nsecond\n", "\nleading empty line\n", "spaces only line\n   \nafter\n", "carriage\r\nreturn\n", "ünïcödé ✓\n",
        "key: value\nlist:\n  - a\n  - b\n", "trailing spaces   \nkept  \n", "\u{7}bell",
        // C1 controls, YAML 1.1's other line breaks and the non-characters: escaped, never raw.
        "c1 \u{8F} control", "multi\nline with \u{8F}\n", "next\u{85}line", "line\u{2028}sep\u{2029}para", "\u{FFFE}\u{FFFF}", "emoji 🧭",
    ]

    @Test("every string survives emit and parse, as a value, in a list and as a key")
    func roundTrip() throws {
        var members: [String: JSONValue] = [:]
        for (index, text) in Self.tricky.enumerated() { members["k\(index)"] = .string(text) }
        members["list"] = .array(Self.tricky.map(JSONValue.string))
        members["keys"] = .object(Dictionary(uniqueKeysWithValues: Self.tricky.enumerated().map { ("\($1)", JSONValue.integer(Int64($0))) }))
        members["numbers"] = .array([.integer(-3), .number(2.5), .bool(true), .null, .object([:]), .array([])])
        let document = JSONValue.object(members)
        let text = YAMLEmitter.document(document)
        let parsed = try YAMLDocument.parse(text)
        for (key, value) in members {
            #expect(parsed[key] == value, "\(key): \(String(describing: parsed[key])) from\n\(text)")
        }
        #expect(parsed == document)
    }

    @Test("multi-line strings are literal blocks; keys follow the given order, then sorted")
    func layout() {
        let text = YAMLEmitter.document(
            .object([
                "spec": .object(["values": .string("a: 1\nb: 2\n")]), "kind": .string("ClusterProfile"), "apiVersion": .string("charthouse/v1"),
                "z": .integer(1), "b": .integer(2),
            ]),
            keyOrder: ["apiVersion", "kind", "spec"]
        )
        #expect(text == "apiVersion: charthouse/v1\nkind: ClusterProfile\nspec:\n  values: |\n    a: 1\n    b: 2\nb: 2\nz: 1\n")
    }
}

@Suite("Chart content: code and comparable default values")
struct ChartContentTests {
    @Test("the user's value paths are taken out of the defaults before they are compared")
    func comparableValues() throws {
        let defaults = try YAMLDocument.parse("replicaCount: 1\nimage:\n  repository: nginx\n  tag: \"\"\nservice:\n  port: 80\n")
        // What helm stores after `upgrade --reuse-values`: defaults coalesced with the old values.
        let reused = try YAMLDocument.parse("replicaCount: 2\nimage:\n  repository: nginx\n  tag: stable\nservice:\n  port: 80\nextra: true\n")
        let config = try YAMLDocument.parse("replicaCount: 2\nimage:\n  tag: stable\nextra: true\n")
        #expect(ChartContent.comparableValues(defaults, config: config) == ChartContent.comparableValues(reused, config: config))
        // A changed default outside the user's values is a different chart.
        let forked = try YAMLDocument.parse("replicaCount: 1\nimage:\n  repository: evil/nginx\n  tag: \"\"\nservice:\n  port: 80\n")
        #expect(ChartContent.comparableValues(defaults, config: config) != ChartContent.comparableValues(forked, config: config))
        // YAML and JSON spellings of one number compare equal.
        #expect(
            ChartContent.comparableValues(try YAMLDocument.parse("a: 1.0"), config: nil)
                == ChartContent.comparableValues(.object(["a": .integer(1)]), config: nil)
        )
    }
}

@Suite("JSON text straight into values")
struct JSONValueParseTests {
    @Test("parses what JSONDecoder reads, the same values; refuses what it refuses")
    func parse() throws {
        let texts = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"x\"y\\z\/\u00e9\ud83d\ude00\n"},"e":-1.5e3,"f":0,"g":9223372036854775807,"h":1.0}"#,
            " [ ] ", "\"\"", "{}", "-0", "12345678901234567890",
        ]
        for text in texts {
            let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(try JSONValue.parse(Array(text.utf8)) == decoded, "\(text)")
        }
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"\\x\"", "1 2", "\"a", "{\"a\":1,}", "01x", "\"\u{01}\""] {
            #expect(throws: HelmFormatError.self, "\(bad)") { try JSONValue.parse(Array(bad.utf8)) }
        }
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: HelmFormatError.self) { try JSONValue.parse(Array(deep.utf8)) }
    }
}
