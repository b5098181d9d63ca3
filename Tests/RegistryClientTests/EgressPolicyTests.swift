import Testing

@testable import RegistryClient

/// Where the server's own requests may go, decided address by address without a network.
@Suite("Egress policy")
struct EgressPolicyTests {
    private func address(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    @Test("addresses parse in both families, bracketed or not, and print canonically")
    func addresses() throws {
        #expect(try address("10.0.0.1").bytes == [10, 0, 0, 1])
        #expect(try address("[::1]").description == "::1")
        #expect(try address("::ffff:169.254.169.254").unmapped.description == "169.254.169.254")
        #expect(try address("2001:db8::1").unmapped.description == "2001:db8::1")
        for bad in ["", "10.0.0", "10.0.0.256", "example.com", "::g", "[::1", "1.2.3.4/8"] { #expect(IPAddress(bad) == nil, "\(bad)") }
    }

    @Test("networks: CIDR and bare addresses; a prefix beyond the family or not a number is refused")
    func networks() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains(try address("10.255.1.2")))
        #expect(!ten.contains(try address("11.0.0.1")))
        #expect(!ten.contains(try address("::1")), "another family is never contained")
        #expect(try #require(IPNetwork("172.16.0.0/12")).contains(try address("172.31.255.255")))
        #expect(!(try #require(IPNetwork("172.16.0.0/12")).contains(try address("172.32.0.0"))))
        #expect(try #require(IPNetwork("192.0.2.7")).prefixLength == 32)
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains(try address("8.8.8.8")))
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/", "/8", "x/8"] { #expect(IPNetwork(bad) == nil, "\(bad)") }
        #expect(try IPNetwork.list(" 10.0.0.0/8, ,fd00::/8 ").map(\.description) == ["10.0.0.0/8", "fd00::/8"])
        #expect(throws: RegistryClientError.self) { try IPNetwork.list("10.0.0.0/8,nonsense") }
    }

    @Test("public addresses are allowed; metadata, link-local, multicast and unspecified never are")
    func alwaysRefused() throws {
        let everything = EgressPolicy(allowedNetworks: [try #require(IPNetwork("0.0.0.0/0")), try #require(IPNetwork("::/0"))])
        for refused in [
            "169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254", "fe80::1", "224.0.0.1", "ff02::1", "0.0.0.0", "::", "100.100.100.200",
        ] {
            #expect(!everything.allows(try address(refused)), "\(refused) is refused even when every network is allowed")
        }
        for allowed in ["8.8.8.8", "2001:4860:4860::8888", "93.184.216.34"] { #expect(EgressPolicy().allows(try address(allowed)), "\(allowed)") }
    }

    @Test("loopback and private networks only when the operator allows them")
    func internalNetworks() throws {
        let internalAddresses = ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "fd12::1"]
        for text in internalAddresses { #expect(!EgressPolicy().allows(try address(text)), "\(text) refused by default") }
        let loopback = EgressPolicy(allowedNetworks: [try #require(IPNetwork("127.0.0.0/8"))])
        #expect(loopback.allows(try address("127.0.0.1")))
        #expect(loopback.allows(try address("::ffff:127.0.0.1")), "an IPv4-mapped address is judged as IPv4")
        #expect(!loopback.allows(try address("10.1.2.3")))
        #expect(!loopback.allows(try address("::1")), "allowing 127/8 does not allow ::1")
    }

    @Test("a host is refused with one neutral message, whatever resolves")
    func resolution() async throws {
        await #expect(throws: RegistryClientError.self) { _ = try await EgressPolicy().resolve("localhost") }
        await #expect(throws: RegistryClientError.self) { _ = try await EgressPolicy().resolve("169.254.169.254") }
        let allowed = EgressPolicy(allowedNetworks: [try #require(IPNetwork("127.0.0.0/8"))])
        #expect(try await allowed.resolve("127.0.0.1").description == "127.0.0.1")
        #expect(EgressPolicy.refusal("a").message == EgressPolicy.refusal("a").message)
        #expect(EgressPolicy.refusal("10.0.0.1").message.contains("is not an address this server may connect to"))
    }
}
