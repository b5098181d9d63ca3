import Foundation
import Synchronization

/// Hands batches from a synchronous producer running on a thread of its own (a CPU-bound
/// decoder) to async code, at most `depth` batches ahead, so that decoding and writing overlap
/// while memory stays bounded. If the reader stops early, the producer's next `emit` throws
/// `CancellationError`.
final class BatchPipe<Element: Sendable>: AsyncSequence, Sendable {
    private let stream: AsyncThrowingStream<Element, any Error>
    private let slots: DispatchSemaphore
    private let depth: Int
    private let stopped = Mutex(false)
    private let continuation: AsyncThrowingStream<Element, any Error>.Continuation

    private init(depth: Int) {
        let (stream, continuation) = AsyncThrowingStream<Element, any Error>.makeStream()
        self.stream = stream
        self.continuation = continuation
        self.depth = depth
        self.slots = DispatchSemaphore(value: depth)
    }

    /// Starts `produce` on a new thread; it calls `emit` for every batch, which waits while
    /// `depth` batches are unread.
    static func start(
        depth: Int = 4,
        name: String,
        _ produce: @escaping @Sendable (_ emit: (Element) throws -> Void) throws -> Void
    ) -> BatchPipe {
        let pipe = BatchPipe(depth: depth)
        let thread = Thread { [pipe] in
            do {
                try produce { element in
                    pipe.slots.wait()
                    if pipe.stopped.withLock({ $0 }) { throw CancellationError() }
                    pipe.continuation.yield(element)
                }
                pipe.continuation.finish()
            } catch {
                pipe.continuation.finish(throwing: error)
            }
        }
        thread.name = name
        thread.start()
        return pipe
    }

    /// A pipe that already holds `elements`.
    static func of(_ elements: [Element]) -> BatchPipe {
        let pipe = BatchPipe(depth: 1)
        for element in elements { pipe.continuation.yield(element) }
        pipe.continuation.finish()
        return pipe
    }

    /// Reads the batches; each one read frees a slot for the producer.
    struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<Element, any Error>.Iterator
        let slots: DispatchSemaphore

        mutating func next() async throws -> Element? {
            let element = try await base.next()
            slots.signal()
            return element
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator(), slots: slots) }

    /// Tells the producer to stop at its next batch.
    func cancel() {
        stopped.withLock { $0 = true }
        for _ in 0...depth { slots.signal() }
    }
}
