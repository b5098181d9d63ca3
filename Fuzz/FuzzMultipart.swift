/// libFuzzer target: multipart/form-data bodies; the first line of the input is the boundary.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let newline = bytes.firstIndex(of: 10) ?? min(size, 8)
    let boundary = String(decoding: bytes[0..<newline], as: UTF8.self)
    _ = MultipartForm.boundary(contentType: "multipart/form-data; boundary=\(boundary)")
    let body = UnsafeRawBufferPointer(rebasing: bytes[min(newline + 1, size)...])
    if let parts = try? MultipartForm.parse(body, boundary: boundary) {
        for range in parts.values { precondition(range.lowerBound >= 0 && range.upperBound <= body.count, "a part outside the body") }
    }
    return 0
}
