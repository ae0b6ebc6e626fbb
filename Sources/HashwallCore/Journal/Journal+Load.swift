import Foundation
import GRDB
import Synchronization

extension Journal {
    /// What start-up restores: the newest posts, the newest keys, and the counters.
    public struct WorkingSet: Sendable {
        /// Posts with their arrival numbers, in no particular order.
        public var posts: [(Post, Int64)]
        /// Keys, oldest learned first.
        public var keys: [PostStore.RememberedKey]
        public var lastEvent: Int64
        public var lastArrival: Int64
    }

    /// Reads the working set: the newest `limits.maxPosts` posts and the newest `limits.maxRememberedKeys` keys.
    /// - Throws: ``JournalError/unreadable(path:reason:)`` naming the row that can't be read.
    public func loadWorkingSet(limits: StoreLimits) throws -> WorkingSet {
        do {
            return try self.pool.read { db in
                let counters = try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT name, value FROM counter").map { ($0["name"] as String, $0["value"] as Int64) })
                let postRows = try Row.fetchAll(
                    db, sql: "SELECT id, arrival, json FROM post ORDER BY createdAt DESC, arrival DESC LIMIT ?", arguments: [limits.maxPosts])
                let posts = try postRows.map { row in (try Self.decodePost(row), row["arrival"] as Int64) }
                let keyRows = try Row.fetchAll(
                    db, sql: "SELECT key, postID, createdAt FROM dedupeKey ORDER BY rowid DESC LIMIT ?", arguments: [limits.maxRememberedKeys])
                let keys = keyRows.reversed().compactMap { row -> PostStore.RememberedKey? in
                    guard let key = DedupeKey(bytes: [UInt8](row["key"] as Data)) else { return nil }
                    return PostStore.RememberedKey(
                        key: key, postID: PostID(row["postID"]), createdAt: Date(timeIntervalSince1970: row["createdAt"]))
                }
                return WorkingSet(posts: posts, keys: keys, lastEvent: counters["lastEvent"] ?? 0, lastArrival: counters["lastArrival"] ?? 0)
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError.unreadable(path: self.path, reason: "\(error)")
        }
    }

    /// Up to `limit` posts older than the post `before`, newest first, from disk (for pages past the working set).
    /// Returns `nil` when `before` is unknown.
    public func posts(before: PostID, limit: Int) async throws -> [Post]? {
        try await self.pool.read { db in
            guard let anchor = try Row.fetchOne(db, sql: "SELECT createdAt, arrival FROM post WHERE id = ?", arguments: [before.rawValue]) else {
                return nil
            }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, json FROM post WHERE (createdAt, arrival) < (?, ?)
                    ORDER BY createdAt DESC, arrival DESC LIMIT ?
                    """,
                arguments: [anchor["createdAt"] as Double, anchor["arrival"] as Int64, limit])
            return try rows.map(Self.decodePost)
        }
    }

    static func decodePost(_ row: Row) throws -> Post {
        let json: Data = row["json"]
        do {
            return try JSONDecoder().decode(Post.self, from: json)
        } catch {
            throw DatabaseError(message: "post \(row["id"] as String? ?? "?") has unreadable JSON: \(error)")
        }
    }
}

extension Journal {
    /// Transactions committed since this journal was opened (for tests of group commit).
    public func commitCount() throws -> Int { self.commits.withLock { $0 } }

    /// Records a migration this version does not know, as a newer Hashwall would (for tests).
    public func recordForeignMigration(_ identifier: String) throws {
        try self.pool.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
        }
    }
}
