import Foundation
import GRDB
import Synchronization

extension Journal {
    /// What start-up restores: the newest posts (and the newest held ones, and every pinned one), the newest keys, the counters,
    /// and the moderators' state.
    public struct WorkingSet: Sendable {
        public var posts: [StoredPost]
        /// Keys, oldest learned first.
        public var keys: [PostStore.RememberedKey]
        public var lastEvent: Int64
        public var lastArrival: Int64
        public var bans: Set<String>
        /// `nil` when the moderators never changed them: the configuration's apply.
        public var settings: ModerationSettings?
        /// The newest audit entries, newest first.
        public var audit: [AuditEntry]
        /// Keyed digests (``Journal/keyedDigest(_:)``) of the ids of erased posts.
        public var erased: Set<String>
        public var announcements: [Announcement]
    }

    /// How many audit entries start-up restores (the console's list; undo reaches back this far).
    static let restoredAudit = 500

    /// Reads the working set.
    /// - Throws: ``JournalError/unreadable(path:reason:)`` naming the row that can't be read.
    public func loadWorkingSet(limits: StoreLimits) throws -> WorkingSet {
        do {
            return try self.pool.read { db in
                let counters = try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT name, value FROM counter").map {
                        ($0["name"] as String, $0["value"] as Int64)
                    })
                let postRows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM (SELECT * FROM post ORDER BY createdAt DESC, arrival DESC LIMIT ?)
                        UNION SELECT * FROM (SELECT * FROM post WHERE state = 'held' ORDER BY createdAt DESC, arrival DESC LIMIT ?)
                        UNION SELECT * FROM post WHERE pinned = 1
                        UNION SELECT * FROM post WHERE questionAt IS NOT NULL AND questionDone IS NULL
                        """,
                    arguments: [limits.maxPosts, limits.maxPosts])
                let posts = try postRows.map(Self.decodeStored)
                let keyRows = try Row.fetchAll(
                    db, sql: "SELECT key, postID, createdAt FROM dedupeKey ORDER BY rowid DESC LIMIT ?", arguments: [limits.maxRememberedKeys])
                // Newest first: the first row of a key is its current one (a key learned again is appended again).
                var seen = Set<DedupeKey>(minimumCapacity: keyRows.count)
                let keys = Array(
                    keyRows.compactMap { row -> PostStore.RememberedKey? in
                        guard let key = DedupeKey(bytes: [UInt8](row["key"] as Data)), seen.insert(key).inserted else { return nil }
                        return PostStore.RememberedKey(
                            key: key, postID: PostID(row["postID"]), createdAt: Date(timeIntervalSince1970: row["createdAt"]))
                    }.reversed())
                let bans = try Set(String.fetchAll(db, sql: "SELECT authorKey FROM ban"))
                let settings = try Data.fetchOne(db, sql: "SELECT json FROM setting WHERE name = 'moderation'").map {
                    try JSONDecoder().decode(ModerationSettings.self, from: $0)
                }
                let audit = try Row.fetchAll(db, sql: "SELECT * FROM audit ORDER BY id DESC LIMIT ?", arguments: [Self.restoredAudit]).map(
                    Self.decodeAudit)
                let erased = try Set(String.fetchAll(db, sql: "SELECT digest FROM erasedPost"))
                let announcements = try Data.fetchAll(db, sql: "SELECT json FROM announcement").map {
                    try JSONDecoder().decode(Announcement.self, from: $0)
                }
                return WorkingSet(
                    posts: posts, keys: keys, lastEvent: counters["lastEvent"] ?? 0, lastArrival: counters["lastArrival"] ?? 0, bans: bans,
                    settings: settings, audit: audit, erased: erased, announcements: announcements)
            }
        } catch let error as JournalError {
            throw error
        } catch {
            throw JournalError.unreadable(path: self.path, reason: "\(error)")
        }
    }

    /// Up to `limit` posts in one of `states` older than the post `before`, newest first, from disk (pages past
    /// the working set). Returns `nil` when `before` is unknown.
    public func posts(before: PostID, limit: Int, states: Set<PostState>) async throws -> [StoredPost]? {
        try await self.pool.read { db in
            guard let anchor = try Row.fetchOne(db, sql: "SELECT createdAt, arrival FROM post WHERE id = ?", arguments: [before.rawValue]) else {
                return nil
            }
            let stateList = states.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")  // from a closed enum
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM post WHERE (createdAt, arrival) < (?, ?) AND state IN (\(stateList))
                    ORDER BY createdAt DESC, arrival DESC LIMIT ?
                    """,
                arguments: [anchor["createdAt"] as Double, anchor["arrival"] as Int64, limit])
            return try rows.map(Self.decodeStored)
        }
    }

    /// The image of announcement `id`, if it has one.
    public func announcementImage(_ id: String) async throws -> [UInt8]? {
        try await self.pool.read { db in
            try Data.fetchOne(db, sql: "SELECT image FROM announcement WHERE id = ?", arguments: [id]).map { Array($0) }
        }
    }

    /// The ids of every post on disk whose author key is `authorKey`.
    public func postIDs(byAuthor authorKey: String) async throws -> [PostID] {
        try await self.pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM post WHERE authorKey = ?", arguments: [authorKey]).map(PostID.init)
        }
    }

    /// The post with `id` from disk, in whatever state.
    public func storedPost(_ id: PostID) async throws -> StoredPost? {
        try await self.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM post WHERE id = ?", arguments: [id.rawValue]).map(Self.decodeStored)
        }
    }

    static func decodeStored(_ row: Row) throws -> StoredPost {
        let json: Data = row["json"]
        let post: Post
        do {
            post = try JSONDecoder().decode(Post.self, from: json)
        } catch {
            throw DatabaseError(message: "post \(row["id"] as String? ?? "?") has unreadable JSON: \(error)")
        }
        guard let state = PostState(rawValue: row["state"]) else {
            throw DatabaseError(message: "post \(post.id) has an unknown state \(row["state"] as String? ?? "?")")
        }
        return StoredPost(
            post: post, arrival: row["arrival"],
            moderation: Moderation(
                state: state, heldSince: row["heldSince"], heldBecause: row["heldBecause"], authorKey: row["authorKey"], contact: row["contact"],
                question: (row["questionAt"] as Double?).map { Moderation.Question(markedAt: $0, doneAt: row["questionDone"]) }))
    }

    /// A channel's durable state, by key (see ``JournalEntry/channelState``).
    public func channelState(_ channel: String) throws -> [String: Data] {
        do {
            return try self.pool.read { db in
                try Dictionary(
                    Row.fetchAll(db, sql: "SELECT key, value FROM channelState WHERE channel = ?", arguments: [channel]).map {
                        ($0["key"] as String, $0["value"] as Data)
                    }, uniquingKeysWith: { a, _ in a })
            }
        } catch {
            throw JournalError.unreadable(path: self.path, reason: "\(error)")
        }
    }

    static func decodeAudit(_ row: Row) throws -> AuditEntry {
        guard let action = AuditEntry.Action(rawValue: row["action"]) else {
            throw DatabaseError(message: "audit entry \(row["id"] as Int64? ?? 0) has an unknown action")
        }
        let inverse = try (row["inverse"] as Data?).map { try JSONDecoder().decode(AuditEntry.Inverse.self, from: $0) }
        return AuditEntry(
            id: row["id"], at: Date(timeIntervalSince1970: row["at"]), moderator: row["moderator"], action: action,
            postID: (row["postID"] as String?).map(PostID.init), summary: row["summary"], inverse: inverse, undone: row["undone"])
    }
}

extension Journal {
    /// Transactions committed since this journal was opened (for tests of group commit).
    public func commitCount() throws -> Int { self.commits.withLock { $0 } }

    /// The database's size in pages (for tests).
    public func pageCount() async throws -> Int? {
        try await self.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") }
    }

    /// Caps the database at `pages` pages, so the next write past it fails as on a full disk (for tests).
    public func limitSize(pages: Int) async throws {
        try await self.pool.write { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") }
    }

    /// Makes every write fail (`refuse`) or succeed again, as a disk that turned read-only would (for tests: SQLite's
    /// own `query_only` on the writer's connection).
    public func refuseWrites(_ refuse: Bool) async throws {
        try await self.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = \(refuse ? "ON" : "OFF")") }
    }

    /// Records a migration this version does not know, as a newer Hashwall would (for tests).
    public func recordForeignMigration(_ identifier: String) throws {
        try self.pool.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
        }
    }
}
