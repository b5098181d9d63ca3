public import Foundation

/// The REST contract of Charthouse: types, the server protocol and the client generated from `openapi.yaml`.
public enum CharthouseAPIDocument {
    /// The OpenAPI document as shipped in this module's resources.
    public static func openAPIDocument() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try Data(contentsOf: url)
    }
}
