"""The clients' stream limits, as g4f defines them: while a stream is read, each next chunk is waited for at most
``stream_timeout`` seconds, or ``timeout`` seconds for a provider whose ``use_stream_timeout`` is False (the
limit the provider's class names); past it the stream raises TimeoutError("The operation timed out after N
seconds"), promptly, and the provider's generator is closed. It is a limit on each wait, not on the whole
stream: chunks that come faster than it all arrive, however long the stream lasts. The other limit does not cut
the stream, and a request that is not streamed is not cut by ``stream_timeout``.

Client and AsyncClient, over async-generator providers whose chunks come slower (a first chunk at once, the
second SLOW seconds later) or faster (FAST seconds apart) than the limit the request names (LIMIT, FAST_LIMIT). The cases run at once (the sync Client's in
threads, AsyncClient's as tasks of the running loop), so the check takes about SLOW seconds. (to_sync_generator(timeout=...)
itself, timeout=0 or None, and cancellation reaching the provider are checked elsewhere.)
"""

import asyncio
import concurrent.futures
import importlib

from . import regimes, support
from .cancellation import wait_for_event
from .checks import CheckTestCase, in_child
from .known_defects import CLIENT_STREAM_NO_LIMIT, CLIENT_TIMEOUT_IS_ASYNCIO_ERROR, known
from .paths import outcome, outcome_async
from .providers import CHUNKS, paced_provider

LIMIT = 0.1  # the limit a request to a slow provider names, in seconds
SLOW = 0.4  # the gap before a slow provider's second chunk: far over LIMIT
# A request to a fast provider names FAST_LIMIT: its gaps (FAST) are far under it, so that only a stall of the
# whole machine past FAST_LIMIT - FAST (measured: over 0.09 s under python -X dev and a loaded CPU, once past 0.35 s)
# makes a chunk late; its 15 gaps add up to more than FAST_LIMIT (a limit on the whole stream would cut it), and to
# about SLOW (the check still takes about SLOW seconds). A fast case cut after such a stall, which the provider
# measures (``stalled``), runs again, ATTEMPTS times in all at most.
FAST_LIMIT = 0.35
FAST = 0.025
ATTEMPTS = 3
CLOSE_TIMEOUT = 2.0
FAST_CHUNKS = CHUNKS * 2
SLOW_CHUNKS = CHUNKS[:2]

# label: (stream, the provider's use_stream_timeout, its gap, the limit the request names)
CASES = {
    "stream_timeout, chunks slower": (True, True, SLOW, "stream_timeout"),
    "timeout, use_stream_timeout = False, chunks slower": (True, False, SLOW, "timeout"),
    "stream_timeout, chunks faster": (True, True, FAST, "stream_timeout"),
    "timeout, use_stream_timeout = False, chunks faster": (True, False, FAST, "timeout"),
    "only timeout, which this provider does not use, chunks slower": (True, True, SLOW, "timeout"),
    "stream_timeout, not streamed, chunks slower": (False, True, SLOW, "stream_timeout"),
}
EXPIRED = "builtins.TimeoutError: The operation timed out after %s seconds" % LIMIT


def limit_for(gap):
    return LIMIT if gap == SLOW else FAST_LIMIT


def expected(stream, use_stream_timeout, gap, limit):
    """What the caller must see (see the module docstring)."""
    chunks = SLOW_CHUNKS if gap == SLOW else FAST_CHUNKS
    if not stream:
        return {"received": "".join(chunks), "raised": None}
    if gap == SLOW and limit == ("stream_timeout" if use_stream_timeout else "timeout"):
        return {"received": [chunks[0]], "raised": EXPIRED, "promptly": True, "closed": True}
    return {"received": [chunk for chunk in chunks if chunk] + [None], "raised": None}


def provider_for(use_stream_timeout, gap):
    return paced_provider(SLOW_CHUNKS if gap == SLOW else FAST_CHUNKS, gap, use_stream_timeout)


def raised_before_the_slow_chunk(provider):
    """The error came before the provider's slow chunk would have: the limit cut the provider's wait for it (read from
    the provider, not from a clock: a loaded machine that stalls the loop past both deadlines still runs the limit's
    first, as its deadline is the earlier)."""
    return provider.waited == 0


