import ChorusCore
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The local HTTP endpoint (SPEC §7) as a `Service`, for the agent's `ServiceGroup`, which
/// starts it and shuts it down gracefully with the rest of the agent.
public func makeHTTPService(
    host: String, port: Int, allowedHosts: [String] = [], source: some AgentStatusSource, metrics: MetricsExporter,
    adminToken: String, authorityKey: [UInt8], journal: EventJournal, logger: Logger
) -> some Service {
    makeHTTPApplication(host: host, port: port, allowedHosts: allowedHosts, source: source, metrics: metrics, adminToken: adminToken,
                        authorityKey: authorityKey, journal: journal, logger: logger)
}

/// The application behind `makeHTTPService`; `onServerRunning` reports the bound channel, which
/// tests use to learn the port when they bind port 0.
func makeHTTPApplication(
    host: String, port: Int, allowedHosts: [String] = [], source: some AgentStatusSource, metrics: MetricsExporter, adminToken: String,
    authorityKey: [UInt8], journal: EventJournal, logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> Application<RouterResponder<BasicRequestContext>> {
    let routes = endpointRoutes(source: source, metrics: metrics, adminToken: adminToken, authorityKey: authorityKey,
                                journal: journal, logger: logger)
    let router = Router(options: .autoGenerateHeadEndpoints)
    router.add(middleware: JSONErrorMiddleware(routes: routes, logger: logger))
    router.add(middleware: HostCheckMiddleware(boundHost: host, allowed: allowedHosts))
    for route in routes {
        router.on(route.path, method: route.method, use: route.handler)
    }
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: HTTPLimits.idleTimeout)),
        configuration: ApplicationConfiguration(
            address: .hostname(host, port: port),
            availableConnectionsDelegate: .maximum(HTTPLimits.maxConnections, logger: logger)),
        onServerRunning: onServerRunning,
        logger: logger)
}

/// Bounds on what HTTP clients can hold (issue 15: 1,100 idle connections exhausted the
/// agent's descriptors and it could no longer store its state; 500 slowloris connections were
/// held for a minute). Past `maxConnections` the agent stops accepting until one closes, so
/// the kernel's backlog absorbs the rest; a connection that sends no complete request part
/// for `idleTimeout` is closed, a request's head arriving byte by byte included. An event
/// stream (`GET /v1/events`) is a request in progress and is not cut.
enum HTTPLimits {
    static let maxConnections = 256
    static let idleTimeout = TimeAmount.seconds(10)
}

/// Every route of the local endpoint: the table the router serves and docs/openapi.json describes.
func endpointRoutes(source: some AgentStatusSource, metrics: MetricsExporter, adminToken: String, authorityKey: [UInt8],
                    journal: EventJournal, logger: Logger) -> [HTTPRoute] {
    let authorization = AdminAuthorization(
        token: adminToken, authorityKey: authorityKey,
        isRevoked: { name, issuedAt in await source.clusterSnapshot().agreed.hasRevokedOperator(name, issuedAt: issuedAt) },
        unixSeconds: { UInt64(Date().timeIntervalSince1970) }, logger: logger)
    return StatusRoutes.routes(source: source, metrics: metrics)
        + ClusterRoutes.routes(source: source, authorization: authorization)
        + NodeRoutes.routes(source: source, authorization: authorization)
        + JoinRoutes.routes(source: source, authorization: authorization)
        + ReloadRoutes.routes(source: source, authorization: authorization)
        + ClusterSettingsRoutes.routes(source: source, authorization: authorization)
        + KeyringRoutes.routes(source: source, authorization: authorization)
        + JiraCompatibilityRoutes.routes(source: source, authorization: authorization)
        + EventRoutes.routes(journal: journal)
        + DecisionRoutes.routes(source: source)
        + FleetLockRoutes.routes(source: source)
        + RolloutRoutes.routes(source: source, authorization: authorization)
        + StatusPageRoutes.routes()
        + MaintenancePageRoutes.routes(source: source)
}
