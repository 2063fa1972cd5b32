"""Providers that log in (g4f's AsyncAuthedProvider, the base of its OpenAI-, Copilot- and Gemini-style providers):
with a login cached in the cookies folder, the base class streams what the provider's ``create_authed`` yields and
limits each wait for the next chunk itself: ``stream_timeout`` seconds, or ``timeout`` seconds for a provider whose
``use_stream_timeout`` is False (the limit the provider's class names); a request naming only the other limit is
not limited. Past the limit it raises TimeoutError, after cancelling the provider's pending await.

Each case calls the provider's ``create_async_generator`` as g4f's APIs do, over a provider whose first chunk comes at
once and whose second comes after a gap: SLOW seconds where the limit must cut it (LIMIT), GAP where a limit would
wrongly cut it (a limit of TINY, on a request that names only the limit the provider does not use). The cases
run at once, each with a provider class of its own, so a check that passes takes about LIMIT seconds. Skipped before g4f 0.6.2.1, where the base class honoured only
``stream_timeout``.
"""

import asyncio
import importlib
import itertools
import json
import os

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import AUTHED_TIMEOUT_IS_ASYNCIO_ERROR, LIMIT_TYPE_ERROR, known
from .observe import each_at_once
from .support import CHUNKS, MESSAGES, MODEL
from .timeouts import LIMIT, SLOW  # the clients' stream limits' timing, for the same reasons

GAP = 0.05  # the gap before the second chunk where no limit applies
TINY = 0.001  # the limit a request names that this provider must not apply: far under GAP
EXPIRED = "builtins.TimeoutError"
_numbers = itertools.count()

# label: (the provider's use_stream_timeout, the gap before its second chunk, the limits the request names)
CASES = {
    "stream_timeout, chunks slower": (True, SLOW, {"stream_timeout": LIMIT}),
    "stream_timeout and a long timeout, chunks slower": (True, SLOW, {"stream_timeout": LIMIT, "timeout": 30}),
    "timeout, use_stream_timeout = False, chunks slower": (False, SLOW, {"timeout": LIMIT}),
    "only timeout, which this provider does not use": (True, GAP, {"timeout": TINY}),
    "only stream_timeout, which this provider does not use": (False, GAP, {"stream_timeout": TINY}),
    "stream_timeout=None and a long timeout": (True, GAP, {"stream_timeout": None, "timeout": 30}),
}


def expected(use_stream_timeout, gap, limits):
    """What the caller must see (see the module docstring)."""
    if gap == SLOW:
        return {"received": [CHUNKS[0]], "raised": EXPIRED, "the provider's await cancelled": True}
    return {"received": list(CHUNKS[:2]), "raised": None, "the provider's await cancelled": False}


def authed_provider(use_stream_timeout, gap):
    """An AsyncAuthedProvider with a login cached in the cookies folder (the sandbox's): ``create_authed`` yields
    CHUNKS[0], then CHUNKS[1] after ``gap`` seconds, noting in ``cancelled`` whether that wait was cancelled."""

    def lookup():
        module = importlib.import_module("g4f.providers.base_provider")
        return module.AsyncAuthedProvider, module.AsyncAuthedProvider.get_cache_file

    base = support.require_api("authed_limits", lookup)[0]

    async def create_authed(cls, model, messages, auth_result=None, **kwargs):
        yield CHUNKS[0]
        try:
            cls.waiting = True
            await asyncio.sleep(gap)
        except asyncio.CancelledError:
            cls.cancelled = True
            raise
        yield CHUNKS[1]

    # Its cached login is a file named for the class: a name of its own, as the regimes' forks run at once.
    name = "AuthedProviderMock%d_%d" % (os.getpid(), next(_numbers))
    provider = type(
        name,
        (base,),
        {
            "working": True,
            "use_stream_timeout": use_stream_timeout,
            "cancelled": False,
            "waiting": False,
            "create_authed": classmethod(create_authed),
        },
    )
    cache = provider.get_cache_file()
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("w") as f:
        json.dump({"api_key": "sk-g4f-tests-Wörld"}, f)  # a login from an earlier run: no on_auth_async
    return provider


async def limited(use_stream_timeout, gap, limits):
    """What the caller of the provider's stream saw: the chunks, the type of what it raised, and whether the
    provider's pending await had been cancelled when the error reached the caller."""
    provider = authed_provider(use_stream_timeout, gap)
    stream = provider.create_async_generator(MODEL, [dict(m) for m in MESSAGES], stream=True, **limits)
    received, raised, cancelled = [], None, False
    try:
        async for chunk in stream:
            received.append(chunk)
    except Exception as error:
        raised = "%s.%s" % (type(error).__module__, type(error).__qualname__)
        cancelled = provider.cancelled
    finally:
        await stream.aclose()
    return {"received": received, "raised": raised, "the provider's await cancelled": cancelled}


async def every_case():
    return await each_at_once(limited, CASES)


every_case.timed = True  # its limits are real time: its fork keeps its priority (zygote.NICER)

CANCELLED = "cancelled promptly, CancelledError inside the provider"


async def cancel_while_it_waits():
    """A task reading a cached login's stream, with a limit far off (timeout, which this provider uses), cancelled
    while the provider waits for its second chunk: what happened, in words."""
    provider = authed_provider(False, 30)
    stream = provider.create_async_generator(MODEL, [dict(m) for m in MESSAGES], stream=True, timeout=60)

    async def read():
        return [chunk async for chunk in stream]

    task = asyncio.ensure_future(read())
    deadline = asyncio.get_running_loop().time() + support.TIMEOUT / 2
    while not provider.waiting and not task.done():
        if asyncio.get_running_loop().time() > deadline:
            return "the provider never began to wait"
        await asyncio.sleep(0.001)
    if task.done():
        return task.result()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2.0)
    if not done:
        return "the read did not end within 2 s of cancel()"
    if not task.cancelled():
        return "cancel() did not end the read with CancelledError: %r" % (task.exception() or task.result(),)
    return CANCELLED if provider.cancelled else "the read ended, but no CancelledError reached the provider"


class AuthedChecks:
    slow = True  # a check waits LIMIT seconds, and SLOW where g4f fails to cut: its child starts first

    @known(AUTHED_TIMEOUT_IS_ASYNCIO_ERROR, LIMIT_TYPE_ERROR)
    @in_child(every_case)
    def test_a_cached_login_stream_waits_each_chunk_at_most_the_named_limit(self, found):
        """an AsyncAuthedProvider with a cached login waits for each chunk at most stream_timeout (timeout where use_stream_timeout is False), cancels the provider's pending await, then raises TimeoutError; the limit it does not use, or None, cuts nothing"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected(*CASES[label]))
        self.assertNothingStray(found)

    @known(LIMIT_TYPE_ERROR)
    @in_child(cancel_while_it_waits)
    def test_cancelling_a_cached_login_stream_reaches_the_provider(self, found):
        """a task reading an AsyncAuthedProvider's stream (a cached login, under a limit far off) cancelled while the provider waits ends with CancelledError promptly, and the CancelledError reaches the provider, not a TimeoutError or the stream's end"""
        self.assertReturned(found, CANCELLED)


class TestAuthedProvider(AuthedChecks, CheckTestCase):
    pass


class TestAuthedProviderUvloop(AuthedChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAuthedProviderNestApplied(AuthedChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
