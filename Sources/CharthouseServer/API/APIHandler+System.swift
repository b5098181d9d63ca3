import CharthouseAPI
import CharthouseCore
import Foundation

extension APIHandler {
    func collectGarbage(_ input: Operations.CollectGarbage.Input) async throws -> Operations.CollectGarbage.Output {
        var dryRun = true
        var minimumAge = 3600
        if case .json(let body)? = input.body {
            dryRun = body.dryRun ?? true
            minimumAge = body.minimumAgeSeconds ?? 3600
        }
        let report = try await garbage.collect(dryRun: dryRun, minimumAge: TimeInterval(minimumAge), caller: try CurrentCaller.require())
        return .ok(
            .init(
                body: .json(
                    .init(
                        dryRun: report.dryRun,
                        blobs: report.blobs,
                        bytes: report.bytes,
                        unreferenced: report.unreferenced,
                        unreferencedBytes: report.unreferencedBytes,
                        deleted: report.deleted,
                        deletedBytes: report.deletedBytes
                    )
                )
            )
        )
    }
}
