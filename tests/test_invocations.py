"""Every supported way of starting the suite runs the documented tests."""

import os
import re
import subprocess
import sys
import unittest

from helpers import ROOT, RUN_TIMEOUT, child_env

DOCUMENTED_NAMES = [
    "test_await_callback",
    "test_create",
    "test_create_generator",
    "test_exception",
    "test_async",
    "test_base",
]


def run(*args):
    return subprocess.run(
        [sys.executable] + list(args),
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=RUN_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


class InvocationTest(unittest.TestCase):
    def check(self, proc):
        self.assertEqual(proc.returncode, 0, proc.stdout)
        ran = re.search(r"^Ran (\d+) tests?", proc.stdout, re.M)
        self.assertIsNotNone(ran, proc.stdout)
        for name in DOCUMENTED_NAMES:
            self.assertRegex(proc.stdout, r"%s \(g4f_tests\.asyncio\.TestChatCompletion" % name)
        self.assertNotIn("Traceback", proc.stdout)
        return int(ran.group(1))

    def test_all_entry_points_run_the_same_tests(self):
        totals = {}
        for argv in (
            ["-m", "unittest", "-v"],
            ["-m", "unittest", "discover", "-v"],
            ["-m", "unittest", "g4f_tests", "-v"],
            ["-m", "g4f_tests", "-v"],
            ["run_tests.py", "-v"],
        ):
            with self.subTest(argv=" ".join(argv)):
                totals[" ".join(argv)] = self.check(run(*argv))
        self.assertEqual(len(set(totals.values())), 1, totals)


class UnsupportedInvocationTest(unittest.TestCase):
    """Invocations that cannot work stop at once with one line naming the supported commands."""

    def check_stops(self, proc):
        self.assertEqual(proc.returncode, 2, proc.stdout)
        self.assertNotIn("Traceback", proc.stdout)
        lines = proc.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, proc.stdout)
        self.assertIn("python -m unittest", lines[0])
        self.assertIn("run_tests.py", lines[0])

    def test_discovery_started_inside_the_package(self):
        self.check_stops(run("-m", "unittest", "discover", "-s", "g4f_tests"))

    def test_documented_module_run_as_a_script(self):
        self.check_stops(run(os.path.join("g4f_tests", "asyncio.py")))


STRAY = re.compile(r"ResourceWarning|never awaited|Task was destroyed|unclosed|DeprecationWarning|Traceback")


class DevModeTest(unittest.TestCase):
    def test_dev_mode_run_prints_no_stray_warning(self):
        """python -X dev run_tests.py: no ResourceWarning, never-awaited, destroyed-task or unclosed-loop line"""
        for args in (
            ["-X", "dev", "run_tests.py", "-q"],
            ["-X", "dev", "run_tests.py", "-q", "--shuffle", "3"],
            ["-X", "dev", "-m", "unittest"],
        ):
            with self.subTest(argv=" ".join(args)):
                proc = run(*args)
                self.assertEqual(proc.returncode, 0, proc.stdout[-3000:])
                self.assertEqual(STRAY.findall(proc.stdout), [], proc.stdout[-3000:])


if __name__ == "__main__":
    unittest.main()
