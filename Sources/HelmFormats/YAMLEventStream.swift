import CLibYAML

/// One event of libyaml's streaming parser, with scalars as Swift strings.
enum YAMLEvent: Equatable {
    /// How a scalar was written: plain scalars are resolved (null, bool, numbers); others are strings.
    enum ScalarStyle: Equatable { case plain, quoted }

    case streamStart, streamEnd, documentStart, documentEnd
    case mappingStart, mappingEnd, sequenceStart, sequenceEnd
    case scalar(String, ScalarStyle, tag: String?)
    case alias
}

/// Pulls events from libyaml's event parser over a byte buffer: no document tree is built, so
/// memory stays flat however large the index (libyaml reads a 12 MB index in ≈0.2 s).
final class YAMLEventStream {
    private var parser = yaml_parser_t()
    /// A copy of the input this stream owns, when it was not given borrowed memory.
    private let ownedInput: UnsafeMutableBufferPointer<UInt8>?
    /// The reader of chunked input, kept alive while libyaml calls it.
    private let chunks: ChunkReader?
    private var finished = false
    /// Mappings and sequences open right now.
    private var depth = 0
    /// Deeper nesting is refused, as helm's YAML reader refuses it (go-yaml's limit).
    static let maxDepth = 10_000

    /// Parses a copy of `data`.
    convenience init(_ data: some Collection<UInt8>) throws {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(data.count, 1))
        _ = copy.initialize(from: data)
        try self.init(input: UnsafeBufferPointer(start: copy.baseAddress, count: data.count), owned: copy)
    }

    /// Parses `input` in place: the caller keeps that memory alive and unchanged while it uses the stream.
    convenience init(borrowing input: UnsafeBufferPointer<UInt8>) throws {
        try self.init(input: input, owned: nil)
    }

    private init(input: UnsafeBufferPointer<UInt8>, owned: UnsafeMutableBufferPointer<UInt8>?) throws {
        ownedInput = owned
        chunks = nil
        guard yaml_parser_initialize(&parser) == 1 else {
            owned?.deallocate()
            throw HelmFormatError("cannot initialise the YAML parser")
        }
        yaml_parser_set_input_string(&parser, input.baseAddress, input.count)
    }

    /// Parses `chunks` one after the other as one input, in place: the caller keeps that memory
    /// alive and unchanged while it uses the stream.
    init(borrowingChunks chunks: [UnsafeRawBufferPointer]) throws {
        ownedInput = nil
        let reader = ChunkReader(chunks)
        self.chunks = reader
        guard yaml_parser_initialize(&parser) == 1 else { throw HelmFormatError("cannot initialise the YAML parser") }
        yaml_parser_set_input(
            &parser,
            { context, buffer, size, sizeRead in
                guard let context, let buffer, let sizeRead else { return 0 }
                sizeRead.pointee = Unmanaged<ChunkReader>.fromOpaque(context).takeUnretainedValue().read(into: buffer, size: size)
                return 1
            },
            Unmanaged.passUnretained(reader).toOpaque()
        )
    }

    /// Hands libyaml the chunks in order.
    private final class ChunkReader {
        private let chunks: [UnsafeRawBufferPointer]
        private var index = 0
        private var offset = 0

        init(_ chunks: [UnsafeRawBufferPointer]) { self.chunks = chunks }

        func read(into buffer: UnsafeMutablePointer<UInt8>, size: Int) -> Int {
            while index < chunks.count, offset == chunks[index].count {
                index += 1
                offset = 0
            }
            guard index < chunks.count else { return 0 }
            let count = min(size, chunks[index].count - offset)
            UnsafeMutableRawPointer(buffer).copyMemory(from: chunks[index].baseAddress! + offset, byteCount: count)
            offset += count
            return count
        }
    }

    deinit {
        yaml_parser_delete(&parser)
        ownedInput?.deallocate()
    }

    /// The line (1-based) the parser has reached, for error messages.
    var line: Int { Int(parser.mark.line) + 1 }

    /// Where the last event started: line and column, from 1.
    private(set) var eventStart = (line: 1, column: 1)
    /// The anchor (`&name`) of the last scalar, mapping or sequence start, or the name an alias
    /// (`*name`) refers to.
    private(set) var eventAnchor: String?

    private func enter() throws {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw HelmFormatError("invalid YAML at line \(line): exceeded max depth of \(Self.maxDepth)")
        }
    }

    func next() throws -> YAMLEvent {
        guard !finished else { return .streamEnd }
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else {
            let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
            throw HelmFormatError(
                "invalid YAML at line \(Int(parser.problem_mark.line) + 1), column \(Int(parser.problem_mark.column) + 1): \(problem)"
            )
        }
        defer { yaml_event_delete(&event) }
        eventStart = (Int(event.start_mark.line) + 1, Int(event.start_mark.column) + 1)
        let anchor: UnsafeMutablePointer<yaml_char_t>? =
            switch event.type {
            case YAML_MAPPING_START_EVENT: event.data.mapping_start.anchor
            case YAML_SEQUENCE_START_EVENT: event.data.sequence_start.anchor
            case YAML_SCALAR_EVENT: event.data.scalar.anchor
            case YAML_ALIAS_EVENT: event.data.alias.anchor
            default: nil
            }
        eventAnchor = anchor.map { String(cString: $0) }
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT:
            finished = true
            return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_MAPPING_START_EVENT:
            try enter()
            return .mappingStart
        case YAML_MAPPING_END_EVENT:
            depth -= 1
            return .mappingEnd
        case YAML_SEQUENCE_START_EVENT:
            try enter()
            return .sequenceStart
        case YAML_SEQUENCE_END_EVENT:
            depth -= 1
            return .sequenceEnd
        case YAML_ALIAS_EVENT: return .alias
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let tag = scalar.tag.map { String(cString: $0) }
            let style: YAMLEvent.ScalarStyle = scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar.plain_implicit == 1 ? .plain : .quoted
            return .scalar(value, style, tag: tag)
        default:
            return try next()
        }
    }
}
