/// libFuzzer target: the streaming index.yaml decoder, read whole.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIndexDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    _ = try? IndexFileDecoder.decode(bytes) { _ in }
    return 0
}
