"""The suite ends cleanly however it is run, stopped or installed (issue 13). Every run here is watched from
outside (tests/watch.py): it gets a private TMPDIR, which must be empty when it ends, and a mark in its
environment, which no process may carry once it has ended (zygotes, their forks, the forkserver, the resource
tracker, Jupyter kernels).

- a g4f that hangs (await_callback and an AsyncProvider never answer) ends ``python -m unittest``, ``python -m
  unittest g4f_tests.asyncio``, pytest and the runner (with and without the documented module) within 60 s,
  naming the test and where g4f hung; the runner reports what ran so far, --json included;
- SIGINT (to the process group, as Ctrl-C) and SIGTERM at several moments (loading, children starting on each
  start method, a test in this process, a check in a child, the Jupyter phase): one line, the partial summary,
  130 or 143, no traceback; under unittest and pytest SIGTERM still cleans up;
- output that cannot be written: ``-v | head -5``, ``--list | head -2``, ``> /dev/full``, a closed stdout;
- a g4f reporting 0.0.0 (faked metadata) counts as the newest release;
- children started from inside g4f_tests/, with an older g4f_tests earlier on the path, on each start method;
  COVERAGE_PROCESS_START set with coverage not importable.
"""

import concurrent.futures
import os
import re
import shutil
import signal
import tempfile
import time
import unittest

from helpers import FAILED, ROOT, G4fCopy, reference_run, verdict_differences
from watch import CLOSED, HAS_PROC, Watched

RUNNER = os.path.join(ROOT, "run_tests.py")
CLOSING = re.compile(r"^\d+ passed, \d+ failed, \d+ skipped, \d+ expected failures in [\d.]+ s")
HANG_LIMIT = 60
WORKERS = 8
CHILD_MODULES = ["g4f_tests." + m for m in ("nesting", "loops", "streaming", "fidelity", "threads", "cancellation")]
CHILD_MODULES += ["g4f_tests.bridge", "g4f_tests.jupyter"]
HUNG = [
    (
        "providers/asyncio.py",
        "async def await_callback(callback: Callable, timeout: Optional[int] = None) -> any:\n",
        "async def await_callback(callback: Callable, timeout: Optional[int] = None) -> any:\n"
        "    await asyncio.Event().wait()\n",
    ),
    (
        "providers/base_provider.py",
        "            yield asyncio.run(provider.create_async(*args, **kwargs))",
        "            yield asyncio.run(asyncio.Event().wait())",
    ),
]
SLOW = [
    (  # the import of g4f says it started (G4F_TESTS_IMPORT_MARK) and takes G4F_TESTS_SLOW_IMPORT seconds
        "__init__.py",
        "from __future__ import annotations\n",
        "from __future__ import annotations\nimport os as _os, time as _time\n"
        "if _os.environ.get('G4F_TESTS_IMPORT_MARK'):\n    open(_os.environ['G4F_TESTS_IMPORT_MARK'], 'a').close()\n"
        "_time.sleep(float(_os.environ.get('G4F_TESTS_SLOW_IMPORT', '0')))\n",
    ),
    (  # an AsyncProvider's sync call takes 3 s: a test is in progress long enough to be interrupted
        "providers/base_provider.py",
        "            yield asyncio.run(provider.create_async(*args, **kwargs))",
        "            import time\n            time.sleep(3)\n            yield asyncio.run(provider.create_async(*args, **kwargs))",
    ),
]


def faulted(edits, dist_version=None):
    copy = G4fCopy()
    for path, old, new in edits:
        copy.edit(path, old, new)
    if dist_version:  # metadata found before the installed g4f's: what a source install reports
        info = os.path.join(copy.dir, "g4f-%s.dist-info" % dist_version)
        os.mkdir(info)
        with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as f:
            f.write("Metadata-Version: 2.1\nName: g4f\nVersion: %s\n" % dist_version)
    return copy


def kernel_started(watched):
    return any("ipykernel" in command for command in watched.children().values())


