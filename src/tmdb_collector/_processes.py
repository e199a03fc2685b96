"""Which processes of this machine still run: so that work a dead process held (the store's
lease, a queue message it received) is taken up at once instead of after its expiry.

A process is named by its machine — host name, boot id and pid namespace: the pids of two
machines, of two boots of one machine or of two containers are different spaces — its pid, and
where the kernel says so its start time, which a later process reusing the pid does not share.
Only a process of *this* machine can be known to be gone; for any other the answer is "cannot
tell", and the caller waits for the expiry. Standard library only.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LocalProcess", "is_gone", "this_process"]

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@dataclass(frozen=True, slots=True)
class LocalProcess:
    """A process as another one can look it up later."""

    #: The host name, for people.
    host: str
    #: Host name, boot id and pid namespace: equal for two processes that share a process table.
    machine: str
    pid: int
    #: The kernel's start time of the process (clock ticks since boot); "" where unknown.
    started: str


def this_process() -> LocalProcess:
    """The calling process (read each time: a forked child is another process)."""
    pid = os.getpid()
    host = socket.gethostname()
    stat = _stat(pid)
    return LocalProcess(host, _machine(host), pid, "" if stat is None else stat[1])


def is_gone(process: LocalProcess) -> bool:
    """True only when ``process`` surely no longer runs: it ran on this machine, and no process
    with its pid (and start time) exists, or only its zombie does. False when it runs, or when
    it ran elsewhere (no way to tell from here)."""
    here = this_process()
    if process.machine != here.machine or process.pid == here.pid:
        return False
    return not _running(process.pid, process.started)


def _machine(host: str) -> str:
    try:
        boot = _BOOT_ID.read_text().strip()
    except OSError:  # not Linux: the host name alone
        boot = ""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{host}/{boot}/{namespace}"


def _running(pid: int, started: str) -> bool:
    if pid <= 0 or os.name == "nt":  # kill(0) means a process group; Windows has no signal 0
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, and belongs to another user
    stat = _stat(pid)
    if stat is None:  # no /proc, or it ended just now: it existed a moment ago
        return True
    state, start = stat
    return state not in ("Z", "X") and (not started or start == started)


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) from /proc/<pid>/stat, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may itself hold spaces and parentheses.
    fields = text.rpartition(")")[2].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]
