/// Hashtag comparison: `#CapComNet`, `#capcomnet`, `#CAPCOMNET` and `#capcomnét` are one tag.
public enum Hashtags {
    /// Folds a tag, with or without its leading `#`, to its stored form: lower case, accents removed, no `#`.
    public static func fold(_ tag: String) -> String {
        var tag = Substring(tag)
        while let first = tag.first, first == "#" || first == "＃" { tag = tag.dropFirst() }
        return TextNormaliser.fold(String(tag))
    }
}
