"""Helpers for the project's own tests: run the suite in a child and read its structured results, and make
faulted copies of g4f.

Every proof reads structured results: the runner's ``--json`` file, ``tests/unittest_json.py`` for plain
``python -m unittest`` loading, pytest's and the runner's JUnit XML. Never unittest's verbose text.
"""

import compileall
import importlib.util
import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET

try:
    import fcntl
except ImportError:  # Windows: each module runs its own
    fcntl = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "tests")
# A whole run of the suite in a child: generous, the suite itself stops a hung check far earlier.
RUN_TIMEOUT = 120
FAILED = ("failed", "error", "unexpected success")
# A folder shared by the modules of one ``python tests`` session: the run they share (reference_run).
SHARED = "G4F_TESTS_SELF_SHARED"
# The slow self-test modules: fault injection into g4f, every way of loading the suite, every way a run ends. The
# others are the fast ones (python tests --fast), which a developer runs on every change.
SLOW = ("test_faults", "test_order", "test_ends")

# The runs below use this checkout's g4f_tests with PYTHONDONTWRITEBYTECODE (see G4fCopy), so none of them writes
# its bytecode: compiled once here instead of by each of the hundreds of runs (0.1 s of CPU each).
compileall.compile_dir(os.path.join(ROOT, "g4f_tests"), quiet=2)


def shuffled_order(ids, seed):
    """The order ``--shuffle seed`` documents for ``ids`` (the order without it): random.Random(seed) shuffles the
    classes (in the order they first appear), then each class's tests."""
    rng = random.Random(seed)
    classes = {}
    for test_id in ids:
        classes.setdefault(test_id.rsplit(".", 1)[0], []).append(test_id)
    groups = list(classes.values())
    rng.shuffle(groups)
    for group in groups:
        rng.shuffle(group)
    return [test_id for group in groups for test_id in group]


def classes_together(ids):
    """Does every class's tests run one after another in ``ids``?"""
    seen, last = set(), None
    for test_id in ids:
        cls = test_id.rsplit(".", 1)[0]
        if cls != last and cls in seen:
            return False
        seen.add(cls)
        last = cls
    return True


# The run folder a process of the suite makes and hands to its children (g4f_tests.sandbox.COOKIES_ENV): this process
# has one too (importing g4f_tests makes it); a run started here makes its own, which it must remove itself.
RUN_FOLDER_ENV = "G4F_TESTS_COOKIES_DIR"


def child_env(extra=None, pythonpath=None):
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("G4F_TESTS_START_METHOD", None)
    env.pop(SHARED, None)
    env.pop(RUN_FOLDER_ENV, None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, ROOT) if p)
    env.update(extra or {})
    return env


