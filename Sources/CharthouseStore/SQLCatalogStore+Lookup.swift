import SQLKit

extension SQLCatalogStore {
    public func versions(registryIDs: [String], charts: Set<String>) async throws -> [(registryID: String, version: CatalogVersionRecord)] {
        guard !registryIDs.isEmpty, !charts.isEmpty else { return [] }
        return try await database.withConnection { db in
            var result: [(String, CatalogVersionRecord)] = []
            // Bounded IN lists: both engines cap the binds of one statement.
            let names = charts.sorted()
            for start in stride(from: 0, to: names.count, by: 500) {
                var query: SQLQueryString = "SELECT registry_id, \(unsafeRaw: Self.versionColumns) FROM catalog_versions WHERE registry_id IN ("
                query.appendInterpolation(binds: registryIDs)
                query.appendInterpolation(unsafeRaw: ") AND chart IN (")
                query.appendInterpolation(binds: Array(names[start..<min(start + 500, names.count)]))
                query.appendInterpolation(unsafeRaw: ")")
                for row in try await db.raw(query).all() {
                    result.append((try row.decode(column: "registry_id", as: String.self), try Self.decodeVersion(row)))
                }
            }
            return result
        }
    }
}
