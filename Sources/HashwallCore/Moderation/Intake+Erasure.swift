import Foundation

/// What an erasure removed.
public struct Erasure: Sendable, Encodable {
    /// Posts removed from the database.
    public var erased: Int
    /// Cache keys of the pictures no remaining post shows (the server deletes their files).
    public var mediaKeys: [String]

    enum CodingKeys: String, CodingKey { case erased }
}

extension Intake {
    /// Erases every post of the author of `postID`, on their request (RGPD): text, name, pictures and contact leave the
    /// database, not only the wall; the audit entries that named those posts keep only their action; an `erased`
    /// tombstone (no name, no text) records who did it. Every screen gets `remove`, and the replay windows are
    /// emptied, so a reconnecting screen reloads instead of being sent what was erased. A redelivery of an erased post
    /// is dropped (a keyed digest of its id is kept); a new post of the same author follows the usual rules.
    /// Durable, and the database's WAL rewound (no old page left in it), before it returns.
    /// - Throws: ``UnknownPost``, ``JournalError``.
    public func erase(authorOf postID: PostID, by moderator: String) async throws -> Erasure {
        let authorKey = try await self.storedPost(postID).moderation.authorKey
        var ids = Set(try await self.journal.postIDs(byAuthor: authorKey))
        // Read everything that waits before changing anything: from here to the submission nothing awaits.
        var onDisk: [PostID: StoredPost] = [:]
        for id in ids where self.store.stored(id) == nil {
            if let stored = try await self.journal.storedPost(id) { onDisk[id] = stored }
        }
        try self.checkWritable()
        ids.formUnion(self.store.posts(byAuthor: authorKey).map(\.post.id))  // accepted while we read
        var entry = JournalEntry()
        var media = Set<String>()
        for id in ids.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let stored = self.store.stored(id) ?? onDisk[id] else { continue }
            media.formUnion(stored.post.media.map(\.key))
            if stored.moderation.state == .visible {
                let event = self.nextEvent(.remove(id))
                entry.events.append(event)
                if self.projector.isWaiting(id) { entry.notForProjector.insert(event.number) }
            }
            self.projector.cancel(id)
            self.stageChange(from: stored, to: nil, in: &entry)
            self.store.remove(id)
            let digest = self.journal.keyedDigest("erased", id.rawValue)
            self.erasedDigests.insert(digest)
            entry.erased.append((id, digest))
            entry.moderatorEvents.append(self.nextModeratorEvent(.remove(id)))
        }
        self.book.scrub(ids)
        let stillShown = Set(self.store.allPosts.flatMap { $0.post.media.map(\.key) })
        let count = entry.erased.count
        self.record(
            .erased, postID: nil, summary: "erased \(count) post\(count == 1 ? "" : "s") of one author, on their request", inverse: nil,
            by: moderator, in: &entry)
        try await self.commit(entry)
        for hub in self.hubs.all { hub.forgetReplay() }
        await self.journal.rewindWAL()
        return Erasure(erased: count, mediaKeys: media.subtracting(stillShown).sorted())
    }

    /// Wipes the contacts (SMS senders' numbers, e-mail addresses) of posts written more than `days` days before `now`,
    /// in memory and on disk (`storage.retentionDays`). Returns how many posts in memory lost theirs.
    @discardableResult
    public func wipeContacts(olderThanDays days: Int, now: Date = Date()) async throws -> Int {
        try self.checkWritable()
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        var wiped = 0
        for var stored in self.store.allPosts where stored.moderation.contact != nil && stored.post.createdAt < cutoff {
            stored.moderation.contact = nil
            self.store.update(stored)
            wiped += 1
        }
        var entry = JournalEntry()
        entry.wipeContactsBefore = cutoff.timeIntervalSince1970
        try await self.commit(entry)
        await self.journal.rewindWAL()
        return wiped
    }

    /// Whether `id` names a post erased earlier.
    func isErased(_ id: PostID) -> Bool {
        !self.erasedDigests.isEmpty && self.erasedDigests.contains(self.journal.keyedDigest("erased", id.rawValue))
    }
}
