import ArgumentParser
import CharthouseAPI

/// `charthouse gc [--delete]`: hosted-registry blobs no manifest references (system administrator).
struct GarbageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Report (or, with --delete, remove) hosted-registry blobs no chart references."
    )

    @Flag(help: "Remove them; without it, only report what would go.") var delete = false
    @Option(help: "Keep blobs written less than this many seconds ago.") var minimumAge = 3600
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let client = try options.makeClient()
        let report = try await callServer {
            try await client.collectGarbage(body: .json(.init(dryRun: !delete, minimumAgeSeconds: minimumAge))).ok.body.json
        }
        try options.print(report) {
            Table(
                header: ["MODE", "BLOBS", "BYTES", "UNREFERENCED", "UNREFERENCED BYTES", "DELETED", "DELETED BYTES"],
                rows: [
                    [
                        report.dryRun ? "dry run" : "delete", "\(report.blobs)", "\(report.bytes)", "\(report.unreferenced)",
                        "\(report.unreferencedBytes)", "\(report.deleted)", "\(report.deletedBytes)",
                    ]
                ]
            )
        }
    }
}
