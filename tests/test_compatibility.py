"""The matrix's check of a cell's two runs (compatibility.cell_problems), on made-up --json reports."""

import copy
import types
import unittest

import compatibility
import compatibility_sections as sections
from compatibility import DOCUMENTED_EXCEPTION, cell_problems, cell_result, environment_problems

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


NESTS = "g4f nests with nest_asyncio2 1.7.4"
CANNOT = "g4f cannot nest (the nest package it imports is not installed)"
TIMEOUT = "g4f_tests.bridge.TestToSyncGenerator.test_timeout_expires_and_closes_generator"
AUTO = "g4f_tests.nesting.TestAutoPatch.test_async_provider_in_running_loop"
UVLOOP = "g4f_tests.nesting.TestUvloop.test_async_provider_in_running_uvloop"
THREADS = "g4f_tests.threads.TestThreadsNestApplied.test_sync_create_from_many_threads_at_once"


def made_up(python, g4f, nest="both", extras="all", nests=NESTS, broken=(), skipped=None, defects=None):
    """A cell's saved result as the noxfile writes it: ``broken`` fail under --strict (``defects``: the known
    defect each shows), ``skipped`` {test: reason}, every other test of ALL passes."""
    skipped, defects = skipped or {}, defects or {}
    strict = {t: "failed" if t in broken else "skipped" if t in skipped else "passed" for t in ALL}
    return {
        "python": python,
        "g4f": g4f,
        "nest": nest,
        "extras": extras,
        "environment": ["Python %s.0 (/v/bin/python) on Linux" % python, "g4f %s" % g4f, nests],
        "counts": {"passed": 1, "failed": 0, "skipped": len(skipped), "expected failures": len(defects)},
        "seconds": 1.0,
        "problems": [],
        "strict": strict,
        "skipped": skipped,
        "expected": {t: "known g4f defect %s: it broke" % d for t, d in defects.items()},
    }


ALL = (DOCUMENTED_EXCEPTION, TIMEOUT, AUTO, UVLOOP, THREADS)
EXC_SKIP = {DOCUMENTED_EXCEPTION: "has nest_asyncio"}
THR = {THREADS: "threads-x"}
CELLS = [
    made_up(
        "3.11", "1.0", skipped=dict(EXC_SKIP, **{TIMEOUT: "g4f 1.0 predates the timeout"}), broken=THR, defects=THR
    ),
    made_up(
        "3.11",
        "2.0",
        skipped=dict(EXC_SKIP, **{TIMEOUT: "g4f 2.0 predates the timeout"}),
        broken=(AUTO, UVLOOP, THREADS),
        defects=dict(THR, **{AUTO: "auto-patch", UVLOOP: "uvloop-x"}),
    ),
    made_up(
        "3.11",
        "3.0",
        skipped=dict(EXC_SKIP, **{TIMEOUT: "g4f 3.0 predates the timeout"}),
        broken=(UVLOOP, THREADS),
        defects=dict(THR, **{UVLOOP: "uvloop-x"}),
    ),
    made_up(
        "3.8",
        "3.0",
        extras="none",
        skipped=dict(EXC_SKIP, **{UVLOOP: "uvloop is not installed (pip install uvloop)"}),
        broken=(TIMEOUT, THREADS),
        defects=dict(THR, **{TIMEOUT: "timeout-x"}),
    ),
    made_up(
        "3.11",
        "3.0",
        nest="none",
        extras="none",
        nests=CANNOT,
        broken=(DOCUMENTED_EXCEPTION,),
        defects={DOCUMENTED_EXCEPTION: "documented-x"},
        skipped={THREADS: "g4f cannot nest here", UVLOOP: "uvloop is not installed (pip install uvloop)"},
    ),
]
LINE = compatibility.axis(CELLS)


