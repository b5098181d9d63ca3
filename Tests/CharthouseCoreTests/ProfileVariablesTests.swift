import CharthouseCore
import CharthouseStore
import HelmFormats
import Testing

/// Profile variables: declarations checked, references found and rendered, attachment values resolved.
@Suite("Profile variables")
struct ProfileVariablesTests {
    @Test("declarations: names, duplicates, patterns and defaults are checked")
    func declarations() throws {
        try ProfileVariables.validate([
            ProfileVariable(name: "region", defaultValue: "eu-1", regex: "[a-z]+-[0-9]"), ProfileVariable(name: "_replicas", required: true),
        ])
        for bad in [
            [ProfileVariable(name: "9lives")], [ProfileVariable(name: "a-b")], [ProfileVariable(name: "x"), ProfileVariable(name: "x")],
            [ProfileVariable(name: "x", regex: "([")], [ProfileVariable(name: "x", defaultValue: "US", regex: "[a-z]+")],
        ] {
            #expect(throws: CharthouseError.self) { try ProfileVariables.validate(bad) }
        }
    }

    @Test("references are found and replaced as text, spaces and trim markers allowed; others stay")
    func rendering() {
        let text =
            "image: \"repo:{{ .charthouse.var.tag }}\"\nregion: {{.charthouse.var.region}}\nname: {{- .charthouse.var.tag -}}\nkeep: {{ .Release.Name }}\n"
        #expect(ProfileVariables.references(in: text) == ["tag", "region"])
        let rendered = ProfileVariables.render(text, values: ["tag": "1.2", "region": "eu-1"])
        #expect(rendered == "image: \"repo:1.2\"\nregion: eu-1\nname: 1.2\nkeep: {{ .Release.Name }}\n")
        #expect(ProfileVariables.render("a: {{ .charthouse.var.x }}\n", values: [:], fallback: "v") == "a: v\n")
    }

    @Test("an attachment's values: given, else default; required, pattern and unknown names refused together")
    func resolve() throws {
        let declared = [
            ProfileVariable(name: "region", defaultValue: "eu-1"), ProfileVariable(name: "tier", required: true, regex: "gold|silver"),
            ProfileVariable(name: "note"),
        ]
        #expect(try ProfileVariables.resolve(declared, given: ["tier": "gold"]) == ["region": "eu-1", "tier": "gold"])
        do {
            _ = try ProfileVariables.resolve(declared, given: ["tier": "bronze", "typo": "x"])
            Issue.record("expected a refusal")
        } catch let error as CharthouseError {
            #expect(error.code == .unprocessable)
            #expect(error.message.contains("typo") && error.message.contains("bronze"), "\(error.message)")
        }
        #expect(throws: CharthouseError.self) { try ProfileVariables.resolve(declared, given: [:]) }
    }

    @Test("values files merge as helm merges them: maps deep, the rest replaced, null kept")
    func merge() {
        let base: [String: JSONValue] = ["image": .object(["repo": "a", "tag": "1"]), "list": .array(["x"]), "drop": "here"]
        let override: [String: JSONValue] = ["image": .object(["tag": "2"]), "list": .array(["y"]), "drop": .null]
        #expect(
            HelmValues.merge(base, with: override) == ["image": .object(["repo": "a", "tag": "2"]), "list": .array(["y"]), "drop": .null]
        )
        #expect(HelmValues.canonicalJSON(["b": 1, "a": .object(["z": true, "y": "q"])]) == #"{"a":{"y":"q","z":true},"b":1}"#)
    }
}
