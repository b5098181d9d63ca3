import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a password without echoing it: from stdin (`--password-stdin`), or from the terminal.
enum PasswordInput {
    static func read(fromStdin: Bool, prompt: String) throws -> String {
        if fromStdin {
            let lines = stdinLines()
            guard let first = lines.first, !first.isEmpty else { throw CLIError("no password on stdin") }
            return lines.count == 1 ? first : lines.joined(separator: "\n")
        }
        return try ask(prompt)
    }

    /// The current and the new password: two lines of stdin, or asked (the new one twice).
    static func readChange(fromStdin: Bool) throws -> (old: String, new: String) {
        if fromStdin {
            let lines = stdinLines()
            guard lines.count == 2, !lines[0].isEmpty, !lines[1].isEmpty else {
                throw CLIError("--password-stdin expects two lines: the current password, then the new one")
            }
            return (lines[0], lines[1])
        }
        let old = try ask("Current password: ")
        let new = try ask("New password: ")
        guard try ask("New password again: ") == new else { throw CLIError("the new passwords differ") }
        return (old, new)
    }

    /// Stdin without its trailing line breaks, split into lines.
    private static func stdinLines() -> [String] {
        var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
    }

    private static func ask(_ prompt: String) throws -> String {
        guard isatty(STDIN_FILENO) != 0, let raw = getpass(prompt) else {
            throw CLIError("no terminal to ask for the password: use --password-stdin")
        }
        let password = String(cString: raw)
        guard !password.isEmpty else { throw CLIError("empty password") }
        return password
    }
}
