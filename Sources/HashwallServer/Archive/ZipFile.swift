import CLibZip
import Foundation

/// A `.zip` file through Debian's libzip: written from a folder, read back entry by entry.
public enum ZipFile {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes every file under `folder` into a new zip at `path` (replaced if it exists), named by their path relative
    /// to `folder`'s parent, so the archive unpacks as that folder. Pictures are stored, text is deflated.
    public static func write(folder: String, to path: String) throws {
        var error: Int32 = 0
        guard let archive = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &error) else {
            throw Failure(description: "cannot create \(path) (libzip error \(error))")
        }
        let base = URL(fileURLWithPath: folder).standardizedFileURL
        let prefix = base.lastPathComponent
        let files = (FileManager.default.enumerator(atPath: base.path)?.allObjects as? [String] ?? []).sorted()
        for relative in files {
            let full = base.path + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let source = zip_source_file(archive, full, 0, -1) else {
                zip_discard(archive)
                throw Failure(description: "cannot read \(full)")
            }
            let index = zip_file_add(archive, prefix + "/" + relative, source, zip_flags_t(ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE))
            guard index >= 0 else {
                zip_source_free(source)
                zip_discard(archive)
                throw Failure(description: "cannot add \(relative) to \(path)")
            }
            if relative.hasPrefix("media/") { zip_set_file_compression(archive, UInt64(index), ZIP_CM_STORE, 0) }
        }
        guard zip_close(archive) == 0 else {
            let message = String(cString: zip_strerror(archive))
            zip_discard(archive)
            throw Failure(description: "cannot write \(path): \(message)")
        }
    }

    /// Every entry of the zip at `path`: name → bytes.
    public static func read(_ path: String) throws -> [String: [UInt8]] {
        var error: Int32 = 0
        guard let archive = zip_open(path, ZIP_RDONLY, &error) else { throw Failure(description: "cannot open \(path) (libzip error \(error))") }
        defer { zip_discard(archive) }
        var entries: [String: [UInt8]] = [:]
        for index in 0..<max(0, zip_get_num_entries(archive, 0)) {
            var stat = zip_stat_t()
            guard zip_stat_index(archive, UInt64(index), 0, &stat) == 0, let name = stat.name, let file = zip_fopen_index(archive, UInt64(index), 0)
            else { throw Failure(description: "cannot read entry \(index) of \(path)") }
            var bytes = [UInt8](repeating: 0, count: Int(stat.size))
            let count = bytes.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress, stat.size) }
            zip_fclose(file)
            guard count == Int64(stat.size) else { throw Failure(description: "entry \(String(cString: name)) of \(path) is truncated") }
            entries[String(cString: name)] = bytes
        }
        return entries
    }
}
