public import HelmFormats

/// A failed request, answered as the API server does: a `Status` object with the HTTP code.
public struct KubeStatus: Error, Sendable {
    public let code: Int
    public let reason: String
    public let message: String
    public var details: [String: JSONValue] = [:]

    public var json: JSONValue {
        .object([
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Failure"),
            "message": .string(message), "reason": .string(reason), "details": .object(details), "code": .integer(Int64(code)),
        ])
    }

    public static func notFound(_ type: KubeResourceType, _ name: String) -> KubeStatus {
        KubeStatus(
            code: 404,
            reason: "NotFound",
            message: "\(type.resource)\(type.group.isEmpty ? "" : ".\(type.group)") \"\(name)\" not found",
            details: ["name": .string(name), "group": .string(type.group), "kind": .string(type.resource)]
        )
    }

    public static func alreadyExists(_ type: KubeResourceType, _ name: String) -> KubeStatus {
        KubeStatus(
            code: 409,
            reason: "AlreadyExists",
            message: "\(type.resource)\(type.group.isEmpty ? "" : ".\(type.group)") \"\(name)\" already exists",
            details: ["name": .string(name), "group": .string(type.group), "kind": .string(type.resource)]
        )
    }

    public static func conflict(_ type: KubeResourceType, _ name: String) -> KubeStatus {
        KubeStatus(
            code: 409,
            reason: "Conflict",
            message:
                "Operation cannot be fulfilled on \(type.resource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again"
        )
    }

    public static func badRequest(_ message: String) -> KubeStatus {
        KubeStatus(code: 400, reason: "BadRequest", message: message)
    }

    public static func invalid(_ message: String) -> KubeStatus {
        KubeStatus(code: 422, reason: "Invalid", message: message)
    }

    public static func forbidden(_ type: KubeResourceType, namespace: String?, verb: String) -> KubeStatus {
        let scope = namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        return KubeStatus(
            code: 403,
            reason: "Forbidden",
            message:
                "\(type.resource) is forbidden: User \"charthouse-standin-user\" cannot \(verb) resource \"\(type.resource)\" in API group \"\(type.group)\" \(scope)"
        )
    }

    public static let unauthorized = KubeStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")
}
