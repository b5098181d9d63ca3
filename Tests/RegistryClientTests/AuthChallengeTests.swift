import Testing

@testable import RegistryClient

/// `WWW-Authenticate` challenges as registries send them (distribution, Harbor, GHCR, Docker Hub).
@Suite("Authentication challenges")
struct AuthChallengeTests {
    @Test("a Bearer challenge gives its realm, service and scope")
    func bearer() throws {
        let challenge = try #require(
            AuthChallenge(header: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull""#)
        )
        #expect(challenge.scheme == .bearer)
        #expect(challenge.realm == "https://auth.docker.io/token")
        #expect(challenge.service == "registry.docker.io")
        #expect(challenge.scope == "repository:library/nginx:pull")
    }

    @Test("quoted values keep commas and escaped quotes; keys are case-insensitive; unquoted values are trimmed")
    func quoting() throws {
        let challenge = try #require(
            AuthChallenge(header: #"  bearer Realm="https://x/token", SCOPE="repository:a:pull,push", service = plain , note="say \"hi\"""#)
        )
        #expect(challenge.scheme == .bearer)
        #expect(challenge.realm == "https://x/token")
        #expect(challenge.scope == "repository:a:pull,push")
        #expect(challenge.service == "plain")
        #expect(challenge.parameters["note"] == #"say "hi""#)
    }

    @Test("Basic with or without a realm; other schemes and empty headers are not challenges")
    func schemes() {
        #expect(AuthChallenge(header: #"Basic realm="Registry Realm""#)?.scheme == .basic)
        #expect(AuthChallenge(header: "Basic")?.scheme == .basic)
        #expect(AuthChallenge(header: "Basic")?.realm == nil)
        #expect(AuthChallenge(header: #"Digest realm="x""#) == nil)
        #expect(AuthChallenge(header: "") == nil)
        #expect(AuthChallenge(header: "   ") == nil)
    }

    @Test("malformed parameter lists never trap: an unterminated quote, keys without values, stray commas")
    func malformed() throws {
        let challenge = try #require(AuthChallenge(header: #"Bearer ,,realm="https://x/token,service,=v,scope="unterminated"#))
        #expect(challenge.realm == "https://x/token,service,=v,scope=")
        #expect(AuthChallenge(header: #"Bearer realm"#)?.realm == nil)
        #expect(AuthChallenge(header: #"Bearer realm=\"#)?.realm == "\\")
    }
}
