"""The verdict does not depend on order or on repetition: forward, reversed, shuffled, alone, again."""

import concurrent.futures
import unittest

from helpers import outcomes, run_suite

SEEDS = (1, 2, 3, 4, 5)


def run_outcomes(*args):
    proc = run_suite("-v", *args)
    found = outcomes(proc.stdout + proc.stderr)
    if not found:
        raise AssertionError("no outcomes in the output of run_tests.py -v %s:\n%s" % (" ".join(args), proc.stdout))
    return found, proc


class OrderTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.forward, cls.forward_proc = run_outcomes()
        cls.ids = run_suite("--list").stdout.split()

    def test_forward_run_reports_every_test(self):
        self.assertEqual(sorted(self.forward), sorted(self.ids))
        self.assertEqual(self.forward_proc.returncode, 0, self.forward_proc.stdout[-3000:])

    def test_reversed_order_same_outcomes(self):
        found, proc = run_outcomes(*reversed(self.ids))
        self.assertEqual(list(found), list(reversed(self.ids)), "the tests did not run in reversed order")
        self.assertEqual(found, self.forward)

    def test_shuffled_orders_same_outcomes(self):
        orders = set()
        for seed in SEEDS:
            with self.subTest(seed=seed):
                found, proc = run_outcomes("--shuffle", str(seed))
                self.assertIn("shuffled with seed %d" % seed, proc.stdout)
                self.assertEqual(found, self.forward)
                orders.add(tuple(found))
        self.assertEqual(len(orders), len(SEEDS), "different seeds gave the same order")

    def test_same_seed_same_order(self):
        first = run_suite("--list", "--shuffle", "42").stdout
        self.assertEqual(first, run_suite("--list", "--shuffle", "42").stdout)
        self.assertNotEqual(first.split(), self.ids)

    def test_each_test_alone_same_outcome(self):
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            alone = dict(zip(self.ids, pool.map(lambda test_id: run_outcomes(test_id)[0], self.ids)))
        for test_id in self.ids:
            with self.subTest(test=test_id):
                self.assertEqual(alone[test_id], {test_id: self.forward[test_id]})

    def test_back_to_back_runs_same_outcomes(self):
        for attempt in range(3):
            with self.subTest(attempt=attempt):
                self.assertEqual(run_outcomes()[0], self.forward)


if __name__ == "__main__":
    unittest.main()
