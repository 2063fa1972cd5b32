"""A suite process watched from outside, for the proofs that the suite ends cleanly (tests/test_ends.py).

``Watched`` starts a command as a terminal would (its own process group, so a group signal is a Ctrl-C), with a
private TMPDIR and a mark in its environment that every process it starts inherits. While it runs, its output
and its children can be waited for and signalled; once it has ended, ``survivors`` are the processes that still
carry the mark (whatever the suite started and left behind), ``left`` the files left in its TMPDIR.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from helpers import ROOT, child_env

MARK = "G4F_TESTS_SELF_TEST_MARK"
CLOSED = object()  # stdout_to: the run starts with its standard output closed
HAS_PROC = os.path.isdir("/proc/self")


def marked(mark):
    """The pids of the live processes whose environment carries ``mark`` (a zombie's environment reads empty)."""
    needle = ("%s=%s" % (MARK, mark)).encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                if needle in f.read().split(b"\0"):
                    found.append(int(name))
        except OSError:
            continue
    return found


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


class Watched:
    def __init__(self, args, env=None, pythonpath=None, cwd=ROOT, json_report=False, stdout_to=subprocess.PIPE):
        """``args``: after ``python`` (unless args[0] is bash); ``stdout_to``: a path, or CLOSED."""
        self.tmp = tempfile.mkdtemp(prefix="g4f-tests-ends-")
        self.work = tempfile.mkdtemp(prefix="g4f-tests-ends-out-")  # not the TMPDIR the suite sees: ours
        self.json_path = os.path.join(self.work, "results.json") if json_report else None
        self.mark = uuid.uuid4().hex
        extra = dict(env or {}, TMPDIR=self.tmp, **{MARK: self.mark})
        command = ([] if args[0] == "bash" else [sys.executable]) + list(args)
        if args[0] == "bash":  # a pipeline: python is this one
            command[-1] = command[-1].replace("python ", "%s " % sys.executable)
        if self.json_path:
            command += ["--json", self.json_path]
        self.started = time.monotonic()
        stdout = open(stdout_to, "wb") if isinstance(stdout_to, str) else stdout_to  # noqa: SIM115
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=child_env(extra, pythonpath),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL if stdout is CLOSED else stdout,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=(lambda: os.close(1)) if stdout is CLOSED else None,
        )
        if isinstance(stdout_to, str):
            stdout.close()
        self._out, self._err = [], []
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stderr, self._err), daemon=True)]
        if self.proc.stdout is not None:
            self._readers.append(threading.Thread(target=self._read, args=(self.proc.stdout, self._out), daemon=True))
        for reader in self._readers:
            reader.start()
        self.returncode = self.seconds = self.survivors = self.left = self.data = None

    @staticmethod
    def _read(pipe, into):
        for line in iter(pipe.readline, b""):
            into.append(line.decode("utf-8", "replace"))
        pipe.close()

    @property
    def stdout(self):
        return "".join(self._out)

    @property
    def stderr(self):
        return "".join(self._err)

    def last_line(self):
        lines = [line for line in self.stdout.splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def output(self):
        return ("%s\n--- stderr:\n%s" % (self.stdout[-4000:], self.stderr[-4000:])).strip()

    def children(self):
        """The pids (and command lines) of the processes this one started, alive now."""
        found = {}
        for pid in marked(self.mark):
            try:
                with open("/proc/%d/stat" % pid) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == self.proc.pid:
                found[pid] = _cmdline(pid)
        return found

    def wait_for(self, condition, what, timeout=60):
        """Wait until ``condition()`` holds; an AssertionError naming ``what`` if the process ends first."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("never saw %s before the run ended:\n%s" % (what, self.output()))
            time.sleep(0.02)

    def signal(self, signum, group=True):
        (os.killpg if group else os.kill)(self.proc.pid, signum)

    def finish(self, timeout=90):
        """Wait for the end; then what it left behind. Returns self."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.returncode = self.proc.wait()
        self.seconds = time.monotonic() - self.started
        for reader in self._readers:
            reader.join(10)
        deadline = time.monotonic() + 1.0  # a process that exits on its own, on its parent's end, has a second
        self.survivors = marked(self.mark)
        while self.survivors and time.monotonic() < deadline:
            time.sleep(0.05)
            self.survivors = marked(self.mark)
        self.survivors = {pid: _cmdline(pid) for pid in self.survivors}
        for pid in self.survivors:  # reported by the test; not left to disturb the next one
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.left = sorted(os.listdir(self.tmp))
        if self.json_path and os.path.exists(self.json_path) and os.path.getsize(self.json_path):
            with open(self.json_path, encoding="utf-8") as f:
                self.data = json.load(f)
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)
        return self
