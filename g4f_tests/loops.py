"""Loop hygiene of the first sync calls in a fresh interpreter: nothing left installed, unclosed or pending, and
asyncio left as the stdlib ships it (g4f patches only a running loop, and there is none). And the loops a sync call
makes are the installed event-loop policy's: under uvloop's policy (uvloop.install(), as servers set it up), the
provider runs on a uvloop loop."""

import asyncio
import unittest

from . import support
from .checks import CheckTestCase, in_child, in_children
from .mocks import AsyncGeneratorProviderMock, AsyncProviderMock
from .observe import each
from .probes import asyncio_parts, probe, replaced_since
from .providers import CHUNKS, JOINED, AsyncChunksProviderMock, NoStreamAsyncChunksProviderMock, create
from .workers import chat, client_chat


async def mock_coroutine():
    return "Mock"


def to_sync_generator_of_a_coroutine():
    to_sync_generator = support.require_api(
        "to_sync_generator_coroutine", lambda: support.g4f_bridge().to_sync_generator
    )
    return list(to_sync_generator(mock_coroutine()))


def sync_call(kind):
    """One sync call from plain code (no loop anywhere), the first of its process: its result, and what of
    asyncio it replaced."""
    provider, stream = CALLS[kind][:2]
    before = asyncio_parts()
    result = to_sync_generator_of_a_coroutine() if provider is None else create(provider, stream)
    return {"result": result, "asyncio replaced": replaced_since(before)}


CALLS = {
    "AsyncProviderMock": (AsyncProviderMock, False, "Mock"),
    "AsyncGeneratorProviderMock": (AsyncGeneratorProviderMock, False, "Mock"),
    "AsyncChunksProviderMock, stream=True": (AsyncChunksProviderMock, True, list(CHUNKS)),
    "NoStreamAsyncChunksProviderMock": (NoStreamAsyncChunksProviderMock, False, JOINED),
    "to_sync_generator(coroutine)": (None, False, ["Mock"]),
}
CASES = {kind: (kind,) for kind in CALLS}


class TestLoopHygiene(CheckTestCase):
    @in_children(sync_call, CASES)
    def test_sync_call_returns_and_leaves_no_loop_installed(self, founds):
        """a sync call outside any loop returns the result and leaves no event loop installed for the thread"""
        for kind, found in founds.items():
            with self.subTest(call=kind):
                self.assertEqual(self.returned(found)["result"], CALLS[kind][2])
                self.assertIsNone(
                    found.leftover, "a %s event loop is left installed as the thread's loop" % found.leftover
                )

    @in_children(sync_call, CASES)
    def test_sync_call_leaves_nothing_unclosed_or_pending(self, founds):
        """a sync call outside any loop closes the loop it made and leaves no pending task or never-awaited coroutine"""
        for kind, found in founds.items():
            with self.subTest(call=kind):
                self.returned(found)
                self.assertNothingStray(found)

    @in_children(sync_call, CASES)
    def test_sync_call_leaves_asyncio_unpatched(self, founds):
        """the first sync call outside any loop (streaming included) replaces nothing of asyncio: there is no running loop to patch"""
        for kind, found in founds.items():
            with self.subTest(call=kind):
                self.assertReturned(found, {"result": CALLS[kind][2], "asyncio replaced": []})


# Sync calls outside any loop, under uvloop's event-loop policy: label: (call, probe kind, stream).
UNDER_THE_POLICY = {
    "create, AsyncProvider": (chat, "AsyncProvider", False),
    "create, async generator": (chat, "async generator", False),
    "create(stream=True), async generator": (chat, "async generator", True),
    "Client create, async generator": (client_chat, "async generator", False),
    "Client create(stream=True), async generator": (client_chat, "async generator", True),
}
POLICY_LOOP = "uvloop.Loop"


def loop_type(label):
    """The type of the loop the provider of one sync call ran on."""
    call, kind, stream = UNDER_THE_POLICY[label]
    provider = probe(kind, background=False)
    call(provider, stream)
    loop = provider.report.get("loop")
    return "%s.%s" % (type(loop).__module__, type(loop).__qualname__) if loop is not None else "no loop"


def under_uvloop_policy():
    try:
        import uvloop
    except ImportError:
        raise unittest.SkipTest("uvloop is not installed (pip install uvloop)") from None
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        return each(loop_type, {label: (label,) for label in UNDER_THE_POLICY})
    finally:
        asyncio.set_event_loop_policy(None)


class TestEventLoopPolicy(CheckTestCase):
    @in_child(under_uvloop_policy)
    def test_sync_calls_make_their_loops_with_the_installed_policy(self, found):
        """under uvloop's event-loop policy, a sync call outside any loop runs an async provider on a loop that policy made (a uvloop.Loop), as asyncio.run and asyncio.new_event_loop do"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, POLICY_LOOP)
