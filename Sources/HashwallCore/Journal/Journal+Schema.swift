import Foundation
import GRDB

extension Journal {
    /// The schema, one migration per change. A database from a newer version is refused, never rewritten.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: posts, dedupe keys, counters") { db in
            try db.execute(
                sql: """
                    CREATE TABLE post (
                        id TEXT PRIMARY KEY NOT NULL,
                        arrival INTEGER NOT NULL,
                        createdAt REAL NOT NULL,
                        json BLOB NOT NULL
                    );
                    CREATE INDEX post_order ON post(createdAt, arrival);
                    CREATE TABLE dedupeKey (
                        key BLOB NOT NULL UNIQUE,
                        postID TEXT NOT NULL,
                        createdAt REAL NOT NULL
                    );
                    CREATE TABLE counter (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
                    INSERT INTO counter (name, value) VALUES ('lastEvent', 0), ('lastArrival', 0);
                    """)
        }
        migrator.registerMigration("v2: moderation (post states, bans, settings, audit)") { db in
            try db.execute(
                sql: """
                    ALTER TABLE post ADD COLUMN state TEXT NOT NULL DEFAULT 'visible';
                    ALTER TABLE post ADD COLUMN heldSince REAL;
                    ALTER TABLE post ADD COLUMN heldBecause TEXT;
                    ALTER TABLE post ADD COLUMN authorKey TEXT NOT NULL DEFAULT '';
                    ALTER TABLE post ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX post_kept ON post(state, pinned) WHERE state = 'held' OR pinned = 1;
                    CREATE TABLE ban (authorKey TEXT PRIMARY KEY NOT NULL);
                    CREATE TABLE setting (name TEXT PRIMARY KEY NOT NULL, json BLOB NOT NULL);
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY,
                        at REAL NOT NULL,
                        moderator TEXT NOT NULL,
                        action TEXT NOT NULL,
                        postID TEXT,
                        summary TEXT NOT NULL,
                        inverse BLOB,
                        undone INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
        migrator.registerMigration("v3: SMS senders' numbers for moderators, channel state") { db in
            try db.execute(
                sql: """
                    ALTER TABLE post ADD COLUMN contact TEXT;
                    CREATE TABLE channelState (
                        channel TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value BLOB NOT NULL,
                        PRIMARY KEY (channel, key)
                    );
                    """)
        }
        migrator.registerMigration("v4: the installation's secret for keyed digests") { db in
            var random = SystemRandomNumberGenerator()
            let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
            try db.execute(
                sql: "INSERT OR IGNORE INTO channelState (channel, key, value) VALUES ('hashwall', 'installationSecret', ?)", arguments: [secret])
        }
        migrator.registerMigration("v5: erased posts (keyed digests of their ids)") { db in
            try db.execute(sql: "CREATE TABLE erasedPost (digest TEXT PRIMARY KEY NOT NULL)")
        }
        migrator.registerMigration("v6: questions for the stage") { db in
            try db.execute(
                sql: """
                    ALTER TABLE post ADD COLUMN questionAt REAL;
                    ALTER TABLE post ADD COLUMN questionDone REAL;
                    CREATE INDEX post_open_question ON post(questionAt) WHERE questionAt IS NOT NULL AND questionDone IS NULL;
                    """)
        }
        migrator.registerMigration("v7: the organisers' announcements") { db in
            try db.execute(sql: "CREATE TABLE announcement (id TEXT PRIMARY KEY NOT NULL, json BLOB NOT NULL, image BLOB)")
        }
        // Dedupe keys are digests: a unique index on them put every new key on a random page of the index, and each
        // commit wrote back one page per key (most of the WAL's bytes, and a sixth of the CPU of an ingested post). Keys are looked
        // up in memory, never on disk: the table is a log, appended in order, read back newest first at start-up
        // (the newest row of a key wins) and searched only to erase a post's keys.
        migrator.registerMigration("v8: dedupe keys as a log, without a unique index") { db in
            try db.execute(
                sql: """
                    CREATE TABLE dedupeKeyLog (key BLOB NOT NULL, postID TEXT NOT NULL, createdAt REAL NOT NULL);
                    INSERT INTO dedupeKeyLog (key, postID, createdAt) SELECT key, postID, createdAt FROM dedupeKey ORDER BY rowid;
                    DROP TABLE dedupeKey;
                    ALTER TABLE dedupeKeyLog RENAME TO dedupeKey;
                    """)
        }
        return migrator
    }
}

/// A ``JournalEntry`` with its posts already encoded, so the write transaction only binds and steps.
struct EncodedEntry: Sendable {
    struct Row: Sendable {
        var id: String
        var arrival: Int64
        var createdAt: Double
        var json: Data
        var moderation: Moderation
        var pinned: Bool
    }

    var added: [Row]
    var changed: [Row]
    var keys: [(key: Data, postID: String, createdAt: Double)]
    var audit: [(entry: AuditEntry, inverse: Data?)]
    var bans: [(authorKey: String, banned: Bool)]
    var settings: Data?
    var hideVisibleByAuthor: [String]
    var erased: [(postID: String, digest: String)]
    var wipeContactsBefore: Double?
    var announcements: [(id: String, json: Data?)]
    var announcementImage: (id: String, bytes: [UInt8]?)?
    var channelState: [(channel: String, key: String, value: Data?)]
    var lastEvent: Int64?
    var lastArrival: Int64?

    init(_ entry: JournalEntry, posts: inout PostJSON) throws {
        let encoder = posts.encoder
        func row(_ stored: StoredPost, _ posts: inout PostJSON) throws -> Row {
            Row(
                id: stored.post.id.rawValue, arrival: stored.arrival, createdAt: stored.post.createdAt.timeIntervalSince1970,
                json: try posts.encode(stored.post), moderation: stored.moderation, pinned: stored.post.pinned)
        }
        self.added = try entry.added.map { try row($0, &posts) }
        self.changed = try entry.changed.map { try row($0, &posts) }
        self.keys = entry.keys.map { (Data($0.key.bytes), $0.postID.rawValue, $0.createdAt.timeIntervalSince1970) }
        self.audit = try entry.audit.map { ($0, try $0.inverse.map { try encoder.encode($0) }) }
        self.bans = entry.bans
        self.settings = try entry.settings.map { try encoder.encode($0) }
        self.hideVisibleByAuthor = entry.hideVisibleByAuthor
        self.erased = entry.erased.map { ($0.postID.rawValue, $0.digest) }
        self.wipeContactsBefore = entry.wipeContactsBefore
        self.announcements = try entry.announcements.map { ($0.id, try $0.announcement.map { try encoder.encode($0) }) }
        self.announcementImage = entry.announcementImage
        self.channelState = entry.channelState
        self.lastEvent = entry.lastEvent
        self.lastArrival = entry.added.map(\.arrival).max()
    }

    func write(to db: Database) throws {
        // The per-row statements are cached: SQLite parses each once per connection, not once per row.
        for post in self.added {
            try db.cachedStatement(
                sql: """
                    INSERT INTO post (id, arrival, createdAt, json, state, heldSince, heldBecause, authorKey, pinned, contact, questionAt, questionDone)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET json = excluded.json
                    """
            ).execute(
                arguments: [
                    post.id, post.arrival, post.createdAt, post.json, post.moderation.state.rawValue, post.moderation.heldSince,
                    post.moderation.heldBecause, post.moderation.authorKey, post.pinned, post.moderation.contact,
                    post.moderation.question?.markedAt, post.moderation.question?.doneAt,
                ])
        }
        for post in self.changed {
            try db.cachedStatement(
                sql: "UPDATE post SET json = ?, state = ?, heldSince = ?, heldBecause = ?, pinned = ?, questionAt = ?, questionDone = ? WHERE id = ?"
            ).execute(
                arguments: [
                    post.json, post.moderation.state.rawValue, post.moderation.heldSince, post.moderation.heldBecause, post.pinned,
                    post.moderation.question?.markedAt, post.moderation.question?.doneAt, post.id,
                ])
        }
        for key in self.keys {
            try db.cachedStatement(sql: "INSERT INTO dedupeKey (key, postID, createdAt) VALUES (?, ?, ?)").execute(
                arguments: [key.key, key.postID, key.createdAt])
        }
        for (entry, inverse) in self.audit {
            try db.execute(
                sql: """
                    INSERT INTO audit (id, at, moderator, action, postID, summary, inverse, undone) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET undone = excluded.undone
                    """,
                arguments: [
                    entry.id, entry.at.timeIntervalSince1970, entry.moderator, entry.action.rawValue, entry.postID?.rawValue, entry.summary,
                    inverse, entry.undone,
                ])
        }
        for ban in self.bans {
            if ban.banned {
                try db.execute(sql: "INSERT OR IGNORE INTO ban (authorKey) VALUES (?)", arguments: [ban.authorKey])
            } else {
                try db.execute(sql: "DELETE FROM ban WHERE authorKey = ?", arguments: [ban.authorKey])
            }
        }
        for authorKey in self.hideVisibleByAuthor {
            try db.execute(sql: "UPDATE post SET state = 'hidden' WHERE authorKey = ? AND state = 'visible'", arguments: [authorKey])
        }
        for erased in self.erased {
            try db.execute(sql: "DELETE FROM post WHERE id = ?", arguments: [erased.postID])
            try db.execute(sql: "DELETE FROM dedupeKey WHERE postID = ?", arguments: [erased.postID])
            try db.execute(sql: "INSERT OR IGNORE INTO erasedPost (digest) VALUES (?)", arguments: [erased.digest])
            for row in try GRDB.Row.fetchAll(db, sql: "SELECT id, action FROM audit WHERE postID = ?", arguments: [erased.postID]) {
                let summary = AuditEntry.erasedSummary(AuditEntry.Action(rawValue: row["action"]) ?? .hide)
                try db.execute(sql: "UPDATE audit SET summary = ?, inverse = NULL WHERE id = ?", arguments: [summary, row["id"] as Int64])
            }
        }
        if let before = self.wipeContactsBefore {
            try db.execute(sql: "UPDATE post SET contact = NULL WHERE contact IS NOT NULL AND createdAt < ?", arguments: [before])
        }
        for (id, json) in self.announcements {
            if let json {
                try db.execute(
                    sql: "INSERT INTO announcement (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
                    arguments: [id, json])
            } else {
                try db.execute(sql: "DELETE FROM announcement WHERE id = ?", arguments: [id])
            }
        }
        if let image = self.announcementImage {
            try db.execute(sql: "UPDATE announcement SET image = ? WHERE id = ?", arguments: [image.bytes.map { Data($0) }, image.id])
        }
        for state in self.channelState {
            if let value = state.value {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO channelState (channel, key, value) VALUES (?, ?, ?)", arguments: [state.channel, state.key, value])
            } else {
                try db.execute(sql: "DELETE FROM channelState WHERE channel = ? AND key = ?", arguments: [state.channel, state.key])
            }
        }
        if let settings {
            try db.execute(sql: "INSERT OR REPLACE INTO setting (name, json) VALUES ('moderation', ?)", arguments: [settings])
        }
        if let lastEvent {
            try db.cachedStatement(sql: "UPDATE counter SET value = max(value, ?) WHERE name = 'lastEvent'").execute(arguments: [lastEvent])
        }
        if let lastArrival {
            try db.cachedStatement(sql: "UPDATE counter SET value = max(value, ?) WHERE name = 'lastArrival'").execute(arguments: [lastArrival])
        }
    }
}
