"""Turns raw results into the figures table (plain text and markdown) and a JSON file.

Rows come in a fixed order (figure, then N) so runs can be diffed.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SYSTEMS = ("chorus", "serf")
KEYRING_SUFFIX = "+keyring"  # a column of agents whose gossip is sealed (Chorus) or encrypted (Serf)


def column(system: str, keyring: bool) -> str:
    """A table column: the system, with `+keyring` when its gossip was sealed."""
    return system + (KEYRING_SUFFIX if keyring else "")


def columns(results: dict) -> list[str]:
    """The columns of a run, in the order they ran (older results: chorus, serf)."""
    return results["meta"].get("columns") or list(SYSTEMS)


@dataclass(frozen=True)
class Figure:
    label: str
    target: str  # for Chorus, lan preset, N=25
    value: Callable[[dict], Any]  # raw run result -> value to show
    digits: int = 2


def _seconds_to_ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


def _seen(propagation: dict) -> str:
    return f"{propagation['seen_by']}/{propagation['observers']}"


SIZE_FIGURES = (
    Figure("join convergence (s)", "-", lambda r: r["join_s"]),
    Figure("detection median (s)", "<= 2.5", lambda r: r["death"]["median_s"]),
    Figure("detection max (s)", "<= 3.5", lambda r: r["death"]["max_s"]),
    Figure("detection seen by", "all", lambda r: _seen(r["death"])),
    Figure("graceful leave median (ms)", "<= 300", lambda r: _seconds_to_ms(r["leave"]["median_s"]), 0),
    Figure("graceful leave max (ms)", "-", lambda r: _seconds_to_ms(r["leave"]["max_s"]), 0),
    Figure("graceful leave seen by", "all", lambda r: _seen(r["leave"])),
    Figure("leave reported as dead", "0", lambda r: r["leave"]["reported_dead_instead"], 0),
    Figure("idle RSS per agent, median (MiB)", "<= 15", lambda r: r["idle"]["rss_mib"]["median"], 1),
    Figure("idle PSS per agent, median (MiB)", "-", lambda r: r["idle"]["pss_mib"]["median"], 1),
    Figure("idle anonymous memory per agent, median (MiB)", "-", lambda r: r["idle"]["anonymous_mib"]["median"], 1),
    Figure("idle file-backed RSS per agent, median (MiB)", "-", lambda r: r["idle"]["file_mib"]["median"], 1),
    Figure("idle CPU per agent, median (%)", "<= Serf", lambda r: r["idle"]["cpu_percent"]["median"]),
    Figure("idle UDP datagrams/s per agent, median", "-", lambda r: r["idle"]["udp_datagrams_per_s"]["median"], 1),
    Figure("idle UDP KB/s per agent, median", "<= 1.5", lambda r: r["idle"]["udp_kbytes_per_s"]["median"]),
    Figure("idle TCP KB/s per agent, mean", "-", lambda r: r["idle"]["tcp_kbytes_per_s_mean"]),
    Figure("host CPU busy in idle window (%)", "-", lambda r: r["idle"]["host_cpu_busy_percent"], 1),
)


def _loss_figures(loss: str, duration: float) -> tuple[Figure, ...]:
    return (
        Figure(f"false positives at {loss}% UDP loss ({duration:.0f} s)", "0", lambda r: r["dead_reports"], 0),
        Figure(f"measured UDP drop at {loss}% loss (%)", loss, lambda r: r["measured_drop_percent"], 1),
    )


def _chorus_observation(settings: dict) -> str:
    if settings["chorus_observe"] == "log":
        return "reading each agent's JSON log"
    return f"polling `GET /v1/members` of every agent every {settings['poll_interval'] * 1000:.0f} ms"


def _size(size: int | None) -> str:
    return "-" if size is None else f"{size / 1e6:.1f} MB"


def _cell(figure: Figure, result: dict | None) -> str:
    if result is None:
        return "-"
    if "error" in result:
        return "error"
    try:
        value = figure.value(result)
    except (KeyError, TypeError):
        return "-"
    if value is None:
        return "timeout"
    if isinstance(value, float):
        return f"{value:.{figure.digits}f}"
    return str(value)


def table_rows(results: dict) -> list[list[str]]:
    rows = []
    runs = results["runs"]
    shown = columns(results)
    sizes = sorted({int(n) for per_size in runs.values() for n in per_size})
    for figure in SIZE_FIGURES:
        for n in sizes:
            rows.append([figure.label, str(n)] + [_cell(figure, runs.get(s, {}).get(str(n))) for s in shown] + [figure.target])
    fp = results["false_positives"]
    settings = results["meta"]["settings"]
    for loss in sorted({loss for per_loss in fp.values() for loss in per_loss}, key=int):
        for figure in _loss_figures(loss, settings["loss_duration"]):
            cells = [_cell(figure, fp.get(s, {}).get(loss)) for s in shown]
            rows.append([figure.label, str(settings["loss_size"])] + cells + [figure.target])
    return rows


def header(results: dict) -> list[str]:
    return ["figure", "N", *columns(results), "target"]


def plain_table(results: dict) -> str:
    head = header(results)
    rows = [head] + table_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown(results: dict) -> str:
    meta = results["meta"]
    lines = [
        "# Chorus and Serf, side by side",
        "",
        f"Measured {meta['date']} on {meta['host']} (kernel {meta['kernel']}, {meta['cpus']} CPUs) "
        f"by `tools/bench/bench.py`; raw numbers in `{meta['json_name']}`.",
        "",
        f"- Chorus: `{meta['chorus_binary'] or 'not run'}` ({meta['chorus_version'] or '-'}), preset "
        f"`{meta['settings']['preset']}`, observed by {_chorus_observation(meta['settings'])}",
        f"- Serf: `{meta['serf_binary'] or 'not run'}` ({meta['serf_version'] or '-'}), default (lan) profile",
        f"- Binary size: Chorus {_size(meta.get('chorus_binary_bytes'))}, Serf {_size(meta.get('serf_binary_bytes'))}",
        *([KEYRING_NOTE] if any(c.endswith(KEYRING_SUFFIX) for c in columns(results)) else []),
        f"- Command: `{meta['command']}`",
        *([f"- Loss runs: N={meta['settings']['loss_size']}, {meta['settings']['loss_duration']:.0f} s each, "
           f"UDP dropped on the nftables `{meta['settings']['loss_hook']}` hook"] if results["false_positives"] and any(results["false_positives"].values()) else []),
        "",
        "| " + " | ".join(header(results)) + " |",
        "|" + "|".join(["---", "--:", *["--:"] * len(columns(results)), "---"]) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(results)]
    lines += ["", "Targets are for Chorus with the lan preset at N=25.", "", "## Method", ""]
    lines += [f"- {note}" for note in METHOD_NOTES]
    failures = errors(results)
    if failures:
        lines += ["", "## Errors", ""] + [f"- {failure}" for failure in failures]
    return "\n".join(lines) + "\n"


KEYRING_NOTE = (
    f"- `{KEYRING_SUFFIX}` columns: every Chorus agent reads one shared `[gossip] keyring_file` holding one "
    "32-byte key (every datagram sealed with XChaCha20-Poly1305, 52 bytes more); every Serf agent is started "
    "with `-encrypt` and the same 32 bytes (memberlist's AES-256-GCM on every datagram and push-pull stream)"
)

METHOD_NOTES = (
    "All agents of a run share one fresh network namespace and its loopback; runs are sequential, "
    "so the two systems never compete for the CPUs.",
    "Join convergence: the seed is started and answers first; the clock starts when the other agents "
    "are started, each joining the seed, and stops when every agent reports every other agent alive.",
    "Views: Chorus by polling every agent's `GET /v1/members` (a reported time is when the answer arrived) "
    "or by reading its JSON log (see above); Serf from each agent's log line `serf: EventMember...`, "
    "timestamped on arrival. Serf's event handlers are not used because the agent coalesces member "
    "events (3 s / 1 s quiescent) before running them. Polling costs the Chorus agents CPU; on a small "
    "machine with many agents that slows them down.",
    "Sudden death: `kill -9` of the last agent; delay until each survivor reports it dead (Serf: failed).",
    "Graceful leave: the next agent is asked to leave (Chorus: SIGTERM; Serf: SIGINT, its graceful "
    "leave signal); delay until each other live agent reports it left.",
    "With `--repeats R` (R in the JSON settings), R deaths and R leaves alternate, each on another agent "
    "from the end of the list, so N is the size at the start; median and max pool every observer's delay.",
    "Idle cost: after convergence and a settle period, over the idle window and with nobody polling: "
    "CPU from /proc/PID/stat (utime+stime), memory from /proc/PID/smaps_rollup at the end of the window "
    "(RSS; PSS, which splits pages shared by the N agents of one binary among them; anonymous: heap and stacks; "
    "file-backed: RSS less anonymous, the binary and libraries), UDP sent from each agent's gossip "
    "port counted by nftables (bytes include IP and UDP headers); TCP to or from gossip ports (state sync) "
    "counted for the cluster and divided by N.",
    "False positives: a converged cluster, then nftables drops the given share of all UDP packets at random "
    "on arrival (input hook, so senders see no error, as on a lossy link; this kernel has no netem); TCP is "
    "not dropped, which favours Serf, whose failed probes fall back to TCP. Counted: every report of a member as dead during the "
    "loss window and a grace period after it, while every agent is alive.",
)


def errors(results: dict) -> list[str]:
    found = []
    for section in ("runs", "false_positives"):
        for system, per_key in results[section].items():
            for key, result in per_key.items():
                if result and "error" in result:
                    found.append(f"{system} {section} {key}: {result['error']}")
    return found


def write(results: dict, markdown_path: str, json_path: str) -> None:
    with open(markdown_path, "w") as out:
        out.write(markdown(results))
    with open(json_path, "w") as out:
        json.dump(results, out, indent=2, sort_keys=True)
        out.write("\n")
