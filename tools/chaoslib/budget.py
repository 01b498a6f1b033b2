"""SPEC §11 invariant 10, the disruption budget, judged from outside: from every agent's
`/v1/rollout` (the slots its log holds: holder, purpose, term; the budget), `/v1/members` (who it
sees out of service) and decision log (every grant decided), polled, and its slot and rollout
events, counted.

- one holder per term: no agent lists two slots of one term or two slots of one holder, and
  every agent that lists a term names the same holder and purpose for it;
- slots within the budget: when a term is first listed, the slots of lower terms still held,
  plus it, are at most the budget in force around its grant;
- out of service at the grant, as the holder saw it: the holder alone judges a grant (its own
  turn, or a FleetLock client's request to it), so for every grant the log decides, the members
  the holder itself reported out of service (not alive, draining or leaving, application
  unhealthy, holding a slot) in every one of its samples from `GRANT_LOOKBACK` seconds before
  the grant was first seen to `AFTER_GRANT` seconds after, plus the new slot, must be within the
  budget.

Polls are up to a period stale and a decision may land seconds after its proposer judged it, so
the last check is conservative: a member counts only when the holder's own samples show it out
all along the window, before the grant and after it (so it was out when the holder judged), and
the window must be covered by those samples (no pause of the holder); a grant whose holder was
cut off by a partition or lost packets in the window is excused (its value, accepted only on its
side, can be decided after the heal, in a view that has changed). It judges grants the log voids
too (a stale term, a budget spent by a grant decided first): the holder proposed them, so its
view had to allow them. A slot granted and released between two polls is never listed, so the
first two checks miss it; the third does not.
"""

from collections import Counter, deque

from chorustools import events

INVARIANT = "budget"
# The decision wait of a command (5 s), an acceptor's recovery of an undecided value (2 s), a
# poll period and an HTTP timeout, rounded up: the holder judged the grant within this long
# before any agent's poll first showed it.
GRANT_LOOKBACK = 10.0
# A holder's sample this long after the grant was first seen was read after the grant (a poll
# reads five paths, each within an HTTP timeout): what it shows out was out when the holder judged.
AFTER_GRANT = 3.5
MAX_SAMPLE_GAP = 2.5       # a window with a longer gap in the holder's samples is not judged
VIEW_HISTORY = 60.0        # how long each agent's views are kept
ACTIVE_ROLLOUT = ("running", "paused", "halted")
COUNTED_EVENTS = (events.SLOT_GRANTED, events.SLOT_RELEASED, events.ROLLOUT_STARTED, events.ROLLOUT_NODE_STARTED,
                  events.ROLLOUT_NODE_DONE, events.ROLLOUT_NODE_FAILED, events.ROLLOUT_HALTED, events.ROLLOUT_FINISHED)


def budget_in_force(rollout: dict) -> int:
    """`AgreedState.maxUnavailable` as `/v1/rollout` shows it: the plan's while a rollout is
    under way, 1 once it finished or was aborted, the log's own figure when there was none."""
    state = rollout.get("state")
    if state in ACTIVE_ROLLOUT or state == "none":
        return int(rollout.get("maxUnavailable") or 1)
    return 1


def decode_grant(value: str) -> tuple[str, int, str] | None:
    """(holder id, term, purpose) of a `grant-slot` decision's wire encoding (`DecisionValue`:
    its tag, then `DisruptionSlot`: the holder's 32-byte id, the term as a big-endian UInt32, the
    purpose tag 1 reboot or 2 rollout)."""
    raw = bytes.fromhex(value)
    if len(raw) < 38:
        return None
    return raw[1:33].hex(), int.from_bytes(raw[33:37], "big"), {1: "reboot", 2: "rollout"}.get(raw[37], "?")


def out_of_service(members: dict, voters: list[str]) -> set[str]:
    """The voters a members list shows out of service, as `DisruptionBudget.outOfService` counts
    them: not alive, not serving (draining, leaving), or failing their application check."""
    out = set()
    for name in voters:
        m = members.get(name)
        if m and (m.get("status") != "alive" or m.get("serving", "serving") != "serving"
                  or m.get("health") == "unhealthy"):
            out.add(name)
    return out


