import AsyncHTTPClient
import Foundation
import HTTPTypes
import HashwallCore
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Pictures, served from the wall's own cache so that screens never load anything from a third-party server.
///
/// `GET /media/{key}` answers only while a visible post carries the picture (a hidden post's pictures leave with it:
/// 404); the first request fetches it from its source (at most ``MediaCache/maxBytes``, PNG, JPEG, GIF or WebP by
/// their first bytes, whatever the source says), later ones read the file.
struct MediaRoutes {
    let intake: Intake
    let cache: MediaCache

    func add(to router: Router<HashwallRequestContext>) {
        router.get("media/{key}", use: self.media)
    }

    @Sendable func media(_ request: Request, context: HashwallRequestContext) async throws -> Response {
        let key = try context.parameters.require("key")
        guard key.utf8.count == 32, key.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }),
            let media = await self.intake.visibleMedia(key: key)
        else { throw APIError(.notFound, "no picture here") }
        guard let (bytes, type) = await self.cache.image(media) else { throw APIError(.badGateway, "the picture could not be fetched") }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "private, max-age=600"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The pictures fetched so far, as files in `directory` (at most ``maxTotal`` bytes: the oldest go first).
public actor MediaCache {
    let directory: String
    let client: HTTPClient
    let userAgent: String
    let logger: Logger
    /// A picture larger than this is not fetched.
    public static let maxBytes = 8 << 20
    let maxTotal: Int
    private var sizes: [String: Int] = [:]
    private var order: [String] = []
    private var fetching: [String: Task<[UInt8]?, Never>] = [:]

    public init(directory: String, maxTotal: Int = 512 << 20, client: HTTPClient = .shared, userAgent: String, logger: Logger) {
        self.directory = directory
        self.maxTotal = maxTotal
        self.client = client
        self.userAgent = userAgent
        self.logger = logger
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Files from earlier runs count toward the bound too, oldest first.
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let known = files.filter { $0.utf8.count == 32 }.compactMap { name -> (String, Int, Date)? in
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name) else { return nil }
            return (name, (attributes[.size] as? Int) ?? 0, (attributes[.modificationDate] as? Date) ?? .distantPast)
        }.sorted { $0.2 < $1.2 }
        self.sizes = Dictionary(known.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        self.order = known.map(\.0)
    }

    /// The picture's bytes and media type, from the file or fetched now; `nil` when it can't be had or is not an image.
    func image(_ media: Media) async -> ([UInt8], String)? {
        let path = self.directory + "/" + media.key
        if let data = FileManager.default.contents(atPath: path), let type = Self.imageType(Array(data.prefix(16))) {
            return (Array(data), type)
        }
        let task: Task<[UInt8]?, Never>
        if let running = self.fetching[media.key] {
            task = running
        } else {
            task = Task { await self.fetch(media.source) }
            self.fetching[media.key] = task
        }
        let bytes = await task.value
        self.fetching[media.key] = nil
        guard let bytes, let type = Self.imageType(Array(bytes.prefix(16))) else { return nil }
        if self.sizes[media.key] == nil { self.store(bytes, key: media.key, path: path) }
        return (bytes, type)
    }

    private func fetch(_ source: String) async -> [UInt8]? {
        var request = HTTPClientRequest(url: source)
        request.headers.add(name: "User-Agent", value: self.userAgent)
        request.headers.add(name: "Accept", value: "image/avif,image/webp,image/png,image/jpeg,image/gif")
        do {
            let response = try await self.client.execute(request, timeout: .seconds(15))
            guard response.status == .ok else {
                self.logger.info("picture not fetched", metadata: ["status": "\(response.status.code)", "source": "\(source.prefix(200))"])
                return nil
            }
            return Array(try await response.body.collect(upTo: Self.maxBytes).readableBytesView)
        } catch {
            self.logger.info("picture not fetched", metadata: ["error": "\(error)", "source": "\(source.prefix(200))"])
            return nil
        }
    }

    private func store(_ bytes: [UInt8], key: String, path: String) {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)), rename(temporary, path) == 0 else { return }
        self.sizes[key] = bytes.count
        self.order.append(key)
        var total = self.sizes.values.reduce(0, +)
        while total > self.maxTotal, let oldest = self.order.first {
            self.order.removeFirst()
            total -= self.sizes.removeValue(forKey: oldest) ?? 0
            try? FileManager.default.removeItem(atPath: self.directory + "/" + oldest)
        }
    }

    /// Deletes the cached files of `keys` (the pictures of erased posts).
    public func remove(_ keys: [String]) {
        for key in keys where key.utf8.count == 32 {
            self.fetching[key]?.cancel()
            self.sizes[key] = nil
            self.order.removeAll { $0 == key }
            try? FileManager.default.removeItem(atPath: self.directory + "/" + key)
        }
    }

    /// The media type its first bytes say: PNG, JPEG, GIF or WebP; `nil` for anything else (SVG, HTML…).
    static func imageType(_ head: [UInt8]) -> String? {
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) { return "image/gif" }
        if head.count >= 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }
}
