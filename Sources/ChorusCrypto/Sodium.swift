import CSodium

/// libsodium's one-time initialisation.
///
/// `sodium_init()` picks the fastest implementations for this CPU and seeds the random source;
/// every other libsodium call assumes it has run. Swift initialises a `static let` exactly once
/// and thread-safely, so each entry point calls `ensureInitialized()` and pays only an atomic check
/// after the first time.
enum Sodium {
    private static let initialized: Void = {
        // 0: initialised now; 1: already initialised; -1: unusable (e.g. no entropy source).
        guard sodium_init() >= 0 else {
            fatalError("libsodium failed to initialise (sodium_init returned -1); refusing to run without a working crypto library")
        }
    }()

    static func ensureInitialized() { Self.initialized }
}