def interrupt(args, when, signum=signal.SIGINT, group=True, delay=0.0, **kwargs):
    """A run, the signal once ``when`` (a function of the run) holds, then its end."""

    def go(copies):
        kwargs.setdefault("pythonpath", copies["slow"].dir)
        watched = Watched(args, **kwargs)
        watched.wait_for(lambda: when(watched), "the moment")
        time.sleep(delay)
        watched.signal(signum, group)
        return watched.finish()

    return go


def runner_interrupt(moment, args, when, signum=signal.SIGINT, group=True, delay=0.0, env=None, mark=False):
    def go(copies):
        extra = dict(env or {})
        work = tempfile.mkdtemp(prefix="g4f-tests-ends-mark-")
        if mark:
            extra["G4F_TESTS_IMPORT_MARK"] = os.path.join(work, "importing")
        try:
            condition = (lambda w: os.path.exists(extra["G4F_TESTS_IMPORT_MARK"])) if mark else when
            run = interrupt([RUNNER] + args, condition, signum, group, delay, env=extra, json_report=True)
            return run(copies)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    return go


def plain_run(args, copy=None, **kwargs):
    return lambda copies: Watched(args, pythonpath=copies[copy].dir if copy else None, **kwargs).finish()


COVERAGE_RUN = ["g4f_tests.nesting", "g4f_tests.jupyter"]
RUNS = {
    # 1. hangs (default limit: 10 s)
    "hang: python -m unittest": plain_run(["-m", "unittest"], "hung"),
    "hang: python -m unittest g4f_tests.asyncio": plain_run(["-m", "unittest", "g4f_tests.asyncio"], "hung"),
    "hang: pytest": plain_run(["-m", "pytest", "-q"], "hung"),
    "hang: runner": plain_run([RUNNER, "-q"], "hung", json_report=True),
    # every child batch hangs in turn here: a shorter limit than the default 10 s (the other runs keep it)
    "hang: runner without the documented module": plain_run(
        [RUNNER, "-q", "--timeout", "5"] + CHILD_MODULES, "hung", json_report=True
    ),
    # 2. signals
    "SIGINT while loading": runner_interrupt(
        "loading", ["-v", "g4f_tests.asyncio", "g4f_tests.nesting"], None, env={"G4F_TESTS_SLOW_IMPORT": "5"}, mark=True
    ),
    "SIGINT while children start (fork)": runner_interrupt(
        "children", ["-v"], lambda w: w.children(), env={"G4F_TESTS_SLOW_IMPORT": "1.5"}
    ),
    "SIGINT while children start (forkserver)": runner_interrupt(
        "children",
        ["-v"],
        lambda w: w.children(),
        env={"G4F_TESTS_SLOW_IMPORT": "1.5", "G4F_TESTS_START_METHOD": "forkserver"},
    ),
    "SIGTERM while children start (spawn)": runner_interrupt(
        "children",
        ["-v"],
        lambda w: w.children(),
        signal.SIGTERM,
        group=False,
        env={"G4F_TESTS_SLOW_IMPORT": "1.5", "G4F_TESTS_START_METHOD": "spawn"},
    ),
    "SIGINT mid-test": runner_interrupt(
        "test", ["-v", "g4f_tests.asyncio"], lambda w: "test_create (g4f_tests.asyncio.TestChatCompletion" in w.stdout
    ),
    "SIGTERM mid-test": runner_interrupt(
        "test",
        ["-v", "g4f_tests.asyncio"],
        lambda w: "test_create (g4f_tests.asyncio.TestChatCompletion" in w.stdout,
        signal.SIGTERM,
        group=False,
    ),
    "SIGINT mid-check in a child": runner_interrupt(
        "child", ["-v", "g4f_tests.nesting"], lambda w: "test_async_provider_in_running_loop (" in w.stdout, delay=0.3
    ),
    "SIGTERM to the group mid-check in a child": runner_interrupt(
        "child",
        ["-v", "g4f_tests.nesting"],
        lambda w: "test_async_provider_in_running_loop (" in w.stdout,
        signal.SIGTERM,
        delay=0.3,
    ),
    "SIGINT as the Jupyter kernel starts": runner_interrupt("jupyter", ["-v", "g4f_tests.jupyter"], kernel_started),
    "SIGINT in the Jupyter phase": runner_interrupt("jupyter", ["-v", "g4f_tests.jupyter"], kernel_started, delay=2),
    "SIGTERM in the Jupyter phase": runner_interrupt(
        "jupyter", ["-v", "g4f_tests.jupyter"], kernel_started, signal.SIGTERM, group=False, delay=2
    ),
    "SIGTERM under python -m unittest": interrupt(
        ["-m", "unittest", "-v", "g4f_tests.nesting"],
        lambda w: "test_async_provider_in_running_loop (" in w.stderr,
        signal.SIGTERM,
        group=False,
        delay=0.3,
    ),
    "SIGTERM under pytest": interrupt(
        ["-m", "pytest", "-q", "g4f_tests/jupyter.py"], kernel_started, signal.SIGTERM, group=False, delay=1
    ),
    # 3. output
    "-v | head -5": plain_run(["bash", "-c", "python run_tests.py -v | head -5 >/dev/null; exit ${PIPESTATUS[0]}"]),
    "--list | head -2": plain_run(
        ["bash", "-c", "python run_tests.py --list | head -2 >/dev/null; exit ${PIPESTATUS[0]}"]
    ),
    "--list | a reader already gone (forkserver)": plain_run(
        ["bash", "-c", "python run_tests.py --list | true; exit ${PIPESTATUS[0]}"],
        env={"G4F_TESTS_START_METHOD": "forkserver"},
    ),
    "> /dev/full": plain_run([RUNNER, "-q"], stdout_to="/dev/full"),
    "--list > /dev/full": plain_run([RUNNER, "--list"], stdout_to="/dev/full"),
    "closed stdout": plain_run([RUNNER, "-q"], stdout_to=CLOSED),
    # 4. installs and 5. children (their verdicts compared with the reference run's: helpers.reference_run, shared
    # with the other modules of a ``python tests`` session, where test_envs checks that it leaves nothing behind)
    "g4f 0.0.0": plain_run([RUNNER, "-q"], "source", json_report=True),
    "COVERAGE_PROCESS_START, coverage not importable": lambda copies: Watched(
        [RUNNER, "-q"] + COVERAGE_RUN,
        env={"COVERAGE_PROCESS_START": os.path.join(ROOT, "no-such-coveragerc"), "G4F_TESTS_START_METHOD": "spawn"},
        pythonpath=copies["sites"].nocov,
        json_report=True,
    ).finish(),
}
# Where each kind of child imports this suite: the test process (the documented module), the nest-hidden and the
# nest-importable zygote and their forks (each start method); the gevent zygote and the Jupyter kernels are new
# interpreters however the zygotes start, so one of the runs has them.
ZYGOTES = ["g4f_tests." + m for m in ("asyncio", "nesting", "loops")]
EVERY_CHILD = {"fork": ZYGOTES, "forkserver": ZYGOTES, "spawn": ZYGOTES + ["g4f_tests.greenlets", "g4f_tests.jupyter"]}
for _method in ("fork", "forkserver", "spawn"):
    RUNS["from inside g4f_tests/, an older g4f_tests on the path (%s)" % _method] = (
        lambda method: lambda copies: Watched(
            [RUNNER, "-q"] + EVERY_CHILD[method],
            env={"G4F_TESTS_START_METHOD": method},
            pythonpath=copies["sites"].old,
            cwd=os.path.join(ROOT, "g4f_tests"),
            json_report=True,
        ).finish()
    )(_method)


