// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets, a package of their own so the sanitizer flags never reach the main build or
// its tests. tools/fuzz builds it with `-Xswiftc -sanitize=fuzzer,address` for every module, so
// ChorusWire and ChorusCore are coverage-instrumented too (flags set here with unsafeFlags would
// instrument the harness only, and the fuzzer would be blind inside the code it tests).
// SwiftPM links each executable's main under an alias of its own, which leaves libFuzzer's main
// out: each target's main.swift calls `LLVMFuzzerRunDriver` (CFuzzerDriver) instead.
// ChorusWire is not a product of the main package, but it comes with ChorusCore and is importable.
let package = Package(
    name: "ChorusFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Chorus", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "FuzzDecoder", dependencies: ["CFuzzerDriver", .product(name: "ChorusCore", package: "Chorus")]
        ),
        .executableTarget(
            name: "FuzzCore",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "ChorusCore", package: "Chorus"),
                .product(name: "ChorusSimulator", package: "Chorus"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
