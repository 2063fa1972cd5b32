"""The caller's loop. Where g4f can nest (nest applied, or g4f patching the running loop itself), a sync call made
inside a running loop runs the provider on that loop; the loop stays the thread's, running and open; and g4f
replaces nothing else of asyncio that was not replaced before. Inside a running uvloop loop, which g4f cannot
patch, g4f leaves the loop and asyncio alone."""

import asyncio
import unittest

from . import regimes, support
from .bridge_timeouts import EXPIRED, timeout_inside_the_loop
from .checks import CheckTestCase, in_child
from .failing import FAILURES, RuntimeErrorAsyncProviderMock, chunks_then_error, failure_expected
from .known_defects import (
    AUTO_PATCH_GENERATOR_PROVIDER,
    AUTO_PATCH_REPLACES_ASYNCIO,
    CLIENT_IMAGES_DEFECTS,
    NESTED_RUNTIME_ERROR_IS_NEST_ERROR,
    TIMEOUT_IS_ASYNCIO_ERROR,
    TIMEOUT_WITHOUT_MESSAGE,
    UVLOOP_GENERATOR_LEAVES_COROUTINE,
    known,
)
from .observe import each_async
from .probes import CALLER, CALLERS_VALUE, IMAGE_URL, asyncio_parts, loop_seen, probe, replaced_since
from .providers import CHUNKS, JOINED, MESSAGES, create
from .workers import chat, client_chat, client_images

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


async def nested_call(label, before):
    """One sync call of NESTED_APPLIED from a coroutine running on the regime's loop, in the caller's context:
    what it did to that loop, and what of asyncio is replaced since ``before`` (the body's start)."""
    call, kind, args, _ = NESTED_APPLIED[label]
    provider, loop = probe(kind, background=False), asyncio.get_running_loop()
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
    value["caller's context"] = provider.report.get("context")
    value["asyncio replaced since the first call"] = replaced_since(before)
    return value


async def nested_calls(cases):
    """Every call of ``cases`` (NESTED or NESTED_APPLIED, by name) in turn, the first the first g4f call of the
    process."""
    support.require_api("bridge")
    cases = globals()[cases]
    CALLER.set(CALLERS_VALUE)
    before = asyncio_parts()
    return await each_async(nested_call, {label: (label, before) for label in cases})


def on_the_callers_loop(cases):
    return lambda label: dict(CALLERS_LOOP, result=cases[label][3])


def in_the_callers_context(label):
    return {"caller's context": CALLERS_VALUE}


def nothing_replaced(label):
    return {"asyncio replaced since the first call": []}


async def inside_the_loop(*args):
    return chunks_then_error(*args)


async def nested_failures():
    support.require_api("bridge")
    return await each_async(inside_the_loop, {label: args for label, (args, _) in FAILURES.items()})


async def nested_runtime_error():
    return await inside_the_loop(RuntimeErrorAsyncProviderMock, False, True, True)


@unittest.skipIf(support.g4f_nest() is None, "g4f cannot nest here: the nest package it imports is not installed")
@unittest.skipUnless(
    support.has_api("auto_patch"),
    "g4f %s predates g4f patching a running loop itself (first in "
    "g4f %s)" % (support.g4f_version(), support.G4F_APIS["auto_patch"][0]),
)
class TestCallersLoop(CheckTestCase):
    """Nothing applied: g4f patches the running loop itself (the first call of a fresh interpreter)."""

    @known(AUTO_PATCH_GENERATOR_PROVIDER)
    @in_child(nested_calls, "NESTED")
    def test_provider_runs_on_the_callers_loop(self, found):
        """with nest_asyncio importable and nothing applied, a sync call inside a running loop runs the provider on the caller's loop, which stays installed, running and open"""
        for label, call, want in self.facts(found, on_the_callers_loop(NESTED)):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(AUTO_PATCH_REPLACES_ASYNCIO, AUTO_PATCH_GENERATOR_PROVIDER)
    @in_child(nested_calls, "NESTED")
    def test_nothing_else_of_asyncio_replaced(self, found):
        """with nest_asyncio importable and nothing applied, a sync call inside a running loop patches that loop and replaces nothing else of asyncio"""
        for label, call, want in self.facts(found, nothing_replaced):
            with self.subTest(call=label):
                self.assertReturned(call, want)


class TestCallersLoopNestApplied(CheckTestCase):
    regime = regimes.NEST_APPLIED

    @known(*CLIENT_IMAGES_DEFECTS)
    @in_child(nested_calls, "NESTED_APPLIED")
    def test_provider_runs_on_the_callers_loop(self, found):
        """after nest_asyncio.apply(), a sync call inside the running loop (every path) runs the provider on that loop, which stays installed, running and open"""
        for label, call, want in self.facts(found, on_the_callers_loop(NESTED_APPLIED)):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(*CLIENT_IMAGES_DEFECTS)
    @in_child(nested_calls, "NESTED_APPLIED")
    def test_provider_runs_in_the_callers_context(self, found):
        """after nest_asyncio.apply(), a sync call inside the running loop (every path) runs the provider in the caller's context: a ContextVar the caller set is visible inside"""
        for label, call, want in self.facts(found, in_the_callers_context):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(*CLIENT_IMAGES_DEFECTS)
    @in_child(nested_calls, "NESTED_APPLIED")
    def test_nothing_else_of_asyncio_replaced(self, found):
        """after nest_asyncio.apply(), a sync call inside the running loop replaces nothing more of asyncio"""
        for label, call, want in self.facts(found, nothing_replaced):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @in_child(nested_failures)
    def test_provider_error_reaches_the_caller_unchanged(self, found):
        """after nest_asyncio.apply(), a provider's exception reaches a sync caller inside the running loop unchanged (after the chunks before it), on every bridge path"""
        for label, call, want in self.facts(found, failure_expected):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(NESTED_RUNTIME_ERROR_IS_NEST_ERROR)
    @in_child(nested_runtime_error)
    def test_runtime_error_of_a_coroutine_reaches_the_caller_unchanged(self, found):
        """after nest_asyncio.apply(), to_sync_generator(coroutine) inside the running loop lets a RuntimeError the coroutine raises through unchanged; where g4f reports it as NestAsyncioError (the known defect), it is that error's __cause__"""
        self.assertReturned(
            found, {"chunks before the error": [], "error": "RuntimeError: g4f-tests: the provider failed"}
        )

    @known(TIMEOUT_IS_ASYNCIO_ERROR, TIMEOUT_WITHOUT_MESSAGE)
    @in_child(timeout_inside_the_loop)
    def test_timeout_cancels_the_pending_await_first(self, found):
        """after nest_asyncio.apply(), to_sync_generator(timeout=...) inside the running loop cancels the provider's pending await and closes it before TimeoutError reaches the caller"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, EXPIRED)


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

    @known(UVLOOP_GENERATOR_LEAVES_COROUTINE)
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
