"""README.md matches the code: its generated tables, the quick start that .ci/run executes, every test's contract."""

import os
import re
import unittest

import readme_tables
from helpers import ROOT


def readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return f.read()


class ReadmeTest(unittest.TestCase):
    maxDiff = None

    def test_generated_tables_are_current(self):
        text = readme()
        for name, make in readme_tables.TABLES.items():
            with self.subTest(table=name):
                self.assertEqual(
                    readme_tables.current(text, name),
                    make(),
                    "README.md is stale: run python tests/readme_tables.py --write",
                )

    def test_generated_tables_are_one_row_a_line(self):
        """a generated table's every line is a row: text that breaks a row over lines (a docstring's newline) would end
        the markdown table there"""
        for name, make in readme_tables.TABLES.items():
            with self.subTest(table=name):
                rows = [line for line in make().splitlines() if not re.fullmatch(r"\|(-+\|)+", line)]
                broken = [line for line in rows if not (line.startswith("| ") and line.endswith(" |"))]
                self.assertEqual(broken, [], "lines of the %s table that are not whole rows" % name)
                # a | a cell holds must be escaped, or the row gets more cells than the header
                cells = [len(re.split(r"(?<!\\)\|", line)) for line in rows]
                self.assertEqual(
                    [line for line, n in zip(rows, cells) if n != cells[0]],
                    [],
                    "rows of the %s table whose cells do not line up" % name,
                )

    def test_every_test_states_its_contract(self):
        missing = [t.id() for t in readme_tables.loaded_tests() if not t.shortDescription()]
        self.assertEqual(missing, [], "tests without a docstring stating their contract")

    def test_every_registered_defect_is_carried_by_a_test(self):
        unused = [defect.name for defect, tests in readme_tables.defects() if not tests]
        self.assertEqual(unused, [], "known defects no test carries")

    def test_the_mutation_score_is_tests_mutation_mds(self):
        """the numbers table's mutation row says what the last `nox -s mutation` wrote to tests/mutation.md"""
        with open(os.path.join(ROOT, "tests", "mutation.md"), encoding="utf-8") as f:
            results = f.read()
        mutants, killed, timeout, survived, _, score, covered = re.search(
            r"^\| \*\*all\*\* \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| ([\d.]+%) \| ([\d.]+%) \|$", results, re.M
        ).groups()
        equivalent = re.search(r"^\d+ survivors: (\d+) equivalent", results, re.M).group(1)
        (row,) = [line for line in readme().splitlines() if line.startswith("| mutation score ")]
        said = (
            "%s of %s mutants killed (%s; %s of those a selected self-test runs); %s survivors, %s of them equivalent"
            % (
                int(killed) + int(timeout),
                mutants,
                score,
                covered,
                survived,
                equivalent,
            )
        )
        self.assertIn(said, row)

    def test_quick_start_is_two_commands_and_ci_runs_them(self):
        block = re.search(r"## Quick start.*?```sh\n(.*?)```", readme(), re.S).group(1)
        commands = [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]
        self.assertEqual(len(commands), 2, commands)
        with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
            ci = f.read()
        for command in commands:
            self.assertIn(command, ci, "README's quick start and .ci/run disagree")

    def test_compatibility_table_is_linked_and_its_broken_contracts_are_registered(self):
        """every contract COMPATIBILITY.md lists as broken somewhere is in the known-defects registry"""
        self.assertIn("(COMPATIBILITY.md)", readme())
        with open(os.path.join(ROOT, "COMPATIBILITY.md"), encoding="utf-8") as f:
            table = f.read()
        broken = re.findall(r"^\| `(\w+\.Test\w*\.test_\w+)` \|", table, re.M)
        self.assertTrue(broken, "COMPATIBILITY.md lists no contract")
        carrying = {t.id() for t in readme_tables.loaded_tests() if readme_tables.known_defects_of(t)}
        unregistered = [t for t in broken if "g4f_tests." + t not in carrying]
        self.assertEqual(unregistered, [], "broken in the matrix but not in g4f_tests/known_defects.py")


if __name__ == "__main__":
    unittest.main()
