#!/usr/bin/env python3
"""Zero downtime, measured (issue 18): N hosts on loopback, each running the example application
(examples/rolling-app) beside its agent, HAProxy in front configured as deploy/haproxy/haproxy.cfg
recommends (checks on each agent's /v1/health/lb, retries and redispatch), and a load generator
sending requests through HAProxy for the whole upgrade. Each way of upgrading gets a fresh cluster:

  rollout       chorus rollout start --to 1.1.0 (drain, node command, healthy, undrain, next)
  all-at-once   every host's application restarted on 1.1.0 at the same moment
  one-by-one    each host's application restarted in turn, 3 s apart, without draining
  broken        chorus rollout to a release whose health check fails: it halts, rolled back

Prints a Markdown table: requests sent and failed (a non-200 answer or no answer), per way.
With --check (CI, tools/test) it is a test: it exits 1 unless each `chorus rollout` way failed no
request and ended as it must (finished on 1.1.0; halted and rolled back to 1.0.0).
Usage: tools/bench/rollout_load.py [--nodes 3] [--rate 250] [--chorus-bin PATH] [--ways rollout,...]
                                   [--healthy-deadline 30] [--check]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from chorustools import agents  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
APP = os.path.join(REPO, "examples", "rolling-app")
DRAIN_SECONDS = 6  # HAProxy takes a drained node out within 2 checks of 2 s
HEALTHY_SECONDS = 2


class Host:
    def __init__(self, index: int, work: str, base: int) -> None:
        self.name = f"node-{index + 1}"
        self.dir = os.path.join(work, self.name)
        self.app_port, self.gossip_port, self.http_port = base + 3 * index, base + 3 * index + 1, base + 3 * index + 2
        os.makedirs(os.path.join(self.dir, "app"), exist_ok=True)

    @property
    def app_env(self) -> str:
        return f"APP_DIR={self.dir}/app APP_PORT={self.app_port}"

    def upgrade(self, version: str) -> subprocess.Popen:
        """upgrade.sh, as a node command would run it (and as a naive operator does)."""
        return subprocess.Popen(["/bin/sh", "-c", f"{self.app_env} sh {APP}/upgrade.sh {version}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def configuration(self, healthy_deadline: int) -> str:
        upgrade = f"{APP}/upgrade.sh"
        return "\n".join([
            "[app]", f'version_command = "curl -fsS http://127.0.0.1:{self.app_port}/version"',
            f'health_url = "http://127.0.0.1:{self.app_port}/health"', 'check_interval = "500ms"', "",
            "[rollout]", f'node_command = "{self.app_env} sh {upgrade}"',
            f'rollback_command = "{self.app_env} sh {upgrade} \\"$CHORUS_ROLLOUT_FROM\\""',
            f"drain_seconds = {DRAIN_SECONDS}", f"healthy_seconds = {HEALTHY_SECONDS}", f"healthy_deadline = {healthy_deadline}", ""])

    def command_seconds(self) -> float:
        """How long this host's node and rollback commands ran, from its agent's log."""
        with open(os.path.join(self.dir, "agent.log"), errors="replace") as file:
            lines = [line for line in file if "rollout command ended" in line]
        return sum(float(found) for line in lines for found in re.findall(r"\bseconds=([0-9.]+)", line))


def get(port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait(condition, seconds: float, what: str) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"rollout_load: timed out waiting for {what}")


def haproxy_configuration(hosts: list[Host], frontend: int) -> str:
    """deploy/haproxy/haproxy.cfg with this run's bind address and server lines."""
    lines, placed = [], {"app": False, "agent": False}
    with open(os.path.join(REPO, "deploy", "haproxy", "haproxy.cfg")) as file:
        for line in file.read().splitlines():
            words = line.split()
            if words[:1] == ["bind"]:
                lines.append(f"    bind 127.0.0.1:{frontend}")
            elif words[:1] == ["server"]:
                kind = "agent" if words[2].endswith(":7721") else "app"
                if not placed[kind]:
                    placed[kind] = True
                    options = " ".join(words[3:])
                    for host in hosts:
                        port = host.http_port if kind == "agent" else host.app_port
                        lines.append(f"    server {host.name} 127.0.0.1:{port} " + options.replace("port 7721", f"port {host.http_port}"))
            else:
                lines.append(line.replace("/etc/haproxy/chorus-maintenance.html", os.path.join(REPO, "deploy", "maintenance.html"))
                             .replace("log stdout format raw local0 info", "log stdout format raw local0 warning"))
    return "\n".join(lines) + "\n"


