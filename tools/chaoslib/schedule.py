"""The fault schedule: a pure function of (seed, nodes, duration, fault kinds, bounds).

The same arguments give the same list of faults at the same offsets, whatever the real system
does (its timing is not reproducible; the schedule is). The operator's commands react to the
cluster's state and so are not part of it; they draw from their own stream seeded the same way.
So does the rollout operator (`rollout`, opt-in): the plan is the same with or without it.

Rules the plan keeps: at most (N-1)/2 hosts down (killed, stopped or paused) at once, so a
majority can decide; one network fault (partition or loss) at a time; every fault healed and
every host back one convergence bound before the end, so each run ends with a convergence check.
A kill's restart comes after the detection bound, so every sudden death is timed.

Hostile faults (`HOSTILE_KINDS`, opt-in) are drawn from a stream of their own and laid over the
plan of the other kinds, which they leave exactly as it was (same faults, same digest without
them). They take no host down and so count against none of the rules above; they end one
convergence bound before the end too. Each names what it hits; what it sends (which captured
datagrams, the victim's incarnation at that moment) is chosen when it runs (`hostile.py`).
"""

import hashlib
import json
import random
from dataclasses import asdict, dataclass, field

KINDS = ("kill", "term", "pause", "partition", "loss", "upgrade")  # the default set
PROCESS_KINDS = ("kill", "term", "pause")
NETWORK_KINDS = ("partition", "loss")
HOSTILE_KINDS = ("replay", "reflect", "flood", "insider")  # opt-in: `--faults ...,replay,reflect,flood,insider`
# Opt-in like the hostile kinds, and like `upgrade` an operator (rollouts.py), not part of the plan.
OPERATOR_KINDS = ("rollout",)
ALL_KINDS = KINDS + HOSTILE_KINDS + OPERATOR_KINDS
INSIDER_LIES = ("false-dead", "false-suspect", "far-accusation", "extreme-heartbeat", "stale-heartbeat")
FLOOD_STYLES = ("bad-signature", "garbage-certificates", "replayed")
# Incarnations no heartbeat may carry (above 2^62, IncarnationBounds.maximum), and leads beyond
# the 1,024 an accusation may name above its subject's signed incarnation.
EXTREME_INCARNATIONS = (2**62 + 1, 2**63, 2**64 - 1)
FAR_LEADS = (1025, 2**40)
HOST_PARAMS = ("from", "of", "insider")   # params naming one host (an index), shown by name
HOST_LIST_PARAMS = ("via",)               # params naming several


@dataclass
class Fault:
    at: float                 # seconds after the run's start
    kind: str                 # kill, term, pause, partition, oneway, loss
    hosts: list[int]          # the hosts it hits (for a partition: the minority side)
    until: float              # when it heals (restart, SIGCONT, rules removed)
    params: dict = field(default_factory=dict)

    def describe(self, names: list[str]) -> str:
        def shown(key, value):
            if key in HOST_PARAMS and isinstance(value, int):
                return names[value]
            if key in HOST_LIST_PARAMS:
                return ",".join(names[i] for i in value)
            return value
        who = ",".join(names[i] for i in self.hosts)
        extra = " ".join(f"{k}={shown(k, v)}" for k, v in sorted(self.params.items()))
        return f"{self.kind} {who} for {self.until - self.at:.1f}s {extra}".rstrip()


