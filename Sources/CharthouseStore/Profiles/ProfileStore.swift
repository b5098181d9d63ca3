public import Foundation

/// Cluster profiles and their layers. Implemented by ``SQLProfileStore``.
///
/// Every read and write names the tenant: a profile of another tenant is not found.
public protocol ProfileStore: Sendable {
    /// Inserts a profile with its layers in one transaction; throws ``StoreError/duplicate(_:)``
    /// when the tenant has this name and version, or two layers share a release and namespace.
    func create(_ profile: ProfileRecord, layers: [ProfileLayerRecord]) async throws
    func find(id: String, tenantID: String) async throws -> ProfileRecord?
    func find(name: String, version: String, tenantID: String) async throws -> ProfileRecord?
    /// A tenant's profiles, optionally of one name, ordered by name (versions in any order).
    func list(tenantID: String, name: String?) async throws -> [ProfileRecord]
    /// The layers of a profile in install order.
    func layers(profileID: String) async throws -> [ProfileLayerRecord]
    /// The layers of several profiles, by profile id, each in install order.
    func layers(profileIDs: [String]) async throws -> [String: [ProfileLayerRecord]]
    /// Runs `body` in one transaction on a profile of the tenant that is still a draft, so that
    /// publishing cannot slip in between a check and a write. Throws ``StoreError/notFound(_:)``
    /// when there is no such profile and ``StoreError/conflict(_:)`` when it is published.
    func editDraft<R: Sendable>(
        id: String,
        tenantID: String,
        now: Date,
        _ body: @Sendable (any ProfileDraftEditor) async throws -> R
    )
        async throws -> R
    /// Deletes a draft; throws as ``editDraft(id:tenantID:now:_:)`` does.
    func deleteDraft(id: String, tenantID: String) async throws
    /// Profiles (of any tenant) with a layer from this registry, ordered by name and version.
    func profilesUsing(registryID: String) async throws -> [ProfileRecord]
    /// Every layer from this registry, in any tenant's profiles.
    func layers(registryID: String) async throws -> [ProfileLayerRecord]
    /// Records why a layer's pinned content no longer matches its registry (`nil`: it matches).
    func setStale(layerID: String, reason: String?, since: Date?) async throws
}

/// Writes to one draft profile inside the transaction of ``ProfileStore/editDraft(id:tenantID:now:_:)``.
public protocol ProfileDraftEditor: Sendable {
    /// The profile as this transaction sees it.
    var profile: ProfileRecord { get }
    func layers() async throws -> [ProfileLayerRecord]
    /// Saves the profile's own fields (name, version, description, state, published time).
    func update(_ profile: ProfileRecord) async throws
    /// Inserts a layer; throws ``StoreError/duplicate(_:)`` when its release and namespace are taken.
    func insert(_ layer: ProfileLayerRecord) async throws
    /// Saves a layer of this profile; throws ``StoreError/duplicate(_:)`` as ``insert(_:)``.
    func update(_ layer: ProfileLayerRecord) async throws
    /// Deletes a layer of this profile; returns whether there was one.
    func delete(layerID: String) async throws -> Bool
    /// Sets the install order: `ids` are all of the profile's layer ids, first to last.
    func order(_ ids: [String]) async throws
}
