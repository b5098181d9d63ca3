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
            let data = FileHandle.standardInput.readDataToEndOfFile()
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw CLIError("no password on stdin") }
            return text
        }
        guard isatty(STDIN_FILENO) != 0, let raw = getpass(prompt) else {
            throw CLIError("no terminal to ask for the password: use --password-stdin")
        }
        let password = String(cString: raw)
        guard !password.isEmpty else { throw CLIError("empty password") }
        return password
    }
}
