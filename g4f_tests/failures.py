"""A provider's exception reaches the caller unchanged through the bridge (to_sync_generator's loop, its
collecting asyncio.run, the AsyncProvider wrapper, a coroutine), outside a loop and inside one, after the chunks
that came before it; and the bridge still cleans up behind it (no loop left installed, nothing stray)."""

import asyncio

from g4f.providers.base_provider import AsyncGeneratorProvider, AsyncProvider

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import NESTED_RUNTIME_ERROR_IS_NEST_ERROR, known
from .observe import each, each_async
from .providers import CHUNKS, MESSAGES


class FailingGeneratorMock(AsyncGeneratorProvider):
    """Yields CHUNKS[0], then raises ``failure``."""

    working = True
    use_stream_timeout = False
    supports_stream = True
    failure = ValueError("g4f-tests: the provider failed")

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        yield CHUNKS[0]
        await asyncio.sleep(0)
        raise cls.failure


class NoStreamFailingGeneratorMock(FailingGeneratorMock):
    supports_stream = False


class FailingAsyncProviderMock(AsyncProvider):
    working = True
    use_stream_timeout = False
    failure = FailingGeneratorMock.failure

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        await asyncio.sleep(0)
        raise cls.failure


class RuntimeErrorAsyncProviderMock(FailingAsyncProviderMock):
    failure = RuntimeError("g4f-tests: the provider failed")


def chunks_then_error(provider, stream=False, coroutine=False):
    """The chunks a sync call handed out before the provider's exception, and that exception, in words."""
    chunks = []
    try:
        if coroutine:
            to_sync_generator = support.require_api(
                "to_sync_generator_coroutine", lambda: support.g4f_bridge().to_sync_generator
            )
            chunks.extend(to_sync_generator(provider.create_async("", MESSAGES)))
        else:
            import g4f

            result = g4f.ChatCompletion.create(g4f.models.default, MESSAGES, provider, stream=stream)
            chunks.extend(result if stream else [result])  # a stream: one chunk at a time, up to the error
    except Exception as error:
        return {"chunks before the error": chunks, "error": "%s: %s" % (type(error).__name__, error)}
    return {"chunks": chunks}


async def inside_the_loop(*args):
    return chunks_then_error(*args)


FAILED = "ValueError: g4f-tests: the provider failed"
CASES = {
    "create(stream=True), async generator": ((FailingGeneratorMock, True), [CHUNKS[0]]),
    "create, async generator": ((FailingGeneratorMock,), []),
    "create, async generator without streaming": ((NoStreamFailingGeneratorMock,), []),
    "create, AsyncProvider": ((FailingAsyncProviderMock,), []),
    "to_sync_generator(coroutine)": ((FailingAsyncProviderMock, False, True), []),
}


def expected(label):
    return {"chunks before the error": CASES[label][1], "error": FAILED}


def sync_failures():
    support.require_api("bridge")
    return each(chunks_then_error, {label: args for label, (args, _) in CASES.items()})


async def nested_failures():
    support.require_api("bridge")
    return await each_async(inside_the_loop, {label: args for label, (args, _) in CASES.items()})


async def nested_runtime_error():
    return await inside_the_loop(RuntimeErrorAsyncProviderMock, False, True)


class TestFailures(CheckTestCase):
    @in_child(sync_failures)
    def test_provider_error_reaches_the_caller_unchanged(self, found):
        """outside a loop, a provider's exception reaches the sync caller unchanged (after the chunks before it), on every bridge path, and the bridge leaves no loop and nothing stray behind"""
        for label, call, want in self.facts(found, expected):
            with self.subTest(call=label):
                self.assertReturned(call, want)
                self.assertIsNone(call.leftover, "a %s event loop is left installed" % call.leftover)


class TestFailuresNestApplied(CheckTestCase):
    regime = regimes.NEST_APPLIED

    @in_child(nested_failures)
    def test_provider_error_reaches_the_caller_unchanged(self, found):
        """after nest_asyncio.apply(), a provider's exception reaches a sync caller inside the running loop unchanged, on every bridge path"""
        for label, call, want in self.facts(found, expected):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(NESTED_RUNTIME_ERROR_IS_NEST_ERROR)
    @in_child(nested_runtime_error)
    def test_runtime_error_of_a_coroutine_reaches_the_caller_unchanged(self, found):
        """after nest_asyncio.apply(), to_sync_generator(coroutine) inside the running loop lets a RuntimeError the coroutine raises through unchanged"""
        self.assertReturned(
            found, {"chunks before the error": [], "error": "RuntimeError: g4f-tests: the provider failed"}
        )
