/// One event of a `text/event-stream` body, as a reader receives it.
public struct ServerSentEvent: Equatable, Sendable {
    /// The `event:` field, "message" when the event named none.
    public var name: String
    /// The `data:` lines joined by "\n".
    public var data: String
    /// The last `id:` seen so far in the stream (it carries over to later events), if any.
    public var lastEventID: String?

    public init(name: String = "message", data: String, lastEventID: String? = nil) {
        self.name = name
        self.data = data
        self.lastEventID = lastEventID
    }
}

/// Turns a `text/event-stream` body, fed in pieces however the network cut them, into events,
/// following the WHATWG interpretation rules (HTML §9.2.6): lines end in CRLF, LF or CR; lines
/// starting with ":" are comments; a blank line ends an event, which is dropped if it had no
/// data; an event cut off by the end of the stream is dropped. `retry:` and unknown fields are
/// ignored. A value that isn't valid UTF-8 is decoded with replacement characters.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var afterCarriageReturn = false
    private var atStreamStart = true
    private var name: String?
    private var dataLines: [String] = []
    private var lastEventID: String?

    public init() {}

    /// The events completed by `bytes`, in order; an incomplete tail waits for the next call.
    public mutating func consume(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            // A CR ends the line; an LF right after it belongs to the same line end.
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                afterCarriageReturn = byte == UInt8(ascii: "\r")
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        if atStreamStart {
            atStreamStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }  // a UTF-8 byte order mark
        }
        let text = String(decoding: line, as: UTF8.self)
        line.removeAll(keepingCapacity: true)
        if text.isEmpty { return dispatch() }
        if text.first == ":" { return nil }
        let field: Substring
        var value: Substring = ""
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
        }
        switch field {
        case "event": name = String(value)
        case "data": dataLines.append(String(value))
        case "id" where !value.contains("\0"): lastEventID = String(value)
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            name = nil
            dataLines.removeAll()
        }
        guard !dataLines.isEmpty else { return nil }
        return ServerSentEvent(name: name.flatMap { $0.isEmpty ? nil : $0 } ?? "message",
                               data: dataLines.joined(separator: "\n"), lastEventID: lastEventID)
    }
}
