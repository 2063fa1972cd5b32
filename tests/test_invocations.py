"""Every supported way of starting the suite runs the documented tests."""
import re
import subprocess
import sys
import unittest

from helpers import ROOT, RUN_TIMEOUT, child_env

DOCUMENTED_NAMES = [
    "test_await_callback", "test_create", "test_create_generator", "test_exception",
    "test_async", "test_base",
]


def run(*args):
    return subprocess.run([sys.executable] + list(args), cwd=ROOT, env=child_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=RUN_TIMEOUT,
                          stdin=subprocess.DEVNULL)


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
        for argv in (["-m", "unittest", "-v"], ["-m", "unittest", "discover", "-v"],
                     ["-m", "unittest", "g4f_tests", "-v"], ["-m", "g4f_tests", "-v"], ["run_tests.py", "-v"]):
            with self.subTest(argv=" ".join(argv)):
                totals[" ".join(argv)] = self.check(run(*argv))
        self.assertEqual(len(set(totals.values())), 1, totals)


if __name__ == "__main__":
    unittest.main()
