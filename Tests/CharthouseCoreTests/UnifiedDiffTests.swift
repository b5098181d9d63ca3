import CharthouseCore
import Foundation
import Testing

/// Values diffs in the unified format, compared with GNU `diff -u` on the same texts.
@Suite("Unified diff")
struct UnifiedDiffTests {
    static let cases: [(String, String)] = [
        ("a: 1\nb: 2\nc: 3\n", "a: 1\nb: 3\nc: 3\n"),
        ("", "replicaCount: 2\n"),
        ("replicaCount: 2\n", ""),
        (
            (1...30).map { "line \($0)" }.joined(separator: "\n") + "\n",
            (1...30).map { $0 == 5 || $0 == 25 ? "changed \($0)" : "line \($0)" }.joined(separator: "\n") + "\n"
        ),
        (
            (1...12).map { "l\($0)" }.joined(separator: "\n") + "\n",
            (1...12).map { $0 == 4 || $0 == 9 ? "x\($0)" : "l\($0)" }.joined(separator: "\n") + "\n"
        ),
        (
            "image:\n  tag: 1.25\nservice:\n  type: ClusterIP\n",
            "image:\n  repository: nginx\n  tag: 1.27\nservice:\n  type: ClusterIP\ningress:\n  enabled: true\n"
        ),
    ]

    @Test("hunks equal GNU diff -u's")
    func matchesGNUDiff() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("charthouse-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, (old, new)) in Self.cases.enumerated() {
            let a = folder.appendingPathComponent("a\(index)")
            let b = folder.appendingPathComponent("b\(index)")
            try old.write(to: a, atomically: true, encoding: .utf8)
            try new.write(to: b, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
            process.arguments = ["-u", a.path, b.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let gnu = output.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
            let ours = try #require(UnifiedDiff.make(old, new, oldLabel: "a", newLabel: "b"))
            let hunks = ours.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
            #expect(hunks == gnu, "case \(index):\nours:\n\(hunks)\ngnu:\n\(gnu)")
        }
        #expect(UnifiedDiff.make("same\n", "same\n", oldLabel: "a", newLabel: "b") == nil)
    }
}
