import HelmFormats

/// The checks a layer's values pass before they are stored: size, and a YAML mapping as helm
/// reads a values file. (Checks against the chart's schema build on ``mapping(_:)``.)
enum ValuesCheck {
    /// Values larger than this are refused (helm keeps releases in 1 MiB Secrets).
    static let maxBytes = 512 * 1024

    /// The values as a mapping; throws a 422 naming the line and column of a YAML error.
    static func mapping(_ text: String, field: String = "values") throws -> [String: JSONValue] {
        guard text.utf8.count <= maxBytes else {
            throw CharthouseError(.unprocessable, "\(field): at most \(maxBytes / 1024) KiB of YAML")
        }
        do {
            return try YAMLDocument.parseMapping(text)
        } catch {
            throw CharthouseError(.unprocessable, "\(field) are not valid YAML: \(error.description)", cause: error)
        }
    }
}
