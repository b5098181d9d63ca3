import Foundation

/// The real `index.yaml` files of public chart repositories in `../shared/real-indexes/` (used in
/// place, never copied). `CHARTHOUSE_REAL_INDEXES` points elsewhere; a missing folder fails loudly.
public enum RealIndexes {
    public static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["CHARTHOUSE_REAL_INDEXES"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/real-indexes", isDirectory: true)
    }

    /// Every real index file, by name; throws if the folder is missing.
    public static func all() throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        guard !names.isEmpty else { throw PeerError("no real indexes in \(directory.path): set CHARTHOUSE_REAL_INDEXES") }
        return names.map { directory.appendingPathComponent($0) }
    }

    /// Files helm refuses as a whole.
    public static func isBroken(_ file: URL) -> Bool { file.lastPathComponent.hasSuffix("--BROKEN.yaml") }
}
