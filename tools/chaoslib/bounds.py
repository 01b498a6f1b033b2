"""The time limits the harness checks detection and convergence against.

These are the simulator's bounds (Sources/ChorusSimulator/Invariants/InvariantBounds.swift,
docs/simulator.md) over the preset's settings (Sources/ChorusCore/Membership/MembershipSettings.swift),
computed with the same formulas (MembershipSettings+Formulas.swift). tests/test_bounds.py reads the
Swift source and fails when a preset here drifts from it.

Real processes add what the simulator does not have: the harness only sees a death when it
next polls an observer, so every bound it checks is the protocol's bound plus one poll period
plus the HTTP timeout of that poll (`observed_bound`).
"""

import math
from dataclasses import dataclass

# Seconds; only what the bounds use.
PRESETS = {
    "lan": dict(probe_interval=0.5, gossip_interval=0.1, retransmit_multiplier=4,
                suspicion_multiplier=1.5, suspicion_max_multiplier=6, anti_entropy_interval=10.0),
    "local": dict(probe_interval=0.2, gossip_interval=0.05, retransmit_multiplier=4,
                  suspicion_multiplier=1.5, suspicion_max_multiplier=6, anti_entropy_interval=5.0),
    "wan": dict(probe_interval=3.0, gossip_interval=0.4, retransmit_multiplier=4,
                suspicion_multiplier=3, suspicion_max_multiplier=6, anti_entropy_interval=30.0),
}


@dataclass(frozen=True)
class Bounds:
    detection: float
    convergence: float
    poll_slack: float

    def observed(self, bound: float) -> float:
        """A protocol bound as the harness can check it: one poll later, plus that poll's timeout."""
        return bound + self.poll_slack


def protocol_bounds(preset: str, cluster_size: int, poll_period: float, http_timeout: float) -> Bounds:
    s = PRESETS[preset]
    n = max(cluster_size, 1)
    minimum_suspicion = s["probe_interval"] * s["suspicion_multiplier"] * max(1.0, math.log10(n))
    maximum_suspicion = minimum_suspicion * s["suspicion_max_multiplier"]
    retransmit_limit = s["retransmit_multiplier"] * math.ceil(math.log10(n + 1))
    # Someone probes the dead node within 10 rounds with probability >= 1 - e^-10.
    detection = 10 * s["probe_interval"] + maximum_suspicion + s["gossip_interval"] * retransmit_limit
    convergence = detection + 3 * s["anti_entropy_interval"]
    return Bounds(detection=detection, convergence=convergence, poll_slack=poll_period + http_timeout)
