import ChorusCore

/// The status page served on `GET /` (StatusPageRoutes): HTML, CSS and JavaScript in one file,
/// Resources/status.html, so the page needs no CDN. The file is compiled into the binary
/// (`.embedInCode`), so a static build ships no resource bundle beside it.
/// It renders only what `/v1/self`, `/v1/cluster` and `/v1/members` answer, re-read on every
/// `/v1/events` event and every 5 s; elements carry ids and `data-*` attributes that tests read.
/// Everything it shows goes into the DOM as text, never as markup: the maintenance and banner
/// messages come from any operator.
enum StatusPage {
    /// Every SPEC §8 name the agent emits, as a JavaScript array: one definition (`EventName`).
    static let eventNames = "[" + EventName.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + "]"

    /// Where the file leaves the event names to the agent; an empty array, so the file is valid as it stands.
    static let eventNamesPlaceholder = "/*EVENT_NAMES*/[]"

    static let html = String(decoding: PackageResources.status_html, as: UTF8.self)
        .replacing(eventNamesPlaceholder, with: eventNames)
}
