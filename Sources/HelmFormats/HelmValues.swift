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
