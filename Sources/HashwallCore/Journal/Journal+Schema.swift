import Foundation
import GRDB

extension Journal {
    /// The schema, one migration per change. Later issues add tables (moderation decisions, channel cursors)
    /// as new migrations; a database from a newer version is refused, never rewritten.
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
        return migrator
    }
}

/// A ``JournalEntry`` with its posts already encoded, so the write transaction only binds and steps.
struct EncodedEntry: Sendable {
    var added: [(id: String, arrival: Int64, createdAt: Double, json: Data)]
    var changed: [(id: String, json: Data)]
    var keys: [(key: Data, postID: String, createdAt: Double)]
    var lastEvent: Int64?
    var lastArrival: Int64?

    init(_ entry: JournalEntry) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        self.added = try entry.added.map { ($0.post.id.rawValue, $0.arrival, $0.post.createdAt.timeIntervalSince1970, try encoder.encode($0.post)) }
        self.changed = try entry.changed.map { ($0.id.rawValue, try encoder.encode($0)) }
        self.keys = entry.keys.map { (Data($0.key.bytes), $0.postID.rawValue, $0.createdAt.timeIntervalSince1970) }
        self.lastEvent = entry.events.last?.number
        self.lastArrival = entry.added.map(\.arrival).max()
    }

    func write(to db: Database) throws {
        for post in self.added {
            try db.execute(
                sql: "INSERT INTO post (id, arrival, createdAt, json) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
                arguments: [post.id, post.arrival, post.createdAt, post.json])
        }
        for post in self.changed {
            try db.execute(sql: "UPDATE post SET json = ? WHERE id = ?", arguments: [post.json, post.id])
        }
        for key in self.keys {
            try db.execute(
                sql: "INSERT OR REPLACE INTO dedupeKey (key, postID, createdAt) VALUES (?, ?, ?)",
                arguments: [key.key, key.postID, key.createdAt])
        }
        if let lastEvent {
            try db.execute(sql: "UPDATE counter SET value = max(value, ?) WHERE name = 'lastEvent'", arguments: [lastEvent])
        }
        if let lastArrival {
            try db.execute(sql: "UPDATE counter SET value = max(value, ?) WHERE name = 'lastArrival'", arguments: [lastArrival])
        }
    }
}
