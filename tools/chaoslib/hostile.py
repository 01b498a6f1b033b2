"""The hostile faults (issue 14; SPEC §2 "Hostile networks"; docs/security.md's attackers):
replay, reflect, flood and insider, carried out against the run's real agents.

A sniffer in the harness's namespace watches every frame the bridge delivers to a host (the
outer ends of the veth pairs, `PREFIX-vI`), so it sees each datagram between hosts once, as an
attacker on the path would. From it:

- `Capture` keeps datagrams sent to gossip ports (per sending host, its first ones and its
  latest ones, each once), for replay and reflection;
- `Meter` counts the bytes that reach a watched address (a victim's address at a port no agent
  uses), for the reflection ratio.

Sends with a forged source go through a raw socket from the harness's namespace, across the
bridge like any host's. A flood is sent from inside the victim's own namespace (its loopback,
with a spoofed source): at tens of thousands of datagrams a second across the bridge, the
capture would pay for every one of them on this 2-core machine; the agent sees the same packets
either way. The flood sender runs at nice 10, since the attacker's CPU is not the cluster's.

What each fault did (datagrams, bytes, the victim's CPU and rejections, the lie and the
incarnations it named) goes into the report's `hostile` section. What it must not do is judged
by the checker as always: no live member dead or left (6, polls and events), incarnations that
never go back nor out of range (8), kills detected in time despite replays (5), no agent exit,
and for reflections, bytes to the victim at most the bytes sent in its name (§2).
"""

import hashlib
import os
import random
import re
import subprocess
import threading
import time
from collections import deque

from chorustools import client, events
from chorustools.hosts import GOSSIP_PORT
from chorustools.wire import capture, keys, spoof, wire

REFLECT_PORT_BASE = 47000  # + the fault's number: a port no agent uses, one per reflection
STRANGER_BASE = 200        # flood sources .200-.249: on the subnet, no host's
KEEP_FIRST = 100           # per sending host: its first datagrams (the stalest to replay)
KEEP_LATEST = 400          # and its latest ones
LINGER = 2.0               # seconds a reflection's answers are still counted after the last copy
_REJECTED = re.compile(r'^chorus_datagrams_rejected_total\{reason="([^"]+)"\}\s+(\S+)', re.MULTILINE)
_WITHHELD = re.compile(r'^chorus_replies_withheld_total\s+(\S+)', re.MULTILINE)


class Capture:
    """Datagrams sent to gossip ports, by sending host (known by its source address)."""

    def __init__(self, clock, host_of: dict[str, int]) -> None:
        self.clock = clock
        self.host_of = host_of
        self.lock = threading.Lock()
        self.first: dict[int, list] = {h: [] for h in host_of.values()}
        self.latest: dict[int, deque] = {h: deque(maxlen=KEEP_LATEST) for h in host_of.values()}
        self.seen: set[bytes] = set()
        self.count = 0

    def __call__(self, datagram: wire.Datagram) -> None:
        if datagram.destination[1] != GOSSIP_PORT:
            return
        sender = self.host_of.get(datagram.source[0])
        if sender is None:
            return
        key = hashlib.blake2b(datagram.payload, digest_size=16).digest()
        with self.lock:
            if key in self.seen:
                return  # a replay of one already held (ours included)
            if len(self.seen) > 200_000:
                self.seen.clear()
            self.seen.add(key)
            self.count += 1
            entry = (self.clock(), sender, datagram)
            (self.first[sender] if len(self.first[sender]) < KEEP_FIRST else self.latest[sender]).append(entry)

    def entries(self, older_than: float | None = None, sender: int | None = None, wanted=None) -> list:
        """(captured at, sending host, datagram), oldest first."""
        with self.lock:
            hosts = [sender] if sender is not None else sorted(self.first)
            found = [e for h in hosts for e in list(self.first[h]) + list(self.latest[h])]
        found = [e for e in found if (older_than is None or e[0] <= older_than) and (wanted is None or wanted(e[2]))]
        return sorted(found, key=lambda e: e[0])


