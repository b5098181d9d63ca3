import ArgumentParser
import CharthouseAPI
import Foundation

extension RegistryCommand {
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sync a registry's charts into the catalog now.")
        @Argument(help: "Registry name or id.") var registry: String
        @Flag(help: "Fetch the whole index and accept a suspicious shrink.") var force = false
        @Flag(help: "Wait for the sync to finish; exit non-zero if it fails.") var wait = false
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.registry(registry, client: client)
            let runsBefore = try await callServer { try await client.listRegistrySyncs(path: .init(id: found.id)).ok.body.json.items.count }
            _ = try await callServer { try await client.syncRegistry(path: .init(id: found.id), query: .init(force: force)).accepted }
            guard wait else {
                try options.report("Sync of \(found.name) started.", found)
                return
            }
            let started = ContinuousClock.now
            FileHandle.standardError.write(Data("syncing \(found.name)…\n".utf8))
            while true {
                try await Task.sleep(for: .milliseconds(200))
                let runs = try await callServer { try await client.listRegistrySyncs(path: .init(id: found.id)).ok.body.json.items }
                guard runs.count > runsBefore, let run = runs.first else {
                    if ContinuousClock.now - started > .seconds(600) { throw CLIError("timed out waiting for the sync of \(found.name)") }
                    continue
                }
                let state = try await callServer { try await client.getRegistry(path: .init(id: found.id)).ok.body.json }
                try options.print(run) {
                    Table(
                        header: ["REGISTRY", "OUTCOME", "CHARTS", "VERSIONS", "ADDED", "REMOVED", "UPDATED", "SKIPPED", "MS"],
                        rows: [
                            [
                                found.name, run.outcome.rawValue, "\(state.charts ?? 0)", "\(state.versions ?? 0)", "\(run.added)", "\(run.removed)",
                                "\(run.updated)", "\(run.skipped)", "\(run.durationMs)",
                            ]
                        ]
                    )
                }
                if run.outcome == .failed { throw CLIError("sync of \(found.name) failed: \(run.error ?? "unknown error")") }
                return
            }
        }
    }

    struct Syncs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a registry's recent syncs, newest first, with what changed.")
        @Argument(help: "Registry name or id.") var registry: String
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let client = try options.makeClient()
            let found = try await Lookup.registry(registry, client: client)
            if found.kind == .hosted { throw CLIError("\(found.name) is a hosted registry: its charts are pushed, never synced") }
            let runs = try await callServer { try await client.listRegistrySyncs(path: .init(id: found.id)).ok.body.json }
            try options.print(runs) {
                Table(
                    header: ["STARTED", "OUTCOME", "ADDED", "REMOVED", "UPDATED", "SKIPPED", "MS", "ERROR"],
                    rows: runs.items.map {
                        [
                            Table.date($0.startedAt), $0.outcome.rawValue, "\($0.added)", "\($0.removed)", "\($0.updated)", "\($0.skipped)",
                            "\($0.durationMs)", $0.error ?? "-",
                        ]
                    }
                )
            }
        }
    }
}
