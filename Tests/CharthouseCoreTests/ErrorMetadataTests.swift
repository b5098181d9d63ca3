import CharthouseCore
import CharthouseStore
import Logging
import Testing

/// How errors reach the log: types only, with the cause a domain error translates.
@Suite("Error metadata")
struct ErrorMetadataTests {
    @Test("a domain error logs its type and its cause's type, never a message")
    func cause() {
        let cause = StoreError.unavailable("connection to db.internal:5432 refused (password=hunter2)")
        let metadata = Logger.Metadata.error(CharthouseError(.unavailable, "the database is unavailable", cause: cause))
        #expect(metadata["error.type"] == .string("CharthouseCore.CharthouseError"))
        #expect(metadata["error.cause.type"] == .string("CharthouseStore.StoreError"))
        #expect(!"\(metadata)".contains("hunter2"))
    }

    @Test("an error without a cause logs only its type")
    func plain() {
        let metadata = Logger.Metadata.error(StoreError.notFound("x"))
        #expect(metadata.keys.sorted() == ["error.type"])
        #expect(HostedRegistryError(.unknown, "a", cause: StoreError.notFound("x")) == HostedRegistryError(.unknown, "a"))
    }
}
