/// libFuzzer target: Chart.yaml read as helm's loader reads it, and written back as helm's config JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChartYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if var chart = try? IndexChartVersion(chartYAML: text) {
        _ = chart.validate()
        _ = chart.helmConfigJSON
    }
    return 0
}
