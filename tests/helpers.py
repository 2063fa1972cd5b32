"""Helpers for the project's own tests: run the suite in a child, and make faulted copies of g4f."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A whole run of the suite in a child: generous, the suite itself stops a hung test far earlier.
RUN_TIMEOUT = 120
CLOSING_LINE = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped, (\d+) expected failures$", re.M)


def child_env(extra=None, pythonpath=None):
    env = dict(os.environ)
    env.pop("G4F_TESTS_STRICT", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    paths = [p for p in (pythonpath, ROOT) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra or {})
    return env


def run_suite(*args, python_flags=(), env=None, pythonpath=None, timeout=RUN_TIMEOUT):
    """``python run_tests.py ARGS`` in the project root; returns the CompletedProcess (text)."""
    return subprocess.run(
        [sys.executable] + list(python_flags) + [os.path.join(ROOT, "run_tests.py")] + list(args),
        cwd=ROOT,
        env=child_env(env, pythonpath),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        universal_newlines=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def counts(output):
    """(passed, failed, skipped, expected failures) from the runner's closing line."""
    found = CLOSING_LINE.findall(output)
    if not found:
        raise AssertionError("no closing count line in the runner's output:\n" + output)
    return tuple(int(n) for n in found[-1])


def installed_g4f_dir():
    spec = importlib.util.find_spec("g4f")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("g4f is not installed in %s" % sys.executable)
    return list(spec.submodule_search_locations)[0]


class G4fCopy:
    """A copy of the installed g4f in a temp dir: every file a symlink except the ones edited.

    The installed g4f is never written to: edited files are real copies, and children run with
    PYTHONDONTWRITEBYTECODE so no bytecode is written through a link.
    """

    def __init__(self):
        self.source = installed_g4f_dir()
        self.dir = tempfile.mkdtemp(prefix="g4f-copy-")
        self.package = os.path.join(self.dir, "g4f")
        # Bytecode is linked too: an edited file's stale .pyc fails its mtime check and is not used.
        shutil.copytree(self.source, self.package, copy_function=os.symlink)

    def edit(self, relpath, old, new, count=1):
        """Replace ``old`` by ``new`` in g4f/RELPATH of the copy; fail if ``old`` is not there."""
        path = os.path.join(self.package, relpath)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if text.count(old) < count:
            raise AssertionError("fault does not apply: %r not found in g4f/%s" % (old, relpath))
        os.unlink(path)  # the link, not the installed file
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, count))

    def append(self, relpath, text):
        """Add ``text`` at the end of g4f/RELPATH of the copy (after edit() made it a real file)."""
        path = os.path.join(self.package, relpath)
        if os.path.islink(path):
            raise AssertionError("append() needs an edited file, not a link into the installed g4f")
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


# A verbose unittest line: "test_x (pkg.mod.Class.test_x)" (3.11+) or "test_x (pkg.mod.Class)", then
# " (params)" for a subtest (indented on 3.11+), then the docstring's first line if any, then " ... outcome".
_VERBOSE = re.compile(
    r"^ *(test\w*) \(([\w.]+)\)(?: \([^\n]*\))?(?:\n(?! *test\w* \()[^\n]*?)? \.\.\. "
    r"(ok|FAIL|ERROR|skipped|expected failure|unexpected success)",
    re.M,
)


def outcomes(output):
    """{test id: outcome} from verbose unittest output, in the order the tests ran; a failing subtest
    makes its test FAIL (or ERROR) whatever else it reported."""
    found = {}
    for name, where, outcome in _VERBOSE.findall(output):
        test_id = where if where.endswith("." + name) else where + "." + name
        if found.get(test_id) not in ("FAIL", "ERROR"):
            found[test_id] = outcome
    return found


def junit_outcomes(path):
    """{test id: ok | skipped | expected failure | FAIL} from a JUnit XML report (xmlrunner's or pytest's)."""
    found = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        # xmlrunner names a subtest "test_x (param='value')": it counts for its test.
        test_id = "%s.%s" % (case.get("classname"), case.get("name").split(" (", 1)[0])
        outcome = "ok"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "FAIL"
            elif child.tag == "skipped":
                kind = (child.get("type") or "").lower()
                outcome = "expected failure" if "xfail" in kind else "skipped"
        if found.get(test_id) != "FAIL":  # a test appears once per subtest: a failing one wins
            found[test_id] = outcome
    return found
