"""--junit-xml writes a report that parses back to the same outcomes as the run's --json, and carries each known
defect's reason and g4f issue numbers (pytest's agreement is in test_order)."""

import os
import tempfile
import unittest
import xml.etree.ElementTree as ET

from helpers import junit_outcomes, plain, suite_results

from g4f_tests.support import is_importable


@unittest.skipUnless(
    is_importable("xmlrunner"), "unittest-xml-reporting is not installed (pip install unittest-xml-reporting)"
)
class JunitTest(unittest.TestCase):
    maxDiff = None

    def test_report_matches_the_run_and_names_the_defects(self):
        with tempfile.TemporaryDirectory(prefix="g4f-tests-self-") as work:
            path = os.path.join(work, "report.xml")
            results = suite_results("-q", "--junit-xml", path)
            self.assertEqual(results.proc.returncode, 0, results.output())
            self.assertIn("JUnit XML report: " + path, results.proc.stdout)
            reported = junit_outcomes(path)
            cases = list(ET.parse(path).getroot().iter("testcase"))
        self.assertEqual(reported, plain(results.outcomes))
        expected = [t for t, o in results.outcomes.items() if o == "expected failure"]
        self.assertTrue(expected, "no known defect in this environment: nothing to check in the report")
        for case in cases:
            test_id = "%s.%s" % (case.get("classname"), case.get("name"))
            if test_id not in expected:
                continue
            with self.subTest(test=test_id):
                (skipped,) = [child for child in case if child.tag == "skipped"]
                message = skipped.get("message") or ""
                self.assertIn("known g4f defect", message)
                self.assertNotIn("traceback object at", message)
                self.assertRegex(message, r"(g4f issues #\d+|observed:)")


if __name__ == "__main__":
    unittest.main()
