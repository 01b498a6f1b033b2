import HTTPTypes
import Hummingbird

/// `GET /`: a read-only status page for people (members, versions, liveness, upgrade state,
/// quorum, maintenance, banner). The page is one self-contained document (`StatusPage.html`):
/// it reads the same JSON routes as scripts do and follows `/v1/events`, so it shows nothing the
/// API does not, and needs no token.
enum StatusPageRoutes {
    static func routes() -> [HTTPRoute] {
        [
            HTTPRoute(.get, "/") { _, _ in
                Response(
                    status: .ok,
                    headers: [
                        .contentType: "text/html; charset=utf-8",
                        .cacheControl: "no-cache",
                        // The page talks to its own agent only: no CDN, no other origin.
                        .contentSecurityPolicy: "default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; "
                            + "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
                        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                    ],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: StatusPage.html)))
            },
        ]
    }
}
