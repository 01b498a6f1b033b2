"""Reads every agent's endpoint continuously: a poller per agent (cluster, members, self, the
decision log's new slots, the rollout and its disruption slots) and an event-stream reader per
agent, feeding the `Checker`."""

import threading
import time

from chorustools import client


class Observer:
    def __init__(self, agents, checker, clock, period: float) -> None:
        self.agents = agents
        self.checker = checker
        self.clock = clock
        self.period = period
        self.stopping = threading.Event()
        self.polls = 0
        self.known_slots: dict[tuple[int, int], int] = {}
        self.threads = []

    def start(self) -> None:
        for agent in self.agents:
            for target in (self._poll_loop, self._event_loop):
                thread = threading.Thread(target=target, args=(agent,), daemon=True)
                thread.start()
                self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(5)

    def poll_once(self, agent) -> bool:
        """One sample of one agent; False when it did not answer."""
        life = agent.lives
        cluster = client.get(agent.http, "/v1/cluster")
        if cluster is None:
            return False
        members = client.get(agent.http, "/v1/members")
        self_info = client.get(agent.http, "/v1/self")
        decisions = None
        if self.checker.decisions_supported is not False:
            start = self.known_slots.get((agent.index, life), 0)
            answer = client.request(agent.http, "GET", f"/v1/decisions?from={start}")
            if answer and answer.status == 404:
                self.checker.decisions_supported = False
            elif answer and answer.status == 200 and isinstance(answer.body, list):
                self.checker.decisions_supported = True
                decisions = answer.body
                if decisions:
                    self.known_slots[(agent.index, life)] = decisions[-1]["slot"] + 1
        rollout = client.get(agent.http, "/v1/rollout")
        if agent.lives != life:
            return False  # restarted while we asked: the answers may mix two lives
        self.polls += 1
        # A sample stands for the moment its last answer arrived (at most one HTTP timeout per read later).
        self.checker.on_sample(agent.index, self.clock(), life, cluster, members, self_info, decisions, rollout)
        return True

    def _poll_loop(self, agent) -> None:
        while not self.stopping.is_set():
            began = time.monotonic()
            if agent.state == "running":
                self.poll_once(agent)
            self.stopping.wait(max(0.0, self.period - (time.monotonic() - began)))

    def _event_loop(self, agent) -> None:
        last: dict[int, int] = {}
        while not self.stopping.is_set():
            if agent.state != "running":
                self.stopping.wait(0.5)
                continue
            life = agent.lives
            for event in client.events(agent.http, last.get(life), self.stopping.is_set):
                if agent.lives != life:
                    break
                last[life] = event.get("id", last.get(life, 0))
                self.checker.on_event(agent.index, self.clock(), life, event)
            self.stopping.wait(0.2)
