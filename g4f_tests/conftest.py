"""pytest support: the same suite, the same verdicts as unittest (setup.cfg tells pytest which files).

Everything a verdict depends on is on the tests themselves (known defects, time limits, regimes), so pytest
needs only what load_tests does besides loading: send the checks to their children early; and when a test hangs
(ends.test_limit ends the run naming it), stop capturing stderr so that its stacks show. ``--g4f-strict`` is the
runner's ``--strict``.
"""

from . import ends, verdicts
from .checks import prefetch


def pytest_addoption(parser):
    parser.addoption(
        "--g4f-strict",
        action="store_true",
        help="g4f-tests: report known g4f defects as failures instead of expected failures",
    )


def pytest_configure(config):
    verdicts.strict = config.getoption("--g4f-strict")
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        ends.before_hang = lambda: capture.suspend_global_capture(in_=False)


def pytest_unconfigure(config):
    ends.before_hang = None


def pytest_collection_finish(session):
    prefetch(
        item.cls(item.name)
        for item in session.items
        if getattr(item, "cls", None) is not None and hasattr(item.cls, "regime")
    )
