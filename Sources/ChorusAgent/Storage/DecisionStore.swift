import ChorusCore
import ChorusWire

/// The decision log and acceptor state in the data directory (`decisions`, `acceptor`), each
/// replaced atomically and fsync'ed (DurableFile) before the runtime sends anything after it.
/// The log file is rewritten whole on each decision: decisions are rare (operator commands,
/// admissions, lease renewals), and a whole-file write can never leave a torn entry.
struct DecisionStore: Sendable {
    static let logFileName = "decisions"
    static let acceptorFileName = "acceptor"
    /// Format 2 stores each slot's votes as bundles (the signed body once). A format-1 log, from
    /// a build before vote bundles, is refused by name rather than misread.
    static let magic: [UInt8] = Array("CHRSLOG2".utf8)
    static let formatOneMagic: [UInt8] = Array("CHRSLOG1".utf8)

    let logPath: String
    let acceptorPath: String
    private(set) var log: [DecidedSlot] = []

    init(directory: DataDirectory) {
        logPath = directory.path + "/" + Self.logFileName
        acceptorPath = directory.path + "/" + Self.acceptorFileName
    }

    /// Loads what a previous run stored. A file that does not decode is an error, not an empty
    /// log: starting blank would let this node vote again in slots it already voted in.
    mutating func load() throws -> DurableDecisions {
        var restored = DurableDecisions()
        if let bytes = try ChecksummedStateFile.read(logPath) {
            var reader = ByteReader(bytes)
            do {
                let magic = try reader.readBytes(count: Self.magic.count)
                if magic == Self.formatOneMagic {
                    throw DataDirectoryError.malformed(
                        path: logPath, reason: "decision log in format 1, written by a Chorus build before vote bundles; "
                            + "this build reads format 2 and cannot decide together with earlier builds: stop every agent, "
                            + "remove 'decisions' and 'acceptor' from each data directory, and start them all on this build")
                }
                guard magic == Self.magic else { throw WireError.badMagic }
                while !reader.isAtEnd { restored.log.append(try DecidedSlot.decode(from: &reader)) }
            } catch let error as DataDirectoryError {
                throw error
            } catch {
                throw DataDirectoryError.malformed(path: logPath, reason: "decision log does not decode: \(error)")
            }
        }
        if let bytes = try ChecksummedStateFile.read(acceptorPath) {
            do {
                restored.acceptor = try AcceptorState.decode(bytes)
            } catch {
                throw DataDirectoryError.malformed(path: acceptorPath, reason: "acceptor state does not decode: \(error)")
            }
        }
        log = restored.log
        return restored
    }

    /// Adds the next slot; `log` changes only once the file is written. A slot already stored
    /// is kept as it is: a decided slot never changes, and a core put back after a failed write
    /// learns again slots that were written before the failure.
    mutating func append(_ decided: DecidedSlot) throws {
        guard decided.slot >= UInt64(log.count) else { return }
        let longer = log + [decided]
        var writer = ByteWriter(capacity: 256 * longer.count)
        writer.write(bytes: Self.magic)
        for entry in longer { entry.encode(into: &writer) }
        try ChecksummedStateFile.write(writer.bytes, to: logPath)
        log = longer
    }

    func store(_ acceptor: AcceptorState) throws {
        try ChecksummedStateFile.write(acceptor.encoded, to: acceptorPath)
    }
}
