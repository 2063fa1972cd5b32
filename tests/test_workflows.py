"""The GitHub workflows (.github/workflows/) and README's snippet for g4f's CI: valid against GitHub's workflow
schema, clean under zizmor (offline), and the cells they run exactly the noxfile's (.ci/matrix.py, run here)."""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from helpers import ROOT, run

WORKFLOWS = os.path.join(ROOT, ".github", "workflows")
MATRIX = os.path.join(ROOT, ".ci", "matrix.py")
SNIPPET = re.compile(r"^## Running it in g4f's CI\n.*?```yaml\n(.*?)```", re.S | re.M)


def load_yaml(text):
    from ruamel.yaml import YAML  # check-jsonschema's own YAML parser (the dev extra)

    return YAML(typ="safe").load(text)


def workflow(name):
    with open(os.path.join(WORKFLOWS, name), encoding="utf-8") as f:
        return load_yaml(f.read())


def readme_snippet():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        found = SNIPPET.search(f.read())
    return found.group(1) if found else None


def tool(name):
    """The dev extra's command ``name``, beside this Python (a virtualenv's bin) or on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    return beside if os.path.exists(beside) else shutil.which(name)


def cell_sessions(tag):
    """The noxfile's cells (noxfile.CELLS) as nox names them, for the CI slice or every cell."""
    sys.path.insert(0, ROOT)
    try:
        import noxfile
    finally:
        sys.path.remove(ROOT)
    return [
        "cell(%s, g4f=%s, nest=%s, extras=%s)" % (py, g4f, nest, extras)
        for py, g4f, nest, extras, ci in noxfile.CELLS
        if ci or tag == "matrix"
    ], noxfile.OPTIONAL


def steps_running(job, text):
    return [step for step in job["steps"] if text in step.get("run", "")]


class WorkflowFilesTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="g4f-tests-self-")
        snippet = readme_snippet()
        cls.snippet = os.path.join(cls.work, "g4f-tests.yml")
        with open(cls.snippet, "w", encoding="utf-8") as f:
            f.write(snippet or "")
        cls.files = sorted(glob.glob(os.path.join(WORKFLOWS, "*.yml")))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def command(self, name, *args):
        path = tool(name)
        if path is None:
            self.fail("%s is not installed: pip install -e .[dev]" % name)
        return subprocess.run(
            [path] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60
        )

    def test_there_are_the_three_workflows_and_the_readme_snippet(self):
        self.assertEqual([os.path.basename(f) for f in self.files], ["cells.yml", "ci.yml", "matrix.yml"])
        self.assertIsNotNone(readme_snippet(), "README.md has no yaml block under '## Running it in g4f's CI'")

    def test_githubs_workflow_schema(self):
        proc = self.command(
            "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *self.files, self.snippet
        )
        self.assertEqual(proc.returncode, 0, proc.stdout)

    def test_zizmor_offline(self):
        for path in (WORKFLOWS, self.snippet):
            with self.subTest(path=os.path.relpath(path, ROOT) if path.startswith(ROOT) else "README.md's snippet"):
                proc = self.command("zizmor", "--offline", "--no-progress", "--color", "never", path)
                self.assertEqual(proc.returncode, 0, proc.stdout)

    def test_snippet_installs_g4f_from_the_checkout_then_this_suite_pinned(self):
        job = load_yaml(readme_snippet())["jobs"]["g4f-tests"]
        runs = [step.get("run", "") for step in job["steps"]]
        g4f = runs.index("python -m pip install .")
        suite = next(i for i, r in enumerate(runs) if "g4f-tests @ git+https://" in r)
        self.assertLess(g4f, suite, "g4f must come from the checkout before the suite is installed")
        self.assertRegex(runs[suite], r"git\+https://github\.com/[\w-]+/g4f-tests@\w+")
        self.assertEqual(runs[-1], "python -m g4f_tests -v")


