"""What the environment checks start (servers, a gevent interpreter, Jupyter kernels) never outlives the run: after the
reference run (a whole default run, helpers.reference_run), after Ctrl-C mid-run and after a server's process, a
kernel and the gevent zygote were killed mid-run, no process of the run is left, hence no port it listened on, and
its temp dir is empty.

Each run gets a tag in its environment, which every process it starts inherits (forks and new interpreters alike):
what is left is what /proc still shows with that tag. Linux only (/proc, and the kill of a named process).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

from helpers import ROOT, TAG_ENV, child_env, left_behind, reference_run, tagged

from g4f_tests.support import is_importable

MODULES = ["g4f_tests.asgi", "g4f_tests.wsgi", "g4f_tests.greenlets", "g4f_tests.bots", "g4f_tests.jupyter"]
KERNEL = b"ipykernel"
GEVENT_ZYGOTE = b"monkey.patch_all()"
WAIT = 60


def listening(pids):
    """The pids among ``pids`` that hold a listening TCP socket (a server)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            inodes.update(line.split()[9] for line in list(f)[1:] if line.split()[3] == "0A")
    found = []
    for pid in pids:
        try:
            links = [os.readlink("/proc/%d/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%d/fd" % pid)]
        except OSError:
            continue
        if any(link[8:-1] in inodes for link in links if link.startswith("socket:[")):
            found.append(pid)
    return found


@unittest.skipUnless(sys.platform.startswith("linux"), "reads /proc")
class FullRunTest(unittest.TestCase):
    def test_a_full_run_leaves_nothing(self):
        """after the reference run (helpers.reference_run: the whole suite, the environment checks with it), no
        process of it is left (so no port) and its temp dir is empty"""
        run = reference_run()
        self.assertEqual(run.proc.returncode, 0, run.output())
        self.assertEqual(run.left, {"processes": {}, "files": []}, run.output())


@unittest.skipUnless(sys.platform.startswith("linux"), "reads /proc")
@unittest.skipUnless(is_importable("ipykernel") and is_importable("jupyter_client"), "needs the jupyter extra")
class NothingOutlivesTheRunTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.tag = "g4f-tests-selftest-%s" % uuid.uuid4().hex
        self.tmp = tempfile.mkdtemp(prefix="g4f-tests-envs-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        env = child_env({TAG_ENV: self.tag, "TMPDIR": self.tmp})
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "run_tests.py"), "-q"] + MODULES,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a Ctrl-C reaches it all, and only it
        )
        self.addCleanup(self.kill_left)

    def kill_left(self):
        for pid in tagged(self.tag.encode()):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()

    def wait_for(self, marker=None):
        """The pid of the run's process whose command line has ``marker`` (else: that listens on a port), once
        there is one."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and self.proc.poll() is None:
            found = tagged(self.tag.encode())
            pids = [pid for pid, command in found.items() if marker in command] if marker else listening(found)
            if pids:
                return pids[0]
            time.sleep(0.01)
        self.fail("no process with %r appeared during the run" % (marker or "a listening socket"))

    def assertNothingLeft(self):
        output = self.proc.communicate(timeout=WAIT)[0].decode("utf-8", "replace")
        self.assertEqual(left_behind(self.tag.encode(), self.tmp), {"processes": {}, "files": []}, output[-3000:])
        return output

    def test_ctrl_c_mid_run_leaves_nothing(self):
        """Ctrl-C while a kernel runs: the run ends, no process of it is left and its temp dir is empty"""
        self.wait_for(KERNEL)
        os.killpg(self.proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
        self.assertNothingLeft()

    def test_killed_mid_run_leave_nothing(self):
        """a server's process, a kernel and the gevent zygote killed mid-run: the run ends, nothing of theirs is left"""
        os.kill(self.wait_for(), signal.SIGKILL)
        os.kill(self.wait_for(KERNEL), signal.SIGKILL)
        if is_importable("gevent"):
            try:
                os.kill(self.wait_for(GEVENT_ZYGOTE), signal.SIGKILL)
            except AssertionError:
                pass  # it had finished already
        output = self.assertNothingLeft()
        self.assertEqual(self.proc.returncode, 1, output[-3000:])


if __name__ == "__main__":
    unittest.main()
