public import ArgumentParser

/// The root command: `charthouse serve` runs the server; the other subcommands are its client.
public struct CharthouseCommand: AsyncParsableCommand {
    /// This build's version, printed by `charthouse --version`.
    public static let version = "0.13.0"

    public static let configuration = CommandConfiguration(
        commandName: "charthouse",
        abstract: "Multi-tenant Helm chart registry server and its command-line client.",
        discussion: "Client options (--server, --token, -o/--output) go before or after the subcommand.",
        version: version,
        subcommands: [
            ServeCommand.self, LoginCommand.self, LogoutCommand.self, WhoAmICommand.self, PasswordCommand.self, TenantCommand.self,
            UserCommand.self, TokenCommand.self, RegistryCommand.self, ChartCommand.self, ProfileCommand.self, ClusterCommand.self,
            GarbageCommand.self, AgentCommand.self,
            CompletionCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line, with client options given before the subcommand moved after it.
    public static func main(arguments: [String]) async {
        await main(GlobalOptions.hoist(arguments))
    }
}

/// `charthouse completion bash|zsh|fish`: prints a shell completion script.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print a completion script for bash, zsh or fish.",
        discussion: "bash: source <(charthouse completion bash)   zsh: charthouse completion zsh > \"${fpath[1]}/_charthouse\"   "
            + "fish: charthouse completion fish > ~/.config/fish/completions/charthouse.fish"
    )

    @Argument(help: "bash, zsh or fish.") var shell: String

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell) else { throw ValidationError("the shell must be bash, zsh or fish") }
        print(CharthouseCommand.completionScript(for: kind))
    }
}

/// The client options every command accepts, moved from before the subcommand to after it
/// (argument-parser reads options at the level that declares them).
enum GlobalOptions {
    static let withValue: Set<String> = ["--server", "--token", "-o", "--output"]

    static func hoist(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            guard withValue.contains(name) || (argument.hasPrefix("-o") && argument.count > 2 && !argument.hasPrefix("--")) else { break }
            leading.append(argument)
            if !argument.contains("=") && (argument == name) && withValue.contains(argument), index + 1 < arguments.count {
                leading.append(arguments[index + 1])
                index += 1
            }
            index += 1
        }
        guard !leading.isEmpty else { return arguments }
        var rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.endIndex
        rest.insert(contentsOf: leading, at: end)
        return rest
    }
}
