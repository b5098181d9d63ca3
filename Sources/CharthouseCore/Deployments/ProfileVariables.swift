public import CharthouseStore
import Foundation

/// Profile variables, as Palette has them: a profile declares them, its layers' values reference
/// them as `{{ .charthouse.var.NAME }}`, and a cluster attachment gives their values. The
/// reference is replaced as text before the values are read as YAML, so it may sit inside a
/// longer scalar (`image: "repo:{{ .charthouse.var.tag }}"`).
public enum ProfileVariables {
    /// At most this many variables per profile.
    public static let maxCount = 100
    static var namePattern: Regex<Substring> { /^[A-Za-z_][A-Za-z0-9_]{0,62}$/ }
    static var reference: Regex<(Substring, Substring)> { /\{\{-?\s*\.charthouse\.var\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}/ }

    /// Checks declarations: names, no duplicates, patterns that compile, defaults that match.
    public static func validate(_ variables: [ProfileVariable], field: String = "variables") throws {
        guard variables.count <= maxCount else { throw CharthouseError.invalidField(field, "at most \(maxCount) variables") }
        var seen: Set<String> = []
        for (index, variable) in variables.enumerated() {
            let at = "\(field)[\(index)]"
            guard (try? namePattern.wholeMatch(in: variable.name)) != nil else {
                throw CharthouseError.invalidField(
                    "\(at).name",
                    "\"\(variable.name)\" is not a variable name (letters, digits and _, not starting with a digit)"
                )
            }
            guard seen.insert(variable.name).inserted else {
                throw CharthouseError.invalidField("\(at).name", "\"\(variable.name)\" is declared twice")
            }
            guard variable.description.count <= 1024 else { throw CharthouseError.invalidField("\(at).description", "at most 1024 characters") }
            guard (variable.defaultValue?.utf8.count ?? 0) <= 64 * 1024 else { throw CharthouseError.invalidField("\(at).default", "at most 64 KiB") }
            if let pattern = variable.regex {
                guard pattern.utf8.count <= 1024, let regex = try? Regex(pattern) else {
                    throw CharthouseError.invalidField("\(at).regex", "\"\(pattern)\" is not a regular expression")
                }
                if let value = variable.defaultValue, (try? regex.wholeMatch(in: value)) == nil {
                    throw CharthouseError.invalidField("\(at).default", "\"\(value)\" does not match \(pattern)")
                }
            }
        }
    }

    /// The variable names `text` references, in order of first use.
    public static func references(in text: String) -> [String] {
        guard text.contains(".charthouse.var.") else { return [] }
        var names: [String] = []
        for match in text.matches(of: reference) where !names.contains(String(match.output.1)) {
            names.append(String(match.output.1))
        }
        return names
    }

    /// `text` with every reference replaced by the variable's value (missing ones by `fallback`).
    public static func render(_ text: String, values: [String: String], fallback: String = "") -> String {
        guard text.contains(".charthouse.var.") else { return text }
        return text.replacing(reference) { match in values[String(match.output.1)] ?? fallback }
    }

    /// The value of every declared variable for an attachment: given, else the default. Throws
    /// a 422 naming each required variable with no value, each value that fails its pattern, and
    /// each value given for a variable the profile does not declare.
    public static func resolve(_ declared: [ProfileVariable], given: [String: String]) throws -> [String: String] {
        var resolved: [String: String] = [:]
        var problems: [String] = []
        for name in given.keys.sorted() where !declared.contains(where: { $0.name == name }) {
            problems.append("\(name): the profile declares no such variable")
        }
        for variable in declared {
            guard let value = given[variable.name] ?? variable.defaultValue else {
                if variable.required { problems.append("\(variable.name): required, and no value was given") }
                continue
            }
            if let pattern = variable.regex, let regex = try? Regex(pattern), (try? regex.wholeMatch(in: value)) == nil {
                problems.append("\(variable.name): \"\(value)\" does not match \(pattern)")
                continue
            }
            resolved[variable.name] = value
        }
        guard problems.isEmpty else {
            throw CharthouseError(.unprocessable, "variables: " + problems.joined(separator: "; "))
        }
        return resolved
    }
}
