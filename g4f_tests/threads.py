"""Concurrency: sync create from many threads at once (also beside a running loop), many create_async gathered."""
import asyncio
import concurrent.futures
import threading
import unittest

import g4f
from g4f import ChatCompletion

from .mocks import JOINED, AsyncChunksProviderMock, AsyncGeneratorProviderMock, SlowAsyncProviderMock
from .support import CALL_TIMEOUT, HangError, UvloopTestCase, close_nest_leftover_loop, within

MESSAGES = [{"role": "user", "content": "Hello"}]
# One provider per bridge path: AsyncProvider (slow enough for calls to overlap), async generator,
# async generator with several chunks.
EXPECTED = {SlowAsyncProviderMock: "Mock", AsyncGeneratorProviderMock: "Mock", AsyncChunksProviderMock: JOINED}
WORKERS = 4
GATHERED = 30


def sync_create(provider):
    try:
        return provider, ChatCompletion.create(g4f.models.default, MESSAGES, provider)
    finally:
        close_nest_leftover_loop()


def rounds():
    """Per provider, WORKERS calls that start together (a barrier), so they really overlap."""
    for provider in EXPECTED:
        barrier = threading.Barrier(WORKERS)

        def call(provider=provider, barrier=barrier):
            barrier.wait(CALL_TIMEOUT)
            return sync_create(provider)

        yield [call] * WORKERS


def wrong_results(pairs):
    return [(provider.__name__, result) for provider, result in pairs if result != EXPECTED[provider]]


class TestThreads(unittest.TestCase):
    def test_sync_create_from_many_threads_at_once(self):
        """sync create called from several worker threads at once returns each caller its own correct result"""
        pairs = []
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            for calls in rounds():
                futures = [pool.submit(call) for call in calls]
                done, pending = concurrent.futures.wait(futures, timeout=CALL_TIMEOUT)
                if pending:
                    raise HangError("%d of %d threaded sync creates did not return within %s s"
                                    % (len(pending), len(futures), CALL_TIMEOUT))
                pairs.extend(future.result() for future in futures)
        self.assertEqual(wrong_results(pairs), [])
        self.assertEqual(len(pairs), WORKERS * len(EXPECTED))


class LoopThreadChecks:
    """Bound below to the default loop and to uvloop."""

    async def test_sync_create_in_threads_while_loop_runs(self):
        """sync create from worker threads while the main thread runs an event loop returns every result correctly"""
        loop = asyncio.get_running_loop()
        pairs = []
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            for calls in rounds():
                pairs.extend(await within(asyncio.gather(*(loop.run_in_executor(pool, call) for call in calls))))
        self.assertEqual(wrong_results(pairs), [])
        self.assertEqual(len(pairs), WORKERS * len(EXPECTED))

    async def test_many_create_async_gathered(self):
        """many create_async calls gathered at once each return their own complete result"""
        providers = list(EXPECTED) * (GATHERED // len(EXPECTED))

        async def one(provider):
            return provider, await ChatCompletion.create_async(g4f.models.default, MESSAGES, provider)

        pairs = await within(asyncio.gather(*(one(p) for p in providers)))
        self.assertEqual(wrong_results(pairs), [])
        self.assertEqual(len(pairs), len(providers))


class TestLoopThreads(LoopThreadChecks, unittest.IsolatedAsyncioTestCase):
    pass


class TestLoopThreadsUvloop(LoopThreadChecks, UvloopTestCase):
    pass
