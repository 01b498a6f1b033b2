#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the seed when a core traps (an arithmetic overflow, a failed precondition) inside a
/// simulated run: the trap kills the process, so the line is written from the signal handler,
/// with the default action restored to end the process as it would have.
enum TrapReport {
    /// The line to write, kept as raw bytes: a signal handler may only call async-signal-safe
    /// functions, so it cannot build a string.
    nonisolated(unsafe) private static var line = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 512)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var installed = false

    /// Sets the line written if the process traps from now on.
    static func arm(_ message: String) {
        let bytes = Array(message.utf8.prefix(line.count))
        length = 0
        for (offset, byte) in bytes.enumerated() { line[offset] = byte }
        length = bytes.count
        guard !installed else { return }
        installed = true
        for trap in [SIGILL, SIGTRAP, SIGABRT] {
            signal(trap) { number in
                _ = write(2, TrapReport.line.baseAddress, TrapReport.length)
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}
