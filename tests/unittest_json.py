#!/usr/bin/env python3
"""``python -m unittest ARGS``, exactly (unittest.main with module=None, as ``-m unittest`` runs it), writing each
test's outcome as JSON: what the project's own tests read instead of unittest's verbose text.

    python tests/unittest_json.py OUT.json [unittest arguments: names, discover ..., -k ...]

The outcomes are recorded by g4f_tests.report.Outcomes, the same recorder as the runner's --json. With
``--progress``, each test's outcome is also written to stdout as one JSON line when it finishes (tests/__main__.py
shows them).
"""

import json
import os
import sys
import time
import unittest

sys.path[0] = os.getcwd()  # as ``python -m unittest`` has it: the current folder first, not this script's
from g4f_tests.report import Outcomes  # noqa: E402

PROGRESS = "--progress" in sys.argv[2:3]


def _progress(line):
    sys.__stdout__.write("PROGRESS %s\n" % json.dumps(line))
    sys.__stdout__.flush()


class _Result(Outcomes, unittest.TextTestResult):
    _since, _class = time.perf_counter(), None

    def startTest(self, test):
        # A class's set-up (setUpClass: the runs a self-test compares) counts for none of its tests: shown itself.
        cls = type(getattr(test, "test_case", test))
        if PROGRESS and cls is not self._class:
            self._class = cls
            seconds = time.perf_counter() - self._since
            if seconds >= 0.5:
                _progress({"id": "%s.%s" % (cls.__module__, cls.__qualname__), "outcome": "set up", "seconds": seconds})
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self._since = time.perf_counter()
        if PROGRESS:
            test_id = getattr(test, "test_case", test).id()
            entry = self.outcomes.get(test_id, {})
            _progress({"id": test_id, "outcome": entry.get("outcome"), "seconds": entry.get("seconds")})


def main():
    out, argv = sys.argv[1], [a for a in sys.argv[2:] if a != "--progress"]
    runner = unittest.TextTestRunner(resultclass=_Result, verbosity=0)
    program = unittest.main(module=None, argv=["python -m unittest"] + argv, testRunner=runner, exit=False)
    result = program.result
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"tests": result.outcomes, "ran": result.testsRun, "successful": result.wasSuccessful()}, f)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
