import SQLKit

/// `chart_files`: the files of chart archives the catalog shows (Chart.yaml, values, README,
/// schema), keyed by the archive's digest, so an archive is fetched from upstream once.
struct CreateChartFiles: Migration {
    let name = "0007_create_chart_files"

    func apply(on database: any SQLDatabase) async throws {
        try await database.create(table: "chart_files")
            .column("digest", type: .text, .primaryKey(autoIncrement: false))
            .column("chart_yaml", type: .text, .notNull)
            .column("values_yaml", type: .text)
            .column("readme_name", type: .text)
            .column("readme", type: .text)
            .column("values_schema", type: .text)
            .column("archive_size", type: .bigint, .notNull)
            .column("fetched_at", type: .bigint, .notNull)
            .run()
    }
}
