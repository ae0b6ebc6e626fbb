import Foundation
import HashwallTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import hashwall

/// The organiser's look for the wall: event colour, logo and the follower page's QR code, from config.json.
@Suite struct WallLookTests {
    static let pngHeader: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    @Test func colourLogoAndQRCodeComeFromTheConfig() async throws {
        let directory = try TemporaryDirectory()
        let logo = directory.file("logo.png")
        try Data(Self.pngHeader + [UInt8](repeating: 7, count: 64)).write(to: URL(fileURLWithPath: logo))
        var config = HashwallConfig.testing(journalIn: directory.path)
        config.server.publicURL = "https://mur.capcomnet.example"
        config.wall.accentColor = "#e4007c"
        config.wall.logo = logo
        #expect(config.validate() == [])
        try await withLiveWall(config) { client, _ in
            let wall = try json(try await client.execute(uri: "/api/wall", method: .get))
            #expect(wall["accentColor"] as? String == "#e4007c")
            #expect(wall["logoURL"] as? String == "/logo")
            #expect(wall["followerURL"] as? String == "https://mur.capcomnet.example/")
            let image = try await client.execute(uri: "/logo", method: .get)
            #expect(image.status == .ok && image.headers[.contentType] == "image/png")
            #expect(Array(image.body.readableBytesView.prefix(8)) == Self.pngHeader)
            let qr = try await client.execute(uri: "/qr.svg", method: .get)
            #expect(qr.status == .ok && qr.headers[.contentType] == "image/svg+xml")
            #expect(String(buffer: qr.body).hasPrefix("<svg") && String(buffer: qr.body).contains("<path"))
        }
    }

    @Test func withoutThemNothingIsServedAndThePagesKeepTheTheme() async throws {
        let directory = try TemporaryDirectory()
        try await withLiveWall(.testing(journalIn: directory.path)) { client, _ in
            let wall = try json(try await client.execute(uri: "/api/wall", method: .get))
            #expect(wall["accentColor"] == nil && wall["logoURL"] == nil && wall["followerURL"] == nil)
            #expect(try await client.execute(uri: "/logo", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/qr.svg", method: .get).status == .notFound)
        }
    }

    @Test func aBadColourOrLogoIsAConfigurationProblemNamingTheField() throws {
        let directory = try TemporaryDirectory()
        let text = directory.file("logo.txt")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: text))
        let big = directory.file("huge.png")
        try Data(count: 600 * 1024).write(to: URL(fileURLWithPath: big))
        for (colour, logo, expected) in [
            ("red", nil, "wall.accentColor: must be a colour like"),
            ("#e4007c", directory.file("missing.png"), "wall.logo: cannot read"),
            ("#e4007c", text, "wall.logo: must be a .png, .jpg, .webp or .svg file"),
            ("#e4007c", big, "wall.logo: \"\(big)\" is 600 KiB, more than 512 KiB"),
        ] as [(String, String?, String)] {
            var config = HashwallConfig.testing(journalIn: directory.path)
            config.wall.accentColor = colour
            config.wall.logo = logo
            let problems = config.validate()
            #expect(problems.count == 1 && problems.first?.hasPrefix(expected) == true, "\(problems)")
        }
    }
}
