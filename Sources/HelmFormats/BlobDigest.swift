/// A content digest as the OCI distribution spec writes it: `sha256:` and 64 lowercase hex
/// digits. The one form Charthouse shows a digest in, whatever the source.
public enum BlobDigest {
    public static func isValid(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        return isHex(digest.utf8.dropFirst(7))
    }

    /// A digest in that form: a classic `index.yaml` writes the archive's SHA-256 as bare hex
    /// (helm's `digest` field), which gains its `sha256:`; anything else is returned as it is.
    public static func normalized(_ digest: String) -> String {
        isHex(Substring(digest).utf8) ? "sha256:" + digest.lowercased() : digest
    }

    private static func isHex(_ bytes: Substring.UTF8View) -> Bool {
        bytes.count == 64 && bytes.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) }
    }
}
