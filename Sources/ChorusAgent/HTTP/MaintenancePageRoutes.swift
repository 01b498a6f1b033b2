import ChorusCore
import HTTPTypes
import Hummingbird

/// `GET /maintenance`: the page load balancers show end users in place of the application while
/// no node may take traffic (SPEC §6, §10), with the operator's maintenance message, so
/// `chorus maintenance on --message "..."` reaches the people it is written for. With
/// maintenance off (every node drained) or no message, it says so in general words.
///
/// Answered 200, not 503: the read itself succeeded and this agent is well, and a 5xx would look
/// like an agent failure to monitors and to the endpoint's schema tests. The balancer examples
/// (deploy/haproxy, deploy/nginx, deploy/apache) serve it with 503 and `Retry-After`, where it
/// stands in for the application. `no-store`: the message changes whenever the operator's does.
enum MaintenancePageRoutes {
    static func routes(source: some AgentStatusSource) -> [HTTPRoute] {
        [
            HTTPRoute(.get, "/maintenance") { _, _ in
                let message = await source.clusterSnapshot().agreed.maintenanceMessage
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: "text/html; charset=utf-8",
                        .cacheControl: "no-store",
                        // The message is escaped; this refuses scripts and foreign content anyway.
                        .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
                        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                    ],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: MaintenancePage.html(message: message))))
            },
        ]
    }
}

/// The maintenance page's HTML: deploy/maintenance.html's look (the copy balancers serve when no
/// agent answers), with the operator's message in place of the general text.
enum MaintenancePage {
    static let generalText = "We are working on the service and will be back shortly. Please try again in a few minutes."

    static func html(message: String?) -> String {
        let paragraph = if let message, !message.allSatisfy(\.isWhitespace) {
            #"<p id="chorus-maintenance-message">\#(escaped(message))</p>"#
        } else {
            "<p>\(generalText)</p>"
        }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Down for maintenance</title>
            <style>
              body { font: 16px/1.5 system-ui, sans-serif; color: #1d232a; display: grid; place-items: center; min-height: 90vh; margin: 0; }
              main { max-width: 32rem; padding: 2rem; text-align: center; }
              h1 { font-size: 1.6rem; }
              #chorus-maintenance-message { white-space: pre-line; }
            </style>
            </head>
            <body>
            <main id="chorus-maintenance">
              <h1>Down for maintenance</h1>
              \(paragraph)
            </main>
            </body>
            </html>

            """
    }

    /// `text` as HTML character data: the operator's message is text, never markup. Escapes by
    /// Unicode scalar, so a `<` that a combining mark joins into one Character is escaped too.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
