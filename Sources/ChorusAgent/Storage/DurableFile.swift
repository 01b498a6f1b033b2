#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe whole-file writes: after `write` returns, the new contents survive kill -9 and
/// power loss, and at no moment can a reader see a half-written file.
///
/// The recipe: write a temporary file in the same directory (so `rename` is atomic), fsync it,
/// rename it over the target, then fsync the directory so the rename itself is durable.
/// Callers MUST NOT send anything that depends on the state before `write` returns (persist
/// before send). Blocking: every call does synchronous disk IO.
public enum DurableFile {
    /// Atomically replaces `path` with `bytes`, created with exactly `mode` (the umask is ignored).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(DurableFileError) {
        let directory = directoryName(of: path)
        let temporary = "\(directory)/.\(baseName(of: path)).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard fd >= 0 else { throw DurableFileError("create", temporary) }
        do throws(DurableFileError) {
            try writeAll(bytes, fd: fd, path: temporary)
            guard fchmod(fd, mode) == 0 else { throw DurableFileError("set the mode of", temporary) }
            guard fsync(fd) == 0 else { throw DurableFileError("fsync", temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        // Closed exactly once: after a failed close(2) the descriptor is already released.
        guard close(fd) == 0 else {
            let failure = DurableFileError("close", temporary)
            unlink(temporary)
            throw failure
        }
        guard rename(temporary, path) == 0 else {
            let failure = DurableFileError("rename \(temporary) over", path)
            unlink(temporary)
            throw failure
        }
        try syncDirectory(directory)
    }

    /// The whole file, or nil when it does not exist. Read to its end, not by its size, so a pipe
    /// or `/dev/null` reads too; more than `limit` bytes is an error (EFBIG), found while reading.
    public static func read(_ path: String, atMost limit: Int = .max) throws(DurableFileError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw DurableFileError("open", path)
        }
        defer { close(fd) }
        var contents = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return contents }
            if count < 0 {
                if errno == EINTR { continue }
                throw DurableFileError("read", path)
            }
            contents.append(contentsOf: chunk[0..<count])
            guard contents.count <= limit else { throw DurableFileError("read", path, errorNumber: EFBIG) }
        }
    }

    /// Removes the temporaries `write` leaves when the process dies between creating one and
    /// renaming it (kill -9, power loss): files named `.<target>.tmp-<pid>-<random>`. Nothing
    /// else reclaims them, and on a small or full disk they hold the space the next write needs.
    /// Call only at start, before any `write` into `directory` is in flight. Returns the names removed.
    @discardableResult
    public static func removeStaleTemporaries(in directory: String) throws(DurableFileError) -> [String] {
        guard let stream = opendir(directory) else { throw DurableFileError("list", directory) }
        defer { closedir(stream) }
        var removed: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard isTemporaryName(name) else { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard unlink(path) == 0 || errno == ENOENT else { throw DurableFileError("remove", path) }
            removed.append(name)
        }
        return removed
    }

    /// True for the names `write` gives its temporaries: `.` + target + `.tmp-` + digits + `-` + digits.
    static func isTemporaryName(_ name: String) -> Bool {
        // Read from the end: the target's own name may contain anything, ".tmp-" included.
        var rest = Substring(name)
        for separator in ["-", ".tmp-"] {
            let digits = rest.reversed().prefix { $0.isASCII && $0.isNumber }.count
            guard digits > 0 else { return false }
            rest = rest.dropLast(digits)
            guard rest.hasSuffix(separator) else { return false }
            rest = rest.dropLast(separator.count)
        }
        return rest.count > 1 && rest.hasPrefix(".")
    }

    /// Creates `path` and any missing parents with `mode`; an existing directory is left as it is.
    public static func makeDirectory(_ path: String, mode: mode_t) throws(DurableFileError) {
        // Opening with O_DIRECTORY tells "is a directory" from "exists as something else" without
        // `struct stat`, whose Swift import is ambiguous next to NIO's C shims.
        let existing = open(path, O_RDONLY | O_DIRECTORY)
        if existing >= 0 {
            close(existing)
            return
        }
        if errno == ENOTDIR { throw DurableFileError("use as a directory", path, errorNumber: ENOTDIR) }
        let parent = directoryName(of: path)
        if parent != path { try makeDirectory(parent, mode: mode) }
        guard mkdir(path, mode) == 0 else {
            if errno == EEXIST { return }  // created concurrently by someone else
            throw DurableFileError("create directory", path)
        }
        guard chmod(path, mode) == 0 else { throw DurableFileError("set the mode of", path) }
    }

    private static func writeAll(_ bytes: [UInt8], fd: Int32, path: String) throws(DurableFileError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + offset, $0.count - offset, off_t(offset)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw DurableFileError("write", path)
            }
            offset += written
        }
    }

    private static func syncDirectory(_ directory: String) throws(DurableFileError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw DurableFileError("open directory", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DurableFileError("fsync directory", directory) }
    }

    /// `dirname(3)` without its static buffer: "." for a bare name, "/" for a top-level entry.
    static func directoryName(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    private static func baseName(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }
}
