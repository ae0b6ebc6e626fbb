import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The body's bytes, at most `limit` of them: beyond, 413 with the limit in KiB (refused from `Content-Length`
    /// before reading when it says so).
    func collectBody(limit: Int) async throws -> [UInt8] {
        if let length = self.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError(.contentTooLarge, "the body is larger than \(limit / 1024) KiB")
        }
        do {
            return Array(try await self.body.collect(upTo: limit).readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the body is larger than \(limit / 1024) KiB")
        }
    }

    /// The media type of `Content-Type`, lower case, without parameters.
    var mediaType: String? {
        self.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
