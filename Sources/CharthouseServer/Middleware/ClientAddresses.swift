import Foundation
import HTTPTypes
import Hummingbird
import RegistryClient

/// The address of the client behind a request: the connection's peer, or, when the peer is a
/// trusted reverse proxy, the last address in `X-Forwarded-For` that is not itself a trusted
/// proxy. Forwarded headers from anyone else are ignored (a client cannot pick its own address).
struct ClientAddresses: Sendable {
    let trustedProxies: [IPNetwork]
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func address(of request: Request, context: CharthouseRequestContext) -> String? {
        guard let peer = context.peerAddress else { return nil }
        guard isTrusted(peer) else { return peer }
        let hops = request.headers[values: Self.forwardedFor].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        // Walk back from the nearest hop: the first one that is not a trusted proxy is the client.
        for hop in hops.reversed() {
            guard let address = IPAddress(hop)?.unmapped else { return peer }
            if !isTrusted(address.description) { return address.description }
        }
        return peer
    }

    private func isTrusted(_ text: String) -> Bool {
        guard let address = IPAddress(text)?.unmapped else { return false }
        return trustedProxies.contains { $0.contains(address) }
    }
}

/// The client address of the REST request being handled (for sign-in limits).
enum CurrentClient {
    @TaskLocal static var address: String?
}
