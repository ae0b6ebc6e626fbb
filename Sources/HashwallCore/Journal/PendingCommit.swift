import Synchronization

/// A journal entry's place in the commit queue: the writer fills in the result, the submitter waits for it.
///
/// Created synchronously by ``Journal/submit(_:)`` so that the order of submission is the order of commit.
public final class PendingCommit: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Void, any Error>?)
        case done(Result<Void, JournalError>)
    }

    private let state = Mutex<State>(.waiting(nil))

    init() {}

    /// Returns once the entry is on disk.
    /// - Throws: ``JournalError`` when the batch could not be written.
    public func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result: Result<Void, JournalError>? = self.state.withLock { state in
                switch state {
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    func complete(_ result: Result<Void, JournalError>) {
        let continuation: CheckedContinuation<Void, any Error>? = self.state.withLock { state in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done(result)
            return continuation
        }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }
}
