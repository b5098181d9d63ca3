import CharthouseStore
import HelmFormats

/// The checks a layer's values pass before they are stored: size, a YAML mapping as helm reads a
/// values file, and — where the chart has a `values.schema.json` — the chart's defaults with the
/// layer's values coalesced over them (helm's merge) checked against it, as `helm install` would.
enum ValuesCheck {
    /// Values larger than this are refused (helm keeps releases in 1 MiB Secrets).
    static let maxBytes = 512 * 1024

    /// What was checked, kept on the layer.
    struct Outcome: Sendable, Hashable {
        /// `checked`, `no schema` (the chart has none) or `not applicable` (protected registry).
        var schema: String
        /// Schema keywords the checker does not implement (they were not checked).
        var notChecked: [String]
    }

    /// The values as a mapping; throws a 422 naming the line and column of a YAML error.
    /// References to profile variables read as a placeholder word (their values come later).
    static func mapping(_ text: String, field: String = "values") throws -> [String: JSONValue] {
        guard text.utf8.count <= maxBytes else {
            throw CharthouseError(.unprocessable, "\(field): at most \(maxBytes / 1024) KiB of YAML", field: "values")
        }
        do {
            return try YAMLDocument.parseMapping(ProfileVariables.render(text, values: [:], fallback: "variable"))
        } catch {
            throw CharthouseError(.unprocessable, "\(field) are not valid YAML: \(error.description)", cause: error, field: "values")
        }
    }

    /// Checks `text` against the chart's files; throws a 422 listing every failing path.
    static func check(_ text: String, chart: String, version: String, files: ChartFilesRecord) throws -> Outcome {
        try check(values: try mapping(text), chart: chart, version: version, files: files)
    }

    /// Checks parsed values against the chart's files, as ``check(_:chart:version:files:)``.
    static func check(values: [String: JSONValue], chart: String, version: String, files: ChartFilesRecord) throws -> Outcome {
        guard let schemaText = files.schema else { return Outcome(schema: "no schema", notChecked: []) }
        let schema: JSONSchema
        do {
            schema = try JSONSchema(json: schemaText)
        } catch {
            return Outcome(schema: "not checked: the chart's values.schema.json is not a JSON schema", notChecked: [])
        }
        let defaults = (try? YAMLDocument.parseMapping(files.values ?? "")) ?? [:]
        let report = schema.validate(.object(HelmValues.coalesce(values, over: defaults)))
        guard report.isValid else {
            let lines = report.violations.map { "- \($0)" }.joined(separator: "\n")
            throw CharthouseError(
                .unprocessable,
                "values don't meet the specifications of the schema of chart \(chart) \(version):\n\(lines)",
                field: "values"
            )
        }
        return Outcome(schema: "checked", notChecked: report.notChecked)
    }
}
