"""tests/dropin.py on a small fake gpt4free tree: it passes an unchanged drop-in and catches a lost test, a newly
failing test, a count mismatch and a drop-in that breaks the suite's imports; --patch writes what git am applies.

The fake tree is laid out as gpt4free's: etc/unittest is a package without __init__.py whose __main__.py imports
the test modules and calls unittest.main(); asyncio.py and mocks.py of its own; client.py and model.py import mock
names, and client.py's TestPassModel shadows model.py's in __main__ as in g4f; integration.py is never imported.
No g4f is needed: each check runs two children of a bare interpreter (well under a second).
"""

import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

import dropin
import dropin_patch

MAIN = """\
import unittest

import g4f

g4f.version_check = False

from .asyncio import *
from .model import *
from .client import *

unittest.main()
"""
ASYNCIO = """\
import unittest

from .mocks import ProviderMock


class TestChatCompletion(unittest.TestCase):
    def test_create(self):
        self.assertEqual("Mock", ProviderMock.create())

    def test_exception(self):
        self.skipTest("has nest_asyncio")
"""
MOCKS = """\
class ProviderMock:
    @classmethod
    def create(cls):
        return "Mock"


class ModelProviderMock:
    @classmethod
    def create(cls, model):
        return model
"""
CLIENT = """\
import socket
import unittest

from .mocks import ModelProviderMock


class TestPassModel(unittest.TestCase):
    def test_pass_model(self):
        self.assertEqual("Hello", ModelProviderMock.create("Hello"))

    def test_subtests(self):
        for model in ("a", "b"):
            with self.subTest(model=model):
                self.assertEqual(model, ModelProviderMock.create(model))

    def test_network_is_blocked(self):
        # A numeric address: without the guard this resolves locally and the assertion fails.
        with self.assertRaisesRegex(OSError, "network blocked by tests/dropin.py"):
            socket.getaddrinfo("192.0.2.1", 443)

    @unittest.expectedFailure
    def test_known_bug(self):
        self.assertEqual("Mock", ModelProviderMock.create("other"))
"""
# Shadowed in __main__ by client.py's TestPassModel, as g4f's model.py is: unittest.main() never runs it.
MODEL = """\
import unittest

from .mocks import ModelProviderMock


class TestPassModel(unittest.TestCase):
    def test_model_instance(self):
        self.assertEqual("m", ModelProviderMock.create("m"))
"""
PREFIX = "etc.unittest."
SHADOWED = PREFIX + "model.TestPassModel"
EXPECTED = {
    PREFIX + "asyncio.TestChatCompletion.test_create": "ok",
    PREFIX + "asyncio.TestChatCompletion.test_exception": "skipped",
    PREFIX + "client.TestPassModel.test_pass_model": "ok",
    PREFIX + "client.TestPassModel.test_subtests": "ok",
    PREFIX + "client.TestPassModel.test_network_is_blocked": "ok",
    PREFIX + "client.TestPassModel.test_known_bug": "expected failure",
}


def write(folder, files):
    for name, text in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)


class FakeTree(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="test-dropin-")
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.checkout = os.path.join(self.dir, "gpt4free")
        unittest_files = {"__main__.py": MAIN, "asyncio.py": ASYNCIO, "mocks.py": MOCKS, "client.py": CLIENT}
        unittest_files.update({"model.py": MODEL, "integration.py": "raise ImportError('never imported')\n"})
        write(self.checkout, {"etc/unittest/" + k: v for k, v in unittest_files.items()})
        write(self.checkout, {"g4f/__init__.py": "", "etc/tool/readme.txt": "a sibling of etc/unittest\n"})
        self.pristine = self.snapshot()

    def snapshot(self):
        found = {}
        for folder, _, names in os.walk(self.checkout):
            for name in names:
                with open(os.path.join(folder, name), "rb") as f:
                    found[os.path.relpath(os.path.join(folder, name), self.checkout)] = f.read()
        return found

    def check(self, asyncio=ASYNCIO, mocks=MOCKS, **kwargs):
        """dropin.check of a pair with these texts; (exit status, printed lines). The checkout is unchanged."""
        pair = tempfile.mkdtemp(dir=self.dir)
        write(pair, {"asyncio.py": asyncio, "mocks.py": mocks})
        lines = []
        status = dropin.check(self.checkout, pair, out=lines.append, timeout=60, **kwargs)
        self.assertEqual(self.snapshot(), self.pristine, "dropin.py wrote into the checkout")
        return status, lines

    def assertSays(self, lines, text):
        self.assertTrue(any(text in line for line in lines), "no line says %r:\n%s" % (text, "\n".join(lines)))


