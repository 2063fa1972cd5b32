"""pytest support: the same suite, the same outcomes as unittest (setup.cfg tells pytest which files).

pytest collects the TestCase classes itself and never calls the package's load_tests, so what
load_tests does is done here: the network guard, g4f's version check off, the known g4f defects as
strict expected failures (an unexpected pass fails, as under unittest; G4F_TESTS_STRICT=1 makes them
plain failures), and the clean-interpreter children started early.
"""
import unittest

import pytest

from . import clean_interpreter, known_defects, support


def pytest_configure(config):
    support.enable_network_guard()
    clean_interpreter.start(preload=True)


def pytest_collection_modifyitems(session, config, items):
    strict = known_defects.strict()
    for item in items:
        if item.cls is None:
            continue
        test_id = "%s.%s.%s" % (item.module.__name__, item.cls.__name__, item.name)
        reason = None if strict else known_defects.matching(test_id)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


def pytest_runtest_teardown(item, nextitem):
    if item.cls is not None and not issubclass(item.cls, unittest.IsolatedAsyncioTestCase):
        support.close_nest_leftover_loop()  # as load_tests' cleanup: see support.close_nest_leftover_loop
