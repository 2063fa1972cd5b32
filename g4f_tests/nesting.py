"""Sync calls inside a running loop: NestAsyncioError without nest_asyncio, auto-patch with it.

Each check runs in a fresh interpreter (see clean_interpreter.py): nest_asyncio's patching is
process-wide and permanent, so in this process it would decide the verdict.
"""
import unittest

from .clean_interpreter import CleanInterpreterTestCase
from .mocks import CHUNKS
from .support import nest_importable, require_g4f_api


class TestWithoutNestAsyncio(CleanInterpreterTestCase):
    scenario = "no-nest"

    def test_async_provider_in_running_loop(self):
        """without nest_asyncio, sync create with an async provider inside a running loop raises NestAsyncioError and leaves no never-awaited coroutine"""
        self.assertNestAsyncioError("in_loop_async_provider")

    def test_generator_provider_in_running_loop(self):
        """without nest_asyncio, sync create with an async-generator provider inside a running loop raises NestAsyncioError and leaves no never-awaited coroutine"""
        self.assertNestAsyncioError("in_loop_generator_provider")

    def test_get_running_loop_check_nested(self):
        """without nest_asyncio, g4f's get_running_loop(check_nested=True) inside a running loop raises NestAsyncioError"""
        self.assertNestAsyncioError("bridge_check_nested")

    def test_to_sync_generator_coroutine_in_running_loop(self):
        """without nest_asyncio, g4f's to_sync_generator(coroutine) inside a running loop raises NestAsyncioError"""
        self.assertNestAsyncioError("bridge_coroutine_in_loop")


class TestUvloop(CleanInterpreterTestCase):
    # g4f never patches a uvloop loop, so nest_asyncio being importable does not change the path.
    scenario = "no-nest"

    def test_async_provider_in_running_uvloop(self):
        """inside a running uvloop loop (which g4f does not patch), sync create with an async provider raises NestAsyncioError"""
        self.assertNestAsyncioError("uvloop_async_provider")

    def test_generator_provider_in_running_uvloop(self):
        """inside a running uvloop loop (which g4f does not patch), sync create with an async-generator provider raises NestAsyncioError"""
        self.assertNestAsyncioError("uvloop_generator_provider")


def require_nest():
    if not nest_importable():
        raise unittest.SkipTest("neither nest_asyncio nor nest_asyncio2 is installed")


class TestAutoPatch(CleanInterpreterTestCase):
    scenario = "nest"

    def setUp(self):
        require_nest()
        require_g4f_api("auto_patch")

    def test_async_provider_in_running_loop(self):
        """with nest_asyncio importable and nothing applied, sync create with an async provider inside asyncio.run returns the result (g4f patches the loop)"""
        self.assertReturned("in_loop_async_provider", "Mock")

    def test_generator_provider_in_running_loop(self):
        """with nest_asyncio importable and nothing applied, sync create with an async-generator provider inside asyncio.run returns the result (g4f patches the loop)"""
        self.assertReturned("in_loop_generator_provider", "Mock")

    def test_stream_in_running_loop(self):
        """with nest_asyncio importable, sync create(stream=True) inside a running loop yields every chunk in order"""
        self.assertReturned("in_loop_stream", list(CHUNKS))


class TestNestedDocumented(CleanInterpreterTestCase):
    """The documented _test_nested and _test_nested_generator, run for real in a fresh interpreter."""

    scenario = "nest"

    def setUp(self):
        require_nest()

    def test_nested(self):
        """after nest_asyncio.apply(), sync create with an async provider inside a running loop returns the result (documented _test_nested)"""
        self.assertReturned("nested_async_provider", "Mock")

    def test_nested_generator(self):
        """after nest_asyncio.apply(), sync create with an async-generator provider inside a running loop returns the result (documented _test_nested_generator)"""
        self.assertReturned("nested_generator_provider", "Mock")
