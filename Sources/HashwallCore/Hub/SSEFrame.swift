import Foundation
import NIOCore

/// The bytes of `text/event-stream` frames. Built once per event and shared by every client.
public enum SSEFrame {
    /// `: keep-alive`, sent to every client on each heartbeat.
    public static let heartbeat = ByteBuffer(string: ": keep-alive\n\n")

    /// The reconnection hint sent first on every stream.
    public static func retry(milliseconds: Int) -> ByteBuffer {
        ByteBuffer(string: "retry: \(milliseconds)\n\n")
    }

    /// `id:`, `event:` and one `data:` line of compact JSON (which never holds a raw line break).
    public static func event(number: Int64, name: String, json: Data) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(json.count + 48)
        buffer.writeString("id: \(number)\nevent: \(name)\ndata: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        return buffer
    }

    /// The frame for one wall event.
    static func encode(_ event: WallEvent, posts: inout PostJSON) throws -> ByteBuffer {
        let json: Data
        switch event.change {
        case .post(let post), .update(let post): json = try posts.encode(post)
        case .remove(let id): json = try posts.encoder.encode(["id": id])
        }
        return Self.event(number: event.number, name: event.change.name, json: json)
    }

    /// The frame for one moderators' event.
    static func encode(_ event: ModeratorEvent, posts: inout PostJSON) throws -> ByteBuffer {
        let json: Data
        switch event.change {
        case .post(let post): json = try posts.encode(post)
        case .settings(let settings): json = try posts.encoder.encode(settings)
        case .audit(let entry): json = try posts.encoder.encode(entry)
        case .remove(let id): json = try posts.encoder.encode(["id": id])
        }
        return Self.event(number: event.number, name: event.change.name, json: json)
    }

    /// `reset`: the client missed more than the replay window holds and must reload the snapshot.
    static func reset(lastEvent: Int64) -> ByteBuffer {
        Self.event(number: lastEvent, name: "reset", json: Data(#"{"lastEventId":"\#(lastEvent)"}"#.utf8))
    }
}
