"""What a run reports: one outcome per test (its subtests inside it), the known g4f defects seen, whom they
affect and what to do, the counts; at the end of a run, however it ends (``finish``), the runner prints it and
``--json`` writes the same outcomes.
"""

import json
import platform
import sys
import time
import unittest

from . import support, verdicts

FAILED = ("failed", "error", "unexpected success")
EXIT_OK, EXIT_FAILED = 0, 1


def describe_nest():
    module = support.g4f_nest()
    if module is None:
        return "g4f cannot nest (the nest package it imports is not installed)"
    name = module.__name__
    return "g4f nests with %s %s" % (name, support.dist_version(name) or "")


def environment_lines():
    """What a bug report needs: Python, platform, g4f, how g4f nests, the nest and uvloop packages."""

    def package(name):
        if not support.is_importable(name):
            return "%s absent" % name
        return "%s %s" % (name, support.dist_version(name) or "present")

    lines = [
        "Python %s (%s) on %s" % (platform.python_version(), sys.executable, platform.platform()),
        "%s; %s" % (support.describe_g4f(), "; ".join(package(n) for n in support.NEST_MODULES + ("uvloop",))),
    ]
    if support.g4f_version() is not None:
        lines.append(describe_nest())
    return lines


class Outcomes:
    """Result mixin: one outcome per test (its subtests reported inside it), its time, and why."""

    latest = None  # the result of the run in progress, so a hang can report what ran so far

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes, self.started = {}, {}
        self.unfinished = set()  # started, no outcome yet: the tests a stop interrupts
        Outcomes.latest = self

    def _entry(self, test):
        test = getattr(test, "test_case", test)  # a subtest counts for its test
        return self.outcomes.setdefault(
            test.id(), {"outcome": "passed", "message": "", "subtests": [], "seconds": None}
        )

    def _set(self, test, outcome, message=""):
        entry = self._entry(test)
        if test is getattr(test, "test_case", test):
            self.unfinished.discard(test.id())
        if test is not getattr(test, "test_case", test):
            params = ", ".join("%s=%s" % item for item in test.params.items())
            entry["subtests"].append({"params": params, "outcome": outcome, "message": message})
            if outcome not in FAILED:
                return
        rank = ("passed", "skipped", "expected failure") + FAILED
        if rank.index(outcome) >= rank.index(entry["outcome"]):
            entry["outcome"], entry["message"] = outcome, message or entry["message"]

    def startTest(self, test):
        self.started[test.id()] = time.perf_counter()
        self.unfinished.add(test.id())
        self._entry(test)
        super().startTest(test)

    def stopTest(self, test):
        entry = self._entry(test)
        entry["seconds"] = round(time.perf_counter() - self.started.pop(test.id(), time.perf_counter()), 3)
        skipped = [s for s in entry["subtests"] if s["outcome"] == "skipped"]
        if entry["outcome"] == "passed" and skipped and len(skipped) == len(entry["subtests"]):
            entry["outcome"], entry["message"] = "skipped", "; ".join(sorted({s["message"] for s in skipped}))
        super().stopTest(test)

    def addSuccess(self, test):
        self._set(test, "passed")
        super().addSuccess(test)

    def addFailure(self, test, err):
        self._set(test, "failed", self._exc_info_to_string(err, test))
        super().addFailure(test, err)

    def addError(self, test, err):
        self._set(test, "error", self._exc_info_to_string(err, test))
        super().addError(test, err)

    def addSkip(self, test, reason):
        self._set(test, "skipped", reason)
        super().addSkip(test, reason)

    def addExpectedFailure(self, test, err):
        self._set(test, "expected failure", str(err[1]))
        super().addExpectedFailure(test, err)

    def addUnexpectedSuccess(self, test):
        self._set(test, "unexpected success", "a known g4f defect did not show: update g4f_tests/known_defects.py")
        super().addUnexpectedSuccess(test)

    def addSubTest(self, test, subtest, err):
        if err is None:
            self._set(subtest, "passed")
        else:
            self._set(
                subtest,
                "failed" if issubclass(err[0], test.failureException) else "error",
                self._exc_info_to_string(err, test),
            )
        super().addSubTest(test, subtest, err)


class Result(Outcomes, unittest.TextTestResult):
    pass


def counts(outcomes):
    outcomes = [v["outcome"] for v in outcomes.values()]
    return {
        "passed": outcomes.count("passed"),
        "failed": sum(outcomes.count(o) for o in FAILED),
        "skipped": outcomes.count("skipped"),
        "expected failures": outcomes.count("expected failure"),
    }


