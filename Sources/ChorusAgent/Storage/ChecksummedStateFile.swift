import ChorusCrypto

/// The protocol state files (`decisions`, `acceptor`, `incarnation`, `serving`) carry a checksum
/// of their contents, so a flipped bit or a cut file stops the agent at start with the file's
/// name, rather than loading a vote or a decision nobody cast:
///
///     "CHRSSUM1" | BLAKE2b-128 of the contents | contents
///
/// A file without the header was written by a build before checksums: it is read as it is
/// (its own format still checks it) and gets a checksum at its next write. A header up to 8
/// bits away from the magic counts as this format with a damaged header.
enum ChecksummedStateFile {
    static let magic: [UInt8] = Array("CHRSSUM1".utf8)

    static func write(_ contents: [UInt8], to path: String) throws {
        try DurableFile.write(magic + ContentChecksum.of(contents) + contents, to: path, mode: 0o600)
    }

    /// The contents, nil when the file does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        guard let bytes = try DurableFile.read(path) else { return nil }
        guard bytes.starts(with: magic) else {
            // Every earlier format starts at least 12 bits from the magic (`CHRSLOG2`): a header
            // a few flipped bits away from it is this format, damaged, not an earlier one.
            guard differingBits(Array(bytes.prefix(magic.count)), magic) > 8 else {
                throw DataDirectoryError.malformed(path: path, reason: "its header is damaged; \(Self.advice)")
            }
            return bytes
        }
        let bodyStart = magic.count + ContentChecksum.byteCount
        guard bytes.count >= bodyStart else {
            throw DataDirectoryError.malformed(path: path, reason: "cut short (\(bytes.count) bytes); \(Self.advice)")
        }
        let contents = Array(bytes[bodyStart...])
        guard ContentChecksum.of(contents) == Array(bytes[magic.count..<bodyStart]) else {
            throw DataDirectoryError.malformed(path: path, reason: "its checksum does not match its contents; \(Self.advice)")
        }
        return contents
    }

    private static func differingBits(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).reduce(8 * abs(a.count - b.count)) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
    }

    /// What an operator does about a damaged state file (docs/operations.md, "Damaged state files").
    static let advice = "the agent will not guess; restore the file from a backup, or move the data "
        + "directory aside and start the agent afresh: it joins as a new member (remove the old one with "
        + "`chorus members remove NAME`)"
}