class CellsJobsTest(unittest.TestCase):
    """The workflows' cells are the noxfile's: .ci/matrix.py (the jobs' generating step) is run here."""

    maxDiff = None

    def matrix(self, tag):
        proc = run([MATRIX, tag])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(proc.stdout.splitlines()), 1, "GITHUB_OUTPUT takes one line")
        return json.loads(proc.stdout)["include"]

    def test_each_tag_gives_exactly_the_noxfiles_cells(self):
        for tag in ("ci", "matrix"):
            with self.subTest(tag=tag):
                expected, optional = cell_sessions(tag)
                found = self.matrix(tag)
                self.assertEqual([entry["session"] for entry in found], expected)
                for entry in found:
                    python = re.match(r"cell\(([\d.]+),", entry["session"]).group(1)
                    self.assertEqual(entry["python"], python)
                    self.assertEqual(entry["optional"], python in optional, entry)
                    self.assertEqual(
                        entry["cell"], "py%s-g4f%s-%s-%s" % tuple([python] + re.findall(r"=([^,)]+)", entry["session"]))
                    )

    def test_only_the_optional_pythons_may_be_missing(self):
        """a missing 3.8 to 3.13 fails its cell (nox runs it on that Python); only an optional one is listed
        without an interpreter, and its cell then skips, saying why"""
        proc = run(["-m", "nox", "--noxfile", os.path.join(ROOT, "noxfile.py"), "--list", "--json"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        _, optional = cell_sessions("matrix")
        cells = [s for s in json.loads(proc.stdout) if s["name"] == "cell"]
        without = [s["session"] for s in cells if s["python"] is False]
        self.assertEqual([s for s in without if re.match(r"cell\(([\d.]+),", s).group(1) not in optional], [])
        if not without:
            self.skipTest("every optional Python is installed here")
        proc = run(["-m", "nox", "--noxfile", os.path.join(ROOT, "noxfile.py"), "-s", without[0]])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stderr, r"skipped: Python 3\.\d+ is not installed here: its cells are optional")

    def test_usage(self):
        for args in ([], ["table"], ["ci", "matrix"]):
            with self.subTest(args=args):
                proc = run([MATRIX] + args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("usage: python .ci/matrix.py {ci,matrix}", proc.stderr)

    def test_the_cells_workflow_runs_one_job_per_generated_cell(self):
        jobs = workflow("cells.yml")["jobs"]
        (listing,) = steps_running(jobs["list"], ".ci/matrix.py")
        self.assertEqual(listing["run"], 'echo "cells=$(python .ci/matrix.py "$TAG")" >> "$GITHUB_OUTPUT"')
        self.assertEqual(listing["env"], {"TAG": "${{ inputs.tag }}"})
        cell = jobs["cell"]
        self.assertEqual(cell["strategy"]["matrix"], "${{ fromJSON(needs.list.outputs.cells) }}")
        self.assertIs(cell["strategy"]["fail-fast"], False)
        pythons = [s["with"]["python-version"] for s in cell["steps"] if s.get("uses", "").startswith("actions/setup")]
        self.assertEqual(pythons, ["${{ matrix.python }}", "3.11"], "the cell's Python, then nox's own")
        (nox,) = steps_running(cell, "nox -s")
        self.assertEqual((nox["run"], nox["env"]), ('nox -s "$SESSION"', {"SESSION": "${{ matrix.session }}"}))

    def test_push_and_pull_request_run_the_ci_slice_and_every_step_of_ci_run(self):
        flow = workflow("ci.yml")
        self.assertEqual(sorted(flow["on"]), ["pull_request", "push"])
        self.assertEqual(flow["jobs"]["cells"]["uses"], "$/.github/workflows/cells.yml")
        self.assertEqual(flow["jobs"]["cells"]["with"], {"tag": "ci"})
        with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
            steps = re.search(r"\|\| steps=\(([^)]*)\)", f.read()).group(1).split()
        job = flow["jobs"]["run"]
        self.assertEqual(job["strategy"]["matrix"]["step"] + ["matrix"], steps, "a job per step; matrix: the cells")
        self.assertEqual([s["run"] for s in steps_running(job, ".ci/run")], ['bash .ci/run "$STEP"'])

    def test_weekly_and_by_hand_every_cell_then_the_table_as_an_artifact(self):
        flow = workflow("matrix.yml")
        self.assertEqual(sorted(flow["on"]), ["schedule", "workflow_dispatch"])
        self.assertEqual(flow["jobs"]["cells"]["with"], {"tag": "matrix", "upload": True})
        table = flow["jobs"]["table"]
        self.assertEqual(table["needs"], "cells")
        runs = [s.get("run") for s in table["steps"]]
        downloaded = next(i for i, s in enumerate(table["steps"]) if "download-artifact" in s.get("uses", ""))
        self.assertLess(downloaded, runs.index("nox -s table"))
        uploaded = table["steps"][-1]
        self.assertIn("upload-artifact", uploaded["uses"])
        self.assertEqual(uploaded["with"]["path"].split(), ["COMPATIBILITY.md", ".nox/results/"])


if __name__ == "__main__":
    unittest.main()
