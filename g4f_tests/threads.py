"""Concurrency: sync create from many threads at once (also beside a running loop), many create_async gathered."""

import asyncio
import concurrent.futures
import threading

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import NEST_RUN_LEAVES_LOOPS, known
from .mocks import AsyncGeneratorProviderMock
from .providers import JOINED, AsyncChunksProviderMock, SlowAsyncProviderMock, create, create_async

# One provider per bridge path: AsyncProvider (slow enough for calls to overlap), async generator, async
# generator with several chunks.
EXPECTED = {SlowAsyncProviderMock: "Mock", AsyncGeneratorProviderMock: "Mock", AsyncChunksProviderMock: JOINED}
WORKERS = 4
GATHERED = 30
TOTAL = {"wrong": [], "calls": WORKERS * len(EXPECTED)}


def rounds():
    """Per provider, WORKERS calls that start together (a barrier), so they really overlap."""
    for provider in EXPECTED:
        barrier = threading.Barrier(WORKERS)

        def call(provider=provider, barrier=barrier):
            barrier.wait(support.TIMEOUT)
            return provider, create(provider)

        yield [call] * WORKERS


def tally(pairs):
    return {"wrong": [(p.__name__, result) for p, result in pairs if result != EXPECTED[p]], "calls": len(pairs)}


def sync_create_from_many_threads():
    pairs = []
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for calls in rounds():
            pairs.extend(future.result() for future in [pool.submit(call) for call in calls])
    return tally(pairs)


async def sync_create_in_threads_while_loop_runs():
    loop = asyncio.get_running_loop()
    pairs = []
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for calls in rounds():
            pairs.extend(await asyncio.gather(*(loop.run_in_executor(pool, call) for call in calls)))
    return tally(pairs)


async def many_create_async_gathered():
    providers = list(EXPECTED) * (GATHERED // len(EXPECTED))

    async def one(provider):
        return provider, await create_async(provider)

    return tally(await asyncio.gather(*(one(p) for p in providers)))


class ThreadChecks:
    @known(NEST_RUN_LEAVES_LOOPS)
    @in_child(sync_create_from_many_threads)
    def test_sync_create_from_many_threads_at_once(self, found):
        """sync create called from several worker threads at once returns each caller its own correct result"""
        self.assertReturned(found, TOTAL)


class LoopThreadChecks:
    @known(NEST_RUN_LEAVES_LOOPS)
    @in_child(sync_create_in_threads_while_loop_runs)
    def test_sync_create_in_threads_while_loop_runs(self, found):
        """sync create from worker threads while the main thread runs an event loop returns every result correctly"""
        self.assertReturned(found, TOTAL)

    @in_child(many_create_async_gathered)
    def test_many_create_async_gathered(self, found):
        """many create_async calls gathered at once each return their own complete result"""
        self.assertReturned(found, {"wrong": [], "calls": GATHERED // len(EXPECTED) * len(EXPECTED)})


class TestThreads(ThreadChecks, CheckTestCase):
    pass


class TestThreadsNestApplied(ThreadChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestLoopThreads(LoopThreadChecks, CheckTestCase):
    pass


class TestLoopThreadsUvloop(LoopThreadChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestLoopThreadsNestApplied(LoopThreadChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
