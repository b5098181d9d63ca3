/// libFuzzer target: gzip inflation (multi-member, truncation, corruption) under a size cap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var total = 0
    try? Gzip.inflate(bytes, limit: 8 << 20, chunkSize: 4096) { piece in total += piece.count }
    return 0
}
