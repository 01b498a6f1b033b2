import Foundation
import HTTPTypes
import Hummingbird

/// `GET /v1/events`: Server-Sent Events, resumable with `Last-Event-ID` (SPEC §8). With
/// `?follow=false` the stream ends after the events already held (what `chorus events` prints).
enum EventRoutes {
    static func routes(journal: EventJournal) -> [HTTPRoute] {
        [
            HTTPRoute(.get, "/v1/events") { request, _ in
                let lastID = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { UInt64($0) }
                let follow = try QueryParameters.flag("follow", in: request, default: true)
                let backlogEnd = journal.recent.last?.id ?? 0
                let stream = journal.subscribe(after: lastID)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let body = ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: ": chorus events\n\n"))
                    guard follow || backlogEnd > (lastID ?? 0) else {
                        try await writer.finish(nil)
                        return
                    }
                    for await event in stream {
                        let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                        try await writer.write(ByteBuffer(string: "id: \(event.id)\nevent: \(event.event)\ndata: \(json)\n\n"))
                        if !follow && event.id >= backlogEnd { break }
                    }
                    try await writer.finish(nil)
                }
                return Response(status: .ok, headers: [
                    .contentType: "text/event-stream", .cacheControl: "no-cache",
                ], body: body)
            },
        ]
    }
}
