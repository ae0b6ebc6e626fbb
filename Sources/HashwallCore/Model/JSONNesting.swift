/// A guard for JSON from outside, run before any parser sees it: a body nested thousands of levels deep would
/// exhaust a recursive parser's stack. Linear, allocation-free.
public enum JSONNesting {
    /// The deepest nesting of arrays and objects any body of ours needs, with room to spare.
    public static let maxDepth = 32

    /// - Throws: ``InvalidField`` (`body`) when arrays and objects nest deeper than `maxDepth`.
    @inlinable
    public static func check(_ bytes: some Sequence<UInt8>, maxDepth: Int = Self.maxDepth) throws {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth { throw InvalidField("body", "nests arrays or objects deeper than \(maxDepth) levels") }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
    }
}
