// swift-tools-version:6.0
import PackageDescription

// Layers, innermost first: CSodium (libsodium) -> ChorusCrypto; ChorusWire (bytes) ->
// ChorusCore (pure protocol, no IO, no clock) -> ChorusSimulator (in-process network) and
// ChorusAgent (the IO shell: NIO UDP, Hummingbird HTTP, disk) -> chorus (the CLI).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Chorus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chorus", targets: ["chorus"]),
        .library(name: "ChorusCore", targets: ["ChorusCore"]),
        .library(name: "ChorusSimulator", targets: ["ChorusSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "ChorusWire", swiftSettings: strictSettings),
        .target(name: "ChorusCrypto", dependencies: ["CSodium", "ChorusWire"], swiftSettings: strictSettings),
        .target(
            name: "ChorusCore",
            dependencies: [
                "ChorusWire",
                .product(name: "HashTreeCollections", package: "swift-collections"),
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ChorusSimulator",
            dependencies: ["ChorusCore", "ChorusWire", "ChorusCrypto", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ChorusAgent",
            dependencies: [
                "ChorusCore", "ChorusWire", "ChorusCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            // Compiled in as bytes: the binary stays one file, with no resource bundle to install.
            resources: [.embedInCode("HTTP/Resources/status.html")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "chorus",
            dependencies: [
                "ChorusAgent", "ChorusCrypto", "ChorusWire", "ChorusSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "ChorusWireTests", dependencies: ["ChorusWire"]),
        .testTarget(name: "ChorusCryptoTests", dependencies: ["ChorusCrypto", "ChorusWire"]),
        .testTarget(name: "ChorusCoreTests", dependencies: ["ChorusCore", "ChorusWire", "ChorusCrypto", "ChorusSimulator"]),
        .testTarget(
            name: "ChorusSimulatorTests", dependencies: ["ChorusSimulator", "ChorusCore", "ChorusWire"],
            exclude: ["Scenarios"]  // scenario scripts and golden traces, read from the source tree
        ),
        .testTarget(
            name: "ChorusAgentTests",
            dependencies: [
                "ChorusAgent", "ChorusCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // What the tests that run real agents share: agent processes and clusters of them,
        // free ports, external tools, an HTTP client.
        .target(
            name: "ChorusTesting",
            dependencies: [
                "ChorusAgent",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/ChorusTesting"
        ),
        .testTarget(
            name: "ChorusProcessTests",
            dependencies: ["ChorusTesting", "ChorusAgent", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
