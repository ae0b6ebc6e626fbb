import Foundation
import GRDB

/// The organiser's live figures (`GET /api/moderation/stats`), counted from the database, so they are exact across
/// restarts and include posts no longer in memory.
public struct WallStats: Codable, Sendable, Equatable {
    public struct Minute: Codable, Sendable, Equatable {
        /// The minute's start, ISO 8601.
        public var minute: String
        /// Posts written in that minute, per channel.
        public var channels: [String: Int]
    }

    public struct TopAuthor: Codable, Sendable, Equatable {
        /// As shown on the wall.
        public var name: String
        public var channel: String
        /// Their visible posts.
        public var posts: Int
    }

    /// Posts per channel and state (`visible`, `held`, `hidden`, `rejected`).
    public var channels: [String: [String: Int]]
    /// The last minutes, oldest first, only those with posts.
    public var perMinute: [Minute]
    /// Authors with the most visible posts, most first.
    public var topAuthors: [TopAuthor]
    /// Distinct authors with at least one post.
    public var contributors: Int

    public struct BusyMinute: Codable, Sendable, Equatable {
        public var minute: String
        public var posts: Int
    }

    /// The minutes with the most posts since the wall began, most first (up to 5).
    public var busiestMinutes: [BusyMinute]
    /// The median time from a post's arrival to its approval by a moderator (`pre` mode), in seconds; nil when none was
    /// approved.
    public var medianApprovalSeconds: Double?
}

extension Journal {
    /// The figures over every post, with `perMinute` over the `minutes` before `now` and the `top` busiest authors.
    public func stats(minutes: Int, top: Int, now: Date = Date()) async throws -> WallStats {
        try await self.pool.read { db in
            let text = "CAST(json AS TEXT)"
            var channels: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT json_extract(\(text), '$.channel') AS channel, state, COUNT(*) AS n FROM post GROUP BY channel, state")
            {
                let channel: String = row["channel"] ?? "?"
                channels[channel, default: [:]][row["state"] as String] = row["n"] as Int
            }
            for channel in channels.keys {
                for state in PostState.allCases where channels[channel]?[state.rawValue] == nil { channels[channel]?[state.rawValue] = 0 }
            }
            let since = (now.timeIntervalSince1970 / 60).rounded(.down) * 60 - Double(max(0, minutes - 1)) * 60
            var minuteCounts: [Int64: [String: Int]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT CAST(createdAt / 60 AS INTEGER) * 60 AS minute, json_extract(\(text), '$.channel') AS channel, COUNT(*) AS n
                    FROM post WHERE createdAt >= ? GROUP BY minute, channel
                    """, arguments: [since])
            {
                minuteCounts[row["minute"] as Int64, default: [:]][(row["channel"] as String?) ?? "?"] = row["n"] as Int
            }
            let perMinute = minuteCounts.keys.sorted().map {
                WallStats.Minute(minute: WireDate.format(Date(timeIntervalSince1970: Double($0))), channels: minuteCounts[$0] ?? [:])
            }
            let topAuthors = try Row.fetchAll(
                db,
                sql: """
                    SELECT json_extract(\(text), '$.author.name') AS name, json_extract(\(text), '$.channel') AS channel, COUNT(*) AS n
                    FROM post WHERE state = 'visible' GROUP BY authorKey ORDER BY n DESC, name LIMIT ?
                    """, arguments: [top]
            ).map { WallStats.TopAuthor(name: $0["name"] ?? "", channel: $0["channel"] ?? "?", posts: $0["n"]) }
            let contributors = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT authorKey) FROM post") ?? 0
            let busiestMinutes = try Row.fetchAll(
                db,
                sql: """
                    SELECT CAST(createdAt / 60 AS INTEGER) * 60 AS minute, COUNT(*) AS n FROM post
                    GROUP BY minute ORDER BY n DESC, minute DESC LIMIT 5
                    """
            ).map { WallStats.BusyMinute(minute: WireDate.format(Date(timeIntervalSince1970: Double($0["minute"] as Int64))), posts: $0["n"]) }
            // The first approval of each post still in force (not undone), from its arrival on the wall.
            var waits: [Double] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT MIN(audit.at) AS at, json_extract(\(text), '$.receivedAt') AS receivedAt FROM audit JOIN post ON post.id = audit.postID
                    WHERE audit.action = 'approve' AND audit.undone = 0 GROUP BY audit.postID
                    """)
            {
                guard let received = try? WireDate.parse(row["receivedAt"] ?? "", field: "receivedAt") else { continue }
                waits.append(max(0, (row["at"] as Double) - received.timeIntervalSince1970))
            }
            waits.sort()
            let middle = waits.count / 2
            let median: Double? = waits.isEmpty ? nil : waits.count % 2 == 1 ? waits[middle] : (waits[middle - 1] + waits[middle]) / 2
            return WallStats(
                channels: channels, perMinute: perMinute, topAuthors: topAuthors, contributors: contributors, busiestMinutes: busiestMinutes,
                medianApprovalSeconds: median)
        }
    }
}

extension Journal {
    /// Every post on disk, in whatever state, oldest first (the organiser's export).
    public func allPosts() async throws -> [StoredPost] {
        try await self.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM post ORDER BY createdAt, arrival").map(Self.decodeStored)
        }
    }
}

/// The organiser's record of the wall as CSV: one row per post, every cell quoted, and a cell that a spreadsheet
/// would read as a formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return) escaped with a `'`.
public enum PostsCSV {
    public static let header = ["id", "channel", "state", "createdAt", "receivedAt", "author", "handle", "text", "reposts", "url", "heldBecause"]

    public static func encode(_ posts: [StoredPost]) -> String {
        var lines = [Self.row(Self.header)]
        for stored in posts {
            let post = stored.post
            lines.append(
                Self.row([
                    post.id.rawValue, post.channel.rawValue, stored.moderation.state.rawValue, WireDate.format(post.createdAt),
                    WireDate.format(post.receivedAt), post.author.name, post.author.handle ?? "", post.text, String(post.reposts), post.url ?? "",
                    stored.moderation.heldBecause ?? "",
                ]))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func row(_ cells: [String]) -> String {
        cells.map(Self.cell).joined(separator: ",")
    }

    /// One cell: escaped against formulas, then quoted.
    public static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
