/// libFuzzer target: the tar reader (ustar, GNU long names, PAX), fed in uneven pieces.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var stream = TarStream(announce: { _ in true }, collect: { _, _ in })
    var offset = 0
    var piece = 1
    while offset < bytes.count {
        let end = min(bytes.count, offset + piece)
        do {
            try stream.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
        } catch {
            return 0
        }
        offset = end
        piece = piece * 3 % 1021 + 1
    }
    _ = stream.isAtBoundary
    return 0
}
