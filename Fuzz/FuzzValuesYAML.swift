/// libFuzzer target: a values file read as helm reads it, then merged and written as canonical
/// JSON, as attaching a profile does with values a user typed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValuesYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let values = try? YAMLDocument.parseMapping(text) {
        _ = HelmValues.canonicalJSON(HelmValues.merge(values, with: values))
    }
    return 0
}
