"""The live progress line and the end-of-run report (JSON and markdown)."""

import json
import os
import sys
import time

from . import schedule

MARKDOWN_LOG_LINES = 300
DELAY = "delay: this kernel has no netem and the agent has no delay option; the harness injects no latency"
BUDGET = ("10 budget at a grant: a member out of service for less than 10 s before it (news its holder may not "
          "have had), grants whose holder's polls leave a gap it could have changed its view in, and grants whose "
          "holder was cut off by a partition or loss (their value can be decided after the heal); slots held "
          "between two polls only are never listed (the log's own limit bounds them)")
NOT_CHECKED = [
    "8 integrity: without the hostile kinds (replay,reflect,flood,insider) the harness sends no forged, "
    "unsigned or replayed datagrams, so its integrity checks (incarnations never back nor out of range) only "
    "watch (the simulator and Tests/ChorusCoreTests/IntegrityTests.swift cover it)",
    BUDGET,
    DELAY,
]
NOT_CHECKED_HOSTILE = [
    "8 integrity beyond what the endpoints show: the harness sees incarnations, statuses, decisions and "
    "detection times; a forged or replayed datagram that changed state no endpoint reports would go unseen "
    "(the simulator and Tests/ChorusCoreTests/IntegrityTests.swift cover the core)",
    BUDGET,
    DELAY,
]