class TestComparison(FakeTree):
    def test_unchanged_drop_in_passes(self):
        status, lines = self.check()
        self.assertEqual(status, 0, "\n".join(lines))
        self.assertEqual(lines[-1], "drop-in OK: 6 tests compared (+1 in shadowed classes), 0 problems")
        self.assertIn("before: 6 tests run, 6 loaded, 6 outcomes collected", lines[0])
        self.assertSays(lines, "not imported by etc/unittest/__main__.py, so in neither run: integration")
        self.assertSays(lines, "classes shadowed in etc/unittest/__main__.py, run after the suite: " + SHADOWED)

    def test_child_records_each_outcome_and_blocks_the_network(self):
        tree = dropin.make_tree(self.checkout, os.path.join(self.dir, "tree"))
        data = dropin.run(tree, dropin.sys.executable, timeout=60)
        self.assertEqual(data["tests"], EXPECTED)
        self.assertEqual((data["tests_run"], data["loaded"], data["runs"], data["no_outcome"]), (6, 6, {}, []))
        self.assertEqual(data["not_run"], {SHADOWED: [SHADOWED + ".test_model_instance"]})
        self.assertEqual(data["shadowed"]["tests"], {SHADOWED + ".test_model_instance": "ok"})
        self.assertEqual(data["not_imported"], ["integration"])

    def test_lost_test(self):
        status, lines = self.check(asyncio=ASYNCIO.split("    def test_exception")[0])
        self.assertEqual(status, 1)
        self.assertSays(lines, "lost: etc.unittest.asyncio.TestChatCompletion.test_exception (was skipped)")
        self.assertSays(lines, "count mismatch: 6 tests run before, 5 after")

    def test_newly_failing_test(self):
        status, lines = self.check(mocks=MOCKS.replace("return model", "return model.upper()"))
        self.assertEqual(status, 1)
        self.assertSays(lines, "newly failing: etc.unittest.client.TestPassModel.test_pass_model (ok -> FAIL)")
        self.assertSays(lines, "AssertionError: 'Hello' != 'HELLO'")
        # a failing subtest fails its test
        self.assertSays(lines, "newly failing: etc.unittest.client.TestPassModel.test_subtests (ok -> FAIL)")
        self.assertSays(lines, "shadowed in __main__.py, newly failing: %s.test_model_instance (ok -> FAIL)" % SHADOWED)
        self.assertFalse([line for line in lines if "test_known_bug" in line], "an expected failure stays one")

    def test_count_mismatch(self):
        # A class bound to two names runs twice under the same ids: 4 more tests run, no more outcomes.
        status, lines = self.check(asyncio=ASYNCIO + "\n\nTestChatCompletionAgain = TestChatCompletion\n")
        self.assertEqual(status, 1)
        self.assertSays(lines, "count mismatch in the second run: 8 tests run, 6 outcomes collected")
        self.assertSays(lines, "count mismatch: 6 tests run before, 8 after")
        self.assertSays(lines, "ran 2 times in the second run")

    def test_drop_in_that_breaks_the_imports(self):
        status, lines = self.check(mocks=MOCKS.replace("class ModelProviderMock", "class RenamedMock"))
        self.assertEqual(status, 1)
        self.assertSays(lines, "the second run (our files) gave no outcomes")
        self.assertSays(lines, "ImportError: cannot import name 'ModelProviderMock'")
        self.assertEqual(sum(line.startswith("lost: ") for line in lines), 6)

    def test_no_longer_checked_is_a_problem_and_a_fixed_failure_is_not(self):
        before = {"tests_run": 2, "loaded": 2, "runs": {}, "no_outcome": [], "fixtures": {}, "details": {}}
        before["tests"] = {"m.C.test_a": "ok", "m.C.test_b": "ERROR"}
        after = dict(before, tests={"m.C.test_a": "skipped", "m.C.test_b": "ok"})
        after["fixtures"] = {"setUpClass (m.D)": "ERROR"}
        found = dropin.compare(before, after)
        self.assertEqual(
            found["problems"],
            ["no longer checked: m.C.test_a (ok -> skipped)", "new outside any test: setUpClass (m.D) ERROR"],
        )
        self.assertEqual(found["notes"], ["outcome changed: m.C.test_b (ERROR -> ok)"])

    def test_each_difference_between_two_runs(self):
        """compare() alone, on small runs: each kind of difference is a problem or a note, as documented"""
        base = dict(dropin.empty_run(), tests_run=2, loaded=2, tests={"m.C.test_a": "ok", "m.C.test_b": "ok"})
        cases = [
            ({"tests": {"m.C.test_a": "ok"}, "tests_run": 1, "loaded": 1}, "problems", "lost: m.C.test_b (was ok)"),
            (
                {"tests": dict(base["tests"], **{"m.C.test_c": "ok"}), "tests_run": 3, "loaded": 3},
                "problems",
                "added: m.C.test_c (ok)",
            ),
            ({"loaded": 3}, "problems", "count mismatch: 2 tests loaded before, 3 after"),
            ({"tests_run": 3, "loaded": 3}, "problems", "count mismatch: 2 tests run before, 3 after"),
            ({"tests_run": 3}, "problems", "count mismatch in the second run: 3 tests run, 2 outcomes collected"),
            (
                {"runs": {"m.C.test_a": 2}},
                "problems",
                "ran 2 times in the second run (one outcome for 2 runs): m.C.test_a",
            ),
            ({"no_outcome": ["m.C.test_a"]}, "problems", "ran without an outcome in the second run: m.C.test_a"),
            (
                {"tests": {"m.C.test_a": "ok", "m.C.test_b": "ERROR"}},
                "problems",
                "newly failing: m.C.test_b (ok -> ERROR)",
            ),
            (
                {"tests": {"m.C.test_a": "ok", "m.C.test_b": "unexpected success"}},
                "problems",
                "newly failing: m.C.test_b (ok -> unexpected success)",
            ),
            (
                {"tests": {"m.C.test_a": "ok", "m.C.test_b": "expected failure"}},
                "problems",
                "no longer checked: m.C.test_b (ok -> expected failure)",
            ),
            ({"not_run": {"m.D": ["m.D.test_x"]}}, "notes", "not run by __main__.py after only: m.D"),
        ]
        for change, kind, line in cases:
            with self.subTest(line=line):
                found = dropin.compare(base, dict(base, **change))
                self.assertIn(line, found[kind])
                self.assertEqual(found["problems" if kind == "notes" else "notes"], [])
        self.assertEqual(dropin.compare(base, dict(base)), {"problems": [], "notes": []})
        gone = dropin.compare(dict(base, fixtures={"setUpModule (m)": "ERROR"}), base)
        self.assertEqual(gone, {"problems": [], "notes": ["gone outside any test: setUpModule (m) ERROR"]})

    def test_unusable_checkout_and_broken_first_run(self):
        lines = []
        self.assertEqual(dropin.check(self.dir, out=lines.append), 2)
        write(self.checkout, {"etc/unittest/__main__.py": "raise SystemExit(3)\n"})
        self.pristine = self.snapshot()
        status, lines = self.check()
        self.assertEqual(status, 2)
        self.assertSays(lines, "the first run (g4f's files) gave no outcomes: the suite exited with 3")


