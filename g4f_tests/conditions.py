"""The conditions (on the environment or the test) and the messages the known-defect registry's entries share."""

import sys

from . import support


def g4f_cannot_nest(case):
    """g4f cannot nest: the nest package it imports (nest_asyncio2 from 7.0) is not installed"""
    return support.g4f_nest() is None


def uvloop_shape_applies(case):
    """g4f nests (0.2.8.1 to 0.3.1.8 apply nest_asyncio to the uvloop loop, which refuses), or g4f is 0.3.1.9 or later
    (a bare RuntimeError with or without a nest package); before 0.3.1.9 without one, g4f says NestAsyncioError"""
    return support.g4f_nest() is not None or support.g4f_release() >= support.parse_version("0.3.1.9")


def python_before_3_9(case):
    """Python is older than 3.9 (no asyncio.to_thread, no loop.shutdown_default_executor)"""
    return sys.version_info < (3, 9)


def python_before_3_11(case):
    """Python is older than 3.11 (where asyncio.TimeoutError became the builtin TimeoutError)"""
    return sys.version_info < (3, 11)


def python_before_3_12(case):
    """Python is older than 3.12 (whose asyncio.wait_for no longer drops a cancellation that comes with the result)"""
    return sys.version_info < (3, 12)


def nest_applied(case):
    """the check runs after g4f's nest package was applied"""
    return getattr(getattr(case, "regime", None), "name", None) == "nest-applied"


def loop_unpatchable(case):
    """the check runs on a uvloop loop, or g4f cannot nest (the nest package it imports is not installed)"""
    return getattr(getattr(case, "regime", None), "name", None) == "uvloop" or support.g4f_nest() is None


def nest_not_applied(case):
    """the check runs on a loop g4f's nest package was not applied to"""
    return not nest_applied(case)


def limit_type_error_shows(case):
    """the limited stream is AsyncClient's on g4f 7.1.7, or an AsyncAuthedProvider's (authed.py) on 7.1.7 or 7.1.8"""
    return support.g4f_release() <= support.parse_version("7.1.7") or type(case).__module__.endswith(".authed")


OTHER_COUNTS = "other counts than the provider reported"  # responses.py's words for g4f's own estimate
RUN_IN_LOOP = r"asyncio\.run\(\) cannot be called from a running event loop"
LOOP_RUNNING = r"This event loop is already running"
UVLOOP_RUNNING = r"this event loop is already running\."
UVLOOP_UNPATCHABLE = r"Can't patch loop of type <class 'uvloop\.Loop'>"
NEVER_AWAITED = "was never awaited"
