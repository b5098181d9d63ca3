import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses a literal address (`10.0.0.1`, `::1`, `[::1]`); `nil` for anything else.
    public init?(_ text: String) {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, literal, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), else itself.
    public var unmapped: IPAddress {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else { return self }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(cString: buffer)
    }
}

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`; a bare address is a single host).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length), parts[1].allSatisfy(\.isNumber) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.address = address
    }

    /// Whether `candidate` (same family) lies in this network.
    public func contains(_ candidate: IPAddress) -> Bool {
        guard candidate.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, candidate.bytes) {
            guard remaining > 0 else { return true }
            let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
            guard a & mask == b & mask else { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Parses a comma-separated list; throws naming the first entry that is not a network.
    public static func list(_ text: String) throws -> [IPNetwork] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
            guard let network = IPNetwork(entry) else { throw RegistryClientError(.invalidResponse, "\"\(entry)\" is not an IP network (CIDR)") }
            return network
        }
    }
}

/// Where the server's own outbound requests (registry checks, syncs, chart files) may go.
///
/// Link-local addresses (cloud metadata services among them: 169.254.169.254, fd00:ec2::254),
/// unspecified, multicast and broadcast addresses are always refused. Loopback, private
/// (RFC 1918, unique-local, CGNAT) addresses are refused unless they lie in a network the
/// operator allows. Every address a host name resolves to is checked, and the connection is
/// pinned to the checked address; redirects are checked again.
public struct EgressPolicy: Sendable, Hashable {
    /// Networks allowed although loopback or private.
    public var allowedNetworks: [IPNetwork]

    /// Every address allowed: for the agent, which runs inside the network it reaches.
    public static var unrestricted: EgressPolicy { EgressPolicy(allowedNetworks: ["0.0.0.0/0", "::/0"].compactMap(IPNetwork.init)) }

    public init(allowedNetworks: [IPNetwork] = []) {
        self.allowedNetworks = allowedNetworks
    }

    static let alwaysRefused = [
        "0.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "100.100.100.200/32",
        "::/128", "fe80::/10", "ff00::/8", "fd00:ec2::254/128",
    ].compactMap(IPNetwork.init)
    static let internalNetworks = [
        "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "198.18.0.0/15",
        "::1/128", "fc00::/7",
    ].compactMap(IPNetwork.init)

    /// Whether a connection to `address` is allowed.
    public func allows(_ address: IPAddress) -> Bool {
        let address = address.unmapped
        if Self.alwaysRefused.contains(where: { $0.contains(address) }) { return false }
        if Self.internalNetworks.contains(where: { $0.contains(address) }) {
            return allowedNetworks.contains { $0.contains(address) }
        }
        return true
    }

    /// The one message every refused destination gets: it says nothing of whether anything
    /// listens there.
    static func refusal(_ host: String) -> RegistryClientError {
        RegistryClientError(
            .connection,
            "\(host) is not an address this server may connect to (its egress policy refuses loopback, private and link-local networks unless the operator allows them)"
        )
    }

    /// The address to connect to for `host`: every address it resolves to must be allowed.
    func resolve(_ host: String) async throws -> IPAddress {
        if let literal = IPAddress(host) {
            guard allows(literal) else { throw Self.refusal(host) }
            return literal
        }
        // getaddrinfo blocks (for seconds when DNS is slow): on a queue of its own, never on the
        // thread pool that file I/O and password hashing share.
        let addresses = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Self.lookup(host)) }
        }
        guard let first = addresses.first else { throw RegistryClientError(.connection, "cannot resolve \(host)") }
        guard addresses.allSatisfy(allows) else { throw Self.refusal(host) }
        return first
    }

    private static func lookup(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let socketAddress = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    var v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(IPAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }))
                case AF_INET6:
                    var v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(IPAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) }))
                default: break
                }
            }
            node = current.pointee.ai_next
        }
        var seen = Set<IPAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }
}
