import CharthouseAPI
import CharthouseCore

extension APIHandler {
    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        try await readiness.check()
        return .ok(.init(body: .json(.init(status: "ok"))))
    }
}