class Progress:
    def __init__(self, duration: float) -> None:
        self.duration = duration
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def line(self, t: float, run) -> str:
        injected = sum(run.injected.values())
        kinds = " ".join(f"{k} {v}" for k, v in sorted(run.injected.items()))
        sample = next((s for s in run.checker.latest.values() if s[2]), None)
        state = f"{sample[2].get('state')} {sample[2].get('clusterVersion')}" if sample else "?"
        commands = sum(sum(a.answers.values()) for a in (run.operator, run.rollout_operator) if a)
        return (f"[{t:6.0f}s/{self.duration:.0f}s] faults {injected} ({kinds}) | commands {commands} | {state} | "
                f"checks {sum(run.checker.checks.values())} | violations {len(run.checker.violations)}")

    def show(self, t: float, run) -> None:
        if self.tty and t - self.last >= 1:
            print("\r\033[K" + self.line(t, run), end="", file=sys.stderr, flush=True)
            self.last = t
        elif not self.tty and t - self.last >= 15:
            print(self.line(t, run), file=sys.stderr, flush=True)
            self.last = t

    def done(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def _r(value):
    return round(value, 3) if isinstance(value, float) else value


def build(run) -> dict:
    checker = run.checker
    names = [a.name for a in run.agents]
    violations = []
    for v in checker.violations:
        hosts = [names.index(n) for n in v["agents"] if n in names][:4]
        violations.append(dict(v, events={names[h]: checker.excerpt(h, v["t"] - 30, v["t"] + 5) for h in hosts},
                               logTail={names[h]: run.agents[h].log_tail(12) for h in hosts}))
    finished = sorted(v for v in checker.finished_versions if v)
    operator = run.operator
    figures = {k: {kk: _r(vv) for kk, vv in v.items()} for k, v in checker.figures().items()}
    return {
        "command": " ".join(sys.argv),
        "seed": run.args.seed,
        "nodes": run.args.nodes,
        "durationSeconds": run.args.duration,
        "ranSeconds": round(run.end_time, 1),
        "startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(getattr(run, "started_wall", time.time()))),
        "hosts": run.hosts.kind,
        "preset": run.args.preset,
        "binary": run.args.binary,
        "faultKinds": run.kinds,
        "planDigest": schedule.digest(run.plan),
        "bounds": {"detection": _r(run.bounds.detection), "convergence": _r(run.bounds.convergence),
                   "pollSlack": _r(run.bounds.poll_slack)},
        "faultsInjected": dict(sorted(run.injected.items())),
        "faultsSkipped": dict(sorted(run.skipped.items())),
        "operatorCommands": {f"{k[0]} {k[1]}": v for a in (operator, run.rollout_operator) if a
                             for k, v in sorted(a.answers.items(), key=str)},
        "maintenanceSupported": operator.maintenance_supported if operator else None,
        "decisionLogReadable": checker.decisions_supported,
        "upgradesCompleted": len(finished),
        "versionsReached": finished,
        "taskRunsStarted": len(checker.tasks.runs),
        "taskRunsCompleted": sum(checker.tasks.completed.values()),
        "decisionsSeen": len(checker.reference),
        "polls": run.observer.polls,
        "checks": dict(sorted(checker.checks.items())),
        "figures": figures,
        "convergence": checker.convergence_times,
        "rollouts": dict(run.rollout_operator.figures() if run.rollout_operator else {}, **checker.budget.figures()),
        "notes": run.notes + ([] if checker.decisions_supported else
                              ["agreement (1) and proofs (3) unchecked: the agent does not serve GET /v1/decisions"])
        + ([] if operator is None or operator.maintenance_supported is not False else
           ["maintenance commands skipped: the agent answers 404 on /v1/maintenance"]),
        "notChecked": NOT_CHECKED_HOSTILE if run.hostile else NOT_CHECKED,
        "hostile": run.hostile.figures if run.hostile else None,
        "reflections": checker.reflections,
        "violations": violations,
        "faults": [f"{at:8.3f} {text}" for at, text in run.history.log],
    }


def _figure(summary: dict) -> str:
    if not summary.get("count"):
        return "none measured"
    return (f"median {summary['median']:.2f} s, p99 {summary['p99']:.2f} s, max {summary['max']:.2f} s "
            f"({summary['count']} samples)")


def rollouts_markdown(d: dict) -> list[str]:
    """Rollouts, FleetLock slots and what invariant 10's checks saw of them."""
    r = d.get("rollouts")
    if not r:
        return []
    seen = r["eventsAtBusiestAgent"]
    lines = ["", "## Rollouts and the disruption budget", ""]
    if "rolloutsStarted" in r:
        lines.append(f"- operator: {r['rolloutsStarted']} rollouts started, {r['pauses']} paused, {r['resumes']} resumed, "
                     f"{r['aborts']} aborted, {r['releases']} slots released; FleetLock {r['rebootLocks']} locks taken "
                     f"(or held again), {r['rebootLocksRefused']} refused, {r['rebootUnlocks']} unlocks")
    lines += ["- events at the agent that emitted most of each: " + ", ".join(f"{k} {v}" for k, v in seen.items()),
              f"- slot terms listed in polls: {r['slotTermsSeen']} ("
              + (", ".join(f"{k} {v}" for k, v in r["slotTermsByPurpose"].items()) or "none") + ")",
              f"- grants decided in the log: {r['grantsDecided']}; judged against the holder's view: "
              f"{r['grantsJudged']}, excused by a network fault {r['grantsExcusedByNetworkFaults']}, not judged (the "
              f"holder's samples did not cover the window) {r['grantsUnjudged']}"]
    return lines


def hostile_markdown(d: dict) -> list[str]:
    """What the hostile faults sent and what it cost, when there were any."""
    h = d.get("hostile")
    if not h:
        return []
    lines = ["", "## Hostile faults", ""]
    replays = [r for r in h["replay"] if r.get("sent")]
    lines.append(f"- replay: {len(replays)} replays, {sum(r['sent'] for r in replays)} captured datagrams sent "
                 f"again from other hosts' addresses ({sum(1 for r in replays if r['of'] != 'any')} of them a killed "
                 "host's own, during its detection)")
    ratios = d["figures"].get("reflectionRatio", {})
    if d.get("reflections"):
        lines.append(f"- reflect: {len(d['reflections'])} reflections, bytes to the victim's address / bytes sent "
                     f"in its name: max {ratios['max']:.2f}, median {ratios['median']:.2f} (must be at most 1)")
        lines += ["", "| at | victim | sent in its name (B) | reached it (B) | ratio | how |", "|---|---|---|---|---|---|"]
        lines += [f"| {r['t']:.1f} s | {r['victim']} | {r['injected']} | {r['received']} | {r['ratio']} | {r['detail']} |"
                  for r in d["reflections"]]
    if h["flood"]:
        lines += ["", "| flood at | victim | style | rate/s | sent (s) | victim CPU % | victim's rejections |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {f['t']:.1f} s | {f['victim']} | {f['style']} | {f['rate']} | {f['sent']} ({f['seconds']}) | "
                  f"{f['victimCpuPercent']} | {', '.join(f'{k} {v}' for k, v in f['rejected'].items()) or '-'} |"
                  for f in h["flood"]]
    if h["insider"]:
        lines += ["", "| insider at | insider | lie | victim | incarnation held / named | sent to | receivers' refusals, 2 s after "
                  "| suspected by / victim's incarnation after |", "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {i['t']:.1f} s | {i['insider']} | {i['lie']}{' (' + i['kind'] + ')' if 'kind' in i else ''} | "
                  f"{i.get('victim', i['insider'])} | {i['heldIncarnation']} / {i['namedIncarnation']} | {i['to']} | "
                  f"{', '.join(f'{k} {v}' for k, v in i.get('refused', {}).items()) or '-'} | "
                  f"{str(i['suspectedBy']) + ' / ' + str(i['victimIncarnationAfter']) if 'suspectedBy' in i else '-'} |"
                  for i in h["insider"]]
    return lines


def markdown(d: dict) -> str:
    lines = [f"# Chaos run: seed {d['seed']}, {d['nodes']} nodes, {d['durationSeconds']:.0f} s",
             "",
             f"`{d['command']}`",
             "",
             f"Started {d['startedAt']}, ran {d['ranSeconds']} s; hosts: {d['hosts']}; preset {d['preset']}; "
             f"fault kinds {', '.join(d['faultKinds'])}; plan {d['planDigest']}.",
             f"Bounds: detection {d['bounds']['detection']} s, convergence {d['bounds']['convergence']} s, "
             f"each checked with {d['bounds']['pollSlack']} s more for the harness's polling.",
             "",
             f"**Violations: {len(d['violations'])}**",
             "", "## Faults injected", "", "| kind | count |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in d["faultsInjected"].items()]
    if d["faultsSkipped"]:
        lines += ["", "Skipped (the host was already down or restarting): "
                  + ", ".join(f"{k} {v}" for k, v in d["faultsSkipped"].items())]
    lines += ["", "## Operator commands", "", "| command and answer | count |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in d["operatorCommands"].items()]
    lines += ["", f"Upgrades completed: {d['upgradesCompleted']} ({', '.join(d['versionsReached']) or 'none'}); "
              f"task runs started {d['taskRunsStarted']}, completed {d['taskRunsCompleted']}; "
              f"decisions seen {d['decisionsSeen']}; polls {d['polls']}.",
              "", "## Figures", "",
              f"- sudden-death detection, until every live agent reports it dead: {_figure(d['figures']['detectionEveryone'])}",
              f"- the same per observer: {_figure(d['figures']['detectionEachObserver'])}",
              f"- convergence after a partition heals: {_figure(d['figures']['convergenceAfterPartition'])}",
              f"- convergence after any fault heals: {_figure(d['figures']['convergenceAfterAnyFault'])}",
              "", "Times are as the harness sees them: up to one poll period (0.5 s) late.",
              *rollouts_markdown(d),
              *hostile_markdown(d),
              "", "## Checks", "", "| invariant | checks |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in d["checks"].items()]
    lines += ["", "Not checked:", ""] + [f"- {n}" for n in d["notChecked"]]
    if d["notes"]:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in d["notes"]]
    lines += ["", "## Violations", ""]
    if not d["violations"]:
        lines.append("None.")
    for v in d["violations"]:
        lines += [f"### {v['t']:.3f} s: {v['invariant']}", "", v["message"], ""]
        for agent, events in v["events"].items():
            lines += [f"Events at {agent} (30 s before to 5 s after):", "", "```"] + (events or ["(none)"]) + ["```", ""]
        for agent, tail in v["logTail"].items():
            lines += [f"Last log lines of {agent}:", "", "```"] + (tail or ["(none)"]) + ["```", ""]
    shown = d["faults"][-MARKDOWN_LOG_LINES:]
    lines += ["", "## Fault and operator log", ""]
    if len(shown) < len(d["faults"]):
        lines += [f"The last {len(shown)} of {len(d['faults'])} lines; all of them are in the JSON report.", ""]
    lines += ["```"] + shown + ["```", ""]
    return "\n".join(lines)


def write(d: dict, base: str) -> list[str]:
    base = base[:-3] if base.endswith(".md") else base[:-5] if base.endswith(".json") else base
    os.makedirs(os.path.dirname(os.path.abspath(base)), exist_ok=True)
    with open(base + ".json", "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")
    with open(base + ".md", "w") as f:
        f.write(markdown(d))
    return [base + ".md", base + ".json"]


def verdict(d: dict, paths: list[str]) -> str:
    head = "chaos: CLEAN" if not d["violations"] else f"chaos: {len(d['violations'])} VIOLATION(S)"
    lines = [f"{head} (seed {d['seed']}); faults {sum(d['faultsInjected'].values())}, "
             f"checks {sum(d['checks'].values())}, upgrades completed {d['upgradesCompleted']}; report {paths[0]}"]
    for v in d["violations"][:10]:
        lines.append(f"  {v['t']:.1f}s {v['invariant']}: {v['message']}")
    return "\n".join(lines)