class WhyNotOnTheLineTest(unittest.TestCase):
    """The last column of a contract that never changes along the g4f line says exactly why it is broken."""

    def test_a_contract_the_line_skips_says_the_skip_reason_and_what_the_breaking_cells_have(self):
        said = compatibility.off_line(DOCUMENTED_EXCEPTION, LINE, CELLS)
        self.assertIn('skipped on every release of the g4f line ("has nest_asyncio")', said)
        self.assertIn("with nest=none", said)
        self.assertIn("where g4f cannot nest", said)
        self.assertIn("known defect `documented-x`", said)
        self.assertNotIn("uvloop", said)

    def test_a_contract_broken_on_one_python_only_names_that_python(self):
        said = compatibility.off_line(TIMEOUT, LINE, CELLS)
        self.assertIn("broken only on Python 3.8", said)
        self.assertIn("g4f RELEASE predates the timeout", said, "a release's own number is not repeated")
        self.assertIn("`timeout-x`", said)

    def test_transitions_on_the_line_are_bisected_and_other_rows_explained(self):
        probed = []

        def probe(release, test_id):
            probed.append(release)
            return True

        said = compatibility.transitions(AUTO, LINE, ["1.0", "1.5", "2.0", "3.0"], probe, lambda *a: None, CELLS)
        self.assertEqual(said.split(";")[0], "breaks in **2.0** (bisected between 1.0 and 2.0, 1 steps)")
        self.assertEqual(probed, ["1.5"])


class SectionsTest(unittest.TestCase):
    maxDiff = None

    def test_regimes_as_the_test_ids_name_them(self):
        self.assertEqual(
            [sections.regime(t) for t in ALL],
            ["plain", "plain", "plain", "uvloop", "nest-applied"],
        )
        self.assertEqual(sections.regime("g4f_tests.jupyter.TestJupyterKernel.test_x"), "kernel")
        self.assertEqual(sections.regime("g4f_tests.nesting.TestWithoutNestAsyncio.test_x"), "no-nest")

    def test_regime_by_id_is_each_checks_own_regime(self):
        import readme_tables

        itself = {"TestNestedDocumented": "nest-applied", "TestJupyterKernel": "kernel"}  # from a plain child
        for test in readme_tables.loaded_tests():
            own = getattr(type(test), "regime", None)
            if own is not None:
                with self.subTest(test=test.id()):
                    expected = itself.get(type(test).__name__, own.name) if own.name == "plain" else own.name
                    self.assertEqual(sections.regime(test.id()), expected)

    def test_legend_says_what_every_nest_variant_and_extra_means(self):
        text = "\n".join(sections.legend())
        for name in compatibility.NEST:
            self.assertIn("`%s` " % name, text)
        for name in compatibility.EXTRAS:
            self.assertIn("`%s` " % name, text)
        self.assertIn("**no release** in the honoured column", text)

    def test_advice_is_the_newest_release_with_fewest_broken_or_missing(self):
        rows = {row.split("**")[1]: row.split(" | ")[1:] for row in sections.advice_section(CELLS) if row[:4] == "| **"}
        # judged on the g4f line's cells only; the 3.8 cell of 3.0 adds what it breaks (elsewhere)
        self.assertEqual(rows["uvloop servers"], ["1", "**1.0** (honours all 1)", "nothing", "breaks `uvloop-x` |"])
        self.assertEqual(
            rows["plain scripts"],
            ["1", "**3.0** (honours all 1)", "nothing; elsewhere `timeout-x` on Python 3.8", "the same |"],
        )
        self.assertEqual(
            rows["Jupyter"][1:3], ["**3.0** (1 of 1 broken or missing; no release honours all)", "`threads-x`"]
        )
        self.assertEqual(
            rows["no nest package"][1:3],
            ["**3.0** (1 of 3 broken or missing; no release honours all)", "`documented-x`"],
        )

    def test_a_range_is_measured_when_both_ends_are_seen_and_the_cells_beyond_do_not_see_it(self):
        defect = types.SimpleNamespace(name="auto-patch", first="2.0", last="2.0", releases=lambda: "2.0 to 2.0")
        text = "\n".join(sections.ranges_section(CELLS, ["1.0", "2.0", "3.0"], [defect]))
        self.assertIn("2.0: seen; 1.0 not (adjacent)", text)
        self.assertIn("2.0: seen; 3.0 not (adjacent)", text)
        self.assertIn("Every range is as measured", text)
        wrong = types.SimpleNamespace(name="auto-patch", first="2.0", last="3.0", releases=lambda: "2.0 to 3.0")
        text = "\n".join(sections.ranges_section(CELLS, ["1.0", "2.0", "3.0"], [wrong]))
        self.assertIn("3.0: **not named by a cell**", text)
        self.assertIn("**Not measured at both ends**: `auto-patch`", text)
        between = types.SimpleNamespace(name="auto-patch", first="2.0", last=None, releases=lambda: "2.0 and later")
        text = "\n".join(sections.ranges_section(CELLS, ["1.0", "1.5", "2.0", "3.0"], [between], {"1.5"}))
        self.assertIn("2.0: seen; 1.0 not (between: 1.5, which cannot be imported offline)", text)

    def test_render_puts_the_advice_first_and_says_no_release_not_none(self):
        text = compatibility.render(CELLS, ["1.0", "2.0", "3.0"], lambda r, t: True, lambda *a: None, when="today")
        order = [text.index(h) for h in ("## Which release", "## How to read", "## Cells", "## Known defects")]
        self.assertEqual(order, sorted(order))
        row = next(line for line in text.splitlines() if line.startswith("| `threads.TestThreadsNestApplied"))
        self.assertNotIn("| none |", row)

    def test_a_failed_cell_is_kept_with_its_problems(self):
        failed = dict(CELLS[2], problems=["the default run failed (exit 1): x: a known g4f defect did not show"])
        text = compatibility.render(
            CELLS[:2] + [failed], ["1.0", "2.0", "3.0"], lambda r, t: True, lambda *a: None, when="today"
        )
        self.assertIn("## Cells that failed their checks", text)
        self.assertIn("a known g4f defect did not show", text)


