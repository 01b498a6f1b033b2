"""The fault schedule: a pure function of (seed, nodes, duration, fault kinds, bounds).

The same arguments give the same list of faults at the same offsets, whatever the real system
does (its timing is not reproducible; the schedule is). The operator's commands react to the
cluster's state and so are not part of it; they draw from their own stream seeded the same way.

Rules the plan keeps: at most (N-1)/2 hosts down (killed, stopped or paused) at once, so a
majority can decide; one network fault (partition or loss) at a time; every fault healed and
every host back one convergence bound before the end, so each run ends with a convergence check.
A kill's restart comes after the detection bound, so every sudden death is timed.
"""

import hashlib
import json
import random
from dataclasses import asdict, dataclass, field

KINDS = ("kill", "term", "pause", "partition", "loss", "upgrade")
PROCESS_KINDS = ("kill", "term", "pause")
NETWORK_KINDS = ("partition", "loss")


@dataclass
class Fault:
    at: float                 # seconds after the run's start
    kind: str                 # kill, term, pause, partition, oneway, loss
    hosts: list[int]          # the hosts it hits (for a partition: the minority side)
    until: float              # when it heals (restart, SIGCONT, rules removed)
    params: dict = field(default_factory=dict)

    def describe(self, names: list[str]) -> str:
        who = ",".join(names[i] for i in self.hosts)
        extra = " ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
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
    return faults


def digest(faults: list[Fault]) -> str:
    """A short fingerprint of the plan: two runs with the same seed print the same one."""
    text = json.dumps([asdict(f) for f in faults], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
