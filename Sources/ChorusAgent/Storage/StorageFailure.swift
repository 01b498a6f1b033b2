/// Protocol state could not be written (a full disk, no descriptors, an IO error): the input that
/// needed it was dropped and the core left as it was. Commands answer 507 with its text.
public struct StorageFailure: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ underlying: any Error) {
        description = (underlying as? StorageFailure)?.description ?? "\(underlying)"
    }
}
