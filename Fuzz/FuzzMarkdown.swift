/// libFuzzer target: a chart README rendered for the console. Besides not crashing, every tag in
/// the HTML must be one the renderer makes — an allowed name, allowed attributes, a safe link —
/// whatever the source held.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkdown(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let html = Markdown.html(text)
    let names: Set<Substring> = [
        "p", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "a", "table",
        "thead", "tbody", "tr", "th", "td", "div",
    ]
    // By Unicode scalars, as a browser reads it (a `>` with a combining mark is still a `>`).
    var rest = html.unicodeScalars[...]
    while let open = rest.firstIndex(of: "<") {
        guard let close = rest[open...].firstIndex(of: ">") else { fatalError("unclosed tag in \(html.debugDescription)") }
        let tag = Substring(rest[rest.index(after: open)..<close])
        let name = tag.drop { $0 == "/" }.prefix { $0 != " " }
        guard names.contains(name) else { fatalError("tag <\(tag)> from \(text.debugDescription)") }
        let attributes = tag.drop { $0 != " " }
        if name == "a", !tag.hasPrefix("/") {
            let lowered = attributes.lowercased()  // schemes are case-insensitive
            let safe = ["https://", "http://", "mailto:", "#"].contains { lowered.hasPrefix(" href=\"\($0)") }
            guard safe, attributes.hasSuffix("\" rel=\"nofollow noopener noreferrer\""), attributes.filter({ $0 == "\"" }).count == 4 else {
                fatalError("link <\(tag)> from \(text.debugDescription)")
            }
        } else if !attributes.isEmpty, attributes != " scope=\"col\"", attributes != " class=\"table-wrap\"" {
            fatalError("attributes in <\(tag)> from \(text.debugDescription)")
        }
        rest = rest[rest.index(after: close)...]
    }
    return 0
}
