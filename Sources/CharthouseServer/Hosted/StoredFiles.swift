import HTTPTypes
import HelmFormats
import Hummingbird

/// Serving stored files (blobs, chart archives) to registry clients of either protocol: the
/// chunk size and what a `Range` header may ask.
enum StoredFiles {
    /// Files are read from disk and sent in chunks this large: fewer reads, writes and wake-ups
    /// per byte than Hummingbird's 128 KiB default; larger chunks were slower (cache misses).
    /// Measured with benchmarks/bench-hosted --only blob: 64 KiB 0.78x, 128 KiB 0.88x, 256 KiB 1.02x,
    /// 1 MiB 0.55x distribution's throughput.
    static let chunkLength = 256 << 10

    /// The bytes a `Range` header asks of a resource of `size` bytes; an unsatisfiable range is a
    /// 416 (with `Content-Range: bytes */size`), a malformed one a 400.
    static func servedRange(_ header: String, size: Int64) throws -> ClosedRange<Int> {
        switch ByteRange(header: header, size: size) {
        case .satisfiable(let range): return Int(range.lowerBound)...Int(range.upperBound)
        case .unsatisfiable: throw RangeRefusal(size: size, malformed: false)
        case .malformed: throw RangeRefusal(size: size, malformed: true)
        }
    }

    /// A stored file of `size` bytes at `path`, whole or the part `Range` asks for (206), or only
    /// its headers for `HEAD`; `headers` are the protocol's own (type, digest or ETag).
    static func response(
        _ request: Request,
        path: String,
        size: Int64,
        headers: HTTPFields,
        fileIO: FileIO,
        context: some RequestContext
    ) async throws -> Response {
        var headers = headers
        headers[.acceptRanges] = "bytes"
        headers[.contentLength] = "\(size)"
        if let header = request.headers[.range] {
            let range = try servedRange(header, size: size)
            headers[.contentLength] = "\(range.count)"
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            if request.method == .head { return Response(status: .partialContent, headers: headers) }
            let body = try await fileIO.loadFile(path: path, range: range, context: context, chunkLength: chunkLength)
            return Response(status: .partialContent, headers: headers, body: body)
        }
        guard request.method != .head, size > 0 else { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: try await fileIO.loadFile(path: path, context: context, chunkLength: chunkLength))
    }

    /// A `Range` the server will not serve; each protocol renders it in its own error format.
    struct RangeRefusal: Error {
        let size: Int64
        let malformed: Bool
        var message: String {
            malformed ? "malformed Range header: expected bytes=START-END" : "the range is not satisfiable: the resource has \(size) bytes"
        }
    }
}
