#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the seed when a core traps (an arithmetic overflow, a failed precondition) inside a
/// simulated run: the trap kills the process, so the line is written from the signal handler,
/// which then hands the signal back to whoever handled it before (the Swift runtime's
/// backtracer, which prints where it trapped), or to the default action.
enum TrapReport {
    static let signals = [SIGILL, SIGTRAP, SIGABRT]
    /// The line to write, kept as raw bytes: a signal handler may only call async-signal-safe
    /// functions, so it cannot build a string.
    nonisolated(unsafe) private static var line = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 512)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var previous = UnsafeMutablePointer<sigaction>.allocate(capacity: signals.count)
    nonisolated(unsafe) private static var installed = false

    /// Sets the line written if the process traps from now on.
    static func arm(_ message: String) {
        let bytes = Array(message.utf8.prefix(line.count))
        length = 0
        for (offset, byte) in bytes.enumerated() { line[offset] = byte }
        length = bytes.count
        guard !installed else { return }
        installed = true
        for (index, number) in signals.enumerated() {
            var action = sigaction()
            sigemptyset(&action.sa_mask)
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { number in TrapReport.report(number) }
            #else
            action.__sigaction_u.__sa_handler = { number in TrapReport.report(number) }
            #endif
            sigaction(number, &action, previous + index)
        }
    }

    private static func report(_ number: Int32) {
        _ = write(2, line.baseAddress, length)
        // Back to the handler before ours; the signal, raised again, reaches it once we return.
        if let index = signals.firstIndex(of: number) { sigaction(number, previous + index, nil) }
        raise(number)
    }
}
