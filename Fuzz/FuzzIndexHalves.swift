/// libFuzzer target: the index decoder in two halves, checked against the whole. Where the halves
/// accept an index, the whole must accept it with the same versions (else the fuzzer stops).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIndexHalves(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let cut = IndexFileDecoder.splitPoint(bytes, minimumSize: 0) else { return 0 }
    var halves = 0
    guard let head = try? IndexFileDecoder.decodeHead(bytes, upTo: cut, onVersion: { _ in halves += 1 }),
        let tail = try? IndexFileDecoder.decodeTail(bytes, from: cut, onVersion: { _ in halves += 1 }),
        (try? IndexFileDecoder.merge(head, tail)) != nil
    else { return 0 }
    var whole = 0
    do {
        _ = try IndexFileDecoder.decode(UnsafeBufferPointer(start: data, count: size)) { _ in whole += 1 }
    } catch {
        fatalError("the halves accepted an index the whole refuses: \(error)")
    }
    precondition(whole == halves, "halves read \(halves) versions, the whole \(whole)")
    return 0
}
