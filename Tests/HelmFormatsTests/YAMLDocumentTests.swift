import HelmFormats
import Testing

/// Values files read as helm reads them (YAML 1.1 scalars, JSON values).
@Suite("YAML documents")
struct YAMLDocumentTests {
    @Test("scalars resolve as go-yaml resolves them; keys become strings")
    func scalars() throws {
        let text = """
            replicas: 3
            ratio: 0.5
            enabled: yes
            off: Off
            name: web
            quoted: "3"
            empty:
            tilde: ~
            hex: 0x1F
            big: 99999999999999999999
            list: [1, two, {three: 3}]
            1: one
            true: yes
            """
        let document = try YAMLDocument.parseMapping(text)
        #expect(document["replicas"] == .integer(3))
        #expect(document["ratio"] == .number(0.5))
        #expect(document["enabled"] == .bool(true))
        #expect(document["false"] == .bool(false), "the key `off` is the boolean false, written as text")
        #expect(document["name"] == .string("web"))
        #expect(document["quoted"] == .string("3"))
        #expect(document["empty"] == .null)
        #expect(document["tilde"] == .null)
        #expect(document["hex"] == .integer(31))
        #expect(document["big"] == .number(99_999_999_999_999_999_999))
        #expect(document["list"] == .array([.integer(1), .string("two"), .object(["three": .integer(3)])]))
        #expect(document["1"] == .string("one"))
        #expect(document["true"] == .bool(true))
    }

    @Test("anchors, aliases and merge keys; explicit keys win over merged ones")
    func anchors() throws {
        let document = try YAMLDocument.parseMapping(
            """
            base: &base {image: nginx, tag: "1.25", pull: Always}
            other: &other {tag: "9", extra: 1}
            web:
              <<: [*base, *other]
              tag: "1.27"
            copy: *base
            """
        )
        #expect(document["web"] == .object(["image": .string("nginx"), "tag": .string("1.27"), "pull": .string("Always"), "extra": .integer(1)]))
        #expect(document["copy"] == document["base"])
    }

    @Test("errors carry line and column")
    func errors() {
        func failure(_ text: String) -> YAMLDocument.SyntaxError? {
            do {
                _ = try YAMLDocument.parseMapping(text)
                return nil
            } catch {
                return error
            }
        }
        let unclosed = failure("a: 1\nb: [1, 2\nc: 3\n")
        #expect(unclosed?.line == 3, "\(String(describing: unclosed))")
        let tab = failure("a:\n\tb: 1\n")
        #expect(tab?.line == 2, "\(String(describing: tab))")
        #expect(failure("key: *nowhere\n")?.reason.contains("unknown anchor") == true)
        #expect(failure("- a\n- b\n")?.reason.contains("must be a YAML mapping") == true)
        #expect(failure("just text")?.reason.contains("not string") == true)
        #expect(failure("? [a, b]\n: c\n")?.reason.contains("scalar") == true)
        #expect(failure("x: .nan\n") != nil, "NaN has no JSON form")
    }

    @Test("empty text and comments are an empty mapping; only the first document counts")
    func empty() throws {
        #expect(try YAMLDocument.parseMapping("").isEmpty)
        #expect(try YAMLDocument.parseMapping("# nothing\n").isEmpty)
        #expect(try YAMLDocument.parseMapping("a: 1\n---\nb: 2\n") == ["a": .integer(1)])
    }

    @Test("aliases that expand without bound are refused")
    func laughs() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        #expect(throws: YAMLDocument.SyntaxError.self) { try YAMLDocument.parseMapping(text) }
    }

    @Test("nesting is refused past maxDepth, in flow and block style, with the line; no stack overflow at any depth")
    func depth() throws {
        func flow(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        #expect(try YAMLDocument.parse(flow(YAMLDocument.maxDepth)) != .null)
        for depth in [YAMLDocument.maxDepth + 1, 5_000, 200_000] {
            #expect {
                try YAMLDocument.parse(flow(depth))
            } throws: { error in
                (error as? YAMLDocument.SyntaxError)?.reason.contains("nest deeper than \(YAMLDocument.maxDepth) levels") == true
            }
        }
        // Block mappings: `a:` indented one more level per line.
        let block = (0...YAMLDocument.maxDepth).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n") + " 1\n"
        #expect {
            try YAMLDocument.parseMapping(block)
        } throws: { error in
            (error as? YAMLDocument.SyntaxError).map { $0.line == YAMLDocument.maxDepth + 1 && $0.reason.contains("nest deeper") } == true
        }
    }
}
