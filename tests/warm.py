"""Runs forked from a warm process, for the self-tests' many short runs (test_faults' hundred fault runs,
test_order's runs of each module and of ids alone).

A short run of ``run_tests.py`` spends most of its CPU importing: 0.4 s of about 0.55 s, and of that 0.4 s, g4f
itself is under 0.05 s; the rest is its dependencies (aiohttp, requests, urllib3, ssl, email: the suite's
children.PRELOAD, which every run imports before it forks its zygotes anyway). On two cores the self-tests are
bound by CPU, not by waiting. So a warm process imports those dependencies once (and nothing of g4f, of a nest
package or of this suite), then forks one child per run. The child becomes what ``python SCRIPT ARGS`` would be:
the run's environment (PYTHONDONTWRITEBYTECODE included, which the warm process also started with), sys.path (the
script's folder, then PYTHONPATH, then the interpreter's own, as the interpreter builds it), working directory,
standard streams (stdin from /dev/null, stdout and stderr to files), and the interpreter's own shutdown with the
script's exit status. test_harness.WarmRunTest compares warm runs with cold ones.

What these runs check, the verdicts in their JSON, does not depend on how the interpreter started. How runs start
and end is the subject of test_order's whole-suite runs, test_ends, test_cli and test_invocations, which start
real interpreters. Where fork is missing (Windows), runs are ordinary subprocesses.
"""

import json
import os
import queue
import select
import signal
import subprocess
import sys
import tempfile
import time

from helpers import ROOT, RUN_TIMEOUT, child_env

from g4f_tests.children import PRELOAD

# The warm process: argv names the modules to import; then one request per line on stdin (JSON), answered on
# stdout by "started PID", then "exit CODE" when that child ended. The child leaves the loop and runs the script
# at top level, so it ends as an interpreter does (threads joined, atexit run, SystemExit's code its status).
SERVER = r"""
import importlib, json, os, runpy, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
base = sys.path[1:]
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        break
    print("started", pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print("exit", os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status), flush=True)
else:
    raise SystemExit(0)
os.environ.clear()
os.environ.update(request["env"])
os.chdir(request["cwd"])
for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY), (2, request["stderr"], os.O_WRONLY)):
    target = os.open(path, flags)
    os.dup2(target, fd)
    os.close(target)
pythonpath = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
sys.path[:] = [os.path.dirname(os.path.realpath(request["script"]))] + pythonpath + base
sys.argv = [request["script"]] + request["args"]
if not os.path.isfile(request["script"]):  # what the interpreter says
    sys.stderr.write("%s: can't open file %r: [Errno 2] No such file or directory\n" % (sys.executable, request["script"]))
    raise SystemExit(2)
runpy.run_path(request["script"], run_name="__main__")
"""


def holders(paths):
    """The processes that have one of ``paths`` open (Linux: /proc; elsewhere none are seen)."""
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc") if os.path.isdir("/proc") else ()):
        try:
            links = [os.readlink("/proc/%s/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%s/fd" % pid)]
        except OSError:
            continue
        if any(link in paths for link in links):
            found.add(int(pid))
    return found


class Warm:
    """``count`` warm processes, one per concurrent run; pass it as ``warm=`` to helpers.run and the helpers built
    on it (run_suite, suite_results, unittest_results)."""

    def __init__(self, count):
        self.idle = queue.Queue()
        self.servers = []
        self.env = child_env()  # what each run's interpreter starts with (its PYTHON* variables)
        self.env.pop("PYTHONPATH")  # each run sets its own
        if not hasattr(os, "fork"):
            return
        for _ in range(count):
            server = subprocess.Popen(
                [sys.executable, "-c", SERVER] + PRELOAD,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            server.pending = b""  # what was read of its stdout past the last line taken
            self.servers.append(server)
            self.idle.put(server)

    def close(self):
        for server in self.servers:
            server.stdin.close()
            server.wait(10)
            server.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def run(self, args, env=None, pythonpath=None, timeout=RUN_TIMEOUT, cwd=ROOT):
        """``python SCRIPT ARGS...`` (``args``: the script, then its arguments) as helpers.run, forked from a warm
        process (an ordinary subprocess where there is no fork); a CompletedProcess (text)."""
        script, args = args[0], list(args[1:])
        if not script.endswith(".py"):
            raise ValueError("a warm run starts a script, not interpreter options: %r" % script)
        run_env = child_env(env, pythonpath)
        startup = [k for k in sorted(set(run_env) | set(self.env)) if k.startswith("PYTHON") and k != "PYTHONPATH"]
        changed = [k for k in startup if run_env.get(k) != self.env.get(k)]
        if changed:  # read as the interpreter starts (the hash seed too: every warm run shares the warm process's)
            raise ValueError(
                "a warm run cannot change how the interpreter starts: %s (run it cold)" % ", ".join(changed)
            )
        if not self.servers:
            return subprocess.run(
                [sys.executable, script] + args,
                cwd=cwd,
                env=run_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                universal_newlines=True,
                timeout=timeout,
            )
        server = self.idle.get()
        try:
            with tempfile.TemporaryDirectory(prefix="g4f-tests-warm-") as work:
                out, err = os.path.join(work, "stdout"), os.path.join(work, "stderr")
                for path in (out, err):
                    open(path, "w").close()
                request = {
                    "env": run_env,
                    "cwd": cwd,
                    "script": os.path.join(cwd, script),
                    "args": args,
                    "stdout": out,
                    "stderr": err,
                }
                server.stdin.write(json.dumps(request).encode() + b"\n")
                server.stdin.flush()
                pid = int(self._line(server, "started", 30))
                deadline = time.monotonic() + timeout
                try:
                    code = int(self._line(server, "exit", timeout))
                except subprocess.TimeoutExpired:
                    if b"exit" not in server.pending:  # not ended (and reaped) meanwhile: the pid is still its
                        os.kill(pid, signal.SIGKILL)
                    self._line(server, "exit", 30)
                    raise
                # As subprocess.run reads the pipes to their end: a process the run left behind that still holds
                # its output is waited for, within the same timeout.
                while holders((os.path.realpath(out), os.path.realpath(err))):
                    if time.monotonic() > deadline:
                        raise subprocess.TimeoutExpired("a warm run (its output still open)", timeout)
                    time.sleep(0.05)
                with open(out, encoding="utf-8") as f, open(err, encoding="utf-8") as g:
                    return subprocess.CompletedProcess([script] + args, code, f.read(), g.read())
        finally:
            self.idle.put(server)

    @staticmethod
    def _line(server, word, timeout):
        """The value of the warm process's next line, which must start with ``word`` (read from the pipe itself:
        a buffered reader could hold the next line where select does not see it)."""
        fd = server.stdout.fileno()
        while b"\n" not in server.pending:
            if not select.select([fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("a warm run", timeout)
            data = os.read(fd, 4096)
            if not data:
                break
            server.pending += data
        line, _, server.pending = server.pending.partition(b"\n")
        line = line.decode().split()
        if not line or line[0] != word:
            raise AssertionError("the warm process answered %r, not %r (exit %s)" % (line, word, server.poll()))
        return line[1]
