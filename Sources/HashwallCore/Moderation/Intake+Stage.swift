import Foundation
import NIOCore

/// A question on the stage's list: the post and when a moderator marked it.
public struct StageQuestion: Sendable, Encodable {
    public var post: Post
    public var markedAt: Date

    enum CodingKeys: String, CodingKey { case markedAt }

    /// The post's own JSON with `markedAt` beside its fields.
    public func encode(to encoder: any Encoder) throws {
        try self.post.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(WireDate.format(self.markedAt), forKey: .markedAt)
    }
}

/// Questions for the stage: moderators mark visible posts (``PostAction/question``); the lectern's `/stage` page lists
/// the open ones, oldest mark first, live over the `stage` stream (`question`, `done`, `answering`), taps "done"
/// (durable, shared by every tablet) and may put one in the projector's spotlight while it is answered (`answering`
/// on the projector's stream).
extension Intake {
    public struct StageSnapshot: Sendable, Encodable {
        public var questions: [StageQuestion]
        /// The question being answered, if any.
        public var answering: PostID?
        public var lastEventId: String
    }

    /// The secret in the stage page's address (`/stage/{key}`): stable for this installation, unguessable without the
    /// database.
    public nonisolated var stageKey: String { self.journal.keyedDigest("stage-page") }

    /// The open questions, oldest mark first, and the number of the last stage event they reflect.
    public func stageSnapshot() -> StageSnapshot {
        let lastEvent = self.hubs.stage.lastEvent
        let questions = self.store.allPosts.compactMap { stored -> StageQuestion? in
            guard Self.isOnStage(stored), let question = stored.moderation.question else { return nil }
            return StageQuestion(post: stored.post, markedAt: Date(timeIntervalSince1970: question.markedAt))
        }.sorted { ($0.markedAt, $0.post.id.rawValue) < ($1.markedAt, $1.post.id.rawValue) }
        return StageSnapshot(questions: questions, answering: self.answering, lastEventId: String(lastEvent))
    }

    /// The post the projector spotlights while the stage answers it: visible, and without a content warning.
    public func projectorAnswering() -> Post? {
        guard let id = self.answering, let stored = self.store.stored(id), Self.isOnStage(stored), stored.post.contentWarning == nil else {
            return nil
        }
        return stored.post
    }

    /// The stage's "done": the question leaves every tablet's list, for good (durable, with an audit entry by `by`).
    /// - Throws: ``UnknownPost``, ``ModerationConflict`` when it is not an open question.
    public func markDone(_ id: PostID, by: String = "stage") async throws {
        let before = try await self.storedPost(id)
        try self.checkWritable()
        guard Self.isOnStage(before), let question = before.moderation.question else {
            throw ModerationConflict(description: "this is not an open question")
        }
        var stored = before
        stored.moderation.question?.doneAt = Date().timeIntervalSince1970
        var entry = JournalEntry()
        self.apply(stored, replacing: before, to: &entry)
        self.record(.done, postID: id, summary: Self.summary("answered", before.post), inverse: .question(id, question), by: by, in: &entry)
        try await self.commit(entry)
    }

    /// Puts the open question `id` in the projector's spotlight as the one being answered, or none (`nil`).
    /// - Throws: ``ModerationConflict`` when `id` is not an open question.
    public func setAnswering(_ id: PostID?) async throws {
        try self.checkWritable()
        if let id {
            guard let stored = self.store.stored(id), Self.isOnStage(stored) else {
                throw ModerationConflict(description: "this is not an open question")
            }
        }
        guard id != self.answering else { return }
        var entry = JournalEntry()
        self.answering = id
        self.answeringFrames(in: &entry)
        try await self.commit(entry)
    }

    /// Whether the post is on the stage's list: visible, marked, not answered.
    static func isOnStage(_ stored: StoredPost) -> Bool {
        stored.moderation.state == .visible && stored.moderation.question?.isOpen == true
    }

    /// The stage's (and the projector's) frames for a post that changed from `before` to `after` (`nil`: erased).
    func stageChange(from before: StoredPost, to after: StoredPost?, in entry: inout JournalEntry) {
        let was = Self.isOnStage(before)
        let now = after.map(Self.isOnStage) ?? false
        if now, let after, let question = after.moderation.question, !was || before.post != after.post {
            let number = self.nextNumber()
            let json = (try? Self.encoder.encode(StageQuestion(post: after.post, markedAt: Date(timeIntervalSince1970: question.markedAt)))) ?? Data()
            entry.frames.append((.stage, EventHub.Frame(number: number, bytes: SSEFrame.event(number: number, name: "question", json: json))))
            if self.answering == after.post.id { self.answeringFrames(in: &entry) }  // the spotlight shows the edit
        } else if was, !now {
            let number = self.nextNumber()
            let json = (try? Self.encoder.encode(["id": before.post.id])) ?? Data()
            entry.frames.append((.stage, EventHub.Frame(number: number, bytes: SSEFrame.event(number: number, name: "done", json: json))))
            if self.answering == before.post.id {
                self.answering = nil
                self.answeringFrames(in: &entry)
            }
        }
    }

    /// `answering` on the stage's stream (`{"id": …}` or `{"id": null}`) and on the projector's (`{"post": …}` or
    /// `{"post": null}`).
    private func answeringFrames(in entry: inout JournalEntry) {
        struct Stage: Encodable { var id: PostID? }
        struct Projector: Encodable { var post: Post? }
        let stageNumber = self.nextNumber()
        let stageJSON = (try? Self.encoder.encode(Stage(id: self.answering))) ?? Data()
        entry.frames.append(
            (.stage, EventHub.Frame(number: stageNumber, bytes: SSEFrame.event(number: stageNumber, name: "answering", json: stageJSON))))
        let post = self.projectorAnswering()
        let number = self.nextNumber()
        let json = (try? Self.encoder.encode(Projector(post: post))) ?? Data()
        entry.frames.append(
            (
                .projector,
                EventHub.Frame(
                    number: number, bytes: SSEFrame.event(number: number, name: "answering", json: json), effect: post.map { .shows($0.id) })
            ))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }()
}
