"""Sync calls inside a running loop: NestAsyncioError without a nest package, g4f's auto-patch with one, the
documented nested scenarios, and uvloop (which g4f must leave alone)."""

import asyncio
import unittest

import g4f

from . import regimes, support
from .checks import CheckTestCase, in_child, in_children
from .known_defects import (
    AUTO_PATCH_ASYNC_PROVIDER,
    AUTO_PATCH_REPLACES_ASYNCIO,
    NO_NEST_ASYNC_PROVIDER,
    NO_NEST_GENERATOR_PROVIDER,
    UVLOOP_ASYNC_PROVIDER,
    UVLOOP_GENERATOR_PROVIDER,
    known,
)
from .mocks import AsyncGeneratorProviderMock, AsyncProviderMock
from .observe import each_async
from .probes import IMAGE_URL, asyncio_parts, loop_seen, probe, replaced_since
from .providers import CHUNKS, JOINED, MESSAGES, AsyncChunksProviderMock
from .workers import chat, client_chat, client_images


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


# The caller's loop: where g4f can nest (nest applied, or g4f patches the running loop itself), a sync call made
# inside a running loop runs the provider on that loop; the loop stays the thread's, running and open; and g4f
# replaces nothing else of asyncio that was not replaced before.
NESTED = {
    "create, async generator": (chat, "async generator", (False,), JOINED),
    "create(stream=True), async generator": (chat, "async generator", (True,), list(CHUNKS)),
    "create, async generator without streaming": (chat, "async generator without streaming", (False,), JOINED),
    "Client create, async generator": (client_chat, "async generator", (False,), JOINED),
    "to_sync_generator(coroutine)": (None, "AsyncProvider", (), [JOINED]),
}
# Where nest is applied, also the paths that call asyncio.run themselves.
NESTED_APPLIED = dict(
    NESTED,
    **{
        "create, AsyncProvider": (chat, "AsyncProvider", (False,), JOINED),
        "Client().images.generate": (client_images, "image", (), IMAGE_URL),
    },
)
CALLERS_LOOP = {"provider's loop": "the caller's", "caller's loop after the call": "installed, running and open"}


async def nested_call(label):
    """One sync call of NESTED_APPLIED from a coroutine running on the regime's loop: what it did to that loop."""
    call, kind, args, _ = NESTED_APPLIED[label]
    provider, loop, before = probe(kind, background=False), asyncio.get_running_loop(), asyncio_parts()
    if call is None:
        to_sync_generator = support.require_api(
            "to_sync_generator_coroutine", lambda: support.g4f_bridge().to_sync_generator
        )
        value = {"result": list(to_sync_generator(provider.create_async("", MESSAGES)))}
    else:
        if call is client_images:
            support.require_api("client_images")
        value = call(provider, *args)
    kept = support.thread_loop() is loop and asyncio.get_running_loop() is loop and not loop.is_closed()
    value["caller's loop after the call"] = "installed, running and open" if kept else "changed"
    value["provider's loop"] = loop_seen(provider, loop)
    value["asyncio replaced by the call"] = replaced_since(before)
    return value


async def nested_calls():
    return await each_async(nested_call, {label: (label,) for label in NESTED_APPLIED})


def on_the_callers_loop(cases):
    return lambda label: dict(CALLERS_LOOP, result=cases[label][3])


def nothing_replaced(label):
    return {"asyncio replaced by the call": []}


@unittest.skipIf(support.g4f_nest() is None, "g4f cannot nest here: the nest package it imports is not installed")
@unittest.skipUnless(
    support.has_api("auto_patch"),
    "g4f %s predates g4f patching a running loop itself (first in "
    "g4f %s)" % (support.g4f_version(), support.G4F_APIS["auto_patch"][0]),
)
class TestCallersLoop(CheckTestCase):
    """Nothing applied: g4f patches the running loop itself. Each call the first of a fresh interpreter."""

    @in_children(nested_call, {label: (label,) for label in NESTED})
    def test_provider_runs_on_the_callers_loop(self, found):
        """with nest_asyncio importable and nothing applied, a sync call inside a running loop runs the provider on the caller's loop, which stays installed, running and open"""
        for label, call, want in self.facts(found, on_the_callers_loop(NESTED)):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(AUTO_PATCH_REPLACES_ASYNCIO)
    @in_children(nested_call, {label: (label,) for label in NESTED})
    def test_nothing_else_of_asyncio_replaced(self, found):
        """with nest_asyncio importable and nothing applied, a sync call inside a running loop patches that loop and replaces nothing else of asyncio"""
        for label, call, want in self.facts(found, nothing_replaced):
            with self.subTest(call=label):
                self.assertReturned(call, want)


class TestCallersLoopNestApplied(CheckTestCase):
    regime = regimes.NEST_APPLIED

    @in_child(nested_calls)
    def test_provider_runs_on_the_callers_loop(self, found):
        """after nest_asyncio.apply(), a sync call inside the running loop (every path) runs the provider on that loop, which stays installed, running and open"""
        for label, call, want in self.facts(found, on_the_callers_loop(NESTED_APPLIED)):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @in_child(nested_calls)
    def test_nothing_else_of_asyncio_replaced(self, found):
        """after nest_asyncio.apply(), a sync call inside the running loop replaces nothing more of asyncio"""
        for label, call, want in self.facts(found, nothing_replaced):
            with self.subTest(call=label):
                self.assertReturned(call, want)


async def uvloop_left_alone():
    """g4f's get_running_loop inside a running uvloop loop, and a sync create there: what they did to asyncio."""
    get_running_loop = support.require_api("bridge", lambda: support.g4f_bridge().get_running_loop)
    loop, before, found = asyncio.get_running_loop(), asyncio_parts(), {}
    for check_nested in (False, True):
        name = "get_running_loop(check_nested=%s)" % check_nested
        try:
            got = get_running_loop(check_nested=check_nested)
            found[name] = "the running uvloop loop" if got is loop else "returned %r" % (got,)
        except Exception as error:
            found[name] = "raised %s" % type(error).__name__
    found["asyncio replaced"] = replaced_since(before)
    try:
        create(probe("async generator", background=False))
    except Exception:  # the sync API cannot nest on uvloop (a known defect's shape, checked above)
        pass
    found["asyncio replaced after a sync create"] = replaced_since(before)
    return found


class TestUvloopLeftAlone(CheckTestCase):
    regime = regimes.UVLOOP

    @in_child(uvloop_left_alone)
    def test_get_running_loop_returns_uvloop_unpatched(self, found):
        """inside a running uvloop loop, g4f's get_running_loop returns that loop without patching it, and neither it nor a sync create replaces anything of asyncio"""
        loop = "the running uvloop loop"
        self.assertReturned(
            found,
            {
                "get_running_loop(check_nested=False)": loop,
                "get_running_loop(check_nested=True)": loop,
                "asyncio replaced": [],
                "asyncio replaced after a sync create": [],
            },
        )
