import NIOCore
import NIOPosix
import Synchronization

/// A TCP listener on 127.0.0.1 that accepts connections, counts them, and never answers: the
/// stand-in for a host the server must not contact (a protected registry), or one that hangs.
public final class SilentListener: Sendable {
    public let port: Int
    private let channel: any Channel
    private let counter: Counter

    final class Counter: Sendable {
        let value = Mutex(0)
    }

    public static func start() async throws -> SilentListener {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { _ in
                counter.value.withLock { $0 += 1 }
                return MultiThreadedEventLoopGroup.singleton.any().makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return SilentListener(port: channel.localAddress?.port ?? 0, channel: channel, counter: counter)
    }

    private init(port: Int, channel: any Channel, counter: Counter) {
        self.port = port
        self.channel = channel
        self.counter = counter
    }

    /// How many connections were accepted so far.
    public var connections: Int { counter.value.withLock { $0 } }

    public func stop() async {
        try? await channel.close()
    }
}
