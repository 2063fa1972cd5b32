"""Sync calls inside a running loop: NestAsyncioError without a nest package, g4f's auto-patch with one, the
documented nested scenarios, and uvloop (which g4f must leave alone)."""

import collections.abc
import re
import unittest

import g4f

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    AUTO_PATCH_ASYNC_PROVIDER,
    AUTO_PATCH_GENERATOR_PROVIDER,
    NO_NEST_ASYNC_PROVIDER,
    NO_NEST_GENERATOR_PROVIDER,
    UVLOOP_ASYNC_PROVIDER,
    UVLOOP_GENERATOR_PROVIDER,
    known,
)
from .mocks import AsyncGeneratorProviderMock, AsyncProviderMock
from .providers import CHUNKS, MESSAGES, AsyncChunksProviderMock


def required_nest_package():
    """The nest package the installed g4f's distribution requires outright (not through an extra), by its import
    name, or None (g4f before 0.3.x lists one only under an extra)."""
    import importlib.metadata

    for requirement in importlib.metadata.requires("g4f") or ():
        name, _, marker = requirement.partition(";")
        name = re.split(r"[\s<>=!~\[(]", name.strip(), maxsplit=1)[0].lower().replace("-", "_")
        if name in support.NEST_MODULES and "extra" not in marker:
            return name
    if support.g4f_version() == "0.0.0":  # a source install declares nothing: it is taken for the newest release
        return "nest_asyncio2"  # which requires nest_asyncio2 (every release from 7.0 does)
    return None


class TestNestPackage(unittest.TestCase):
    """How the suite tells whether g4f can nest is what g4f itself imported (support.g4f_nest), so that every check
    expects what the installed g4f does. This holds g4f to its own declaration: where the nest package its
    distribution requires is installed, g4f nests with it (read from g4f's module state; nothing is called)."""

    def test_g4f_nests_with_the_package_it_requires(self):
        """where the nest package g4f's distribution requires is installed, g4f nests with it: it does not fail to import it (and so take itself for unable to nest)"""
        name = required_nest_package()
        if name is None:
            self.skipTest("g4f %s requires no nest package (it lists one under an extra)" % support.g4f_version())
        if not support.is_importable(name):
            self.skipTest("g4f %s requires %s, which is not installed here" % (support.g4f_version(), name))
        nest = support.g4f_nest()
        self.assertIsNotNone(
            nest, "g4f %s requires %s, which is installed, but cannot nest" % (support.g4f_version(), name)
        )
        self.assertEqual(nest.__name__, name, "g4f nests with another package than the one it requires")


def create(provider, stream=False):
    result = g4f.ChatCompletion.create(g4f.models.default, MESSAGES, provider, stream=stream)
    return [chunk for chunk in result if isinstance(chunk, str)] if stream else result


async def create_inside_the_loop(provider, stream=False):
    """The sync API called from a coroutine running on the regime's loop, as in a notebook cell or a handler."""
    return create(provider, stream)


async def mock_coroutine():
    return "Mock"


async def get_running_loop_check_nested():
    get_running_loop = support.require_api("bridge", lambda: support.g4f_bridge().get_running_loop)
    return repr(get_running_loop(check_nested=True))


async def to_sync_generator_of_a_coroutine():
    to_sync_generator = support.require_api(
        "to_sync_generator_coroutine", lambda: support.g4f_bridge().to_sync_generator
    )
    return list(to_sync_generator(mock_coroutine()))


class UnclosableCoroutine(collections.abc.Coroutine):
    """A coroutine (to asyncio.iscoroutine) whose close() fails, as one that ignores GeneratorExit does."""

    def send(self, value):
        raise StopIteration("Mock")

    def throw(self, *args):
        raise StopIteration("Mock")

    def close(self):
        raise RuntimeError("g4f-tests: this coroutine cannot be closed")

    def __await__(self):
        return iter(())


async def to_sync_generator_of_an_unclosable_coroutine():
    to_sync_generator = support.require_api(
        "to_sync_generator_coroutine", lambda: support.g4f_bridge().to_sync_generator
    )
    return list(to_sync_generator(UnclosableCoroutine()))


