import Foundation

/// Helm's rules for values.
public enum HelmValues {
    /// User values over a chart's defaults, as helm coalesces them before it renders or checks a
    /// schema: maps merge key by key at every depth, the user's value wins otherwise, and a user
    /// `null` removes the chart's default for that key.
    public static func coalesce(_ values: [String: JSONValue], over defaults: [String: JSONValue]) -> [String: JSONValue] {
        var result = values
        for (key, fallback) in defaults {
            guard let given = values[key] else {
                result[key] = fallback
                continue
            }
            switch (given, fallback) {
            case (.null, _): result.removeValue(forKey: key)
            case (.object(let mine), .object(let theirs)): result[key] = .object(coalesce(mine, over: theirs))
            default: break
            }
        }
        return result
    }
}

extension HelmValues {
    /// Values files given in order (`-f a.yaml -f b.yaml`), merged as helm merges them: maps
    /// merge key by key at every depth, anything else in `override` replaces what `base` has
    /// (a `null` is kept: it removes the chart's default only when coalesced).
    public static func merge(_ base: [String: JSONValue], with override: [String: JSONValue]) -> [String: JSONValue] {
        var result = base
        for (key, value) in override {
            if case .object(let mine) = value, case .object(let theirs)? = base[key] {
                result[key] = .object(merge(theirs, with: mine))
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// A canonical encoding of values (keys sorted, no spaces), for comparing and digesting.
    public static func canonicalJSON(_ values: [String: JSONValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(JSONValue.object(values))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