def run(args, env=None, pythonpath=None, timeout=RUN_TIMEOUT, cwd=ROOT, warm=None):
    """``python ARGS`` (a list) in the project root; the CompletedProcess, text. With ``warm`` (tests/warm.py),
    forked from its warm process instead (ARGS then starts with the script)."""
    if warm is not None:
        return warm.run(args, env, pythonpath, timeout, cwd)
    return subprocess.run(
        [sys.executable] + list(args),
        cwd=cwd,
        env=child_env(env, pythonpath),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def run_suite(*args, python_flags=(), env=None, pythonpath=None, timeout=RUN_TIMEOUT, warm=None):
    """``python run_tests.py ARGS`` in the project root; the CompletedProcess (text)."""
    script = os.path.join(ROOT, "run_tests.py")
    return run(list(python_flags) + [script] + list(args), env, pythonpath, timeout, warm=warm)


class Results:
    """A run and its structured results: ``proc``, ``data`` (the JSON), ``outcomes`` ({test id: outcome})."""

    def __init__(self, proc, data):
        self.proc, self.data = proc, data
        self.outcomes = {test_id: entry["outcome"] for test_id, entry in data.get("tests", {}).items()}

    def output(self):
        return (self.proc.stdout + self.proc.stderr)[-6000:]

    def message(self, test_id):
        return self.data["tests"][test_id]["message"]


def _with_json(command):
    with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
        path = os.path.join(work, "results.json")
        proc = command(path)
        data = {}
        if os.path.exists(path) and os.path.getsize(path):
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        return Results(proc, data)


def suite_results(*args, **kwargs):
    """The runner with ``--json``: its outcomes per test id (and the process)."""
    return _with_json(lambda path: run_suite("--json", path, *args, **kwargs))


# The reference run executes run_tests.py in-process under an audit hook added before anything else, which records
# every socket.connect and socket.getaddrinfo of the run (whatever the suite's own guard then does with them), then
# writes them to the file named first and exits with the run's status.
RECORDER = """
import json, runpy, socket, sys
seen = []
def hook(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple):
        seen.append(["connect", repr(args[1])])
    elif event == "socket.getaddrinfo":
        seen.append(["getaddrinfo", repr(args[0])])
sys.addaudithook(hook)
record, sys.argv = sys.argv[1], ["run_tests.py"] + sys.argv[2:]
code = 0
try:
    runpy.run_path("run_tests.py", run_name="__main__")
except SystemExit as exit:
    code = exit.code
# Control: a loopback connection to a closed port must be seen, or the recorder is blind.
probe = socket.socket()
try:
    probe.connect(("127.0.0.1", 9))
except OSError:
    pass
finally:
    probe.close()
with open(record, "w") as f:
    json.dump(seen, f)
sys.exit(code)
"""
TAG_ENV = "G4F_TESTS_SELFTEST_TAG"


def tagged(tag):
    """{pid: command line} of the live processes whose environment carries ``tag`` (bytes); Linux only."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if tag not in f.read():
                    continue
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                found[int(pid)] = f.read().replace(b"\0", b" ")
            with open("/proc/%s/stat" % pid, "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    del found[int(pid)]  # a zombie holds no port and no file
        except OSError:
            continue
    return found


def left_behind(tag, tmp, grace=5.0):
    """What a finished run left: {"processes": {pid: command line} carrying ``tag``, "files": in its ``tmp``}, after
    ``grace`` seconds for a process killed at its end to go. Then kills those processes (Linux: reads /proc)."""
    deadline = time.monotonic() + grace
    while tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = {"processes": tagged(tag), "files": sorted(os.listdir(tmp))}
    for pid in left["processes"]:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return left


def _observed_default_run():
    """The default run, observed: its Results, with ``seen`` (the sockets its process reached, see RECORDER) and
    ``left`` (left_behind, Linux only, else None). It runs with a tag in its environment, which every process it
    starts inherits, and a temp dir of its own."""
    tag = "g4f-tests-selftest-%s" % uuid.uuid4().hex
    linux = sys.platform.startswith("linux")
    with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
        tmp, record = os.path.join(work, "tmp"), os.path.join(work, "seen.json")
        os.mkdir(tmp)
        results = _with_json(
            lambda path: run(["-c", RECORDER, record, "--json", path], env={TAG_ENV: tag, "TMPDIR": tmp})
        )
        results.left = left_behind(tag.encode(), tmp) if linux else None
        results.seen = None
        if os.path.exists(record):
            with open(record, encoding="utf-8") as f:
                results.seen = json.load(f)
    return results


def reference_run():
    """The default run (run_tests.py --json PATH, run by RECORDER), observed (see _observed_default_run): run once in a
    ``python tests`` session and read by every module that needs it (tests/__main__.py names a folder for it in
    SHARED); elsewhere (one module, unittest discover), run here."""
    folder = os.environ.get(SHARED)
    if not folder or fcntl is None:
        return _observed_default_run()
    path = os.path.join(folder, "reference-run.pickle")
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first module runs it, the others wait for it
        if os.path.exists(path):
            with open(path, "rb") as f:
                return pickle.load(f)
        results = _observed_default_run()
        with open(path, "wb") as f:
            pickle.dump(results, f)
        return results


def unittest_results(*args, python_flags=(), **kwargs):
    """``python -m unittest ARGS`` (through tests/unittest_json.py): its outcomes per test id."""
    script = os.path.join(HERE, "unittest_json.py")
    return _with_json(lambda path: run(list(python_flags) + [script, path] + list(args), **kwargs))


def junit_outcomes(path):
    """{test id: passed | skipped | expected failure | failed} from a JUnit XML report (the runner's or pytest's)."""
    found = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        # xmlrunner names a subtest "test_x (param='value')": it counts for its test.
        test_id = "%s.%s" % (case.get("classname"), case.get("name").split(" (", 1)[0])
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
            elif child.tag == "skipped":
                kind = (child.get("type") or "").lower()
                outcome = "expected failure" if "xfail" in kind else "skipped"
        if found.get(test_id) != "failed":  # a test appears once per subtest: a failing one wins
            found[test_id] = outcome
    return found


def verdict_differences(found, expected, results=None):
    """The ids whose outcome in ``found`` is not the one ``expected`` names (a missing or extra id too), one line
    each, with what the differing run said of it (``results``: its Results): readable where a dict diff is not."""
    lines = []
    for test_id in sorted(set(found) | set(expected)):
        if found.get(test_id) != expected.get(test_id):
            lines.append(
                "%s: %s, expected %s" % (test_id, found.get(test_id, "not run"), expected.get(test_id, "none"))
            )
            entry = results.data.get("tests", {}).get(test_id) if results is not None else None
            if entry and entry.get("message"):
                lines.append("    " + entry["message"].strip()[-1500:].replace("\n", "\n    "))
    return "\n".join(lines)


def plain(outcomes):
    """Outcomes with failures of every kind as one ("failed"), for comparing runners that name them differently."""
    return {t: ("failed" if o in ("error", "unexpected success") else o) for t, o in outcomes.items()}


def installed_g4f_dir():
    spec = importlib.util.find_spec("g4f")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("g4f is not installed in %s" % sys.executable)
    return list(spec.submodule_search_locations)[0]


class G4fCopy:
    """A copy of the installed g4f in a temp dir: a folder of links to the installed g4f's entries, but along the
    path of each edited file, where the folders are real (again links to their other entries) and the file a copy.

    The installed g4f is never written to: edited files are real copies (their folders' __pycache__ too), and
    children run with PYTHONDONTWRITEBYTECODE, so no bytecode is written into a linked folder.
    """

    def __init__(self):
        self.source = installed_g4f_dir()
        self.dir = tempfile.mkdtemp(prefix="g4f-copy-")
        self.package = os.path.join(self.dir, "g4f")
        self._unlink_folder(self.source, self.package)

    @staticmethod
    def _unlink_folder(source, path):
        """``path``: a real folder of links to each entry of ``source``. Bytecode is linked too: an edited file's
        stale .pyc fails its mtime check and is not used."""
        os.mkdir(path)
        for name in os.listdir(source):
            os.symlink(os.path.join(source, name), os.path.join(path, name))

    def _materialize(self, relpath):
        """The copy's g4f/RELPATH, with every folder on the way made real (links to their entries)."""
        parts = relpath.replace(os.sep, "/").split("/")
        path, source = self.package, self.source
        for part in parts[:-1]:
            path, source = os.path.join(path, part), os.path.join(source, part)
            if os.path.islink(path):
                os.unlink(path)
                self._unlink_folder(source, path)
        cache = os.path.join(path, "__pycache__")  # real too: no bytecode of the copy can land in the installed g4f
        if os.path.islink(cache):
            os.unlink(cache)
            self._unlink_folder(os.path.join(source, "__pycache__"), cache)
        return os.path.join(path, parts[-1])

    def edit(self, relpath, old, new, count=1):
        """Replace ``old`` by ``new`` in g4f/RELPATH of the copy; fail if ``old`` is not there."""
        path = self._materialize(relpath)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if text.count(old) < count:
            raise AssertionError("fault does not apply: %r not found in g4f/%s" % (old, relpath))
        if os.path.islink(path):
            os.unlink(path)  # the link, not the installed file
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, count))

    def append(self, relpath, text):
        """Add ``text`` at the end of g4f/RELPATH of the copy (after edit() made it a real file)."""
        path = self._materialize(relpath)
        if os.path.islink(path) or not os.path.exists(path):
            raise AssertionError("append() needs an edited file, not a link into the installed g4f")
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)

    def hide_nest(self):
        """Make nest_asyncio and nest_asyncio2 unimportable for a run against this copy (as if not installed)."""
        for name in ("nest_asyncio", "nest_asyncio2"):
            with open(os.path.join(self.dir, name + ".py"), "w", encoding="utf-8") as f:
                f.write("raise ImportError('%s is hidden by a g4f-tests self-test')\n" % name)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
