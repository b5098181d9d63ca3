import Foundation

/// Syntax rules for names chosen by users.
public enum NameRules {
    /// Tenant names are DNS labels: 1–63 of `a-z 0-9 -`, starting and ending alphanumeric.
    /// They appear in URLs (`/v2/<tenant>/…`), so they are strict.
    public static func validateTenantName(_ name: String, field: String = "name") throws {
        guard (1...63).contains(name.count) else { throw CharthouseError.invalidField(field, "must be 1 to 63 characters") }
        guard isDNSLabel(name) else {
            throw CharthouseError.invalidField(
                field,
                "must be lowercase letters, digits and '-', starting and ending with a letter or digit"
            )
        }
        guard !reservedTenantNames.contains(name) else {
            throw CharthouseError.invalidField(field, "\"\(name)\" is reserved")
        }
    }

    /// Registry names: DNS labels, 1–63 of `a-z 0-9 -`, unique within their tenant.
    public static func validateRegistryName(_ name: String, field: String = "name") throws {
        guard (1...63).contains(name.count), isDNSLabel(name) else {
            throw CharthouseError.invalidField(
                field,
                "must be 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"
            )
        }
    }

    /// Usernames: 1–64 of `a-z 0-9 . _ - @`, starting and ending alphanumeric.
    public static func validateUsername(_ name: String, field: String = "username") throws {
        guard (1...64).contains(name.count) else { throw CharthouseError.invalidField(field, "must be 1 to 64 characters") }
        let allowed = name.unicodeScalars.allSatisfy { isLowerAlphanumeric($0) || ".-_@".unicodeScalars.contains($0) }
        guard allowed, let first = name.unicodeScalars.first, let last = name.unicodeScalars.last,
            isLowerAlphanumeric(first), isLowerAlphanumeric(last)
        else {
            throw CharthouseError.invalidField(
                field,
                "must be lowercase letters, digits, '.', '_', '-' or '@', starting and ending with a letter or digit"
            )
        }
    }

    /// Passwords: 8 to 1024 characters (bcrypt reads 72 bytes; longer ones are pre-hashed).
    public static func validatePassword(_ password: String, field: String = "password") throws {
        guard password.unicodeScalars.count >= 8 else { throw CharthouseError.invalidField(field, "must be at least 8 characters") }
        guard password.utf8.count <= 1024 else { throw CharthouseError.invalidField(field, "must be at most 1024 bytes") }
    }

    /// Labels such as token names: 1–64 printable characters.
    public static func validateLabel(_ label: String, field: String = "name") throws {
        let trimmed = label.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(trimmed.unicodeScalars.count), trimmed == label else {
            throw CharthouseError.invalidField(field, "must be 1 to 64 characters without leading or trailing spaces")
        }
        guard !label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw CharthouseError.invalidField(field, "must not contain control characters")
        }
    }

    static let reservedTenantNames: Set<String> = ["system", "api", "v1", "v2", "charts", "admin"]

    static func isDNSLabel(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else {
            return false
        }
        return scalars.allSatisfy { isLowerAlphanumeric($0) || $0 == "-" }
    }

    private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
