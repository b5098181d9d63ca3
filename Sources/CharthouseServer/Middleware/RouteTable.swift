import Foundation
import HTTPTypes

/// The REST API's paths and their methods, read from `openapi.yaml`: a request whose path is an
/// operation's but whose method is not is answered 405 with `Allow`, not 404.
struct RouteTable: Sendable {
    struct Route: Sendable {
        let segments: [Substring]
        let methods: [String]

        /// Segments that are not parameters.
        var literalCount: Int { segments.filter { !$0.hasPrefix("{") }.count }

        /// Whether a concrete path fits this template (`{id}` matches one segment).
        func matches(_ path: [Substring]) -> Bool {
            guard path.count == segments.count else { return false }
            return zip(segments, path).allSatisfy { template, part in template.hasPrefix("{") || template == part }
        }
    }

    let routes: [Route]

    /// Reads the `paths` of the document: a path at two spaces' indent, its methods at four.
    init(openAPI document: Data) {
        let verbs: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var routes: [Route] = []
        var current: (path: String, methods: [String])?
        var inPaths = false
        for line in String(decoding: document, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") { inPaths = line.hasPrefix("paths:") }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                if let current { routes.append(Route(segments: current.path.split(separator: "/"), methods: current.methods)) }
                current = (String(line.dropFirst(2).dropLast()), [])
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let verb = line.trimmingCharacters(in: .whitespaces).dropLast()
                if verbs.contains(String(verb)) { current?.methods.append(verb.uppercased()) }
            }
        }
        if let current { routes.append(Route(segments: current.path.split(separator: "/"), methods: current.methods)) }
        self.routes = routes
    }

    /// The methods the API has for `path`, or `nil` when no operation has that path.
    func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        // As the router does: a literal segment wins over a parameter (`/profiles/import` is not `/profiles/{id}`).
        let matching = routes.filter { $0.matches(parts) }
        guard let route = matching.max(by: { $0.literalCount < $1.literalCount }) else { return nil }
        var methods = route.methods
        if methods.contains("GET"), !methods.contains("HEAD") { methods.append("HEAD") }
        return methods
    }
}
