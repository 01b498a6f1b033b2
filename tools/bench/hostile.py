#!/usr/bin/env python3
"""Attacks a fresh local Chorus cluster the way a hostile host would, and measures the damage
(issue 14; SPEC §2 "Hostile networks", §11 invariants 5, 6 and 8).

    sudo python3 tools/bench/hostile.py replay-ack [--replay none,blind,reactive]
    sudo python3 tools/bench/hostile.py reflect
    sudo python3 tools/bench/hostile.py flood [--kinds bad-signature,garbage-certificates]
    sudo python3 tools/bench/hostile.py flood --keyring [--kinds bad-signature,sealed-bad-tag]
    sudo python3 tools/bench/hostile.py all

replay-ack  captures the ack datagrams member M sends, kills M with SIGKILL, replays M's acks
            from another port and times how long each survivor keeps M alive.
reflect     replays a captured join-request and digest with a spoofed source address and
            divides the bytes the agent sends there by the bytes sent to it.
flood       sends forged datagrams at one agent as fast as one process can and counts
            suspect and dead transitions of live members, the victim's CPU and its
            rejection counters. With --keyring the agents seal their gossip with one shared
            key ([gossip] keyring_file), and the sealed-* kinds imitate sealed frames.

Each run starts its own cluster of real `chorus` agents in a private network namespace (see
chorustools/namespace.py), so every attack datagram goes to an address inside that namespace's loopback, and
observes membership by polling GET /v1/members of every agent. Prints one line per run and a
markdown table. Agents are killed and the work directory removed at the end, also on Ctrl-C
or SIGTERM. Exit code: 0 every run carried out; 1 a run could not be (the reason is printed);
130 interrupted. Needs root (namespaces, AF_PACKET, raw sockets) and gcc for the flood sender
(without gcc, a slower Python sender is used). Python 3.11 standard library only.
"""

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tools/, for chorustools

from bench import find_chorus_binary  # noqa: E402
from chorustools import client  # noqa: E402
from chorustools.namespace import Namespace  # noqa: E402
from chorustools.wire import sealed  # noqa: E402
from chorustools.wire.spoof import flood_command, flood_sender, ip_udp_packet, parse_flood_output, python_flood  # noqa: E402
from chorustools.wire.wire import FLOOD_KINDS, flood_template  # noqa: E402
from clusters import ChorusCluster, chorus_version  # noqa: E402
from measure import Settings, _cpu_seconds, _host_cpu_times, start_and_converge, wait_until  # noqa: E402
from sniff import ACK, DIGEST, JOIN_REQUEST, PING, Datagram, LoopbackSniffer, probe_sequence, ping_target  # noqa: E402
from views import ALIVE, DEAD, SUSPECT, now  # noqa: E402

ATTACKER = "127.0.0.1"
SPOOFED = "127.0.0.77"  # the reflection victim: an address no agent uses, watched by this script
SPOOFED_PORT = 47077


class RunFailed(RuntimeError):
    """The run could not be carried out; the figures would mean nothing."""


@dataclass
class Context:
    binary: str
    preset: str
    size: int
    work_dir: str
    settings: Settings
    next_port: int = 21000
    key: bytes | None = None  # the cluster key every agent seals with (--keyring), in keyring_file
    keyring_file: str | None = None

    def cluster(self) -> ChorusCluster:
        cluster = ChorusCluster(binary=self.binary, preset=self.preset, size=self.size, base_port=self.next_port,
                                work_dir=self.work_dir, poll_interval=0.05, keyring_file=self.keyring_file)
        self.next_port += 2 * self.size + 10
        return cluster


