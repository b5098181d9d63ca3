import Foundation
public import HelmFormats

/// Decodes the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) of the
/// objects helm sends that way — Secret, ConfigMap, DeleteOptions — into their JSON form.
///
/// A body is the magic `k8s\0` and a `runtime.Unknown` {typeMeta 1 {apiVersion 1, kind 2}, raw 2,
/// contentEncoding 3, contentType 4}; `raw` is the object's own message.
public enum KubeProtobuf {
    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// The object in `body` as JSON, with `apiVersion` and `kind` from the envelope.
    public static func decode(_ body: [UInt8]) throws -> JSONValue {
        guard body.starts(with: magic) else { throw DecodeError(description: "protobuf body without the k8s envelope") }
        var envelope = Reader(body[magic.count...])
        var apiVersion = ""
        var kind = ""
        var raw: ArraySlice<UInt8> = []
        while let (field, value) = try envelope.next() {
            switch (field, value) {
            case (1, .bytes(let typeMeta)):
                var reader = Reader(typeMeta)
                while let (field, value) = try reader.next() {
                    if field == 1, case .bytes(let text) = value { apiVersion = string(text) }
                    if field == 2, case .bytes(let text) = value { kind = string(text) }
                }
            case (2, .bytes(let bytes)): raw = bytes
            default: break
            }
        }
        var object: [String: JSONValue]
        switch kind {
        case "Secret": object = try secret(raw)
        case "ConfigMap": object = try configMap(raw)
        case "DeleteOptions": object = try deleteOptions(raw)
        default: throw DecodeError(description: "protobuf bodies of kind \(kind.isEmpty ? "(none)" : kind) are not supported")
        }
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return .object(object)
    }

    private static func secret(_ raw: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        var data: [String: JSONValue] = [:]
        var stringData: [String: JSONValue] = [:]
        var reader = Reader(raw)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let bytes)): object["metadata"] = try metadata(bytes)
            case (2, .bytes(let bytes)):
                let (key, value) = try entry(bytes)
                data[key] = .string(Data(value).base64EncodedString())
            case (3, .bytes(let bytes)): object["type"] = .string(string(bytes))
            case (4, .bytes(let bytes)):
                let (key, value) = try entry(bytes)
                stringData[key] = .string(string(value))
            case (5, .varint(let flag)): object["immutable"] = .bool(flag != 0)
            default: break
            }
        }
        if !data.isEmpty { object["data"] = .object(data) }
        if !stringData.isEmpty { object["stringData"] = .object(stringData) }
        return object
    }

    private static func configMap(_ raw: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        var data: [String: JSONValue] = [:]
        var binaryData: [String: JSONValue] = [:]
        var reader = Reader(raw)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .bytes(let bytes)): object["metadata"] = try metadata(bytes)
            case (2, .bytes(let bytes)):
                let (key, value) = try entry(bytes)
                data[key] = .string(string(value))
            case (3, .bytes(let bytes)):
                let (key, value) = try entry(bytes)
                binaryData[key] = .string(Data(value).base64EncodedString())
            case (4, .varint(let flag)): object["immutable"] = .bool(flag != 0)
            default: break
            }
        }
        if !data.isEmpty { object["data"] = .object(data) }
        if !binaryData.isEmpty { object["binaryData"] = .object(binaryData) }
        return object
    }

    private static func deleteOptions(_ raw: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        var reader = Reader(raw)
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .varint(let seconds)): object["gracePeriodSeconds"] = .integer(Int64(bitPattern: seconds))
            case (3, .varint(let flag)): object["orphanDependents"] = .bool(flag != 0)
            case (4, .bytes(let bytes)): object["propagationPolicy"] = .string(string(bytes))
            default: break
            }
        }
        return object
    }

    /// ObjectMeta: name 1, generateName 2, namespace 3, uid 5, resourceVersion 6, labels 11,
    /// annotations 12, finalizers 14.
    private static func metadata(_ raw: ArraySlice<UInt8>) throws -> JSONValue {
        var meta: [String: JSONValue] = [:]
        var labels: [String: JSONValue] = [:]
        var annotations: [String: JSONValue] = [:]
        var finalizers: [JSONValue] = []
        var reader = Reader(raw)
        while let (field, value) = try reader.next() {
            guard case .bytes(let bytes) = value else { continue }
            switch field {
            case 1: meta["name"] = .string(string(bytes))
            case 2: meta["generateName"] = .string(string(bytes))
            case 3: meta["namespace"] = .string(string(bytes))
            case 5: meta["uid"] = .string(string(bytes))
            case 6: meta["resourceVersion"] = .string(string(bytes))
            case 11:
                let (key, value) = try entry(bytes)
                labels[key] = .string(string(value))
            case 12:
                let (key, value) = try entry(bytes)
                annotations[key] = .string(string(value))
            case 14: finalizers.append(.string(string(bytes)))
            default: break
            }
        }
        if !labels.isEmpty { meta["labels"] = .object(labels) }
        if !annotations.isEmpty { meta["annotations"] = .object(annotations) }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        return .object(meta)
    }

    /// A map entry: key 1 (string), value 2 (bytes or string).
    private static func entry(_ raw: ArraySlice<UInt8>) throws -> (String, ArraySlice<UInt8>) {
        var key = ""
        var value: ArraySlice<UInt8> = []
        var reader = Reader(raw)
        while let (field, item) = try reader.next() {
            if field == 1, case .bytes(let bytes) = item { key = string(bytes) }
            if field == 2, case .bytes(let bytes) = item { value = bytes }
        }
        return (key, value)
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed
    }

    /// Protobuf wire format: (field number, value) pairs.
    struct Reader {
        var bytes: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

        mutating func next() throws -> (Int, Value)? {
            guard !bytes.isEmpty else { return nil }
            let tag = try varint()
            let field = Int(tag >> 3)
            switch tag & 7 {
            case 0: return (field, .varint(try varint()))
            case 1: try skip(8)
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.count) else { throw DecodeError(description: "truncated protobuf field \(field)") }
                let value = bytes.prefix(Int(length))
                bytes = bytes.dropFirst(Int(length))
                return (field, .bytes(value))
            case 5: try skip(4)
            default: throw DecodeError(description: "unsupported protobuf wire type \(tag & 7)")
            }
            return (field, .fixed)
        }

        private mutating func skip(_ count: Int) throws {
            guard bytes.count >= count else { throw DecodeError(description: "truncated protobuf") }
            bytes = bytes.dropFirst(count)
        }

        private mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = bytes.first {
                bytes = bytes.dropFirst()
                guard shift < 64 else { throw DecodeError(description: "protobuf varint too long") }
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw DecodeError(description: "truncated protobuf varint")
        }
    }
}
