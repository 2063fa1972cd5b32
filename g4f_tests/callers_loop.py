"""The caller's loop. Where g4f can nest (nest applied, or g4f patching the running loop itself), a sync call made
inside a running loop runs the provider on that loop; the loop stays the thread's, running and open; and g4f
replaces nothing else of asyncio that was not replaced before. Inside a running uvloop loop, which g4f cannot
patch, g4f leaves the loop and asyncio alone."""

import asyncio
import unittest

from . import regimes, support
from .checks import CheckTestCase, in_child, in_children
from .known_defects import AUTO_PATCH_REPLACES_ASYNCIO, known
from .observe import each_async
from .probes import IMAGE_URL, asyncio_parts, loop_seen, probe, replaced_since
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
