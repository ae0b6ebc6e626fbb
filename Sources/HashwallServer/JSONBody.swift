import Foundation
import Hummingbird
import NIOCore

/// Compact JSON bodies, the same encoder settings everywhere (no escaped slashes, dates as the contract says).
enum JSONBody {
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        // Our Encodable types can't fail to encode; an empty object is the fallback rather than a crash.
        return ByteBuffer(bytes: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    static let headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: Self.headers, body: .init(byteBuffer: Self.encode(value)))
    }
}
