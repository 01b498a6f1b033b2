"""A private network namespace for one process (a benchmark run): every agent it starts lives on
the namespace's own loopback, so nothing else on the host shares its ports or its packet
counters, and deleting the namespace removes every rule.
"""

import contextlib
import ctypes
import os
import signal

from .commands import run

_CLONE_NEWNET = 0x40000000
_NETNS_DIR = "/run/netns"
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd: int) -> None:
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns failed: {os.strerror(errno)}")


class Namespace:
    """Creates `chorusbench-<pid>`, moves the calling thread into it, and undoes both on exit.

    Enter it before starting any thread or process: threads and children inherit the
    namespace of the thread that creates them, so everything started later lives inside.
    """

    PREFIX = "chorusbench-"

    def __init__(self) -> None:
        self.name = f"{self.PREFIX}{os.getpid()}"
        self._original_fd: int | None = None

    def __enter__(self) -> "Namespace":
        remove_stale_namespaces()
        run(["ip", "netns", "add", self.name])
        self._original_fd = os.open("/proc/self/ns/net", os.O_RDONLY)
        target_fd = os.open(os.path.join(_NETNS_DIR, self.name), os.O_RDONLY)
        try:
            _setns(target_fd)
        finally:
            os.close(target_fd)
        run(["ip", "link", "set", "lo", "up"])
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._original_fd is not None:
            _setns(self._original_fd)
            os.close(self._original_fd)
            self._original_fd = None
        run(["ip", "netns", "delete", self.name], check=False)


def remove_stale_namespaces() -> None:
    """Cleans up after earlier runs whose process no longer exists (e.g. the benchmark got kill -9):
    kills the agents they left inside their namespace, then deletes it."""
    if not os.path.isdir(_NETNS_DIR):
        return
    for entry in os.listdir(_NETNS_DIR):
        owner = entry.removeprefix(Namespace.PREFIX)
        if entry.startswith(Namespace.PREFIX) and owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            delete(entry)


def delete(name: str) -> None:
    """Kills every process inside namespace `name` (agents have no one else to stop them), then deletes it."""
    for pid in run(["ip", "netns", "pids", name], check=False).split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    run(["ip", "netns", "delete", name], check=False)
