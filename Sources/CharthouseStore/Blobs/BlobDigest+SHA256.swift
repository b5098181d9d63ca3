public import Crypto
public import Foundation
public import HelmFormats

/// Computing a ``BlobDigest`` (the form lives in HelmFormats, which hashes nothing: its parsers
/// are fuzzed on their own).
extension BlobDigest {
    /// The digest of these bytes.
    public static func of(_ bytes: some DataProtocol) -> String { from(SHA256.hash(data: bytes)) }

    /// The digest a finished SHA-256 stands for (a hash fed as the bytes streamed by).
    public static func from(_ hash: SHA256.Digest) -> String { "sha256:" + Hex.lowercase(hash) }
}
