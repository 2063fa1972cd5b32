"""The matrix's check of a cell's two runs (compatibility.cell_problems), on made-up --json reports."""

import copy
import unittest

from compatibility import DOCUMENTED_EXCEPTION, cell_problems

VENV = "/work/.nox/cell-x"
CELL = {"python": "3.9", "g4f": "8.8.6", "nest": "both", "extras": "none", "newest": "8.8.6"}


def report(outcomes, python="3.9.18", executable=VENV + "/bin/python", nests="g4f nests with nest_asyncio2 1.7.4"):
    tests = {t: {"outcome": o, "message": "", "subtests": []} for t, o in outcomes.items()}
    values = [o for o in outcomes.values()]
    counts = {
        "passed": values.count("passed"),
        "failed": sum(values.count(o) for o in ("failed", "error", "unexpected success")),
        "skipped": values.count("skipped"),
        "expected failures": values.count("expected failure"),
    }
    return {
        "environment": ["Python %s (%s) on Linux" % (python, executable), "g4f 8.8.6; ...", nests],
        "tests": tests,
        "counts": counts,
        "exit": 1 if counts["failed"] else 0,
    }


DEFAULT = {"a": "passed", "b": "expected failure", "c": "skipped", DOCUMENTED_EXCEPTION: "skipped"}
STRICT = dict(DEFAULT, b="failed")


class CellProblemsTest(unittest.TestCase):
    def test_a_good_cell_has_no_problem(self):
        self.assertEqual(cell_problems(CELL, report(DEFAULT), report(STRICT), VENV), [])

    def test_header_naming_another_python_fails_the_cell(self):
        problems = cell_problems(CELL, report(DEFAULT, python="3.11.7"), report(STRICT), VENV)
        self.assertIn("names Python 3.11.7, not 3.9", problems[0])

    def test_a_python_outside_the_cells_virtualenv_fails_the_cell(self):
        problems = cell_problems(CELL, report(DEFAULT), report(STRICT, executable="/usr/bin/python3.9"), VENV)
        self.assertIn("is not the cell's virtualenv's", problems[0])

    def test_a_missing_report_fails_the_cell(self):
        self.assertEqual(cell_problems(CELL, report(DEFAULT), None, VENV), ["the --strict run wrote no --json report"])

    def test_a_failure_in_the_default_run_fails_the_cell(self):
        problems = cell_problems(CELL, report(dict(DEFAULT, a="failed")), report(dict(STRICT, a="failed")), VENV)
        self.assertTrue(any(p.startswith("the default run failed") for p in problems), problems)

    def test_strict_must_fail_exactly_the_expected_failures(self):
        for strict in (dict(STRICT, b="passed"), dict(STRICT, a="failed"), dict(STRICT, c="error")):
            with self.subTest(strict=strict):
                problems = cell_problems(CELL, report(DEFAULT), report(strict), VENV)
                self.assertTrue(any(p.startswith("--strict fails") for p in problems), problems)

    def test_a_count_mismatch_fails_the_cell(self):
        strict = report(STRICT)
        strict["counts"]["failed"] = 2
        problems = cell_problems(CELL, report(DEFAULT), strict, VENV)
        self.assertIn("--strict counts 2 failed, the default run 1 expected failures", problems)

    def test_nest_variants_without_g4f_nesting_must_run_test_exception(self):
        cell = dict(CELL, nest="nest1")
        cannot = "g4f cannot nest (the nest package it imports is not installed)"
        ran = dict(DEFAULT, **{DOCUMENTED_EXCEPTION: "expected failure"})
        strict = dict(STRICT, **{DOCUMENTED_EXCEPTION: "failed"})
        good = cell_problems(cell, report(ran, nests=cannot), report(strict, nests=cannot), VENV)
        self.assertEqual(good, [])
        skipped = cell_problems(cell, report(DEFAULT, nests=cannot), report(STRICT, nests=cannot), VENV)
        self.assertTrue(any("not the expected failure" in p for p in skipped), skipped)
        nested = cell_problems(cell, report(DEFAULT), report(STRICT), VENV)
        self.assertTrue(any("which the nest1 variant does not install" in p for p in nested), nested)

    def test_reports_are_not_changed(self):
        default, strict = report(DEFAULT), report(STRICT)
        before = copy.deepcopy((default, strict))
        cell_problems(CELL, default, strict, VENV)
        self.assertEqual((default, strict), before)


if __name__ == "__main__":
    unittest.main()
