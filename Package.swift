// swift-tools-version:6.2
import PackageDescription

/// One set of settings for every target of ours: Swift 6 mode with the upcoming features Hummingbird uses.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "hashwall",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hashwall", targets: ["hashwall"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "HashwallCore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HashwallChannels",
            dependencies: [
                "HashwallCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                "CCurl", "CGMime", "CLibXML2",
            ],
            // Embedded in the binary, so `make release` gives one file that runs anywhere.
            resources: [.embedInCode("Demo/Resources/demo-posts.json")],
            swiftSettings: swiftSettings
        ),
        // Debian's C libraries for mail, installed by the Makefile: libcurl (IMAP), GMime 3 (MIME), libxml2 (HTML to text).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CGMime", pkgConfig: "gmime-3.0", providers: [.apt(["libgmime-3.0-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // Debian's libqrencode (libqrencode-dev, installed by the Makefile): the projector's QR code.
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Debian's libzip (libzip-dev, installed by the Makefile): the static archive as a .zip.
        .systemLibrary(name: "CLibZip", pkgConfig: "libzip", providers: [.apt(["libzip-dev"])]),
        .target(
            name: "HashwallServer",
            dependencies: [
                "HashwallCore",
                "HashwallChannels",
                "CQRencode",
                "CLibZip",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            // `Web` is a link to the top-level Web/ folder: the pages are embedded in the binary.
            resources: [.embedInCode("Web")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hashwall",
            dependencies: [
                "HashwallServer",
                "HashwallChannels",
                "HashwallCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HashwallTestSupport",
            dependencies: [
                "HashwallCore",
                "HashwallChannels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HashwallCoreTests",
            dependencies: ["HashwallCore", "HashwallTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HashwallChannelsTests",
            dependencies: [
                "HashwallChannels", "HashwallCore", "HashwallTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // Raw mail as clients send it, with what the wall should show (Fixtures/mail/README.md).
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HashwallServerTests",
            dependencies: [
                "HashwallServer", "HashwallChannels", "HashwallCore", "HashwallTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "hashwallTests",
            dependencies: [
                "hashwall", "HashwallServer", "HashwallCore", "HashwallChannels", "HashwallTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// Fuzz targets for the webhook parsers, built only by `make fuzz` (HASHWALL_FUZZ=1, with -sanitize=fuzzer):
// libFuzzer supplies `main`, so they are parsed as libraries.
if Context.environment["HASHWALL_FUZZ"] == "1" {
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: swiftSettings))
    for name in ["FuzzTwilio", "FuzzVonage", "FuzzAndroid", "FuzzSMSSync", "FuzzIngest", "FuzzText", "FuzzMIME", "FuzzSocial"] {
        package.targets.append(
            .executableTarget(
                name: name, dependencies: ["HashwallChannels", "FuzzSupport"], path: "Fuzz/\(name)", exclude: ["seeds"],
                swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]))
    }
}

// Benchmark drivers, built only by `make bench-text` and `make bench-mail` (HASHWALL_BENCHMARKS=1), in release.
if Context.environment["HASHWALL_BENCHMARKS"] == "1" {
    package.targets.append(
        .executableTarget(name: "TextScanBench", dependencies: ["HashwallCore"], path: "Benchmarks/TextScanBench", swiftSettings: swiftSettings))
    package.targets.append(
        .executableTarget(
            name: "MailBench", dependencies: ["HashwallChannels", "HashwallTestSupport"], path: "Benchmarks/MailBench", swiftSettings: swiftSettings))
}
