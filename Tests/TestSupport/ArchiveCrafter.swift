import Foundation

/// Chart archives written member by member with Python's `tarfile`, for what `helm package`
/// never writes: traversal and absolute paths, long names in each tar dialect, odd file types.
public enum ArchiveCrafter {
    /// One member of a crafted archive.
    public struct Member: Sendable {
        public enum Kind: String, Sendable { case file, directory, symlink }
        public let name: String
        public let content: [UInt8]
        public let kind: Kind

        public init(_ name: String, _ text: String = "", kind: Kind = .file) {
            self.name = name
            self.content = Array(text.utf8)
            self.kind = kind
        }

        public init(_ name: String, bytes: [UInt8]) {
            self.name = name
            self.content = bytes
            self.kind = .file
        }
    }

    /// The tar dialect Python writes: GNU (long names as `L` members), PAX (`x` headers) or ustar (name prefix).
    public enum Format: String, Sendable { case gnu, pax, ustar }

    /// The bytes of a gzip-compressed tar holding `members`, in order.
    public static func tgz(_ members: [Member], format: Format = .gnu) throws -> [UInt8] {
        let folder = try ScratchDirectory.make("charthouse-craft")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("chart.tgz")
        let spec: [String: Any] = [
            "path": output.path,
            "format": format.rawValue,
            "members": members.map { ["name": $0.name, "content": Data($0.content).base64EncodedString(), "kind": $0.kind.rawValue] },
        ]
        let script = """
            import base64, io, json, sys, tarfile
            spec = json.load(sys.stdin)
            formats = {"gnu": tarfile.GNU_FORMAT, "pax": tarfile.PAX_FORMAT, "ustar": tarfile.USTAR_FORMAT}
            with tarfile.open(spec["path"], "w:gz", format=formats[spec["format"]]) as archive:
                for member in spec["members"]:
                    info = tarfile.TarInfo(member["name"])
                    data = base64.b64decode(member["content"])
                    if member["kind"] == "directory":
                        info.type = tarfile.DIRTYPE
                        archive.addfile(info)
                    elif member["kind"] == "symlink":
                        info.type = tarfile.SYMTYPE
                        info.linkname = data.decode()
                        archive.addfile(info)
                    else:
                        info.size = len(data)
                        archive.addfile(info, io.BytesIO(data))
            """
        let python = try Shell.require("python3")
        let input = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        try Shell.run([python, "-c", script], stdin: input)
        return Array(try Data(contentsOf: output))
    }

    /// `bytes` compressed with gzip (Python's `gzip`), for streams that are not tar archives.
    public static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let folder = try ScratchDirectory.make("charthouse-craft")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in")
        try Data(bytes).write(to: input)
        let python = try Shell.require("python3")
        let script = "import gzip, sys; data = open(sys.argv[1], 'rb').read(); open(sys.argv[1] + '.gz', 'wb').write(gzip.compress(data))"
        try Shell.run([python, "-c", script, input.path])
        return Array(try Data(contentsOf: URL(fileURLWithPath: input.path + ".gz")))
    }
}
