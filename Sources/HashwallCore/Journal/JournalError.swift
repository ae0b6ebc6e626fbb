/// What can go wrong with the journal. Each case names the database file, for the operator.
public enum JournalError: Error, Sendable, CustomStringConvertible {
    /// The file can't be opened or read as a Hashwall database: corrupt, not SQLite, unreadable, or written by a newer version.
    case unreadable(path: String, reason: String)
    /// A write failed: nothing in that batch was acknowledged.
    case writeFailed(path: String, reason: String)
    /// The journal was closed (shutting down) before the write could be made.
    case closed
    /// More entries wait for the disk than the queue holds: the caller should retry shortly.
    case overloaded(waiting: Int)
    /// A commit failed and memory is being put back to what the database holds: retry shortly.
    case recovering

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot open the database \(path): \(reason). It was left untouched: restore a backup or move it aside to start an empty wall."
        case .writeFailed(let path, let reason):
            "cannot write to the database \(path): \(reason)"
        case .closed:
            "the journal is closed"
        case .overloaded(let waiting):
            "the journal is overloaded (\(waiting) entries wait for the disk)"
        case .recovering:
            "a write failed and the wall is reloading what the database holds"
        }
    }
}
