import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The body's bytes, at most `limit` of them: beyond, 413 with the limit in KiB (refused from `Content-Length`
    /// before reading when it says so).
    func collectBody(limit: Int) async throws -> [UInt8] {
        if let length = self.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        do {
            return Array(try await self.body.collect(upTo: limit).readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    /// The media type of `Content-Type`, lower case, without parameters.
    var mediaType: String? { self.headers.mediaType }
}

extension HTTPFields {
    /// The media type of `Content-Type`, lower case, without parameters.
    var mediaType: String? {
        self[.contentType].map { $0.prefix { $0 != ";" }.trimmingSpaces.lowercased() }
    }
}

extension StringProtocol {
    /// Without the spaces and tabs at either end (what HTTP calls optional whitespace); cheaper than Foundation's
    /// trimming, which every request would pay.
    var trimmingSpaces: SubSequence {
        let isSpace = { (character: Character) in character == " " || character == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) }) else {
            return self[self.endIndex...]
        }
        return self[first...last]
    }
}
