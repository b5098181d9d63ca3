import CZlib

/// gzip as Helm reads it (Go's `compress/gzip`): one or more members back to back, each checked
/// (CRC, length); the output is handed on in chunks and capped, so a small archive that expands
/// without end (a "gzip bomb") is refused after `limit` bytes instead of filling memory.
public enum Gzip {
    /// Whether `bytes` starts like a gzip stream (`1f 8b 08`).
    public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 3 && bytes[0] == 0x1f && bytes[1] == 0x8b && bytes[2] == 0x08
    }

    /// `input` as one gzip member at the given level (9: smallest, for things compressed once
    /// and served many times).
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 9) -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflate_init2(&stream, level, 15 + 16) == Z_OK else { preconditionFailure("zlib: deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let status: Int32 = output.withUnsafeMutableBytes { out in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = UInt32(input.count)
            stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(out.count)
            return CZlib.deflate(&stream, Z_FINISH)
        }
        precondition(status == Z_STREAM_END, "zlib: deflate did not finish in its bound")
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates `input` and calls `consume` with each piece of output, in order.
    public static func inflate(
        _ input: UnsafeRawBufferPointer,
        limit: Int,
        chunkSize: Int = 64 << 10,
        consume: (UnsafeRawBufferPointer) throws(HelmFormatError) -> Void
    ) throws(HelmFormatError) {
        guard hasMagic(input) else { throw HelmFormatError("not a gzip archive (it does not start with the gzip signature)") }
        var stream = z_stream()
        guard czlib_inflate_init2(&stream, 15 + 16) == Z_OK else { throw HelmFormatError("gzip: cannot start the decompressor") }
        defer { inflateEnd(&stream) }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { output.deallocate() }
        let base = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        var offset = 0
        var produced = 0
        while true {
            let available = min(input.count - offset, Int(UInt32.max))
            stream.next_in = base + offset
            stream.avail_in = UInt32(available)
            stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(chunkSize)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            offset += available - Int(stream.avail_in)
            let written = chunkSize - Int(stream.avail_out)
            if written > 0 {
                produced += written
                guard produced <= limit else { throw HelmFormatError("the archive expands to more than \(limit) bytes") }
                try consume(UnsafeRawBufferPointer(rebasing: output[0..<written]))
            }
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                // Another member may follow, as Go's reader accepts; anything else is an error.
                let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
                if rest.isEmpty { return }
                guard hasMagic(rest) else { throw HelmFormatError("gzip: invalid header after the end of the compressed data") }
                guard inflateReset(&stream) == Z_OK else { throw HelmFormatError("gzip: cannot restart the decompressor") }
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw HelmFormatError("the archive is truncated (the gzip stream ends early)")
            case Z_BUF_ERROR:
                continue
            case Z_DATA_ERROR:
                let reason = stream.msg.map { String(cString: $0) } ?? "corrupt data"
                throw HelmFormatError("the archive is not valid gzip: \(reason)")
            case Z_MEM_ERROR:
                throw HelmFormatError("gzip: out of memory")
            default:
                throw HelmFormatError("gzip: decompression failed (zlib status \(status))")
            }
        }
    }
}