class TestWithoutNestAsyncio(CheckTestCase):
    regime = regimes.NO_NEST

    @known(NO_NEST_ASYNC_PROVIDER)
    @in_child(create_inside_the_loop, AsyncProviderMock)
    def test_async_provider_in_running_loop(self, found):
        """without nest_asyncio, sync create with an async provider inside a running loop raises NestAsyncioError and leaves no never-awaited coroutine"""
        self.assertRaisedNestAsyncioError(found)

    @known(NO_NEST_GENERATOR_PROVIDER)
    @in_child(create_inside_the_loop, AsyncGeneratorProviderMock)
    def test_generator_provider_in_running_loop(self, found):
        """without nest_asyncio, sync create with an async-generator provider inside a running loop raises NestAsyncioError and leaves no never-awaited coroutine"""
        self.assertRaisedNestAsyncioError(found)

    @in_child(get_running_loop_check_nested)
    def test_get_running_loop_check_nested(self, found):
        """without nest_asyncio, g4f's get_running_loop(check_nested=True) inside a running loop raises NestAsyncioError"""
        self.assertRaisedNestAsyncioError(found)

    @in_child(to_sync_generator_of_a_coroutine)
    def test_to_sync_generator_coroutine_in_running_loop(self, found):
        """without nest_asyncio, g4f's to_sync_generator(coroutine) inside a running loop raises NestAsyncioError"""
        self.assertRaisedNestAsyncioError(found)

    @in_child(to_sync_generator_of_an_unclosable_coroutine)
    def test_to_sync_generator_unclosable_coroutine_in_running_loop(self, found):
        """without nest_asyncio, g4f's to_sync_generator(coroutine) inside a running loop raises NestAsyncioError, also when closing the refused coroutine fails"""
        self.assertRaisedNestAsyncioError(found)


class TestUvloop(CheckTestCase):
    regime = regimes.UVLOOP

    @known(UVLOOP_ASYNC_PROVIDER)
    @in_child(create_inside_the_loop, AsyncProviderMock)
    def test_async_provider_in_running_uvloop(self, found):
        """inside a running uvloop loop (which g4f does not patch), sync create with an async provider raises NestAsyncioError"""
        self.assertRaisedNestAsyncioError(found)

    @known(UVLOOP_GENERATOR_PROVIDER)
    @in_child(create_inside_the_loop, AsyncGeneratorProviderMock)
    def test_generator_provider_in_running_uvloop(self, found):
        """inside a running uvloop loop (which g4f does not patch), sync create with an async-generator provider raises NestAsyncioError"""
        self.assertRaisedNestAsyncioError(found)


@unittest.skipIf(support.g4f_nest() is None, "g4f cannot nest here: the nest package it imports is not installed")
@unittest.skipUnless(
    support.has_api("auto_patch"),
    "g4f %s predates g4f patching a running loop itself (first in "
    "g4f %s)" % (support.g4f_version(), support.G4F_APIS["auto_patch"][0]),
)
class TestAutoPatch(CheckTestCase):
    """With g4f's nest package importable and nothing applied, g4f patches the running loop itself."""

    @known(AUTO_PATCH_ASYNC_PROVIDER)
    @in_child(create_inside_the_loop, AsyncProviderMock)
    def test_async_provider_in_running_loop(self, found):
        """with nest_asyncio importable and nothing applied, sync create with an async provider inside asyncio.run returns the result (g4f patches the loop)"""
        self.assertReturned(found, "Mock")

    @known(AUTO_PATCH_GENERATOR_PROVIDER)
    @in_child(create_inside_the_loop, AsyncGeneratorProviderMock)
    def test_generator_provider_in_running_loop(self, found):
        """with nest_asyncio importable and nothing applied, sync create with an async-generator provider inside asyncio.run returns the result (g4f patches the loop)"""
        self.assertReturned(found, "Mock")

    @in_child(create_inside_the_loop, AsyncChunksProviderMock, True)
    def test_stream_in_running_loop(self, found):
        """with nest_asyncio importable, sync create(stream=True) inside a running loop yields every chunk in order"""
        self.assertReturned(found, list(CHUNKS))


def run_documented(method):
    """Run the documented TestChatCompletionNestAsync.<method> for real, as unittest runs it: its setUp applies
    nest_asyncio, then its body calls the sync API inside the test's running loop."""
    from . import asyncio as documented

    result = unittest.TestResult()
    documented.TestChatCompletionNestAsync(method).run(result)
    if result.skipped:
        raise unittest.SkipTest(result.skipped[0][1])
    problems = result.errors + result.failures + [(test, "unexpected success") for test in result.unexpectedSuccesses]
    if problems:
        raise AssertionError("".join(text for _, text in problems))
    return "passed"


class TestNestedDocumented(CheckTestCase):
    """The documented _test_nested and _test_nested_generator, run for real in a fresh interpreter."""

    @in_child(run_documented, "_test_nested")
    def test_nested(self, found):
        """after nest_asyncio.apply(), sync create with an async provider inside a running loop returns the result (documented _test_nested)"""
        self.assertReturned(found, "passed")

    @in_child(run_documented, "_test_nested_generator")
    def test_nested_generator(self, found):
        """after nest_asyncio.apply(), sync create with an async-generator provider inside a running loop returns the result (documented _test_nested_generator)"""
        self.assertReturned(found, "passed")
