import Foundation

/// A Kubernetes label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), or a field selector
/// over the fields the stand-in indexes (`metadata.name`, `metadata.namespace`).
public struct LabelSelector: Sendable, Equatable {
    public enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    public let requirements: [Requirement]

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses the selector text; an empty text selects everything.
    public init(_ text: String) throws {
        var requirements: [Requirement] = []
        for clause in Self.clauses(text) {
            let clause = clause.trimmingCharacters(in: .whitespaces)
            if clause.isEmpty { continue }
            requirements.append(try Self.requirement(clause))
        }
        self.requirements = requirements
    }

    /// Whether labels (or indexed fields) satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .isIn(let key, let values): labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): !(labels[key].map(values.contains) ?? false)
            case .exists(let key): labels[key] != nil
            case .doesNotExist(let key): labels[key] == nil
            }
        }
    }

    /// Splits on commas outside parentheses.
    private static func clauses(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                result.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        result.append(current)
        return result
    }

    private static func requirement(_ clause: String) throws -> Requirement {
        if clause.hasPrefix("!") {
            return .doesNotExist(try key(String(clause.dropFirst())))
        }
        if let range = clause.range(of: "!=") {
            return .notEquals(try key(String(clause[..<range.lowerBound])), value(clause[range.upperBound...]))
        }
        if let range = clause.range(of: "==") ?? clause.range(of: "=") {
            return .equals(try key(String(clause[..<range.lowerBound])), value(clause[range.upperBound...]))
        }
        for (word, isIn) in [(" notin ", false), (" in ", true)] {
            if let range = clause.range(of: word) {
                let key = try key(String(clause[..<range.lowerBound]))
                let list = clause[range.upperBound...].trimmingCharacters(in: .whitespaces)
                guard list.hasPrefix("("), list.hasSuffix(")") else { throw ParseError(description: "unable to parse requirement: \(clause)") }
                let values = Set(list.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                return isIn ? .isIn(key, values) : .notIn(key, values)
            }
        }
        return .exists(try key(clause))
    }

    private static func key(_ text: String) throws -> String {
        let key = text.trimmingCharacters(in: .whitespaces)
        let allowed = key.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
        guard !key.isEmpty, allowed else { throw ParseError(description: "invalid label key \"\(key)\"") }
        return key
    }

    private static func value(_ text: Substring) -> String {
        text.trimmingCharacters(in: .whitespaces)
    }
}