def plan(seed: int, nodes: int, duration: float, kinds: list[str], detection: float, convergence: float,
         warmup: float = 12.0) -> list[Fault]:
    rng = random.Random(f"chorus-chaos-schedule:{seed}")
    chosen = [k for k in KINDS if k in kinds and k != "upgrade"]
    last_end = duration - convergence - 5
    faults: list[Fault] = []
    down_until = [0.0] * nodes
    network_until = 0.0
    max_down = max(0, (nodes - 1) // 2)
    t = warmup
    while chosen:
        t += rng.uniform(1.5, 6.0)
        if t >= last_end - 2:
            break
        kind = rng.choice(chosen)
        up = [i for i in range(nodes) if down_until[i] <= t]
        if kind in PROCESS_KINDS:
            if nodes - len(up) >= max_down or not up:
                continue
            host = rng.choice(up)
            if kind == "kill":
                length = rng.uniform(detection + 2, detection + 15)
            elif kind == "term":
                length = rng.uniform(2, 15)
            else:
                length = rng.uniform(0.3, 3) if rng.random() < 0.6 else rng.uniform(3, 12)
            until = min(t + length, last_end)
            if kind == "kill" and until - t < detection + 1:
                continue
            faults.append(Fault(round(t, 3), kind, [host], round(until, 3)))
            down_until[host] = until + 1
        else:
            if network_until > t or nodes < 2:
                continue
            until = min(t + rng.uniform(6, 25), last_end)
            if kind == "partition":
                style = rng.choice(["split", "split", "isolate", "oneway"])
                size = 1 if style == "isolate" else rng.randint(1, max(1, (nodes - 1) // 2))
                side = sorted(rng.sample(range(nodes), size))
                fault = Fault(round(t, 3), "oneway" if style == "oneway" else "partition", side, round(until, 3),
                              {"style": style})
                if style == "oneway":
                    fault.params["direction"] = rng.choice(["out", "in"])
            else:
                percent = rng.randint(1, 10) if rng.random() < 0.7 else rng.randint(15, 30)
                fault = Fault(round(t, 3), "loss", [rng.randrange(nodes)], round(until, 3), {"percent": percent})
            faults.append(fault)
            network_until = until + 1
    hostile = plan_hostile(seed, nodes, duration, kinds, faults, detection, convergence, warmup)
    return sorted(faults + hostile, key=lambda f: f.at) if hostile else faults


def _down(faults: list[Fault], host: int, t: float, margin: float = 1.0) -> bool:
    """Whether a process fault of the plan holds `host` (killed, stopped, paused) around `t`."""
    return any(f.kind in PROCESS_KINDS and f.hosts[0] == host and f.at - margin <= t <= f.until + margin
               for f in faults)


def plan_hostile(seed: int, nodes: int, duration: float, kinds: list[str], base: list[Fault], detection: float,
                 convergence: float, warmup: float = 12.0) -> list[Fault]:
    """The hostile faults, every 2-8 s after warm-up plus 5 s (so something has been captured):

    - replay `count` captured datagrams, at least `age` s old, sent from host `from`'s address
      to the hosts it hits over its length; while the plan has a host killed, half of them
      replay that host's own datagrams (`of`) to the survivors, as its death is being detected;
    - reflect: `copies` of captured join-requests and digests (`datagrams`), with the address of
      the host it hits as their source (a port no agent uses), sent to each host of `via`;
    - flood: `style` datagrams at `rate` a second at the host it hits, for its length, from a
      stranger's address or one of host `from`'s ports (one flood at a time);
    - insider: host `insider` signs a `lie` with its own node key: a `false-dead` or
      `false-suspect` accusation of a live host (the one it hits) at its incarnation + `lead`
      (within the 1,024 allowed), a `far-accusation` beyond it (`lead`, or `incarnation`
      absolute), an `extreme-heartbeat` of its own above 2^62, or a `stale-heartbeat` of its own
      older than the one held (`serving` leaving or serving).
    """
    chosen = [k for k in HOSTILE_KINDS if k in kinds]
    if not chosen or nodes < 3:
        return []
    rng = random.Random(f"chorus-chaos-hostile:{seed}")
    last_end = duration - convergence - 5
    faults: list[Fault] = []
    flood_until = 0.0
    t = warmup + 5
    while True:
        t += rng.uniform(2.0, 8.0)
        if t >= last_end - 2:
            break
        kind = rng.choice(chosen)
        up = [h for h in range(nodes) if not _down(base, h, t)]
        if kind == "replay":
            killed = sorted({f.hosts[0] for f in base if f.kind == "kill" and f.at <= t < f.until})
            source = rng.randrange(nodes)
            targets = [h for h in range(nodes) if h != source]
            targets = sorted(rng.sample(targets, rng.randint(1, len(targets))))
            params = {"from": source, "count": rng.randint(20, 200), "age": round(rng.uniform(5, 30), 1)}
            if killed and rng.random() < 0.5:
                params["of"] = rng.choice(killed)
                targets = [h for h in range(nodes) if h != params["of"]]
            until = min(t + rng.uniform(1, 4), last_end)
            faults.append(Fault(round(t, 3), "replay", targets, round(until, 3), params))
        elif kind == "reflect":
            victim = rng.randrange(nodes)
            others = [h for h in range(nodes) if h != victim]
            via = sorted(rng.sample(others, rng.randint(1, len(others))))
            copies = rng.randint(2, 6)
            until = min(t + 0.25 * copies + 3, last_end)
            faults.append(Fault(round(t, 3), "reflect", [victim], round(until, 3),
                                {"via": via, "copies": copies,
                                 "datagrams": rng.choice(["join-request", "digest", "both"])}))
        elif kind == "flood":
            if flood_until > t or not up:
                continue
            victim = rng.choice(up)
            source = rng.choice([None] + [h for h in range(nodes) if h != victim])
            params = {"style": rng.choice(FLOOD_STYLES), "rate": rng.choice([2000, 5000, 10000, 20000])}
            if source is not None:
                params["from"] = source
            until = min(t + rng.uniform(2, 6), last_end)
            faults.append(Fault(round(t, 3), "flood", [victim], round(until, 3), params))
            flood_until = until + 1
        else:
            insider = rng.randrange(nodes)
            lie = rng.choice(INSIDER_LIES)
            params = {"insider": insider, "lie": lie}
            if lie in ("false-dead", "false-suspect", "far-accusation"):
                victims = [h for h in up if h != insider]
                if not victims:
                    continue
                hit = [rng.choice(victims)]
                if lie == "far-accusation":
                    params["as"] = rng.choice(["dead", "suspect"])
                    if rng.random() < 0.5:
                        params["lead"] = rng.choice(FAR_LEADS)
                    else:
                        params["incarnation"] = rng.choice(EXTREME_INCARNATIONS)
                else:
                    params["lead"] = 0 if rng.random() < 0.5 else rng.randint(1, 1024)
            else:
                hit = [insider]
                if lie == "extreme-heartbeat":
                    params["incarnation"] = rng.choice(EXTREME_INCARNATIONS)
                else:
                    params["serving"] = rng.choice(["leaving", "serving"])
            faults.append(Fault(round(t, 3), "insider", hit, round(min(t + 1, last_end), 3), params))
    return faults


def digest(faults: list[Fault]) -> str:
    """A short fingerprint of the plan: two runs with the same seed print the same one."""
    text = json.dumps([asdict(f) for f in faults], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
