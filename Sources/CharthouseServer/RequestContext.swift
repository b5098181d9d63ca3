public import CharthouseCore
public import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The router's request context: Hummingbird's core storage plus what middleware learns about the request.
public struct CharthouseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Shared by every middleware of one request, so the outer logger sees what the inner authenticator found.
    public let state: RequestState
    /// The connection's peer address (a proxy's, behind one; see ``ClientAddresses``).
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.state = RequestState()
        self.peerAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// Facts gathered while one request is handled.
public final class RequestState: Sendable {
    private let callerStorage = Mutex<Caller?>(nil)

    /// The authenticated caller, once known.
    public var caller: Caller? {
        get { callerStorage.withLock { $0 } }
        set { callerStorage.withLock { $0 = newValue } }
    }
}

/// The caller of the request being handled, for the generated API's handlers.
public enum CurrentCaller {
    @TaskLocal public static var value: Caller?

    /// The caller, or `unauthorized` if the request was not authenticated.
    public static func require() throws -> Caller {
        guard let value else { throw CharthouseError.unauthenticated }
        return value
    }
}

/// The agent behind a request on the agent routes (`/api/v1/agent/…`).
public enum CurrentAgent {
    @TaskLocal public static var value: AgentCaller?

    /// The agent, or `unauthorized` if the request did not come with an agent's access token.
    public static func require() throws -> AgentCaller {
        guard let value else { throw CharthouseError(.unauthorized, "the agent routes take an agent's access token") }
        return value
    }
}
