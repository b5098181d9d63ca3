import CharthouseCLI
import Dispatch
import Foundation
import NIOCore
import NIOPosix

/// The `charthouse` executable: the server (`serve`) and its client in one binary.
@main
struct Entry {
    static func main() {
        // Swift concurrency runs on NIO's event loops: a request's handler then runs on the thread
        // that read it, without a hop to another pool and back (Hummingbird's hot path). Must come
        // before any task exists, hence a synchronous main.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        Task {
            await CharthouseCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
            exit(0)
        }
        dispatchMain()
    }
}
