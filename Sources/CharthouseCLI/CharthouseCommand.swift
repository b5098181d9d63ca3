import ArgumentParser

/// The root command: `charthouse serve` runs the server; the other subcommands are its client.
public struct CharthouseCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "charthouse",
        abstract: "Multi-tenant Helm chart registry server and its command-line client.",
        subcommands: [
            ServeCommand.self, LoginCommand.self, WhoAmICommand.self, TenantCommand.self, UserCommand.self, TokenCommand.self,
            RegistryCommand.self, ChartCommand.self, GarbageCommand.self,
        ]
    )

    public init() {}
}