class Sites:
    """Folders put on PYTHONPATH: an older g4f_tests that must never be imported; coverage, not importable."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="g4f-tests-ends-sites-")
        self.old, self.nocov = os.path.join(self.dir, "old"), os.path.join(self.dir, "nocov")
        for path, text in (
            ("old/g4f_tests/__init__.py", "raise SystemExit('an older g4f_tests was imported: ' + __file__)\n"),
            ("old/g4f_tests/zygote.py", "raise SystemExit('an older g4f_tests was imported: ' + __file__)\n"),
            ("nocov/coverage/__init__.py", "raise ImportError('coverage is not installed (a g4f-tests self-test)')\n"),
        ):
            os.makedirs(os.path.dirname(os.path.join(self.dir, path)), exist_ok=True)
            with open(os.path.join(self.dir, path), "w", encoding="utf-8") as f:
                f.write(text)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipUnless(HAS_PROC and hasattr(os, "killpg"), "needs /proc and process groups (Linux)")
class EndsTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        copies = {"hung": faulted(HUNG), "slow": faulted(SLOW), "sites": Sites()}
        copies["source"] = faulted(
            [("providers/asyncio.py", "async def to_thread(", "async def _no_to_thread(")], "0.0.0"
        )
        try:
            with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
                reference = pool.submit(reference_run)
                futures = {name: pool.submit(run, copies) for name, run in RUNS.items()}
                cls.runs = {name: future.result() for name, future in futures.items()}
                cls.reference = reference.result().data["tests"]
        finally:
            for copy in copies.values():
                copy.cleanup()

    def outcomes(self, run):
        return {test_id: entry["outcome"] for test_id, entry in run.data["tests"].items()}

    def test_nothing_outlives_any_run(self):
        """no run leaves a process (zygote, fork, forkserver, tracker, kernel) or a file in its TMPDIR"""
        for name, run in self.runs.items():
            with self.subTest(run=name):
                self.assertEqual(run.survivors, {}, run.output())
                self.assertEqual(run.left, [], run.output())

    def test_a_hang_ends_every_runner_naming_the_place(self):
        """a hung g4f ends each runner within 60 s, naming the test and g4f's frames; the runner says what ran"""
        for name in [n for n in RUNS if n.startswith("hang: ")]:
            run = self.runs[name]
            with self.subTest(run=name):
                self.assertLess(run.seconds, HANG_LIMIT, run.output())
                self.assertEqual(run.returncode, 1, run.output())
                if "without the documented module" in name:
                    messages = {t: e["message"] for t, e in run.data["tests"].items() if e["outcome"] in FAILED}
                    hung = [t for t, m in messages.items() if "hung" in m and "g4f/providers/asyncio.py" in m]
                    self.assertIn("g4f_tests.streaming.TestSyncStreaming.test_stream_yields_chunks_in_order", hung)
                    self.assertIn("g4f_tests.jupyter.TestJupyterKernel.test_client_in_fresh_kernel", hung)
                    kernel = messages["g4f_tests.jupyter.TestJupyterKernel.test_client_in_fresh_kernel"]
                    self.assertIn("the cell did not finish", kernel)
                    continue
                self.assertRegex(run.stderr, r"g4f_tests\.asyncio\.\S+ did not finish within 10\.0 s")
                self.assertRegex(run.stderr, r"g4f/providers/\w+\.py.* in ")
                if name == "hang: runner":
                    self.assertRegex(run.last_line(), CLOSING.pattern + r" \(stopped: g4f_tests\.asyncio\.\S+ hangs\)$")
                    self.assertEqual(run.data["exit"], 1)
                    self.assertIn("error", self.outcomes(run).values())

    def test_signals_end_the_run_with_one_line_and_what_ran(self):
        """SIGINT (as Ctrl-C, to the group) and SIGTERM at every moment: one line, the partial summary, 130/143"""
        for name in [n for n in RUNS if n.startswith("SIG")]:
            run = self.runs[name]
            sigterm = name.startswith("SIGTERM")
            with self.subTest(run=name):
                self.assertNotIn("Traceback", run.stdout + run.stderr, run.output())
                if "under" in name:  # unittest's and pytest's own ending; the suite cleans up first
                    self.assertEqual(run.returncode, -signal.SIGTERM, run.output())
                    continue
                what = "terminated" if sigterm else "interrupted"
                self.assertEqual(run.returncode, 143 if sigterm else 130, run.output())
                self.assertEqual(run.stderr, "run_tests.py: %s\n" % what)
                self.assertRegex(run.last_line(), CLOSING.pattern + r" \(%s( during \S+)?\)$" % what)
                self.assertEqual((run.data["stopped"], run.data["exit"]), (what, run.returncode))
                if "loading" in name:  # stopped before the header: while the suite was being loaded
                    self.assertFalse(run.stdout.startswith("Python "), run.output())
                if "mid-test" in name:
                    self.assertEqual(self.outcomes(run)["g4f_tests.asyncio.TestChatCompletion.test_create"], what)

    def test_output_that_cannot_be_written(self):
        """| head ends quietly as ls | head does; /dev/full and a closed stdout: one line, exit 2"""
        for name, status in (
            ("-v | head -5", (128 + signal.SIGPIPE,)),
            ("--list | head -2", (0, 128 + signal.SIGPIPE)),  # 0 when the whole list fits in the pipe first
            ("--list | a reader already gone (forkserver)", (128 + signal.SIGPIPE,)),
        ):
            with self.subTest(run=name):
                self.assertIn(self.runs[name].returncode, status, self.runs[name].output())
                self.assertEqual(self.runs[name].stderr, "")
        for name, reason in (
            ("> /dev/full", "No space left on device"),
            ("--list > /dev/full", "No space left on device"),
            ("closed stdout", "the standard output is closed"),
        ):
            with self.subTest(run=name):
                self.assertEqual(self.runs[name].returncode, 2, self.runs[name].output())
                self.assertEqual(self.runs[name].stderr, "run_tests.py: error: cannot write the output: %s\n" % reason)

    def test_a_source_install_counts_as_the_newest_release(self):
        """g4f reporting 0.0.0: said in the header, nothing skips as predating it, the same verdicts as the newest
        release, and an API it lacks (to_thread, as on gpt4free's main) fails naming what is missing"""
        run = self.runs["g4f 0.0.0"]
        self.assertTrue(
            run.data["environment"][1].startswith("g4f 0.0.0 (a source install, treated as the newest release);"),
            run.data["environment"],
        )
        skips = [e["message"] for e in run.data["tests"].values() if e["outcome"] == "skipped"]
        skips += [s["message"] for e in run.data["tests"].values() for s in e["subtests"] if s["outcome"] == "skipped"]
        self.assertEqual([m for m in skips if "predates" in m], [])
        self.assertNotIn("g4f 0.0.0 predates", run.stdout)
        found, expected = self.outcomes(run), {t: e["outcome"] for t, e in self.reference.items()}
        # the checks that call g4f's to_thread: bridge's own, and contexts' (one of their calls)
        to_thread = sorted(
            t
            for t, o in expected.items()
            if (t.endswith(".test_to_thread_runs_in_another_thread") or t.startswith("g4f_tests.contexts."))
            and o != "skipped"
        )
        self.assertGreaterEqual(len(to_thread), 4, to_thread)
        for test_id in to_thread:
            entry = run.data["tests"][test_id]
            messages = [entry["message"]] + [s["message"] for s in entry["subtests"]]
            self.assertEqual(found.pop(test_id), "failed", test_id)
            self.assertTrue(any("to_thread is missing from this source install of g4f" in m for m in messages), entry)
            del expected[test_id]
        self.assertEqual(found, expected, verdict_differences(found, expected, run))

    def test_children_import_this_suite_in_a_neutral_environment(self):
        """from inside g4f_tests/, with an older g4f_tests earlier on the path, with COVERAGE_PROCESS_START set and
        coverage not importable, on each start method: the same verdicts, nothing printed about it"""
        expected = {t: e["outcome"] for t, e in self.reference.items()}
        for name in [n for n in RUNS if n.startswith(("from inside", "COVERAGE"))]:
            run = self.runs[name]
            with self.subTest(run=name):
                self.assertEqual(run.returncode, 0, run.output())
                found = self.outcomes(run)
                subset = {t: expected[t] for t in found}
                self.assertEqual(found, subset, verdict_differences(found, subset, run))
                modules = {t.rsplit(".", 2)[0] for t in self.outcomes(run)}
                method = name.rpartition("(")[2].rstrip(")")
                self.assertEqual(modules, set(EVERY_CHILD[method] if name.startswith("from inside") else COVERAGE_RUN))
                self.assertNotIn("older g4f_tests", run.stdout + run.stderr)
                self.assertEqual(run.stderr, "")


if __name__ == "__main__":
    unittest.main()