def stalled(found, provider, gap):
    """A fast provider's stream was cut after the machine, not g4f, made a chunk later than the limit: one of the
    provider's sleeps of FAST seconds really took FAST_LIMIT or more (read from the provider). The limit did its job,
    but the case says nothing about chunks faster than the limit: it runs again. A limit that cut the stream early
    (on the whole stream, say) leaves every sleep short, and no attempt is taken again."""
    return gap == FAST and found["raised"] is not None and provider.longest >= FAST_LIMIT


STALLED = "every attempt: the machine stalled one of the provider's sleeps of %s s past %s s" % (FAST, FAST_LIMIT)


def limited(stream, use_stream_timeout, gap, limit):
    """The sync Client's outcome; for a stream that raised, whether it did so before the slow chunk would have
    come, and whether the provider's generator was closed."""
    for _ in range(ATTEMPTS):
        provider = provider_for(use_stream_timeout, gap)
        found = outcome("Client", provider, stream, **{limit: limit_for(gap)})
        if not stalled(found, provider, gap):
            break
    else:
        found["stalled"] = STALLED
    if stream and found["raised"]:
        found["promptly"] = raised_before_the_slow_chunk(provider)
        found["closed"] = provider.closed.wait(CLOSE_TIMEOUT)
    return found


async def limited_async(stream, use_stream_timeout, gap, limit):
    """``limited`` for AsyncClient."""
    for _ in range(ATTEMPTS):
        provider = provider_for(use_stream_timeout, gap)
        found = await outcome_async("AsyncClient", provider, stream, **{limit: limit_for(gap)})
        if not stalled(found, provider, gap):
            break
    else:
        found["stalled"] = STALLED
    if stream and found["raised"]:
        found["promptly"] = raised_before_the_slow_chunk(provider)
        found["closed"] = await wait_for_event(provider.closed, CLOSE_TIMEOUT)
    return found


async def limits():
    """Every case through both clients at once: AsyncClient's as tasks of this loop, the sync Client's in
    threads (each with no loop of its own running, as plain sync code)."""
    support.require_api("stream_timeout", lambda: importlib.import_module("g4f.providers.base_provider").wait_for)
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(len(CASES)) as pool:
        found = await asyncio.gather(
            *[loop.run_in_executor(pool, limited, *args) for args in CASES.values()],
            *[limited_async(*args) for args in CASES.values()],
        )
    labels = ["%s, %s" % (api, label) for api in ("Client", "AsyncClient") for label in CASES]
    return {label: {"value": value} for label, value in zip(labels, found)}


limits.timed = True  # its limits are real time: its fork keeps its priority (zygote.NICER)


class TimeoutChecks:
    slow = True  # each check waits SLOW seconds: its child starts first (checks.prefetch)

    def assertLimitsHonoured(self, found, api):
        for label, call in self.calls(found):
            if label.startswith(api + ", "):
                with self.subTest(call=label):
                    self.assertReturned(call, expected(*CASES[label[len(api) + 2 :]]))
        self.assertNothingStray(found)

    @known(CLIENT_STREAM_NO_LIMIT)
    @in_child(limits)
    def test_client_stream_waits_each_chunk_at_most_the_named_limit(self, found):
        """Client(stream=True) waits for each chunk at most stream_timeout (timeout where use_stream_timeout is False), then raises TimeoutError promptly and closes the provider; faster chunks all arrive; the other limit, or stream_timeout on a request not streamed, cuts nothing"""
        self.assertLimitsHonoured(found, "Client")

    @known(CLIENT_TIMEOUT_IS_ASYNCIO_ERROR)
    @in_child(limits)
    def test_async_client_stream_waits_each_chunk_at_most_the_named_limit(self, found):
        """AsyncClient(stream=True) waits for each chunk at most stream_timeout (timeout where use_stream_timeout is False), then raises TimeoutError promptly and closes the provider; faster chunks all arrive; the other limit, or stream_timeout on a request not streamed, cuts nothing"""
        self.assertLimitsHonoured(found, "AsyncClient")


class TestTimeouts(TimeoutChecks, CheckTestCase):
    pass


class TestTimeoutsUvloop(TimeoutChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestTimeoutsNestApplied(TimeoutChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