def _progress(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


class Observed:
    """What the sniffer learned about the cluster: each agent's node id by its gossip port."""

    def __init__(self) -> None:
        self.id_by_port: dict[int, bytes] = {}
        self.cluster_id: bytes | None = None

    def __call__(self, datagram: Datagram) -> None:
        self.id_by_port.setdefault(datagram.source[1], datagram.sender)
        self.cluster_id = datagram.cluster_id

    def node_id(self, cluster: ChorusCluster, name: str) -> bytes:
        port = cluster.agent(name).gossip_port
        if not wait_until(lambda: port in self.id_by_port, timeout=10):
            raise RunFailed(f"never saw a datagram from {name} (port {port})")
        return self.id_by_port[port]


@contextlib.contextmanager
def running_cluster(context: Context, listeners=()):
    """A converged cluster, watched (views kept fresh) until the block ends, then stopped; and
    a sniffer started before the first agent, which the caller may stop early (it costs CPU
    under a flood). `listeners` get every datagram from the start."""
    cluster = context.cluster()
    observed = Observed()
    # With a keyring the bench holds the key, so it reads the sealed gossip as a member would.
    sniffer = LoopbackSniffer(open_sealed=(lambda frame: sealed.open_frame(frame, context.key)) if context.key else None)
    for listener in (observed, *listeners):
        sniffer.subscribe(listener)
    try:
        with sniffer:
            start_and_converge(cluster, context.settings)
            with cluster.watching():
                if not wait_until(lambda: cluster.views.all_see_alive(cluster.names, cluster.names), timeout=30):
                    raise RunFailed("agents do not all see each other alive")
                yield cluster, observed, sniffer
    finally:
        cluster.stop()


# -- replay-ack ----------------------------------------------------------------------------


class AckCapture:
    """Ack datagrams sent from some gossip ports, by probe sequence (a datagram may carry
    several), at most one per sending port and sequence."""

    def __init__(self, ports: set[int]) -> None:
        self._ports = ports
        self._lock = threading.Lock()
        self._by_sequence: dict[int, dict[int, bytes]] = {}

    def __call__(self, datagram: Datagram) -> None:
        if datagram.source[1] not in self._ports:
            return
        for value in datagram.values(ACK):
            with self._lock:
                self._by_sequence.setdefault(probe_sequence(value), {})[datagram.source[1]] = datagram.payload

    def frozen(self) -> dict[int, dict[int, bytes]]:
        """sequence -> {sending port: datagram}"""
        with self._lock:
            return {sequence: dict(by_port) for sequence, by_port in self._by_sequence.items()}


class ReactiveReplayer:
    """Answers every ping of the dead member that crosses loopback with a captured ack of the
    same sequence, if there is one: the cheapest replay, one datagram per probe. An agent
    ignores datagrams that carry its own id, so the ack chosen was not sent by the pinger."""

    def __init__(self, acks: dict[int, dict[int, bytes]], target: bytes, sock: socket.socket) -> None:
        self._acks, self._target, self._socket = acks, target, sock
        self.pings_seen = 0
        self.answered = 0

    def __call__(self, datagram: Datagram) -> None:
        for value in datagram.values(PING):
            if ping_target(value) != self._target:
                continue
            self.pings_seen += 1
            senders = self._acks.get(probe_sequence(value), {})
            payload = next((p for port, p in senders.items() if port != datagram.source[1]), None)
            if payload is not None:
                with contextlib.suppress(OSError):
                    self._socket.sendto(payload, datagram.source)
                self.answered += 1


def _blind_replay(acks: dict[int, dict[int, bytes]], targets: list[tuple[str, int]], sock: socket.socket,
                  rate: float, until: float, stop: threading.Event) -> int:
    """Sends every captured ack to every target in turn, in sequence order, at `rate` datagrams
    per second, until `until` or `stop`; returns how many it sent."""
    payloads = [payload for sequence in sorted(acks) for payload in acks[sequence].values()]
    sent, started = 0, now()
    while not stop.is_set() and now() < until:
        for payload in payloads:
            for target in targets:
                if stop.is_set() or now() >= until:
                    return sent
                with contextlib.suppress(OSError):
                    sock.sendto(payload, target)
                sent += 1
                ahead = sent / rate - (now() - started)
                if ahead > 0.002:
                    time.sleep(ahead)
    return sent


def replay_ack(context: Context, mode: str, args: argparse.Namespace) -> dict:
    with running_cluster(context) as (cluster, observed, sniffer):
        victim = cluster.names[-1]
        victim_id = observed.node_id(cluster, victim)
        ports = {a.gossip_port for a in cluster.agents} if args.acks_from == "any" else {cluster.agent(victim).gossip_port}
        capture = AckCapture(ports)
        sniffer.subscribe(capture)
        _progress(f"replay-ack/{mode}: capturing {victim}'s acks for {args.capture_seconds:.0f} s")
        time.sleep(args.capture_seconds)
        sniffer.unsubscribe(capture)
        if mode != "reactive":
            sniffer.stop()  # the blind replay would make it decode thousands of datagrams a second
        acks = capture.frozen()
        if mode != "none" and not acks:
            raise RunFailed(f"captured no ack from {victim}")
        if args.restart:
            # Probe sequences restart at 1 in every process: after a restart (a rolling upgrade
            # of Chorus itself) every survivor's probes reuse the captured sequences.
            _progress(f"replay-ack/{mode}: restarting every agent, one at a time")
            _rolling_restart(cluster)
            with cluster.watching():  # fresh pollers: the earlier ones stopped with the old processes
                figures = _kill_and_replay(cluster, victim, victim_id, acks, mode, sniffer, args)
        else:
            figures = _kill_and_replay(cluster, victim, victim_id, acks, mode, sniffer, args)
        return {
            "scenario": "replay-ack", "mode": mode, "restarted": args.restart, "acks_from": args.acks_from, "preset": context.preset,
            "agents": context.size, "victim": victim, "acks_captured": sum(len(by_port) for by_port in acks.values()),
            "ack_sequences": f"{min(acks)}-{max(acks)}" if acks else "-",
            "bound_s": args.replay_seconds + args.detection_seconds, **figures,
        }


def _kill_and_replay(cluster: ChorusCluster, victim: str, victim_id: bytes, acks: dict[int, dict[int, bytes]], mode: str,
                     sniffer: LoopbackSniffer, args: argparse.Namespace) -> dict:
    """Kills the victim, replays its acks (unless mode is none) and times, per survivor, when
    it first doubts the victim (suspect or dead) and when it reports it dead."""
    survivors = [name for name in cluster.names if name != victim]
    if not wait_until(lambda: cluster.views.all_see_alive(cluster.names, cluster.names), timeout=30):
        raise RunFailed("agents do not all see each other alive before the kill")
    attacker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    attacker.bind((ATTACKER, 0))
    stop = threading.Event()
    replayed = [0]
    reactive = ReactiveReplayer(acks, victim_id, attacker)
    killed_at = now()
    cluster.kill_hard(victim)
    replay_until = killed_at + args.replay_seconds
    worker = None
    if mode == "blind":
        targets = [(ATTACKER, cluster.agent(name).gossip_port) for name in survivors]
        worker = threading.Thread(
            target=lambda: replayed.__setitem__(0, _blind_replay(acks, targets, attacker, args.replay_rate,
                                                                  replay_until, stop)),
            name="replay", daemon=True)
        worker.start()
    elif mode == "reactive":
        sniffer.subscribe(reactive)
    _progress(f"replay-ack/{mode}: killed {victim}; waiting until every survivor reports it dead")
    try:
        wait_until(lambda: all(cluster.views.first_report(s, victim, DEAD, killed_at) for s in survivors),
                   timeout=args.replay_seconds + args.detection_seconds, interval=0.1)
    finally:
        stop.set()
        if worker:
            worker.join(timeout=5)
        if mode == "reactive":
            sniffer.unsubscribe(reactive)
        replay_ended = min(now(), replay_until)
        attacker.close()

    kept_alive, dead_after = {}, {}
    for survivor in survivors:
        doubted = [t for t in (cluster.views.first_report(survivor, victim, s, killed_at) for s in (SUSPECT, DEAD)) if t]
        kept_alive[survivor] = min(doubted) - killed_at if doubted else None
        dead = cluster.views.first_report(survivor, victim, DEAD, killed_at)
        dead_after[survivor] = dead - killed_at if dead else None
    return {
        "replay_s": max(0.0, replay_ended - killed_at) if mode != "none" else 0.0,
        "replayed": replayed[0] if mode == "blind" else reactive.answered,
        "pings_of_dead_seen": reactive.pings_seen if mode == "reactive" else None,
        "kept_alive_s": kept_alive, "dead_after_s": dead_after,
    }


def _replay_line(r: dict) -> str:
    def seconds(value: float | None) -> str:
        return f"{value:.1f}" if value is not None else f">{r['bound_s']:.0f}"

    kept = ", ".join(f"{s} {seconds(v)}" for s, v in r["kept_alive_s"].items())
    dead = ", ".join(f"{s} {seconds(v)}" for s, v in r["dead_after_s"].items())
    return (f"replay-ack mode={r['mode']} acks-from={r['acks_from']} restart={'yes' if r['restarted'] else 'no'} acks={r['acks_captured']} (seq {r['ack_sequences']}) "
            f"replayed={r['replayed']} in {r['replay_s']:.1f} s; {r['victim']} kept alive (s): {kept}; dead at (s): {dead}")


def _replay_table(results: list[dict]) -> str:
    rows = ["| replay | acks of | restart after capture | acks captured (seq) | datagrams replayed | survivor | kept alive after kill (s) | reported dead after (s) |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        for survivor in r["kept_alive_s"]:
            kept, dead = r["kept_alive_s"][survivor], r["dead_after_s"][survivor]
            rows.append(f"| {r['mode']} | {r['acks_from']} | {'yes' if r['restarted'] else 'no'} | {r['acks_captured']} ({r['ack_sequences']}) | {r['replayed']} | {survivor} | "
                        f"{f'{kept:.1f}' if kept is not None else '> ' + str(int(r['bound_s']))} | "
                        f"{f'{dead:.1f}' if dead is not None else '> ' + str(int(r['bound_s']))} |")
    return "\n".join(rows)


# -- reflect -------------------------------------------------------------------------------


class Captured:
    """Datagrams carrying a record type (the first 1,000 of them, with the latest), in a
    background thread's callback."""

    LIMIT = 1000

    def __init__(self, record_type: int, wanted=lambda value: True) -> None:
        self._type, self._wanted = record_type, wanted
        self.datagrams: list[Datagram] = []
        self.latest: Datagram | None = None

    def __call__(self, datagram: Datagram) -> None:
        if any(self._wanted(value) for value in datagram.values(self._type)):
            if len(self.datagrams) < self.LIMIT:
                self.datagrams.append(datagram)
            self.latest = datagram

    @property
    def first(self) -> Datagram | None:
        return self.datagrams[0] if self.datagrams else None


def _digest_entries(datagram: Datagram) -> int:
    return sum((len(value) - 1) // 21 for value in datagram.values(DIGEST))


def _reflect_one(datagram: Datagram, copies: int, interval: float, linger: float) -> dict:
    """Sends `copies` of the datagram to its original destination from the spoofed address and
    counts what arrives there. Bytes are UDP payloads on both sides."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    try:
        listener.bind((SPOOFED, SPOOFED_PORT))
        listener.settimeout(0.05)
        packet = ip_udp_packet((SPOOFED, SPOOFED_PORT), datagram.destination, datagram.payload)
        received = datagrams = sent = 0
        next_send, sends_left = now(), copies
        deadline = None
        while deadline is None or now() < deadline:
            if sends_left and now() >= next_send:
                raw.sendto(packet, (datagram.destination[0], 0))
                sent += len(datagram.payload)
                sends_left -= 1
                next_send += interval
                if not sends_left:
                    deadline = now() + linger
            with contextlib.suppress(TimeoutError):
                received += len(listener.recv(65535))
                datagrams += 1
        return {"sent_bytes": sent, "received_bytes": received, "received_datagrams": datagrams,
                "copies": copies, "ratio": received / sent if sent else None}
    finally:
        listener.close()
        raw.close()


def reflect(context: Context, args: argparse.Namespace) -> list[dict]:
    join = Captured(JOIN_REQUEST)
    digest = Captured(DIGEST, wanted=lambda value: bool(value and value[0] & 1))  # bit 0: wants a reply
    with running_cluster(context, (join, digest)) as (cluster, _, sniffer):
        wait_until(lambda: digest.latest is not None, timeout=30)
        sniffer.stop()  # what was captured is all the attacker needs
        names = {agent.gossip_port: agent.name for agent in cluster.agents}
        # A digest is answered with the state of every member it shows older than the receiver
        # holds it. A current one shows nothing older; one captured before every agent restarted
        # (a rolling upgrade of Chorus itself raises every incarnation) shows every member older.
        results = []

        def replay(kind: str, captured: Datagram | None) -> None:
            if captured is None:
                raise RunFailed(f"captured no {kind} datagram")
            to = names.get(captured.destination[1], str(captured.destination))
            _progress(f"reflect: replaying a {kind} ({len(captured.payload)} bytes) to {to} from {SPOOFED}")
            figures = _reflect_one(captured, args.copies, args.interval, args.linger)
            results.append({"scenario": "reflect", "kind": kind, "entries": _digest_entries(captured),
                            "preset": context.preset, "agents": context.size, "to": to,
                            "datagram_bytes": len(captured.payload), **figures})

        replay("join-request", join.first)
        replay("digest (current)", digest.latest)
        if args.restart:
            # The smallest one (sent without a certificate) gives the largest ratio.
            stale = min(digest.datagrams, key=lambda d: len(d.payload))
            _progress("reflect: restarting every agent, one at a time, so the captured digests are stale")
            _rolling_restart(cluster)
            replay("digest (before a rolling restart)", stale)
        return results


def _rolling_restart(cluster: ChorusCluster, timeout: float = 60.0) -> None:
    """Restarts every agent in turn on its data directory (same identity, higher incarnation),
    each joining the next one, and waits until every agent sees every member alive again."""
    for index, agent in enumerate(cluster.agents):
        agent.process.terminate()
        agent.process.wait(timeout=30)
        cluster._start(agent, join=cluster.agents[(index + 1) % len(cluster.agents)].gossip_address)

    def converged() -> bool:
        for agent in cluster.agents:
            members = client.get(agent.control_address, "/v1/members", timeout=2)
            if members is None:
                return False
            if sum(1 for m in members if m.get("status") == ALIVE) < len(cluster.agents) - 1:
                return False
        return True

    if not wait_until(converged, timeout, interval=0.5):
        raise RunFailed(f"the cluster did not converge within {timeout:.0f} s of a rolling restart")


def _reflect_line(r: dict) -> str:
    return (f"reflect {r['kind']} to {r['to']}: sent {r['copies']} x {r['datagram_bytes']} B = {r['sent_bytes']} B, "
            f"{SPOOFED} received {r['received_bytes']} B in {r['received_datagrams']} datagrams, "
            f"ratio {r['ratio']:.2f}")


def _reflect_table(results: list[dict]) -> str:
    rows = ["| replayed datagram | to | copies × bytes | bytes to the spoofed address (datagrams) | ratio |",
            "|---|---|---|---|---|"]
    for r in results:
        rows.append(f"| {r['kind']} | {r['to']} | {r['copies']} × {r['datagram_bytes']} | "
                    f"{r['received_bytes']} ({r['received_datagrams']}) | {r['ratio']:.2f} |")
    return "\n".join(rows)


# -- flood ---------------------------------------------------------------------------------

def _udp_receive_buffer_errors() -> int:
    """Datagrams the kernel dropped because a socket's receive queue was full, in this network
    namespace (every agent's, counted together; the flood's share is nearly all of it)."""
    with open("/proc/self/net/snmp") as snmp:
        rows = [line.split() for line in snmp if line.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


_METRIC = re.compile(r'^chorus_datagrams_rejected_total\{reason="([^"]+)"\}\s+(\S+)', re.MULTILINE)


def _rejected(cluster: ChorusCluster, name: str) -> dict[str, float]:
    text = client.get(cluster.agent(name).control_address, "/metrics", timeout=5)
    return {reason: float(value) for reason, value in _METRIC.findall(text)} if isinstance(text, str) else {}


def _write_keyring(work_dir: str) -> tuple[bytes, str]:
    """A fresh cluster key and the keyring file (0600, as the agent demands) that holds it."""
    key = os.urandom(sealed.KEY_SIZE)
    path = os.path.join(work_dir, "gossip.keyring")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(sealed.keyring_line(key))
    return key, path


def _flood_payload(context: Context, cluster: ChorusCluster, observed: Observed, kind: str, impersonated: str,
                   args: argparse.Namespace) -> tuple[bytes, int]:
    """The flood's datagram and the offset varied per copy. In a sealed cluster the plain kinds
    carry the ids the bench read inside the sealed frames (an outsider could not, and gains
    nothing by them: an unsealed datagram is refused before its header is read)."""
    if kind in sealed.FLOOD_KINDS:
        key_id = sealed.key_id(context.key) if context.key else os.urandom(sealed.KEY_ID_SIZE)
        return sealed.flood_template(kind, key_id, args.sealed_bytes)
    member_id = observed.node_id(cluster, impersonated)
    return flood_template(kind, observed.cluster_id, member_id)


def flood(context: Context, kind: str, args: argparse.Namespace) -> dict:
    with running_cluster(context) as (cluster, observed, sniffer):
        victim, impersonated = cluster.names[1], cluster.names[2]
        payload, vary = _flood_payload(context, cluster, observed, kind, impersonated, args)
        sniffer.stop()  # decoding the flood would cost this host a CPU
        template = os.path.join(context.work_dir, f"{kind}.bin")
        with open(template, "wb") as out:
            out.write(payload)
        destination = (ATTACKER, cluster.agent(victim).gossip_port)
        victim_pid = cluster.agent(victim).process.pid
        sender = flood_sender(context.work_dir)
        rejected_before = _rejected(cluster, victim)
        drops_before = _udp_receive_buffer_errors()
        host_before, cpu_before, started = _host_cpu_times(), _cpu_seconds(victim_pid), now()
        _progress(f"flood/{kind}: {len(payload)}-byte datagrams at {victim} for {args.flood_seconds:.0f} s "
                  f"({'C sender' if sender else 'Python sender'}, rate {args.rate or 'max'})")
        # Spoofing the impersonated member's own address makes the flood look like that member.
        spoofed = [ATTACKER, str(cluster.agent(impersonated).gossip_port)] if args.flood_source == "member" else []
        if args.flood_source == "member" and not sender:
            raise RunFailed("--flood-source member needs gcc (the C sender spoofs with a raw socket)")
        if sender:
            source = (spoofed[0], int(spoofed[1])) if spoofed else None
            done = subprocess.run(flood_command(sender, destination, args.flood_seconds, args.rate, template, vary,
                                                source), capture_output=True, text=True,
                                  timeout=args.flood_seconds + 30)
            figures = parse_flood_output(done.stdout)
            if done.returncode != 0 or not figures:
                raise RunFailed(f"flood sender failed: {done.stderr.strip() or done.stdout.strip()}")
            packets, elapsed, errors = figures
        else:
            (packets, elapsed), errors = python_flood(destination, args.flood_seconds, args.rate, payload, vary), 0
        cpu_after, flood_end, host_after = _cpu_seconds(victim_pid), now(), _host_cpu_times()
        dropped = _udp_receive_buffer_errors() - drops_before
        _progress(f"flood/{kind}: sent {packets} in {elapsed:.1f} s; watching {args.grace_seconds:.0f} s more")
        time.sleep(args.grace_seconds)
        rejected_after = _rejected(cluster, victim)
        live = set(cluster.active_names())
        transitions = [
            f"{c.observer} saw {c.subject} {c.status} at +{c.at - started:.1f} s"
            for status in (SUSPECT, DEAD)
            for c in cluster.views.changes_to(status, started, now())
            if c.subject in live and c.observer in live
        ]
        exited = [agent.name for agent in cluster.agents if agent.has_exited()]
        return {
            "scenario": "flood", "kind": kind, "source": args.flood_source, "preset": context.preset,
            "agents": context.size, "sealed": context.key is not None,
            "victim_cpu_seconds": cpu_after - cpu_before,
            "victim": victim, "impersonated": impersonated if kind == "bad-signature" else None,
            "datagram_bytes": len(payload), "packets": packets, "seconds": elapsed, "send_errors": errors,
            "receive_queue_drops": dropped,
            "packets_per_s": packets / elapsed if elapsed else 0.0,
            "victim_cpu_percent": 100 * (cpu_after - cpu_before) / max(1e-9, flood_end - started),
            "host_cpu_busy_percent": 100 * (host_after[0] - host_before[0]) / max(1, host_after[1] - host_before[1]),
            "transitions": transitions, "agents_exited": exited,
            "rejected": {reason: rejected_after.get(reason, 0) - rejected_before.get(reason, 0)
                         for reason in sorted(set(rejected_after) | set(rejected_before))
                         if rejected_after.get(reason, 0) - rejected_before.get(reason, 0)},
            "metrics_available": bool(rejected_after),
        }


def _microseconds_per_rejection(r: dict) -> float | None:
    """The victim's CPU time over the flood divided by the datagrams it refused: what one flood
    datagram cost it, receive syscall and all (its idle work, about 0.3% of a CPU, included)."""
    refused = sum(r["rejected"].values())
    return 1e6 * r["victim_cpu_seconds"] / refused if refused and "victim_cpu_seconds" in r else None


def _flood_line(r: dict) -> str:
    rejected = ", ".join(f"{k}={v:.0f}" for k, v in r["rejected"].items()) or (
        "none" if r["metrics_available"] else "no /metrics")
    cost = _microseconds_per_rejection(r)
    return (f"flood {r['kind']} from {r['source']} address at {r['victim']} ({'sealed' if r.get('sealed') else 'plain'} gossip): "
            f"{r['packets']} datagrams of {r['datagram_bytes']} B in "
            f"{r['seconds']:.1f} s = {r['packets_per_s']:.0f}/s, {r['receive_queue_drops']} dropped (queue full); victim CPU {r['victim_cpu_percent']:.0f}% "
            f"({f'{cost:.1f} µs per refused datagram' if cost else 'none refused'}) "
            f"(host busy {r['host_cpu_busy_percent']:.0f}%); transitions of live members: "
            f"{_count(r, SUSPECT)} suspect, {_count(r, DEAD)} dead{' (' + '; '.join(r['transitions'][:6]) + ')' if r['transitions'] else ''}; "
            f"rejected: {rejected}" + (f"; exited: {', '.join(r['agents_exited'])}" if r["agents_exited"] else ""))


def _count(result: dict, status: str) -> int:
    return sum(1 for transition in result["transitions"] if transition.split(" at ")[0].endswith(" " + status))


def _flood_table(results: list[dict]) -> str:
    rows = ["| gossip | flood | datagram bytes | sent per s (s) | dropped by the kernel, queue full | victim CPU % | victim CPU µs per refused datagram | host CPU busy % | transitions of live members to suspect / dead | victim's rejections |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rejected = ", ".join(f"{k} {v:.0f}" for k, v in r["rejected"].items()) or "-"
        kind = r["kind"] + (" from the member's address" if r.get("source") == "member" else "")
        cost = _microseconds_per_rejection(r)
        rows.append(f"| {'sealed' if r.get('sealed') else 'plain'} | {kind} | {r['datagram_bytes']} | {r['packets_per_s']:.0f} ({r['seconds']:.0f}) | "
                    f"{r['receive_queue_drops']} | "
                    f"{r['victim_cpu_percent']:.0f} | {f'{cost:.1f}' if cost else '-'} | {r['host_cpu_busy_percent']:.0f} | "
                    f"{_count(r, SUSPECT)} / {_count(r, DEAD)} | {rejected} |")
    return "\n".join(rows)


# -- command line --------------------------------------------------------------------------


ALL_FLOOD_KINDS = FLOOD_KINDS + sealed.FLOOD_KINDS
# With a keyring: the plain forgery (unsealed, with a live member's id) and the plain control,
# then the two sealed-looking ones.
SEALED_DEFAULT_KINDS = ("bad-signature", "wrong-cluster") + sealed.FLOOD_KINDS


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["replay-ack", "reflect", "flood", "all"])
    parser.add_argument("--chorus-bin", help="default: .build/release/chorus if present, else .build/debug/chorus")
    parser.add_argument("--preset", default="lan", choices=["lan", "local", "wan"], help="Chorus timing preset")
    parser.add_argument("--agents", type=int, default=4, help="cluster size of every run")
    parser.add_argument("--base-port", type=int, default=21000)
    parser.add_argument("--work-dir", help="agent logs and data (default: a temporary directory)")
    parser.add_argument("--keep-work", action="store_true", help="keep the work directory")
    parser.add_argument("--json", help="also write every result, all transitions included, to this file")
    parser.add_argument("--no-restart", dest="restart", action="store_false",
                        help="no rolling restart of the cluster between capture and replay (replay-ack: before "
                             "the kill; reflect: skips the stale digest)")
    replay = parser.add_argument_group("replay-ack")
    replay.add_argument("--replay", default="none,blind,reactive",
                        help="comma-separated modes, each in its own cluster: none (control run), blind (every "
                             "captured ack to every survivor, in turn), reactive (answer each sniffed ping of M)")
    replay.add_argument("--acks-from", default="victim", choices=["victim", "any"],
                        help="whose acks are captured and replayed: the killed member's, or every agent's "
                             "(an ack is matched by sequence alone, not by who sent it)")
    replay.add_argument("--capture-seconds", type=float, default=60.0, help="how long M's acks are captured")
    replay.add_argument("--replay-seconds", type=float, default=90.0, help="how long the replay goes on after the kill")
    replay.add_argument("--replay-rate", type=float, default=5000.0, help="blind replay, datagrams per second in all")
    replay.add_argument("--detection-seconds", type=float, default=30.0, help="wait for death after the replay ends")
    refl = parser.add_argument_group("reflect")
    refl.add_argument("--copies", type=int, default=10, help="copies of each captured datagram")
    refl.add_argument("--interval", type=float, default=0.2, help="seconds between copies")
    refl.add_argument("--linger", type=float, default=3.0, help="seconds to count answers after the last copy")
    fl = parser.add_argument_group("flood")
    fl.add_argument("--keyring", action="store_true",
                    help="seal the cluster's gossip: every agent gets one shared [gossip] keyring_file with a fresh "
                         "key (flood only: replaying or reflecting opened datagrams would test nothing)")
    fl.add_argument("--kinds", help="comma-separated: " + ", ".join(ALL_FLOOD_KINDS) + "; default: "
                    + ",".join(FLOOD_KINDS) + ", with --keyring " + ",".join(SEALED_DEFAULT_KINDS))
    fl.add_argument("--sealed-bytes", type=int, default=1400,
                    help="size of the sealed-* datagrams (1400: the largest an agent sends, so the most Poly1305 work)")
    fl.add_argument("--flood-seconds", type=float, default=30.0)
    fl.add_argument("--flood-source", default="own", choices=["own", "member"],
                    help="own: the sender's own socket on 127.0.0.1; member: spoof the address of the member "
                         "whose id the datagrams carry (raw socket)")
    fl.add_argument("--rate", type=float, default=0, help="datagrams per second; 0 for as fast as one process can")
    fl.add_argument("--grace-seconds", type=float, default=10.0, help="watch for transitions after the flood")
    args = parser.parse_args(argv)
    args.replay_modes = [m for m in args.replay.split(",") if m]
    if args.kinds is None:
        args.kinds = ",".join(SEALED_DEFAULT_KINDS if args.keyring else FLOOD_KINDS)
    args.flood_kinds = [k for k in args.kinds.split(",") if k]
    if args.keyring and args.scenario != "flood":
        parser.error("--keyring goes with the flood scenario only")
    if bad := [m for m in args.replay_modes if m not in ("none", "blind", "reactive")]:
        parser.error(f"unknown replay modes {bad}")
    if bad := [k for k in args.flood_kinds if k not in ALL_FLOOD_KINDS]:
        parser.error(f"unknown flood kinds {bad}")
    if args.agents < 3:
        parser.error("--agents must be at least 3")
    return args


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _attempt(label: str, run, results: list[dict], line) -> bool:
    _progress(f"{label}: start")
    try:
        outcome = run()
    except (RunFailed, RuntimeError, OSError, subprocess.SubprocessError) as error:
        print(f"{label}: FAILED: {error}", flush=True)
        return False
    for result in outcome if isinstance(outcome, list) else [outcome]:
        results.append(result)
        print(line(result), flush=True)
    return True


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if os.geteuid() != 0:
        sys.exit("hostile: needs root (network namespaces, AF_PACKET and raw sockets)")
    binary = find_chorus_binary(args.chorus_bin)
    print(f"hostile: chorus binary {binary}", file=sys.stderr)
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    work_dir = args.work_dir or tempfile.mkdtemp(prefix="chorus-hostile-")
    os.makedirs(work_dir, exist_ok=True)
    context = Context(binary=binary, preset=args.preset, size=args.agents, work_dir=work_dir,
                      settings=Settings(convergence_timeout=60.0), next_port=args.base_port)
    if args.keyring:
        context.key, context.keyring_file = _write_keyring(work_dir)
    scenarios = ["replay-ack", "reflect", "flood"] if args.scenario == "all" else [args.scenario]
    tables, ok, everything = [], True, []
    try:
        with Namespace():
            if "replay-ack" in scenarios:
                results: list[dict] = []
                for mode in args.replay_modes:
                    ok &= _attempt(f"replay-ack/{mode}", lambda: replay_ack(context, mode, args), results,
                                   _replay_line)
                tables.append(_replay_table(results))
                everything += results
            if "reflect" in scenarios:
                results = []
                ok &= _attempt("reflect", lambda: reflect(context, args), results, _reflect_line)
                tables.append(_reflect_table(results))
                everything += results
            if "flood" in scenarios:
                results = []
                for kind in args.flood_kinds:
                    ok &= _attempt(f"flood/{kind}", lambda: flood(context, kind, args), results, _flood_line)
                tables.append(_flood_table(results))
                everything += results
    except KeyboardInterrupt:
        print("hostile: interrupted", file=sys.stderr)
        return 130
    finally:
        if not args.keep_work:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            print(f"hostile: work directory kept: {work_dir}", file=sys.stderr)
    print(f"\n{chorus_version(binary)}, preset {args.preset}, {args.agents} agents, "
          f"{'sealed gossip (one shared key)' if args.keyring else 'plain gossip'}, "
          f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    print("\n\n".join(tables))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"binary": binary, "version": chorus_version(binary), "preset": args.preset,
                       "agents": args.agents, "sealed": args.keyring, "argv": argv, "results": everything},
                      out, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
