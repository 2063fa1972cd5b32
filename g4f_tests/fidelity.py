"""Fidelity through every API: the answer, streamed or not, is exactly what the provider yielded.

The same request goes through ChatCompletion.create / create_async and Client / AsyncClient, over a sync, an async
and an async-generator provider, streamed and not. What each API does with CHUNKS (which has an empty chunk):

- not streamed, every API: the chunks joined, in order (JOINED; the empty chunk adds nothing);
- streamed, the legacy API (ChatCompletion): every chunk as the provider yielded it, the empty one too;
- streamed, a client: one chunk per non-empty provider chunk, its delta content that chunk's text (no chunk for the
  empty one), then a closing chunk whose delta content is None (it carries the finish reason).

An AsyncProvider answers in one piece: streamed, that piece is the one chunk.
"""

from . import regimes
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_ASYNC_PROVIDER,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_ONE_DELTA,
    ASYNC_CLIENT_SYNC_BRIDGE,
    ASYNC_STREAM_OF_SYNC_PROVIDER,
    CLIENT_EMPTY_CHUNK_DELTA,
    CLIENT_EMPTY_CHUNK_DELTA_AGAIN,
    known,
)
from .observe import each, each_async
from .paths import ASYNC, CLIENTS, SYNC, answer, answer_async, cases
from .providers import CHUNKS, JOINED, KINDS, JoinedAsyncProviderMock

SYNC_CASES = cases(SYNC, KINDS)
ASYNC_CASES = cases(ASYNC, KINDS)


def expected(api, provider, stream):
    """What ``api`` must deliver for ``provider``'s chunks (see the module docstring)."""
    if not stream:
        return JOINED
    chunks = [JOINED] if provider is JoinedAsyncProviderMock else list(CHUNKS)
    if api in CLIENTS:
        return [chunk for chunk in chunks if chunk] + [None]
    return chunks


def sync_answers():
    return each(answer, SYNC_CASES)


async def async_answers():
    return await each_async(answer_async, ASYNC_CASES)


class SyncFidelityChecks:
    @known(CLIENT_EMPTY_CHUNK_DELTA, CLIENT_EMPTY_CHUNK_DELTA_AGAIN)
    @in_child(sync_answers)
    def test_sync_apis_deliver_exactly_what_was_yielded(self, found):
        """ChatCompletion.create and Client, streamed or not, over every provider kind deliver exactly the provider's chunks: joined, every chunk (legacy), or one delta per non-empty chunk and a closing chunk with None (Client)"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected(*SYNC_CASES[label]))


class AsyncFidelityChecks:
    @known(
        ASYNC_STREAM_OF_SYNC_PROVIDER,
        ASYNC_CLIENT_ONE_DELTA,
        CLIENT_EMPTY_CHUNK_DELTA,
        CLIENT_EMPTY_CHUNK_DELTA_AGAIN,
        ASYNC_CLIENT_ASYNC_PROVIDER,
        ASYNC_CLIENT_MISSING,
        ASYNC_CLIENT_IS_SYNC,
        ASYNC_CLIENT_SYNC_BRIDGE,
    )
    @in_child(async_answers)
    def test_async_apis_deliver_exactly_what_was_yielded(self, found):
        """ChatCompletion.create_async and AsyncClient, streamed or not, over every provider kind deliver exactly the provider's chunks: joined, every chunk (legacy), or one delta per non-empty chunk and a closing chunk with None (AsyncClient)"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected(*ASYNC_CASES[label]))


class TestFidelity(SyncFidelityChecks, CheckTestCase):
    pass


class TestFidelityNestApplied(SyncFidelityChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncFidelity(AsyncFidelityChecks, CheckTestCase):
    pass


class TestAsyncFidelityUvloop(AsyncFidelityChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncFidelityNestApplied(AsyncFidelityChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
