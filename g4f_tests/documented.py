"""The documented module (g4f's own asyncio.py, which cannot import this package) adopted as it is imported: the
per-test time limit, its contracts as docstrings, its known defects, and the leftover loop closed after it."""

import asyncio
import unittest

from . import known_defects, support, verdicts
from .checks import _limited

# The contract each documented test checks (the file is g4f's, without docstrings): first lines of docstrings.
DOCUMENTED_CONTRACTS = {
    "TestChatCompletion.test_exception": "sync create inside a running loop without nest_asyncio raises NestAsyncioError",
    "TestChatCompletion.test_create": "sync create with an async provider returns its result",
    "TestChatCompletion.test_create_generator": "sync create with an async-generator provider returns the joined chunks",
    "TestChatCompletion.test_await_callback": "sync Client over an async-generator provider returns one message",
    "TestChatCompletionAsync.test_base": "create_async with a sync provider returns its result",
    "TestChatCompletionAsync.test_async": "create_async with an async provider returns its result",
    "TestChatCompletionAsync.test_create_generator": "create_async with an async-generator provider returns the joined chunks",
    "TestChatCompletionNestAsync.test_create": "create_async with a sync provider returns its result after nest_asyncio.apply()",
}


def adopt(module):
    """Give the documented module's classes (g4f's own file, which cannot import this package) what every test
    of the suite has: the per-test time limit, its contract as a docstring, its known defects."""
    support.sandbox()
    for value in list(vars(module).values()):
        if isinstance(value, type) and issubclass(value, unittest.TestCase) and value.__module__ == module.__name__:
            value.run = _limited(value.run)
            value.__unittest_expecting_failure__ = property(verdicts.expecting)
    for name, defect in known_defects.DOCUMENTED.items():
        cls_name, method = name.split(".")
        cls = getattr(module, cls_name)
        setattr(cls, method, verdicts.known(defect)(getattr(cls, method)))
    for name, contract in DOCUMENTED_CONTRACTS.items():
        cls_name, method = name.split(".")
        getattr(getattr(module, cls_name), method).__doc__ = contract
    module.tearDownModule = _after_documented_module


def _after_documented_module():
    """TestChatCompletionNestAsync applies nest_asyncio to this whole process (as the spec has it), and nest's
    asyncio.run keeps the thread's loop open for the next call: closed here, at the end of the module that made
    it, instead of warning when the process ends. A loop still running here would be a leak: that fails."""
    loop = support.thread_loop()
    if loop is None:
        return
    if loop.is_running():
        raise AssertionError("an event loop is still running after the documented tests: %r" % (loop,))
    if getattr(asyncio, "_nest_patched", False) and not loop.is_closed():
        loop.close()
        asyncio.set_event_loop(None)
