/// libFuzzer target: a chart archive read with Helm's loader rules, lenient and strict.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChartArchive(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let limits = ChartArchive.Limits(maxDecompressedSize: 8 << 20, maxFileSize: 1 << 20, strict: size % 2 == 0)
    if let archive = try? ChartArchive(gzipped: bytes, limits: limits) {
        _ = try? IndexChartVersion(chartYAML: archive.chartYAML)
    }
    return 0
}
