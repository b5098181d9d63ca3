import Foundation

/// A YAML scalar resolved as go-yaml v2 resolves it (YAML 1.1 rules), which is what helm's
/// `sigs.k8s.io/yaml` sees before it converts the document to JSON.
enum YAMLScalar: Equatable {
    case null
    case bool(Bool)
    /// An integer, as its decimal text (go-yaml reads `0x1F`, `0o17`, `017`, `0b101`, `1_000`).
    case integer(String)
    case float(Double)
    case string(String)

    /// Resolves a scalar: quoted or `!!str`-tagged scalars are strings; plain ones may be null,
    /// booleans (`yes`/`no`/`on`/`off` too) or numbers. Timestamps stay strings, as go-yaml v2
    /// keeps them when decoding into `interface{}`.
    init(_ value: String, style: YAMLEvent.ScalarStyle, tag: String?) {
        if let tag, tag != "!" {
            switch tag {
            case "tag:yaml.org,2002:str": self = .string(value)
            case "tag:yaml.org,2002:null": self = .null
            case "tag:yaml.org,2002:bool": self = Self.resolvePlain(value)
            case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float": self = Self.resolvePlain(value)
            default: self = .string(value)
            }
            return
        }
        guard style == .plain else {
            self = .string(value)
            return
        }
        self = Self.resolvePlain(value)
    }

    private static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]
    private static let trues: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    private static let falses: Set<String> = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]

    private static func resolvePlain(_ value: String) -> YAMLScalar {
        // Fast path: most plain scalars in an index are words or URLs, which resolve to strings.
        guard let first = value.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            // Only null, true and false words start with a letter; none is longer than 5.
            guard value.utf8.count <= 5, "yYnNtTfFoO".utf8.contains(first) else { return .string(value) }
            if nulls.contains(value) { return .null }
            if trues.contains(value) { return .bool(true) }
            if falses.contains(value) { return .bool(false) }
            return .string(value)
        case UInt8(ascii: "~"):
            return value.utf8.count == 1 ? .null : .string(value)
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            break
        default:
            return .string(value)
        }
        switch value {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        guard Self.mayBeNumber(value) else { return .string(value) }
        let plain = value.utf8.contains(UInt8(ascii: "_")) ? value.replacingOccurrences(of: "_", with: "") : value
        if let integer = integerText(plain) { return .integer(integer) }
        if isFloat(plain), let double = Double(plain) { return .float(double) }
        return .string(value)
    }

    /// A quick look at the bytes: versions (`1.2.3`), times and digests are not numbers, and
    /// most plain scalars that start with a digit are those. Only what may still be an integer
    /// or a float goes on to the exact (slower) checks.
    private static func mayBeNumber(_ value: String) -> Bool {
        var dots = 0
        var hexLetters = false
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "e"),
                UInt8(ascii: "E"), UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "b"),
                UInt8(ascii: "B"):
                continue
            case UInt8(ascii: "."):
                dots += 1
                if dots > 1 { return false }
            case UInt8(ascii: "a"), UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "f"), UInt8(ascii: "A"), UInt8(ascii: "C"),
                UInt8(ascii: "D"), UInt8(ascii: "F"):
                hexLetters = true
            default:
                return false
            }
        }
        // Hex digits other than b and e only appear in 0x… integers.
        return !hexLetters || value.utf8.contains(UInt8(ascii: "x")) || value.utf8.contains(UInt8(ascii: "X"))
    }

    /// Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint`, as go-yaml v2 calls them.
    private static func integerText(_ text: String) -> String? {
        var body = Substring(text)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body.removeFirst()
        }
        guard !body.isEmpty else { return nil }
        var radix = 10
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            radix = 16
            body.removeFirst(2)
        } else if body.hasPrefix("0b") || body.hasPrefix("0B") {
            radix = 2
            body.removeFirst(2)
        } else if body.hasPrefix("0o") || body.hasPrefix("0O") {
            radix = 8
            body.removeFirst(2)
        } else if body.count > 1, body.first == "0" {
            radix = 8
            body.removeFirst()
        }
        guard !body.isEmpty, let magnitude = UInt64(body, radix: radix) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == 0 ? "0" : "-\(magnitude)"
        }
        return String(magnitude)
    }

    /// YAML 1.1 float syntax as go-yaml v2 accepts it.
    private static func isFloat(_ text: String) -> Bool {
        var scanner = Substring(text)
        if scanner.first == "+" || scanner.first == "-" { scanner.removeFirst() }
        let whole = scanner.prefix(while: \.isASCIIDigit)
        scanner.removeFirst(whole.count)
        var fraction = Substring("")
        if scanner.first == "." {
            scanner.removeFirst()
            fraction = scanner.prefix(while: \.isASCIIDigit)
            scanner.removeFirst(fraction.count)
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return false }
        if scanner.first == "e" || scanner.first == "E" {
            scanner.removeFirst()
            if scanner.first == "+" || scanner.first == "-" { scanner.removeFirst() }
            let exponent = scanner.prefix(while: \.isASCIIDigit)
            guard !exponent.isEmpty else { return false }
            scanner.removeFirst(exponent.count)
        }
        return scanner.isEmpty
    }

    /// The text `sigs.k8s.io/yaml` gives this scalar when the target field is a string, or `nil`
    /// for null (the field keeps its zero value, `""`).
    var stringValue: String? {
        switch self {
        case .null: return nil
        case .bool(let value): return value ? "true" : "false"
        case .integer(let text): return text
        case .float(let value): return GoFloatFormat.float32Shortest(value)
        case .string(let text): return text
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest decimal that round-trips the value as
/// a float32, in exponent form when the exponent is below -4 or at least 6.
enum GoFloatFormat {
    static func float32Shortest(_ value: Double) -> String {
        let single = Float(value)
        if single.isNaN { return "NaN" }
        if single.isInfinite { return single < 0 ? "-Inf" : "+Inf" }
        if single == 0 { return single.sign == .minus ? "-0" : "0" }
        // Swift prints the shortest round-tripping digits; take them apart into digits and exponent.
        var text = "\(abs(single))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = String(parts[0])
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = integerPart + fractionPart
        var decimalPoint = integerPart.count + exponent
        while digits.hasPrefix("0"), digits.count > 1 {
            digits.removeFirst()
            decimalPoint -= 1
        }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        let sign = single < 0 ? "-" : ""
        let exp = decimalPoint - 1
        if exp < -4 || exp >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponentText = String(format: "%02d", abs(exp))
            return "\(sign)\(mantissa)e\(exp < 0 ? "-" : "+")\(exponentText)"
        }
        if decimalPoint <= 0 { return sign + "0." + String(repeating: "0", count: -decimalPoint) + digits }
        if decimalPoint >= digits.count { return sign + digits + String(repeating: "0", count: decimalPoint - digits.count) }
        let index = digits.index(digits.startIndex, offsetBy: decimalPoint)
        return sign + digits[..<index] + "." + digits[index...]
    }
}
