/// Text made safe for HTML, in element content and in quoted attribute values.
public enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as character references. Works on Unicode scalars, not on
    /// Swift's characters: a quote followed by a combining mark is one `Character`, and a
    /// character-by-character escaper would let it close an attribute.
    public static func escape(_ text: some StringProtocol) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