class CellResultTest(unittest.TestCase):
    def test_a_result_keeps_the_messages_a_table_explains_with(self):
        default = report(dict(DEFAULT, a="failed"))
        default["tests"]["a"]["message"] = "Traceback ...\nAssertionError: 1 != 2\n"
        default["tests"]["c"]["message"] = "uvloop is not installed (pip install uvloop)"
        result = cell_result(CELL, default, report(STRICT), ["p"], 1.5)
        self.assertEqual(result["failures"], {"a": "AssertionError: 1 != 2"})
        self.assertEqual(result["skipped"]["c"], "uvloop is not installed (pip install uvloop)")
        self.assertEqual((result["problems"], result["seconds"]), (["p"], 1.5))

    def test_only_an_environment_problem_leaves_a_cell_out(self):
        self.assertEqual(environment_problems(CELL, report(dict(DEFAULT, a="failed")), report(STRICT), VENV), [])
        self.assertTrue(environment_problems(CELL, report(DEFAULT, python="3.11.7"), report(STRICT), VENV))


if __name__ == "__main__":
    unittest.main()


class DefectsSeenTest(unittest.TestCase):
    def test_every_defect_a_test_saw_is_counted_for_the_cell(self):
        """the defect a test failed on and those its other calls showed (named on lines of their own) are all seen"""
        cell = {
            "expected": {
                "m.T.test_a": "known g4f defect first-one: it broke\nknown g4f defect second-one (another call)",
                "m.T.test_b": "known g4f defect first-one: it broke; observed: known g4f defect not-a-line-start",
            }
        }
        self.assertEqual(
            compatibility.defects_seen(cell),
            {"first-one": ["m.T.test_a", "m.T.test_b"], "second-one": ["m.T.test_a"]},
        )
