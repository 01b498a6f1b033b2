import Foundation
import HTTPTypes
import Hummingbird

/// Builds a response with an exact `Content-Type: application/json` (Hummingbird's default adds a
/// charset parameter) from an `Encodable` body, so field names come from the DTO types only.
/// Keys are sorted so the same state always gives the same bytes.
enum JSONResponse {
    static func make(_ body: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(body)
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.contentLength] = String(data.count)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
