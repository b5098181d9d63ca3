/// The distribution spec's grammar for repository names, the one place it is written:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`, at most 255 bytes.
public enum OCIRepositoryName {
    public static let maxLength = 255

    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maxLength else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isValidComponent)
    }

    /// One path component: lowercase letters and digits, separated by `.`, `_`, `__` or dashes.
    public static func isValidComponent(_ component: Substring) -> Bool {
        var previousWasSeparator = true
        var separator = ""
        for character in component {
            if character.isASCII, character.isLowercase || character.isNumber {
                if !separator.isEmpty {
                    guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" }) else { return false }
                    separator = ""
                }
                previousWasSeparator = false
            } else if character == "." || character == "_" || character == "-" {
                guard !previousWasSeparator || !separator.isEmpty else { return false }
                separator.append(character)
            } else {
                return false
            }
        }
        return !previousWasSeparator && separator.isEmpty
    }
}