class Load:
    """Requests through HAProxy at `rate` per second, each on a new connection, until stopped."""

    def __init__(self, port: int, rate: int, workers: int = 16) -> None:
        self.port, self.interval, self.workers = port, workers / rate, workers
        self.sent = self.failed = 0
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(workers)]

    def work(self) -> None:
        next_at = time.time()
        while self.running:
            try:
                status, _ = get(self.port, "/", timeout=5)
                ok = status == 200
            except (OSError, http.client.HTTPException):  # refused, reset, cut short
                ok = False
            with self.lock:
                self.sent += 1
                self.failed += 0 if ok else 1
            next_at += self.interval
            time.sleep(max(0.0, next_at - time.time()))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> tuple[int, int]:
        self.running = False
        for thread in self.threads:
            thread.join()
        return self.sent, self.failed


def run_way(way: str, nodes: int, rate: int, binary: str, healthy_deadline: int) -> dict:
    work = tempfile.mkdtemp(prefix=f"chorus-rollout-{way}-")
    # Below the ephemeral range: the load leaves thousands of client ports in TIME_WAIT there.
    base = 20000 + (os.getpid() * 7 + nodes * 101 + int(time.time())) % 10000
    hosts = [Host(index, work, base) for index in range(nodes)]
    frontend = base + 3 * nodes + 10
    processes: list[subprocess.Popen] = []
    try:
        for host in hosts:
            host.upgrade("1.0.0").wait()
            with open(os.path.join(host.dir, "app", "broken"), "w") as file:
                file.write("1.2.0\n")
        for host in hosts:
            wait(lambda host=host: get(host.app_port, "/version")[1].strip() == b"1.0.0", 15, f"{host.name}'s application")
        trust = os.path.join(work, "trust")
        agents.init_trust(binary, trust)
        for index, host in enumerate(hosts):
            with open(os.path.join(host.dir, "chorus.toml"), "w") as file:
                file.write(host.configuration(healthy_deadline))
            argv = agents.agent_arguments(
                binary, host.name, f"127.0.0.1:{host.gossip_port}", f"127.0.0.1:{host.http_port}", os.path.join(host.dir, "data"),
                trust, version=None, joins=[] if index == 0 else [f"127.0.0.1:{hosts[0].gossip_port}"])
            processes.append(agents.spawn(argv, os.path.join(host.dir, "agent.log"),
                                          env={"CHORUS_CONFIG": os.path.join(host.dir, "chorus.toml")}))
        wait(lambda: all(get(h.http_port, "/v1/health/lb")[0] == 200 for h in hosts)
             and len(json.loads(get(hosts[0].http_port, "/v1/cluster")[1])["voters"]) == nodes, 60, "the cluster")
        with open(os.path.join(work, "haproxy.cfg"), "w") as file:
            file.write(haproxy_configuration(hosts, frontend))
        processes.append(subprocess.Popen(["haproxy", "-f", os.path.join(work, "haproxy.cfg")], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
        wait(lambda: get(frontend, "/")[0] == 200, 20, "HAProxy")
        time.sleep(5)  # every server checked up
        load = Load(frontend, rate)
        load.start()
        time.sleep(3)
        started = time.time()
        outcome = ""
        reached = None  # the rollout's state as the agent reports it at the end
        rollout_seconds = 0.0
        if way in ("rollout", "broken"):
            target = "1.1.0" if way == "rollout" else "1.2.0"
            run = subprocess.run([binary, "rollout", "start", "--to", target, "--http-addr", f"127.0.0.1:{hosts[0].http_port}",
                                  "--data-dir", os.path.join(hosts[0].dir, "data")], capture_output=True, text=True, timeout=60)
            if run.returncode != 0:
                raise SystemExit(f"rollout_load: chorus rollout start failed: {run.stderr}")
            final = "finished" if way == "rollout" else "halted"
            wait(lambda: json.loads(get(hosts[0].http_port, "/v1/rollout")[1])["state"] == final, 600, f"the rollout {final}")
            rollout_seconds = time.time() - started
            state = json.loads(get(hosts[0].http_port, "/v1/rollout")[1])
            reached = state["state"]
            outcome = final + (f": {state['halted']['member']}, {state['halted']['reason'][:60]}" if state.get("halted") else "")
            time.sleep(DRAIN_SECONDS)  # the halted node's return to its balancer, watched too
        elif way == "all-at-once":
            for process in [host.upgrade("1.1.0") for host in hosts]:
                process.wait()
            time.sleep(10)
        else:
            for host in hosts:
                host.upgrade("1.1.0").wait()
                time.sleep(3)
            time.sleep(7)
        elapsed = time.time() - started
        sent, failed = load.stop()
        if way == "rollout":
            # SPEC §13's coordination overhead: the rollout's time less what was configured to
            # take time (drain, healthy) and what the node commands took, per node.
            # The time is from the CLI's start to the first look that saw the rollout finished.
            waited = nodes * (DRAIN_SECONDS + HEALTHY_SECONDS) + sum(host.command_seconds() for host in hosts)
            outcome += f" in {rollout_seconds:.1f} s; coordination {(rollout_seconds - waited) / nodes:.2f} s/node"
        versions = [get(h.app_port, "/version")[1].decode().strip() for h in hosts]
        return {"way": way, "nodes": nodes, "seconds": elapsed, "sent": sent, "failed": failed,
                "rate": sent / (elapsed + 3), "versions": ",".join(sorted(set(versions))), "outcome": outcome,
                "reached": reached}
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for host in hosts:
            try:
                with open(os.path.join(host.dir, "app", "app.pid")) as file:
                    os.kill(int(file.read()), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        shutil.rmtree(work, ignore_errors=True)


# What a `chorus rollout` way must end as, for --check: its state and every application's version.
EXPECTED = {"rollout": ("finished", "1.1.0"), "broken": ("halted", "1.0.0")}


def shortfall(result: dict) -> str | None:
    """Why a `chorus rollout` way fails --check, or None (the naive ways are for comparison)."""
    if result["way"] not in EXPECTED:
        return None
    state, version = EXPECTED[result["way"]]
    if result["failed"]:
        return f"{result['failed']} of {result['sent']} requests failed"
    if result["reached"] != state or result["versions"] != version:
        return f"ended {result['reached']} on {result['versions']}, not {state} on {version}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="3", help="comma-separated cluster sizes")
    parser.add_argument("--rate", type=int, default=250, help="requests per second through HAProxy")
    parser.add_argument("--ways", default="rollout,all-at-once,one-by-one,broken")
    parser.add_argument("--chorus-bin")
    parser.add_argument("--healthy-deadline", type=int, default=30, help="[rollout] healthy_deadline, seconds")
    parser.add_argument("--check", action="store_true", help="exit 1 unless every chorus rollout failed no request")
    args = parser.parse_args()
    binary = agents.find_binary(REPO, args.chorus_bin)
    failures: list[str] = []
    print("| way | N | seconds | requests | failed | req/s | versions after | outcome |")
    print("|---|---|---|---|---|---|---|---|")
    for nodes in [int(n) for n in args.nodes.split(",")]:
        for way in args.ways.split(","):
            result = run_way(way, nodes, args.rate, binary, args.healthy_deadline)
            print(f"| {result['way']} | {result['nodes']} | {result['seconds']:.1f} | {result['sent']} | {result['failed']} | "
                  f"{result['rate']:.0f} | {result['versions']} | {result['outcome']} |", flush=True)
            problem = shortfall(result) if args.check else None
            if problem:
                failures.append(f"{way} of {nodes}: {problem}")
    for failure in failures:
        print(f"rollout_load: FAILED {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