class TestPatch(FakeTree):
    def test_patch_explains_each_difference_and_git_am_applies_it(self):
        if shutil.which("git") is None:
            self.skipTest("git is not installed")
        asyncio = ASYNCIO.replace(
            "import unittest\n", "import unittest\n\n# g4f-tests: a reason\n# that goes on\nimport sys\n", 1
        )
        mocks = MOCKS.replace("return model\n", "return model  # renamed").rstrip("\n")  # and no newline at the end
        out = os.path.join(self.dir, "dropin.patch")
        status, lines = self.check(asyncio, mocks, patch=out, author="Tester <tester@invalid>")
        self.assertEqual(status, 0, "\n".join(lines))
        self.assertSays(lines, "differences from g4f's files: 2 hunks, 1 without a g4f-tests comment")
        with open(out, encoding="utf-8") as f:
            patch = f.read()
        self.assertTrue(patch.startswith("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"))
        self.assertIn("\nFrom: Tester <tester@invalid>\n", patch)
        self.assertIn("\nSubject: [PATCH] etc/unittest: asyncio.py and mocks.py from g4f-tests\n", patch)
        message = " ".join(patch.split("\n---\n")[0].split())
        self.assertIn("* etc/unittest/asyncio.py, lines 2-5: a reason that goes on", message)
        self.assertIn("* etc/unittest/mocks.py, line 10: no g4f-tests comment explains this difference", message)
        self.assertIn("ran 6 tests before and 6 after (this diff applied with git apply)", message)
        self.assertIn("no test was lost and none newly fails", message)
        self.assertIn("The 1 test of the classes that a same-named class shadows in __main__.py", message)
        self.assertNotIn("Failing in both runs", message)

        git = ["git", "-c", "user.name=Maintainer", "-c", "user.email=maintainer@invalid", "-c", "init.defaultBranch=m"]
        env = dict(os.environ, GIT_CEILING_DIRECTORIES=self.dir)
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "fake gpt4free"], ["am", "-q", out]):
            proc = subprocess.run(
                git + args, cwd=self.checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            self.assertEqual(proc.returncode, 0, proc.stdout.decode(errors="replace"))
        for name, text in (("asyncio.py", asyncio), ("mocks.py", mocks)):
            with open(os.path.join(self.checkout, "etc", "unittest", name), encoding="utf-8", newline="") as f:
                self.assertEqual(f.read(), text)

    def test_failing_tests_are_named_by_class(self):
        data = {"tests": {"m.A.test_1": "ERROR", "m.A.test_2": "ERROR", "m.B.test_1": "FAIL", "m.B.test_2": "ok"}}
        data["details"] = {"m.A.test_1": "AttributeError: x", "m.A.test_2": "KeyError: y", "m.B.test_1": "Oops"}
        self.assertEqual(
            dropin_patch._failing_by_class(data), ["m.A: 2 tests (AttributeError, KeyError)", "m.B.test_1 (Oops)"]
        )

    def test_hunks_find_each_reason(self):
        diff = dropin_patch.file_diff(
            "etc/unittest/mocks.py",
            b"a\nb\nc\n",
            textwrap.dedent("""\
                a
                try:  # g4f-tests: first reason
                    b
                except ImportError:
                    pass
                c
                # g4f-tests: second
                # continued
                x = 1  # not part of it
            """).encode(),
        )
        self.assertEqual(
            [(first, last, reasons) for _, first, last, _, _, reasons in dropin_patch.hunks(diff)],
            [(2, 9, ["first reason", "second continued"])],
        )


if __name__ == "__main__":
    unittest.main()
