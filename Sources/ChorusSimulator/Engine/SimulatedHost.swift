import ChorusCore
import ChorusWire

/// One simulated host: its identity and address, what survives a crash (the durable state the
/// agent would have fsync'ed), its clock, and the running core if the process is up.
struct SimulatedHost: Sendable {
    /// What the host's data directory holds; a restart reads only this.
    struct DurableState: Sendable {
        var incarnation: UInt64 = 0
        var decisions = DurableDecisions()
    }

    enum Process: Sendable {
        case running(MembershipNode)
        /// Stopped (SIGSTOP, VM pause): no timers, no sends; datagrams wait in the socket buffer.
        case paused(MembershipNode, until: Instant)
        /// Announced a leave and is about to exit.
        case leaving(MembershipNode, exitAt: Instant)
        case down
    }

    /// A Linux UDP receive buffer holds roughly this many datagrams; the rest are dropped.
    static let socketBufferCapacity = 256

    let identity: SimulatedIdentity
    let address: PeerAddress
    let id: NodeID
    let name: String
    var process: Process = .down
    var durable = DurableState()
    var clock: LocalClock
    /// How far the host's wall clock (Unix time, for certificate and banner expiry) is off the
    /// true time: a constant offset, as NTP leaves it, unlike the monotonic clock's drift.
    var wallClockSkew = Duration.zero
    var appVersion: String
    var boots = 0
    /// The last crash, boot, pause, resume or leave: the checker excuses what follows closely.
    var disruptedAt: Instant?
    /// Left gracefully and has not booted since.
    var hasLeft = false
    var bootedAt: Instant = .zero
    /// Datagrams that arrived while paused, in arrival order.
    var socketBuffer: [(bytes: [UInt8], from: Int?, hostile: HostileInput?)] = []
    /// The heartbeat the host signed first, in its first life: a stale state for an insider to
    /// replay once the host has rebooted (within one life, whether a receiver has seen a newer
    /// sequence is not something the simulator can read).
    var firstHeartbeat: SignedStatement?
    /// The last genuine datagram this boot of the host handled: material for replays.
    var lastReceived: [UInt8]?
    /// The pending timer in the event queue; older queued timers are stale.
    var timerGeneration: UInt64 = 0
    var timerAt: Instant?
    /// The upgrade-tasks command this process runs, if any; it dies with the process.
    var taskRun: ShellRun?
    /// This host's rollout turn in progress (its node command and health wait); it dies with the process.
    var rolloutTurn: (run: ShellRun, turn: RolloutTurn)?
    /// The agent's `[decisions]` configuration, read at boot.
    var decisionSettings = DecisionSettings()

    init(identity: SimulatedIdentity, address: PeerAddress, clock: LocalClock, appVersion: String) {
        self.identity = identity
        self.address = address
        // A key pair's public key is 32 bytes, which always makes an id.
        id = NodeID(bytes: identity.signer.publicKey)!
        name = identity.certificate.name
        self.clock = clock
        self.appVersion = appVersion
    }

    var core: MembershipNode? {
        switch process {
        case .running(let core), .paused(let core, _), .leaving(let core, _): core
        case .down: nil
        }
    }

    var isUp: Bool { if case .down = process { false } else { true } }

    var isPaused: Bool { if case .paused = process { true } else { false } }

    /// Runs `body` on the core in place. The process is emptied first so the core's storage is
    /// referenced once and mutated where it is; a copy taken out of the enum would make the first
    /// write copy the whole view, an O(N) cost on every step.
    mutating func updateCore<Result>(_ body: (inout MembershipNode) -> Result) -> Result? {
        switch process {
        case .running(var core):
            process = .down
            defer { process = .running(core) }
            return body(&core)
        case .paused(var core, let until):
            process = .down
            defer { process = .paused(core, until: until) }
            return body(&core)
        case .leaving(var core, let exitAt):
            process = .down
            defer { process = .leaving(core, exitAt: exitAt) }
            return body(&core)
        case .down:
            return nil
        }
    }
}
