import Foundation
import HashwallCore
import Logging
import ServiceLifecycle

/// Joins the parts of long Vonage texts into one post once every part has arrived, whatever their order; parts
/// that never complete are shown after `timeout` with what came (a gap marked `…`) rather than lost.
///
/// Each part is durable (the journal's channel state) before its request is answered, and survives a restart.
/// A part delivered twice counts once. Its `run()` sweeps parts past their timeout.
public actor VonageAssembler: Service {
    static let channel = "sms.vonage"

    struct Pending: Codable {
        var part: VonageWebhook.Part
        var receivedAt: Date
    }

    let journal: Journal
    let intake: Intake
    let rules: SMSRules
    let timeout: TimeInterval
    /// Parts by text (`from|reference`), then by part number.
    var pending: [String: [Int: Pending]] = [:]

    public init(journal: Journal, intake: Intake, rules: SMSRules, timeout: TimeInterval = 60) throws {
        self.journal = journal
        self.intake = intake
        self.rules = rules
        self.timeout = timeout
        for (_, value) in try journal.channelState(Self.channel) {
            guard let stored = try? JSONDecoder().decode(Pending.self, from: value), let reference = stored.part.reference else { continue }
            self.pending["\(stored.part.from)|\(reference)", default: [:]][stored.part.part] = stored
        }
    }

    /// Takes one part; returns once it is durable (and, when it completes a text, once that post is).
    public func accept(_ part: VonageWebhook.Part, now: Date = Date()) async throws {
        guard let reference = part.reference, part.total > 1 else {
            try await self.post(parts: [part], id: part.messageID, receivedAt: now)
            return
        }
        let key = "\(part.from)|\(reference)"
        let value = try JSONEncoder().encode(Pending(part: part, receivedAt: now))
        try await self.journal.submit(JournalEntry(channelState: [(Self.channel, "\(key)#\(part.part)", value)])).wait()
        self.pending[key, default: [:]][part.part] = Pending(part: part, receivedAt: now)
        if let parts = self.pending[key], parts.count >= part.total {
            try await self.complete(key)
        }
    }

    /// Posts every text whose first part arrived more than `timeout` ago, complete or not.
    public func sweep(now: Date = Date()) async throws {
        for (key, parts) in self.pending {
            guard let first = parts.values.map(\.receivedAt).min(), now.timeIntervalSince(first) > self.timeout else { continue }
            try await self.complete(key)
        }
    }

    public func run() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(5))
                try? await self.sweep()
            }
        }
    }

    private func complete(_ key: String) async throws {
        guard let parts = self.pending.removeValue(forKey: key), let any = parts.values.first else { return }
        let ordered = parts.sorted { $0.key < $1.key }
        var texts: [String] = []
        var expected = 1
        for (number, pending) in ordered {
            if number != expected { texts.append("…") }
            texts.append(pending.part.text)
            expected = number + 1
        }
        if expected <= any.part.total { texts.append("…") }
        let joined = VonageWebhook.Part(
            messageID: "", from: any.part.from, text: texts.joined(), reference: any.part.reference, part: 1, total: 1)
        // The same on a late redelivery, so it stays one post; keyed, so the public id says nothing of the number.
        let id = "concat-" + self.journal.keyedDigest(any.part.from, any.part.reference ?? "")
        try await self.post(parts: [joined], id: id, receivedAt: ordered.map(\.value.receivedAt).min() ?? Date())
        let deletions = ordered.map { (Self.channel, "\(key)#\($0.key)", Data?.none) }
        try await self.journal.submit(JournalEntry(channelState: deletions)).wait()
    }

    private func post(parts: [VonageWebhook.Part], id: String, receivedAt: Date) async throws {
        guard let part = parts.first else { return }
        let message = SMSMessage(gateway: "vonage", messageID: id, from: try PhoneNumber(part.from, field: "msisdn"), text: part.text)
        guard let post = self.rules.post(for: message) else { return }
        _ = try await self.intake.accept(post, channelName: Self.channel)
    }
}