def summarize(outcomes, tests, stream):
    seen = {}
    for test in tests:
        entry = outcomes.get(test.id())
        if entry and entry["outcome"] == "expected failure":
            for defect in verdicts.applicable(test):
                seen.setdefault(defect.name, (defect, []))[1].append(test.id())
        elif entry and entry["outcome"] in FAILED and verdicts.strict:
            for defect in verdicts.carried(test):
                seen.setdefault(defect.name, (defect, []))[1].append(test.id())
    if seen and verdicts.strict:
        stream.write(
            "\nknown g4f defects, failures here because of --strict (without it, expected failures when their exact "
            "shape shows):\n"
        )
    elif seen:
        stream.write("\nknown g4f defects seen (expected failures; --strict reports them as failures):\n")
    for defect, ids in seen.values():
        stream.write(
            "  %s, g4f %s: %s\n    %s\n    what to do: %s\n    checks: %s\n"
            % (defect.name, defect.releases(), defect, defect.where, defect.workaround, ", ".join(ids))
        )
    unexpected = [test_id for test_id, v in outcomes.items() if v["outcome"] == "unexpected success"]
    if unexpected:
        stream.write(
            "\nknown g4f defects that did not show (g4f may have fixed them; update "
            "g4f_tests/known_defects.py):\n%s" % "".join("  %s\n" % t for t in unexpected)
        )
    partial = [
        (t, v)
        for t, v in outcomes.items()
        if v["outcome"] == "passed" and any(s["outcome"] == "skipped" for s in v["subtests"])
    ]
    for test_id, verdict in partial:
        skipped = [s for s in verdict["subtests"] if s["outcome"] == "skipped"]
        stream.write(
            "%s: %d of %d calls ran, %d skipped: %s\n"
            % (
                test_id,
                len(verdict["subtests"]) - len(skipped),
                len(verdict["subtests"]),
                len(skipped),
                "; ".join(sorted({s["message"] for s in skipped})),
            )
        )
    if support.blocked_attempts:
        stream.write("\nnetwork access blocked during the run:\n")
        for where, thread in support.blocked_attempts:
            stream.write("  %s (thread %s)\n" % (where, thread))


class Run:
    """What the closing report needs, filled in as the run gets there: a stop can come at any point."""

    def __init__(self, stream, started):
        self.stream, self.started, self.header, self.seed, self.tests = stream, started, [], None, []
        self.json_file = self.junit_file = None
        self.reported = False


def finish(state, result, hung=None, stopped=None):
    """The end of a run: the known-defects section, the JSON report, the closing line; the exit status.
    ``hung``: the test that hangs (the process is about to end); ``stopped``: the ends.Stop that ended the run
    (what ran so far is reported, the tests it interrupted as such)."""
    state.reported = True
    stream, outcomes = state.stream, result.outcomes if result is not None else {}
    if hung is not None:
        entry = outcomes.setdefault(hung.id(), {"subtests": [], "seconds": None})
        entry.update(outcome="error", message="did not finish within %s s" % support.TIMEOUT)
    during = sorted(result.unfinished) if stopped is not None and result is not None else []
    for test_id in during:  # started, never stopped: the run ended during them
        outcomes[test_id].update(outcome=stopped.what, message="the run was %s during this test" % stopped.what)
    summarize(outcomes, state.tests, stream)
    total = counts(outcomes)
    failed = total["failed"] or support.blocked_attempts or (result is not None and not result.wasSuccessful())
    status = stopped.status if stopped is not None else EXIT_FAILED if failed else EXIT_OK
    seconds = time.perf_counter() - state.started
    if state.json_file is not None:
        with state.json_file:
            report = {"environment": state.header, "seed": state.seed, "order": [t.id() for t in state.tests]}
            report.update(tests=outcomes, counts=total, blocked=support.blocked_attempts, seconds=round(seconds, 3))
            report.update({"stopped": stopped.what} if stopped is not None else {})
            json.dump(dict(report, exit=status), state.json_file, indent=1)
    if hung is not None:
        how = " (stopped: %s hangs)" % hung.id()
    elif stopped is not None:
        how = " (%s%s)" % (stopped.what, " during %s" % ", ".join(during) if during else "")
    else:
        how = ""
    stream.write(
        "\n%d passed, %d failed, %d skipped, %d expected failures in %.1f s%s\n"
        % (total["passed"], total["failed"], total["skipped"], total["expected failures"], seconds, how)
    )
    stream.flush()
    return status
