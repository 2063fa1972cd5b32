"""Cancellation: cancelling create_async on a provider that never answers (an AsyncProvider's coroutine, an async
generator) ends the call promptly, and the CancelledError arrives inside the provider, which is then closed."""

import asyncio

from . import regimes, support
from .checks import CheckTestCase, in_child
from .providers import HangingAsyncProviderMock, create_async, hanging_provider

# How long cancel() may take to end the call and close the provider's generator.
CANCEL_TIMEOUT = 2.0
DONE = "cancelled promptly, CancelledError inside the provider, provider closed"


async def wait_for_event(event, timeout):
    """Wait for a threading.Event set on this loop, giving the loop turns meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not event.is_set():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


async def cancel_while_the_provider_waits(stream, base=None):
    """Start create_async on a provider that never answers, cancel it; what happened, in words."""
    if stream:
        support.require_api("create_async_stream")
    provider = hanging_provider(base)
    task = asyncio.ensure_future(create_async(provider, stream=stream))
    if not await wait_for_event(provider.started, support.TIMEOUT):
        return "the provider was never started"
    await asyncio.sleep(0)
    if task.done():
        return "the call ended although the provider never finished: %r" % (task,)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=CANCEL_TIMEOUT)
    if not done:
        return "the call did not end within %s s of cancel()" % CANCEL_TIMEOUT
    if not task.cancelled():
        return "cancel() did not end the call with CancelledError: %r" % (task,)
    if not provider.cancelled.is_set():
        return "the call ended, but no CancelledError reached the provider"
    if not await wait_for_event(provider.closed, CANCEL_TIMEOUT):
        return "the provider was not closed after cancel()"
    return DONE


class CancellationChecks:
    @in_child(cancel_while_the_provider_waits, False)
    def test_cancel_create_async(self, found):
        """cancelling create_async on an async-generator provider that never answers raises CancelledError promptly, inside the provider too, and closes it"""
        self.assertReturned(found, DONE)

    @in_child(cancel_while_the_provider_waits, False, HangingAsyncProviderMock)
    def test_cancel_create_async_of_an_async_provider(self, found):
        """cancelling create_async on an AsyncProvider that never answers raises CancelledError promptly, inside the provider's coroutine too"""
        self.assertReturned(found, DONE)

    @in_child(cancel_while_the_provider_waits, True)
    def test_cancel_create_async_stream(self, found):
        """cancelling a create_async(stream=True) consumer mid-stream raises CancelledError promptly, inside the provider too, and closes it"""
        self.assertReturned(found, DONE)


class TestCancellation(CancellationChecks, CheckTestCase):
    pass


class TestCancellationUvloop(CancellationChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestCancellationNestApplied(CancellationChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
