import NIOCore
import NIOPosix
import Synchronization

/// An HTTP peer whose behaviour a test switches: it serves a fixed body, or it answers `200` with
/// a large `Content-Length` and the first bytes, then stalls (a registry hanging mid-download).
public final class StallingHTTPServer: Sendable {
    public let port: Int
    private let channel: any Channel
    private let mode: Mode

    /// What the server does with the next requests.
    public enum Behaviour: Sendable {
        /// Serve the body.
        case serve
        /// Send the headers and the first bytes, then hang.
        case stall
        /// Send the headers and the first bytes, then close the connection.
        case truncate
        /// Answer 500 Internal Server Error.
        case fail
        /// Keep the request unanswered until ``release()``, then serve the body as it is then.
        case hold
    }

    final class Mode: Sendable {
        let behaviour = Mutex(Behaviour.serve)
        let requests = Mutex(0)
        let body: Mutex<String>
        let held = Mutex<[any Channel]>([])
        init(body: String) { self.body = Mutex(body) }
    }

    /// Starts serving `body` to every request (`Connection: close`).
    public static func start(serving body: String) async throws -> StallingHTTPServer {
        let mode = Mode(body: body)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in channel.pipeline.addHandler(Responder(mode: mode)) }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return StallingHTTPServer(port: channel.localAddress?.port ?? 0, channel: channel, mode: mode)
    }

    private init(port: Int, channel: any Channel, mode: Mode) {
        self.port = port
        self.channel = channel
        self.mode = mode
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// How many GET/HEAD requests arrived so far.
    public var requestCount: Int { mode.requests.withLock { $0 } }

    /// From now on, stall (`true`) or serve the body (`false`).
    public func setStalling(_ stalling: Bool) {
        set(stalling ? .stall : .serve)
    }

    /// From now on, behave so.
    public func set(_ behaviour: Behaviour) {
        mode.behaviour.withLock { $0 = behaviour }
    }

    /// From now on, serve `body` instead.
    public func set(body: String) {
        mode.body.withLock { $0 = body }
    }

    /// Answers the requests ``Behaviour/hold`` kept, with the body as it is now.
    public func release() {
        let channels = mode.held.withLock { held in
            defer { held = [] }
            return held
        }
        for channel in channels {
            channel.writeAndFlush(ByteBuffer(string: Self.response(mode.body.withLock { $0 }))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    static func response(_ body: String) -> String {
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-yaml\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
    }

    public func stop() async {
        try? await channel.close()
    }

    private final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let mode: Mode

        init(mode: Mode) { self.mode = mode }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let request = String(buffer: unwrapInboundIn(data))
            guard request.hasPrefix("GET ") || request.hasPrefix("HEAD ") else { return }
            mode.requests.withLock { $0 += 1 }
            let body = mode.body.withLock { $0 }
            let partial = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count + 1_000_000)\r\nConnection: close\r\n\r\n" + body.prefix(20)
            switch mode.behaviour.withLock({ $0 }) {
            case .stall:
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: partial)), promise: nil)
            case .truncate:
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: partial))).whenComplete { _ in context.close(promise: nil) }
            case .fail:
                let response = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops\n"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in context.close(promise: nil) }
            case .hold:
                let channel = context.channel
                mode.held.withLock { $0.append(channel) }
            case .serve:
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: StallingHTTPServer.response(body)))).whenComplete { _ in
                    context.close(promise: nil)
                }
            }
        }
    }
}
