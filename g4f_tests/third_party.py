"""Providers as third parties write them work on every API.

g4f's guide to writing a provider: subclass the base class, set ``working = True``, define the one method of its
kind (create_completion, create_async or create_async_generator) and yield the answer. Nothing else: no
``supports_stream``, ``use_stream_timeout`` or other attribute g4f's own mocks set. Such providers of each kind,
through ChatCompletion.create / create_async and Client / AsyncClient, must answer as our mocks do (fidelity.py):
not streamed, the chunks joined; the async-generator provider (which streams, by its base class) also streamed.
"""

import asyncio

from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider, AsyncProvider

from . import regimes
from .checks import CheckTestCase, in_child
from .fidelity import expected
from .known_defects import (
    ASYNC_CLIENT_ASYNC_PROVIDER,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_SYNC_BRIDGE,
    ASYNC_CLIENT_USE_STREAM_TIMEOUT,
    CLIENT_EMPTY_CHUNK_DELTA,
    CLIENT_EMPTY_CHUNK_DELTA_AGAIN,
    known,
)
from .observe import each, each_async
from .paths import ASYNC, SYNC, answer, answer_async, cases
from .providers import CHUNKS, JOINED


class ThirdPartyProvider(AbstractProvider):
    working = True

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        for chunk in CHUNKS:
            yield chunk


class ThirdPartyAsyncProvider(AsyncProvider):
    working = True

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        await asyncio.sleep(0)
        return JOINED


class ThirdPartyAsyncGeneratorProvider(AsyncGeneratorProvider):
    working = True

    @classmethod
    async def create_async_generator(cls, model, messages, proxy=None, **kwargs):
        for chunk in CHUNKS:
            await asyncio.sleep(0)
            yield chunk


NOT_STREAMING = {"sync provider": ThirdPartyProvider, "async provider": ThirdPartyAsyncProvider}
STREAMING = {"async-generator provider": ThirdPartyAsyncGeneratorProvider}


def third_party_cases(apis):
    found = cases(apis, NOT_STREAMING, streams=(False,))
    found.update(cases(apis, STREAMING))
    return found


SYNC_CASES = third_party_cases(SYNC)
ASYNC_CASES = third_party_cases(ASYNC)


def sync_answers():
    return each(answer, SYNC_CASES)


async def async_answers():
    return await each_async(answer_async, ASYNC_CASES)


class SyncThirdPartyChecks:
    @known(CLIENT_EMPTY_CHUNK_DELTA, CLIENT_EMPTY_CHUNK_DELTA_AGAIN)
    @in_child(sync_answers)
    def test_sync_apis_take_providers_written_as_documented(self, found):
        """ChatCompletion.create and Client answer exactly for a provider that subclasses AbstractProvider, AsyncProvider or AsyncGeneratorProvider and defines only working and its one method"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                api, provider, stream = SYNC_CASES[label]
                self.assertReturned(call, expected(api, provider, stream))


class AsyncThirdPartyChecks:
    @known(
        ASYNC_CLIENT_USE_STREAM_TIMEOUT,
        CLIENT_EMPTY_CHUNK_DELTA,
        CLIENT_EMPTY_CHUNK_DELTA_AGAIN,
        ASYNC_CLIENT_ASYNC_PROVIDER,
        ASYNC_CLIENT_MISSING,
        ASYNC_CLIENT_IS_SYNC,
        ASYNC_CLIENT_SYNC_BRIDGE,
    )
    @in_child(async_answers)
    def test_async_apis_take_providers_written_as_documented(self, found):
        """ChatCompletion.create_async and AsyncClient answer exactly for a provider that subclasses AbstractProvider, AsyncProvider or AsyncGeneratorProvider and defines only working and its one method"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                api, provider, stream = ASYNC_CASES[label]
                self.assertReturned(call, expected(api, provider, stream))


class TestThirdParty(SyncThirdPartyChecks, CheckTestCase):
    pass


class TestThirdPartyNestApplied(SyncThirdPartyChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncThirdParty(AsyncThirdPartyChecks, CheckTestCase):
    pass


class TestAsyncThirdPartyUvloop(AsyncThirdPartyChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncThirdPartyNestApplied(AsyncThirdPartyChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
