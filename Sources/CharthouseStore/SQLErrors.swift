import PostgresNIO
import SQLiteNIO

/// Recognises database errors that both engines report in their own way.
enum SQLErrors {
    /// Runs `body`, turning a unique-constraint violation into ``StoreError/duplicate(_:)``.
    static func mapUniqueViolation<R>(_ message: String, _ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw StoreError.duplicate(message)
        } catch let error as SQLiteError where isUniqueViolation(error) {
            throw StoreError.duplicate(message)
        }
    }

    /// PostgreSQL refused a bound text value it cannot hold (a NUL character, a byte sequence
    /// that is not UTF-8): SQLSTATE 22021 or 22P05.
    static func isUnstorableText(_ error: PSQLError) -> Bool {
        ["22021", "22P05"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    private static func isUniqueViolation(_ error: SQLiteError) -> Bool {
        switch error.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed: return true
        case .constraint: return error.message.contains("UNIQUE")
        default: return false
        }
    }
}

/// A database error in words an operator can act on, or `nil` when `error` is not one.
///
/// PostgreSQL's errors describe themselves generically (to keep data out of logs); this reads the
/// server's message and SQLSTATE, never the detail (which can quote row values).
public func databaseErrorSummary(_ error: any Error) -> String? {
    if let error = error as? PSQLError {
        guard let message = error.serverInfo?[.message] else { return "database error: \(error.code)" }
        let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
        return "database error: \(message)\(state)"
    }
    if let error = error as? SQLiteError {
        return "database error: \(error.message)"
    }
    return nil
}