class Meter:
    """Bytes (UDP payloads) that reached each watched (address, port)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.watched: dict[tuple[str, int], list[int]] = {}

    def watch(self, address: tuple[str, int]) -> None:
        with self.lock:
            self.watched[address] = [0, 0]

    def stop_watching(self, address: tuple[str, int]) -> tuple[int, int]:
        """(bytes, datagrams) since `watch`."""
        with self.lock:
            return tuple(self.watched.pop(address, [0, 0]))

    def __call__(self, datagram: wire.Datagram) -> None:
        with self.lock:
            counted = self.watched.get(datagram.destination)
            if counted is not None:
                counted[0] += len(datagram.payload)
                counted[1] += 1


def _cpu_seconds(pid: int | None) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, TypeError):
        return None


def _metrics(agent) -> dict[str, float]:
    answer = client.request(agent.http, "GET", "/metrics")
    if not answer or answer.status != 200 or not isinstance(answer.body, str):
        return {}
    found = {f"rejected {reason}": float(value) for reason, value in _REJECTED.findall(answer.body)}
    withheld = _WITHHELD.search(answer.body)
    if withheld:
        found["replies withheld"] = float(withheld[1])
    return found


def _delta(before: dict, after: dict) -> dict:
    return {k: int(after[k] - before.get(k, 0)) for k in sorted(after) if after[k] - before.get(k, 0)}


class Hostile:
    """Carries out the run's hostile faults; `begin` returns at once, the work runs in threads
    that end by the fault's planned end (plus a few seconds for a flood's sender to report)."""

    def __init__(self, run) -> None:
        self.run = run
        self.hosts = run.hosts
        self.threads: list[threading.Thread] = []
        self.floods: list[subprocess.Popen] = []
        self.figures: dict[str, list] = {"replay": [], "reflect": [], "flood": [], "insider": []}
        self.lock = threading.Lock()
        self.sniffer = None
        self.count = 0

    # -- set-up -----------------------------------------------------------------------------------

    def start(self, kinds: list[str]) -> None:
        """Before the first agent starts, so the capture holds the cluster's first datagrams too."""
        run = self.run
        self.cluster_id = keys.load_cluster_id(os.path.join(run.run_dir, "trust", "authority.pub"))
        self.work = os.path.join(run.run_dir, "hostile")
        os.makedirs(self.work, exist_ok=True)
        host_of = {self.hosts.address(i): i for i in range(len(run.agents))}
        self.capture = Capture(run.clock, host_of)
        self.meter = Meter()
        if {"replay", "reflect", "flood"} & set(kinds):
            self.sniffer = capture.Sniffer(interface=None, prefix=f"{self.hosts.prefix}-v")
            self.sniffer.subscribe(self.capture)
            self.sniffer.subscribe(self.meter)
            self.sniffer.start()
        self.flood_binary = spoof.flood_sender(self.work) if "flood" in kinds else None
        if "flood" in kinds and not self.flood_binary:
            run.notes.append("flood: no gcc, so the slower Python sender floods from the harness's namespace")

    def stop(self) -> None:
        for process in self.floods:
            if process.poll() is None:
                process.kill()
        for thread in self.threads:
            thread.join(10)
        if self.sniffer:
            self.sniffer.stop()

    # -- faults -----------------------------------------------------------------------------------

    def begin(self, fault, t: float):
        """Starts the fault; returns its heal (nothing: the fault's thread ends by itself)."""
        self.count += 1
        action = {"replay": self._replay, "reflect": self._reflect, "flood": self._flood,
                  "insider": self._insider}[fault.kind]
        deadline = self.run.offset + fault.until
        rng = random.Random(f"chorus-chaos-hostile-run:{self.run.args.seed}:{fault.at}")
        thread = threading.Thread(target=self._guarded, args=(action, fault, t, deadline, rng, self.count),
                                  daemon=True, name=f"hostile-{fault.kind}")
        self.threads.append(thread)
        thread.start()
        return lambda: None

    def _guarded(self, action, fault, t, deadline, rng, number) -> None:
        try:
            action(fault, t, deadline, rng, number)
        except Exception as error:  # a harness failure here must not end the run: say it, go on
            self.run.notes.append(f"hostile {fault.kind} at {t:.1f}s failed in the harness: {error!r}")

    def _count(self, kind: str, skipped: bool = False) -> None:
        with self.run.lock:
            (self.run.skipped if skipped else self.run.injected)[kind] += 1

    def _record(self, kind: str, figure: dict) -> None:
        with self.lock:
            self.figures[kind].append(figure)
        self.run.history.note(self.run.clock(), f"{kind} at {figure['t']:.3f} done: " + ", ".join(
            f"{k}={v}" for k, v in figure.items() if k not in ("t",)))

    def _address(self, host: int, port: int = GOSSIP_PORT) -> tuple[str, int]:
        return self.hosts.address(host), port

    def _sleep_until(self, deadline: float) -> None:
        while self.run.clock() < deadline and not self.run.stopping.is_set():
            time.sleep(min(0.1, max(0.0, deadline - self.run.clock())))

    # replay: captured datagrams sent again, later, from another host's address, to other hosts
    def _replay(self, fault, t, deadline, rng, number) -> None:
        p = fault.params
        of = p.get("of")
        pool = self.capture.entries(older_than=self.run.clock() - p["age"], sender=of)
        if not pool:
            self._count("replay", skipped=True)
            self._record("replay", {"t": round(t, 3), "sent": 0, "why": "nothing captured that old yet"})
            return
        self._count("replay")
        picks = [rng.choice(pool) for _ in range(p["count"])]
        spacing = max(0.0, deadline - self.run.clock() - 0.2) / max(1, len(picks))
        source = self._address(p["from"])
        kinds = set()
        with spoof.RawSender() as sender:
            for _, origin, datagram in picks:
                targets = [h for h in fault.hosts if h != origin]
                if not targets:
                    continue
                sender.send(datagram.payload, source, self._address(rng.choice(targets)))
                kinds |= {wire.RECORD_NAMES.get(k, str(k)) for k in datagram.record_types()}
                time.sleep(spacing)
        self._record("replay", {"t": round(t, 3), "sent": sender.datagrams, "bytes": sender.bytes,
                                "from": self.run.agents[p["from"]].name,
                                "of": self.run.agents[of].name if of is not None else "any",
                                "pool": len(pool), "records": ",".join(sorted(kinds))})

    # reflect: captured join-requests and digests with the victim's address as their source
    def _reflect(self, fault, t, deadline, rng, number) -> None:
        p = fault.params
        victim = fault.hosts[0]
        spoofed = self._address(victim, REFLECT_PORT_BASE + number % 1000)
        picks, names = [], []
        if p["datagrams"] in ("join-request", "both"):
            found = self.capture.entries(wanted=lambda d: wire.JOIN_REQUEST in d.record_types())
            picks += [found[0], found[-1]] if found else []
            names += ["join-request"] if found else []
        if p["datagrams"] in ("digest", "both"):
            found = self.capture.entries(wanted=lambda d: any(wire.digest_wants_reply(v) for v in d.values(wire.DIGEST)))
            picks += [found[0], found[-1]] if found else []  # the oldest is stale: it shows every member older
            names += ["digest"] if found else []
        picks = list({id(e): e for e in picks}.values())
        via = [h for h in p["via"] if self.run.agents[h].state == "running"]
        if not picks or not via:
            self._count("reflect", skipped=True)
            return
        self._count("reflect")
        self.meter.watch(spoofed)
        with spoof.RawSender() as sender:
            for _ in range(p["copies"]):
                for reflector in via:
                    for _, origin, datagram in picks:
                        if origin != reflector:
                            sender.send(datagram.payload, spoofed, self._address(reflector))
                time.sleep(0.25)
        self._sleep_until(max(deadline, self.run.clock() + LINGER))
        received, answers = self.meter.stop_watching(spoofed)
        detail = (f"{sender.datagrams} datagrams ({', '.join(names)}) via "
                  f"{','.join(self.run.agents[h].name for h in via)}; {answers} answers")
        self._record("reflect", {"t": round(t, 3), "victim": self.run.agents[victim].name, "injected": sender.bytes,
                                 "received": received, "answers": answers, "via": len(via)})
        self.run.checker.on_reflection(self.run.clock(), victim, sender.bytes, received, detail)

    # flood: forged, or one captured datagram over and over, at one host for a few seconds
    def _flood(self, fault, t, deadline, rng, number) -> None:
        p = fault.params
        victim = fault.hosts[0]
        agent = self.run.agents[victim]
        if agent.state != "running":
            self._count(f"flood-{p['style']}", skipped=True)
            return
        if p["style"] == "replayed":
            pool = self.capture.entries(wanted=lambda d: wire.STATEMENT in d.record_types())
            pool = [e for e in pool if e[1] != victim]
            if not pool:
                self._count("flood-replayed", skipped=True)
                return
            payload, vary = rng.choice(pool)[2].payload, -1
        else:
            member = rng.choice([h for h in range(len(self.run.agents)) if h != victim])
            member_id = keys.load_node_secret(os.path.join(self.run.agents[member].data_dir, "node.key"))[32:]
            payload, vary = wire.flood_template(p["style"], self.cluster_id, member_id)
        template = os.path.join(self.work, f"flood-{number}.bin")
        with open(template, "wb") as f:
            f.write(payload)
        host = self.hosts.address(p["from"]) if "from" in p else \
            str(self.hosts.subnet.network_address + STRANGER_BASE + number % 50)
        source = (host, rng.randrange(20000, 60000))
        seconds = max(0.5, deadline - self.run.clock())
        self._count(f"flood-{p['style']}")
        before, cpu_before, started = _metrics(agent), _cpu_seconds(agent.pid), time.monotonic()
        destination = self._address(victim)
        if self.flood_binary:
            command = self.hosts.command_prefix(victim) + ["nice", "-n", "10"] + spoof.flood_command(
                self.flood_binary, destination, seconds, p["rate"], template, vary, source)
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.floods.append(process)
            try:
                out, err = process.communicate(timeout=seconds + 15)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
            sent = spoof.parse_flood_output(out or "")
        else:
            sent = self._python_flood(payload, vary, source, destination, seconds, p["rate"])
        elapsed = time.monotonic() - started
        cpu_after = _cpu_seconds(agent.pid)
        self._sleep_until(self.run.clock() + 1.0)  # what the agent still held in its queue
        figure = {"t": round(t, 3), "victim": agent.name, "style": p["style"], "rate": p["rate"],
                  "source": f"{source[0]}:{source[1]}", "bytes": len(payload),
                  "sent": sent[0] if sent else None, "seconds": round(sent[1], 2) if sent else None,
                  "victimCpuPercent": round(100 * (cpu_after - cpu_before) / elapsed, 1)
                  if cpu_after is not None and cpu_before is not None else None,
                  "rejected": _delta(before, _metrics(agent))}
        if not sent:
            figure["error"] = (err or out or "no output").strip()[-300:] if self.flood_binary else "python sender failed"
        self._record("flood", figure)

    def _python_flood(self, payload, vary, source, destination, seconds, rate) -> tuple[int, float, int]:
        data, started = bytearray(payload), time.monotonic()
        with spoof.RawSender() as sender:
            while time.monotonic() - started < seconds:
                if sender.datagrams > rate * (time.monotonic() - started):
                    time.sleep(0.001)
                    continue
                if vary >= 0:
                    data[vary:vary + 8] = sender.datagrams.to_bytes(8, "little")
                sender.send(bytes(data), source, destination)
        return sender.datagrams, time.monotonic() - started, sender.errors

    # insider: a member's own key signs a lie, sent from its address
    def _insider(self, fault, t, deadline, rng, number) -> None:
        p = fault.params
        agents = self.run.agents
        insider = p["insider"]
        lie = p["lie"]
        secret = keys.load_node_secret(os.path.join(agents[insider].data_dir, "node.key"))
        figure = {"t": round(t, 3), "insider": agents[insider].name, "lie": lie}
        everyone = [h for h in range(len(agents)) if h != insider]
        if lie in ("false-dead", "false-suspect", "far-accusation"):
            victim = fault.hosts[0]
            me = client.get(agents[victim].http, "/v1/self") if agents[victim].state == "running" else None
            if not me or "id" not in me:
                self._count(f"insider-{lie}", skipped=True)
                return
            held = int(me.get("incarnation", 0))
            kind = wire.DEAD if lie == "false-dead" or p.get("as") == "dead" else wire.SUSPECT
            named = p["incarnation"] if "incarnation" in p else held + p["lead"]
            statement = wire.Statement.sign(kind, wire.accusation_body(bytes.fromhex(me["id"]), named),
                                            self.cluster_id, secret)
            # A lone verdict sent to the accused is refuted at once; sent to the others only, its
            # effect on them is what shows whether one accuser can kill.
            targets = [h for h in everyone if h != victim] if lie == "false-dead" else everyone
            figure.update(victim=agents[victim].name, kind="dead" if kind == wire.DEAD else "suspect",
                          heldIncarnation=held, namedIncarnation=named)
        else:
            record = self.run.checker.last_life.get(insider, {})
            held = int(record.get("incarnation") or 0)
            sample = self.run.checker.latest.get(insider)
            decisions = int((sample[2] or {}).get("decisions", 0)) if sample else 0
            host, port = self._address(insider)
            if lie == "extreme-heartbeat":
                incarnation, sequence, serving = p["incarnation"], 0, wire.SERVING
                version = agents[insider].version
            else:
                incarnation, sequence = (held - 1, 2**40) if held > 0 else (0, 0)
                serving = wire.LEAVING if p["serving"] == "leaving" else wire.SERVING
                version, decisions = "0.0.1", 0  # old state: a version it never ran, no decisions
            body = wire.heartbeat_body(incarnation, sequence, host, port, version, serving=serving, decisions=decisions)
            statement = wire.Statement.sign(wire.HEARTBEAT, body, self.cluster_id, secret)
            targets = everyone
            figure.update(heldIncarnation=held, namedIncarnation=incarnation, serving=p.get("serving", "serving"))
        self._count(f"insider-{lie}")
        payload = wire.signed_datagram(self.cluster_id, secret, [statement.record])
        running = [h for h in targets if agents[h].state == "running"]
        before = {h: _metrics(agents[h]) for h in running}
        with spoof.RawSender() as sender:
            for target in targets:
                sender.send(payload, self._address(insider), self._address(target))
        figure["to"] = ",".join(agents[h].name for h in targets)
        # What became of it, so a clean run is not clean because the lie never arrived: the
        # receivers' refusals (outOfRange, replay), and for an accusation who suspected the
        # victim and where its incarnation went.
        self._sleep_until(self.run.clock() + 2.0)
        refused = {}
        for h in running:
            for reason, count in _delta(before[h], _metrics(agents[h])).items():
                if reason in ("rejected outOfRange", "rejected replay", "rejected badSignature",
                              "rejected untrustedSender", "rejected shed"):
                    refused[reason.split()[1]] = refused.get(reason.split()[1], 0) + count
        figure["refused"] = refused
        if "victim" in figure:
            victim_name = figure["victim"]
            with self.run.checker.lock:
                figure["suspectedBy"] = len({h for h in range(len(agents)) if any(
                    f"{events.MEMBER_SUSPECT} {victim_name} " in text for when, text in self.run.checker.events[h] if when >= t)})
            after = client.get(agents[fault.hosts[0]].http, "/v1/self")
            figure["victimIncarnationAfter"] = after.get("incarnation") if after else None
        self._record("insider", figure)
