/// libFuzzer target: the Authorization, Range and Content-Range parsers; what a range parser
/// serves must lie inside the resource.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPHeaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = AuthorizationHeader(text)
    for resource in [Int64(0), 1, 10, 1 << 40] {
        if case .satisfiable(let range) = ByteRange(header: text, size: resource) {
            precondition(range.lowerBound >= 0 && range.upperBound < resource, "range \(range) outside \(resource) bytes")
        }
    }
    if let chunk = ChunkRange.parse(text) { precondition(chunk.start >= 0 && chunk.length > 0, "bad chunk \(chunk)") }
    return 0
}
