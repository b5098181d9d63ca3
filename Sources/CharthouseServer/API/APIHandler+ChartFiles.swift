import CharthouseAPI
import CharthouseCore
import CharthouseStore
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func getChartValues(_ input: Operations.GetChartValues.Input) async throws -> Operations.GetChartValues.Output {
        let files = try await chartFiles(input.path.id, input.path.chart, input.path.version)
        return .ok(.init(body: .yaml(HTTPBody(files.values ?? ""))))
    }

    func getChartReadme(_ input: Operations.GetChartReadme.Input) async throws -> Operations.GetChartReadme.Output {
        let files = try await chartFiles(input.path.id, input.path.chart, input.path.version)
        guard let readme = files.readme else {
            throw CharthouseError.notFound("README of chart \"\(input.path.chart)\" \(input.path.version)")
        }
        return .ok(.init(body: .textMarkdown(HTTPBody(readme))))
    }

    func getChartSchema(_ input: Operations.GetChartSchema.Input) async throws -> Operations.GetChartSchema.Output {
        let files = try await chartFiles(input.path.id, input.path.chart, input.path.version)
        guard let schema = files.schema else {
            throw CharthouseError.notFound("values.schema.json of chart \"\(input.path.chart)\" \(input.path.version)")
        }
        guard let document = try? JSONDecoder().decode(OpenAPIValueContainer.self, from: Data(schema.utf8)) else {
            throw CharthouseError(.badGateway, "values.schema.json of chart \"\(input.path.chart)\" \(input.path.version) is not valid JSON")
        }
        return .ok(.init(body: .json(document)))
    }

    private func chartFiles(_ registryID: String, _ chart: String, _ version: String) async throws -> ChartFilesRecord {
        try await chartFiles.files(registryID: registryID, chart: chart, version: version, caller: try CurrentCaller.require())
    }
}
