public import Foundation

/// Lowercase hexadecimal, as digests are written.
public enum Hex {
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Base64 with the URL- and filename-safe alphabet and no padding (RFC 4648 §5), as tokens and
/// sealed secrets are written.
public enum Base64URL {
    public static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}

/// Helm's rule for a chart version as an OCI tag: tags cannot hold `+`, so SemVer build metadata
/// is written with `_` (`1.0.0+build.5` is tagged `1.0.0_build.5`) and read back the same way.
public enum ChartTag {
    public static func tag(forVersion version: String) -> String { version.replacingOccurrences(of: "+", with: "_") }
    public static func version(forTag tag: String) -> String { tag.replacingOccurrences(of: "_", with: "+") }
}
