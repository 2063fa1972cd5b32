"""Cancellation: cancelling create_async on a provider that never answers ends promptly and closes the provider."""
import asyncio
import unittest

import g4f
from g4f import ChatCompletion

from .mocks import make_hanging_provider
from .support import CALL_TIMEOUT, UvloopTestCase, require_g4f_api, within

MESSAGES = [{"role": "user", "content": "Hello"}]
# How long cancel() may take to end the call and close the provider's generator.
CANCEL_TIMEOUT = 2.0


async def wait_for_event(event, timeout=CALL_TIMEOUT):
    """Wait for a threading.Event set on this loop, giving the loop turns meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not event.is_set():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


class CancellationChecks:
    """Bound below to the default loop and to uvloop."""

    async def check_cancel(self, consume):
        provider = make_hanging_provider()
        task = asyncio.ensure_future(consume(provider))
        self.assertTrue(await wait_for_event(provider.started), "the provider was never started")
        await asyncio.sleep(0)
        self.assertFalse(task.done(), "the call ended although the provider never finished: %r" % (task,))
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=CANCEL_TIMEOUT)
        self.assertTrue(done, "the call did not end within %s s of cancel()" % CANCEL_TIMEOUT)
        self.assertTrue(task.cancelled(), "cancel() did not end the call with CancelledError: %r" % (task,))
        self.assertTrue(await wait_for_event(provider.closed, CANCEL_TIMEOUT),
                        "the provider's generator was not closed after cancel()")

    async def test_cancel_create_async(self):
        """cancelling create_async on a provider that never answers raises CancelledError promptly and closes the provider"""

        async def consume(provider):
            return await ChatCompletion.create_async(g4f.models.default, MESSAGES, provider)

        await within(self.check_cancel(consume))

    async def test_cancel_create_async_stream(self):
        """cancelling a create_async(stream=True) consumer mid-stream raises CancelledError promptly and closes the provider"""
        require_g4f_api("create_async_stream")

        async def consume(provider):
            return [chunk async for chunk in
                    ChatCompletion.create_async(g4f.models.default, MESSAGES, provider, stream=True)]

        await within(self.check_cancel(consume))


class TestCancellation(CancellationChecks, unittest.IsolatedAsyncioTestCase):
    pass


class TestCancellationUvloop(CancellationChecks, UvloopTestCase):
    pass
