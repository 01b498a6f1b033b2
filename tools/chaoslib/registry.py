"""What a run has made, on disk where `tools/chaos cleanup` finds it after the harness crashed:
/run/chorus-chaos/PREFIX.json holds the harness's pid and every agent pid it started."""

import json
import os
import signal

from chorustools import hosts

DIR = os.environ.get("CHORUS_CHAOS_REGISTRY", "/run/chorus-chaos" if os.geteuid() == 0 else "/tmp/chorus-chaos")


def _path(prefix: str) -> str:
    return os.path.join(DIR, f"{prefix}.json")


def record(prefix: str, run_dir: str, pids: list[int]) -> None:
    os.makedirs(DIR, exist_ok=True)
    tmp = _path(prefix) + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"harness": os.getpid(), "runDir": run_dir, "pids": pids}, f)
    os.replace(tmp, _path(prefix))


def forget(prefix: str) -> None:
    try:
        os.unlink(_path(prefix))
    except FileNotFoundError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _is_agent(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"agent" in f.read()
    except OSError:
        return False


def cleanup(everything: bool = False) -> list[str]:
    """Removes what runs left behind: those whose harness is gone, or all of them with
    `everything`. Returns what it removed."""
    removed = []
    live_prefixes = set()
    entries = sorted(os.listdir(DIR)) if os.path.isdir(DIR) else []
    for entry in entries:
        if not entry.endswith(".json"):
            continue
        prefix = entry[:-5]
        try:
            with open(_path(prefix)) as f:
                info = json.load(f)
        except (OSError, ValueError):
            info = {"harness": -1, "pids": []}
        if _alive(info["harness"]) and info["harness"] != os.getpid() and not everything:
            live_prefixes.add(prefix)
            continue
        for pid in info.get("pids", []):
            if _alive(pid) and _is_agent(pid):
                for sig in (signal.SIGCONT, signal.SIGKILL):
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        pass
                removed.append(f"agent pid {pid}")
        forget(prefix)
        removed.append(f"registry {prefix}")
    if os.geteuid() == 0:
        for prefix in sorted(hosts.leftover_prefixes() - live_prefixes):
            removed += hosts.destroy_prefix(prefix)
    return removed