class BudgetCheck:
    """Fed by the `Checker` (under its lock) with each agent's samples and events."""

    def __init__(self, checker) -> None:
        self.checker = checker
        self.views: dict[int, deque] = {}          # host -> (t, names out of service or holding a slot)
        self.names: dict[str, str] = {}            # member id -> name
        self.budgets: deque = deque()              # (t, budget in force) as any agent reported it, and starts asked
        self.terms: dict[int, dict] = {}           # term -> holder, purpose, client, first seen where and when
        self.events: dict[int, Counter] = {}       # host -> rollout and slot events it emitted, all lives
        self.grants_decided = 0
        self.pending: list[dict] = []              # grants waiting for a sample of their holder after them
        self.excused = 0
        self.unjudged = 0

    # -- inputs -----------------------------------------------------------------------------------

    def on_start(self, t: float, max_unavailable: int) -> None:
        """The operator asks for a rollout with this budget: count it as in force from now on."""
        self.budgets.append((t, max_unavailable))

    def on_view(self, host: int, t: float, members: dict, voters: list[str], rollout: dict | None) -> None:
        """One sample of `host`: whom it sees out of service, holders of the slots its log holds included."""
        for name, m in members.items():
            if m.get("id"):
                self.names[m["id"]] = name
        out = out_of_service(members, voters) | {self._name(s["holder"]) for s in (rollout or {}).get("slots") or []}
        view = self.views.setdefault(host, deque())
        view.append((t, out))
        while view and view[0][0] < t - VIEW_HISTORY:
            view.popleft()
        for grant in [g for g in self.pending if g["host"] == host and t >= g["t"] + AFTER_GRANT]:
            self.pending.remove(grant)
            self._check_grant(grant, t)

    def on_event(self, host: int, name: str) -> None:
        if name in COUNTED_EVENTS:
            self.events.setdefault(host, Counter())[name] += 1

    def on_rollout(self, host: int, t: float, rollout: dict) -> None:
        self.budgets.append((t, budget_in_force(rollout)))
        while self.budgets and self.budgets[0][0] < t - VIEW_HISTORY:
            self.budgets.popleft()
        slots = [dict(s, holder=self._name(s["holder"])) for s in rollout.get("slots") or []]
        self._check_one_holder_per_term(host, t, slots)
        for slot in slots:
            if slot["term"] not in self.terms:
                self.terms[slot["term"]] = dict(holder=slot["holder"], purpose=slot["purpose"],
                                                client=slot.get("client"), seenAt=self.checker.names[host], t=t)
                self._check_slots(t, slot, [s for s in slots if s["term"] < slot["term"]])

    def on_decision(self, t: float, decision: dict) -> None:
        """A slot of the decision log seen for the first time: a grant is judged against its holder's view."""
        if decision.get("decision") != "grant-slot":
            return
        grant = decode_grant(decision["value"])
        if grant is None:
            return
        holder_id, term, purpose = grant
        self.grants_decided += 1
        holder = self.names.get(holder_id, holder_id[:16])
        if holder not in self.checker.index:
            self.unjudged += 1
            return
        self.pending.append(dict(t=t, term=term, holder=holder, host=self.checker.index[holder], purpose=purpose,
                                 slot=decision["slot"]))

    def _name(self, holder: str) -> str:
        """A member's name: an agent names a member it holds no name for by its id's first 16 hex
        digits (`displayName`), which must not pass for another holder."""
        if holder in self.checker.index:
            return holder
        return next((name for member_id, name in self.names.items() if member_id.startswith(holder)), holder)

    # -- checks -----------------------------------------------------------------------------------

    def _violate(self, t: float, message: str, names: list[str], key) -> None:
        hosts = [self.checker.index[n] for n in names if n in self.checker.index]
        self.checker.violate(t, INVARIANT, message, hosts, key=key)

    def _check_one_holder_per_term(self, host: int, t: float, slots: list[dict]) -> None:
        me = self.checker.names[host]
        self.checker.checks["budget one holder per term"] += 1
        holders = Counter(s["holder"] for s in slots)
        terms = Counter(s["term"] for s in slots)
        for holder, n in holders.items():
            if n > 1:
                self._violate(t, f"{me} lists {n} slots held by {holder}", [me, holder], ("10h", me, holder))
        for term, n in terms.items():
            if n > 1:
                self._violate(t, f"{me} lists {n} slots of term {term}", [me], ("10t", me, term))
        for s in slots:
            first = self.terms.get(s["term"])
            if first and (first["holder"], first["purpose"]) != (s["holder"], s["purpose"]):
                self._violate(t, f"slot term {s['term']} is held by {s['holder']} ({s['purpose']}) at {me}, by "
                              f"{first['holder']} ({first['purpose']}) at {first['seenAt']} ({first['t']:.1f}s)",
                              [me, s["holder"], first["holder"], first["seenAt"]], ("10a", s["term"], me))

    def _budget_around(self, t: float) -> int:
        """The largest budget any agent reported, or the operator asked for, in the lookback window."""
        return max([1] + [b for when, b in self.budgets if t - GRANT_LOOKBACK <= when <= t])

    def _check_slots(self, t: float, slot: dict, before: list[dict]) -> None:
        """A term listed for the first time: with the slots of lower terms still held, within the budget."""
        budget = self._budget_around(t)
        self.checker.checks["budget slots"] += 1
        if len(before) + 1 > budget:
            listed = ", ".join(f"{s['holder']} term {s['term']}" for s in before)
            self._violate(t, f"slot term {slot['term']} granted to {slot['holder']} while {len(before)} slots were "
                          f"held ({listed}); budget {budget}", [slot["holder"]] + [s["holder"] for s in before],
                          ("10b", slot["term"]))

    def _check_grant(self, grant: dict, until: float) -> None:
        """A grant first seen at `grant["t"]`, judged with its holder's samples up to `until`: the
        members it saw out of service all along, plus the new slot, within the budget."""
        t, holder = grant["t"], grant["holder"]
        if self.checker.history.cut_off(grant["host"], t - GRANT_LOOKBACK, t):
            self.excused += 1
            return
        samples = self.views.get(grant["host"], ())
        before = [sample for sample in samples if sample[0] < t - GRANT_LOOKBACK][-1:]
        window = before + [(when, out) for when, out in samples if t - GRANT_LOOKBACK <= when <= until]
        out = self._out_all_along(grant["host"], t - GRANT_LOOKBACK, until, window)
        if out is None:
            self.unjudged += 1
            return
        out.discard(holder)
        budget = self._budget_around(t)
        self.checker.checks["budget at grant"] += 1
        if len(out) + 1 > budget:
            self._violate(t, f"slot term {grant['term']} ({grant['purpose']}; log slot {grant['slot']}) granted to "
                          f"{holder} while {holder} reported {', '.join(sorted(out))} out of service or holding a "
                          f"slot from {GRANT_LOOKBACK:.0f} s before to {until - t:.1f} s after; budget {budget}",
                          [holder] + sorted(out), ("10c", grant["slot"]))

    def _out_all_along(self, host: int, since: float, until: float, window: list) -> set[str] | None:
        """The members `host` reported out of service in every sample of `window` (its last sample
        before `since`, then those up to `until`). Where its samples leave a gap (it was paused, or
        slow to answer), a member it reported out at the gap's start counts only if it was down the
        whole gap (killed, stopped, paused: it could not come back in `host`'s view); None when that
        cannot be judged (no sample near `since`, or `host` restarted meanwhile: a new view)."""
        if not window or window[0][0] > since + MAX_SAMPLE_GAP:
            return None
        times = [when for when, _ in window]
        gaps = [(a, b) for a, b in zip(times, times[1:]) if b - a > MAX_SAMPLE_GAP]
        if gaps and self.checker.history.restarted(host, since, until):
            return None
        history = self.checker.history
        return {name for name in set.intersection(*(out for _, out in window))
                if all(name in self.checker.index and history.down_throughout(self.checker.index[name], a, b)
                       for a, b in gaps)}

    # -- report -----------------------------------------------------------------------------------

    def figures(self) -> dict:
        """Slot terms seen and how many were judged; rollout and slot events at the agent that
        emitted the most of each (a restarted agent misses what was decided while it was down)."""
        most = {name: max((c[name] for c in self.events.values()), default=0) for name in COUNTED_EVENTS}
        purposes = Counter(v["purpose"] for v in self.terms.values())
        return {"slotTermsSeen": len(self.terms), "slotTermsByPurpose": dict(purposes),
                "grantsDecided": self.grants_decided, "grantsJudged": self.checker.checks["budget at grant"],
                "grantsExcusedByNetworkFaults": self.excused, "grantsUnjudged": self.unjudged + len(self.pending),
                "eventsAtBusiestAgent": most}
