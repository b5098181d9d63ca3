import Foundation

/// A content digest as the OCI distribution spec writes it: `sha256:` and 64 lowercase hex
/// digits. The one form Charthouse shows a digest in, whatever the source.
public enum BlobDigest {
    public static func isValid(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        return isHex(digest.utf8.dropFirst(7))
    }

    /// A SHA-256 digest as indexes and manifests give it — bare hex (helm's `digest` field in a
    /// classic `index.yaml`) or prefixed, in any case — in that form; `nil` when it is none.
    public static func canonical(_ digest: String) -> String? {
        var hex = Substring(digest.lowercased())
        if hex.hasPrefix("sha256:") { hex = hex.dropFirst(7) }
        return isHex(hex.utf8) ? "sha256:" + hex : nil
    }

    /// ``canonical(_:)``, or the text as it is when it is not a SHA-256 digest (for display).
    public static func normalized(_ digest: String) -> String { canonical(digest) ?? digest }

    private static func isHex(_ bytes: Substring.UTF8View) -> Bool {
        bytes.count == 64 && bytes.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
