public import Foundation

/// The real `index.yaml` files of public chart repositories in the workspace's
/// `shared/real-indexes/` (used in place, never copied): `$CHARTHOUSE_REAL_INDEXES`, else
/// `../shared/real-indexes` beside the repository, else `/work/shared/real-indexes`.
///
/// Where none exists, the tests that need them are disabled with a stated reason and
/// `scripts/test` prints a warning in its summary: loud, never silent.
public enum RealIndexes {
    public static let directory: URL? = {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment["CHARTHOUSE_REAL_INDEXES"], !path.isEmpty {
            candidates.append(URL(fileURLWithPath: path, isDirectory: true))
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(repository.deletingLastPathComponent().appendingPathComponent("shared/real-indexes", isDirectory: true))
        candidates.append(URL(fileURLWithPath: "/work/shared/real-indexes", isDirectory: true))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("SOURCES.md").path) }
    }()

    public static var isAvailable: Bool { directory != nil }

    /// Every real index file; empty when the folder is missing.
    public static func all() -> [URL] {
        guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// One real index file by name.
    public static func file(_ name: String) throws -> URL {
        guard let directory else { throw PeerError("shared/real-indexes not found: set CHARTHOUSE_REAL_INDEXES") }
        return directory.appendingPathComponent(name)
    }

    /// Files helm refuses as a whole.
    public static func isBroken(_ file: URL) -> Bool { file.lastPathComponent.hasSuffix("--BROKEN.yaml") }
}
