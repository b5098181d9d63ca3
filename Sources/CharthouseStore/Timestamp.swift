import Foundation

/// Timestamps as stored: `Int64` milliseconds since 1970, identical on SQLite and PostgreSQL.
enum Timestamp {
    static var now: Int64 { from(Date()) }
    static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}
