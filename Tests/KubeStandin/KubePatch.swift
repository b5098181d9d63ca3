import Foundation
public import HelmFormats

/// The patch types a Kubernetes API server accepts on PATCH: JSON merge patch (RFC 7386),
/// JSON patch (RFC 6902) and strategic merge patch — the last without the API's schemas: lists
/// are merged by the key their `$setElementOrder/…` directive names, or by `name` when every
/// element has one, and replaced otherwise.
public enum KubePatch {
    public struct PatchError: Error, CustomStringConvertible {
        public let description: String
    }

    /// RFC 7386: objects merge member by member, `null` deletes, anything else replaces.
    public static func merge(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = merge(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }

    /// A strategic merge patch as `kubectl apply` and helm 3 send them.
    public static func strategic(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(var patchMembers) = patch else { return patch }
        if patchMembers["$patch"]?.stringValue == "replace" {
            patchMembers["$patch"] = nil
            return .object(patchMembers.filter { !$0.key.hasPrefix("$") })
        }
        var result = target.objectValue ?? [:]
        if let retained = patchMembers["$retainKeys"]?.arrayValue?.compactMap(\.stringValue) {
            result = result.filter { retained.contains($0.key) }
        }
        for (key, value) in patchMembers where !key.hasPrefix("$") {
            if value == .null {
                result[key] = nil
                continue
            }
            if case .object(let object) = value, object["$patch"]?.stringValue == "delete" {
                result[key] = nil
                continue
            }
            if case .array(let elements) = value {
                let order = patchMembers["$setElementOrder/\(key)"]?.arrayValue
                result[key] = mergeList(result[key]?.arrayValue ?? [], elements, order: order)
                continue
            }
            result[key] = strategic(result[key] ?? .null, value)
        }
        for (key, value) in patchMembers where key.hasPrefix("$deleteFromPrimitiveList/") {
            let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
            let removed = value.arrayValue ?? []
            if let list = result[field]?.arrayValue { result[field] = .array(list.filter { !removed.contains($0) }) }
        }
        for (key, value) in patchMembers where key.hasPrefix("$setElementOrder/") {
            let field = String(key.dropFirst("$setElementOrder/".count))
            if patchMembers[field] == nil, let list = result[field]?.arrayValue, let order = value.arrayValue {
                result[field] = .array(ordered(list, by: order))
            }
        }
        return .object(result)
    }

    private static func mergeKey(_ elements: [JSONValue], order: [JSONValue]?) -> String? {
        if let first = order?.first?.objectValue, first.count == 1 { return first.keys.first }
        let named = elements.allSatisfy { $0.objectValue?["name"] != nil }
        return named && !elements.isEmpty ? "name" : nil
    }

    private static func mergeList(_ current: [JSONValue], _ patch: [JSONValue], order: [JSONValue]?) -> JSONValue {
        guard let key = mergeKey(patch, order: order), current.allSatisfy({ $0.objectValue?[key] != nil }) else {
            return .array(patch)
        }
        var result = current
        for element in patch {
            guard let identity = element.objectValue?[key] else { continue }
            let index = result.firstIndex { $0.objectValue?[key] == identity }
            if element.objectValue?["$patch"]?.stringValue == "delete" {
                if let index { result.remove(at: index) }
            } else if let index {
                result[index] = strategic(result[index], element)
            } else {
                result.append(strategic(.null, element))
            }
        }
        return .array(order.map { ordered(result, by: $0) } ?? result)
    }

    /// `list` sorted as `order` (objects naming the merge key) lists them; others keep their place at the end.
    private static func ordered(_ list: [JSONValue], by order: [JSONValue]) -> [JSONValue] {
        guard let key = order.first?.objectValue?.keys.first else {
            return order.filter { list.contains($0) } + list.filter { !order.contains($0) }
        }
        let identities = order.compactMap { $0.objectValue?[key] }
        let known = identities.compactMap { identity in list.first { $0.objectValue?[key] == identity } }
        return known + list.filter { element in !identities.contains { element.objectValue?[key] == $0 } }
    }

    /// RFC 6902: add, remove, replace, move, copy, test.
    public static func json(_ target: JSONValue, _ operations: JSONValue) throws -> JSONValue {
        guard let operations = operations.arrayValue else { throw PatchError(description: "a JSON patch is an array of operations") }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw PatchError(description: "a JSON patch operation needs op and path")
            }
            let pointer = try Self.pointer(path)
            switch op {
            case "add": document = try set(document, pointer, try required(operation, "value"), insert: true)
            case "replace": document = try set(document, pointer, try required(operation, "value"), insert: false)
            case "remove": document = try remove(document, pointer)
            case "test":
                guard get(document, pointer) == operation["value"] else { throw PatchError(description: "test operation failed at \(path)") }
            case "move", "copy":
                guard let from = operation["from"]?.stringValue, let value = get(document, try Self.pointer(from)) else {
                    throw PatchError(description: "\(op) from a missing path")
                }
                if op == "move" { document = try remove(document, try Self.pointer(from)) }
                document = try set(document, pointer, value, insert: true)
            default: throw PatchError(description: "unknown JSON patch operation \(op)")
            }
        }
        return document
    }

    private static func required(_ operation: JSONValue, _ key: String) throws -> JSONValue {
        guard let value = operation[key] else { throw PatchError(description: "a JSON patch operation is missing \(key)") }
        return value
    }

    private static func pointer(_ path: String) throws -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw PatchError(description: "invalid JSON pointer \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func get(_ value: JSONValue, _ pointer: [String]) -> JSONValue? {
        guard let head = pointer.first else { return value }
        switch value {
        case .object(let members): return members[head].flatMap { get($0, Array(pointer.dropFirst())) }
        case .array(let elements):
            guard let index = Int(head), elements.indices.contains(index) else { return nil }
            return get(elements[index], Array(pointer.dropFirst()))
        default: return nil
        }
    }

    private static func set(_ value: JSONValue, _ pointer: [String], _ newValue: JSONValue, insert: Bool) throws -> JSONValue {
        guard let head = pointer.first else { return newValue }
        let rest = Array(pointer.dropFirst())
        switch value {
        case .object(var members):
            if rest.isEmpty {
                guard insert || members[head] != nil else { throw PatchError(description: "replace of a missing member \(head)") }
                members[head] = newValue
            } else {
                guard let child = members[head] else { throw PatchError(description: "missing member \(head)") }
                members[head] = try set(child, rest, newValue, insert: insert)
            }
            return .object(members)
        case .array(var elements):
            if rest.isEmpty, insert {
                let index = head == "-" ? elements.count : Int(head) ?? -1
                guard index >= 0, index <= elements.count else { throw PatchError(description: "index \(head) out of range") }
                elements.insert(newValue, at: index)
            } else {
                guard let index = Int(head), elements.indices.contains(index) else { throw PatchError(description: "index \(head) out of range") }
                elements[index] = rest.isEmpty ? newValue : try set(elements[index], rest, newValue, insert: insert)
            }
            return .array(elements)
        default: throw PatchError(description: "path goes through a scalar")
        }
    }

    private static func remove(_ value: JSONValue, _ pointer: [String]) throws -> JSONValue {
        guard let head = pointer.first else { throw PatchError(description: "cannot remove the whole document") }
        let rest = Array(pointer.dropFirst())
        switch value {
        case .object(var members):
            guard let child = members[head] else { throw PatchError(description: "remove of a missing member \(head)") }
            members[head] = rest.isEmpty ? nil : try remove(child, rest)
            return .object(members)
        case .array(var elements):
            guard let index = Int(head), elements.indices.contains(index) else { throw PatchError(description: "index \(head) out of range") }
            if rest.isEmpty { elements.remove(at: index) } else { elements[index] = try remove(elements[index], rest) }
            return .array(elements)
        default: throw PatchError(description: "path goes through a scalar")
        }
    }
}
