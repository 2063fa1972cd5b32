"""Fidelity through every API: the answer, streamed or not, is exactly what the provider yielded.

The same request goes through ChatCompletion.create / create_async and Client / AsyncClient, over a sync, an async
and an async-generator provider, streamed and not. What each API does with CHUNKS (which has an empty chunk):

- not streamed, every API: the chunks joined, in order (JOINED; the empty chunk adds nothing);
- streamed, the legacy API (ChatCompletion): every chunk as the provider yielded it, the empty one too;
- streamed, a client: one chunk per non-empty provider chunk, its delta content that chunk's text (no chunk for the
  empty one), then a closing chunk whose delta content is None (it carries the finish reason).

An AsyncProvider answers in one piece: streamed, that piece is the one chunk.

A provider may also yield an exception object among its text (g4f's own do, to report an error without ending the
answer), or None (as a provider that reads a delta without content may). Neither is text: no answer joins it in, and
no client streams a delta for it; the legacy stream passes it on as it came, as it passes every object.
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
    CLIENTS_TAKE_ERROR_CHUNKS_FOR_TEXT,
    CLIENTS_TAKE_NONE_CHUNKS_FOR_TEXT,
    CLIENTS_TAKE_NONE_CHUNKS_FOR_TEXT_AGAIN,
    CREATE_ASYNC_ERROR_CHUNK_TYPE_ERROR,
    LEGACY_JOINS_ERROR_CHUNKS,
    LEGACY_JOINS_NONE_CHUNKS,
    known,
)
from .observe import each, each_async
from .paths import ASYNC, CLIENTS, SYNC, answer, answer_async, cases
from .providers import CHUNKS, JOINED, KINDS, JoinedAsyncProviderMock
from .response_objects import yielding_provider

SYNC_CASES = cases(SYNC, KINDS)
ASYNC_CASES = cases(ASYNC, KINDS)
# The text around an exception object, and what each API must make of it.
AROUND_AN_ERROR = ["Hallo", ", Wörld ", "42"]
ERROR_KINDS = ("sync provider", "async-generator provider")


NONE = "a None chunk"  # the label of the cases whose provider yields None where the others yield an exception


def error_chunk_provider(kind, what=None):
    """A provider of ``kind`` that yields an exception object (``what``: NONE, None) between its first and second
    chunk."""
    return yielding_provider(
        kind,
        lambda: AROUND_AN_ERROR[:1]
        + [None if what == NONE else ValueError("Zu viele Anfragen für „Wörld“")]
        + AROUND_AN_ERROR[1:],
        "NoneChunkProviderMock" if what == NONE else "ErrorChunkProviderMock",
    )


def error_chunk_cases(apis, what=None):
    return {
        "%s, %s%s, %s"
        % (api, what + ", " if what else "", "stream" if stream else "not streamed", kind): (
            api,
            kind,
            stream,
            what,
        )
        for api in apis
        for kind in ERROR_KINDS
        for stream in (False, True)
    }


def expected_around_an_error(api, kind, stream, what=None):
    if not stream:
        return "".join(AROUND_AN_ERROR)
    if api in CLIENTS:
        return AROUND_AN_ERROR + [None]
    return AROUND_AN_ERROR[:1] + [{"object": "NoneType" if what == NONE else "ValueError"}] + AROUND_AN_ERROR[1:]


def objects_named(found):
    """A stream's items with an object a client's delta carries (not text) by its type name, as the legacy stream's."""
    if not isinstance(found, list):
        return found
    return [
        item if item is None or isinstance(item, (str, dict)) else {"object": type(item).__name__} for item in found
    ]


def answer_around_an_error(api, kind, stream, what):
    return objects_named(answer(api, error_chunk_provider(kind, what), stream))


async def answer_around_an_error_async(api, kind, stream, what):
    return objects_named(await answer_async(api, error_chunk_provider(kind, what), stream))


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


def around_cases(apis):
    return dict(error_chunk_cases(apis), **error_chunk_cases(apis, NONE))


def sync_answers_around_an_error():
    return each(answer_around_an_error, around_cases(SYNC))


async def async_answers_around_an_error():
    return await each_async(answer_around_an_error_async, around_cases(ASYNC))


# What the async paths of the text around an exception object or a None do wrong, whatever that object is.
AROUND_AN_ERROR_ASYNC_PATHS = (
    ASYNC_STREAM_OF_SYNC_PROVIDER,
    ASYNC_CLIENT_ONE_DELTA,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_SYNC_BRIDGE,
)


class AroundAnErrorChecks:
    def assertAroundAnError(self, found, apis, what=None):
        """The calls of ``found`` whose provider yields ``what`` (an exception object, or NONE) among its text."""
        expected = error_chunk_cases(apis, what)
        for label, call in self.calls(found):
            if label in expected:
                with self.subTest(call=label):
                    self.assertReturned(call, expected_around_an_error(*expected[label]))


class SyncFidelityChecks(AroundAnErrorChecks):
    @known(CLIENT_EMPTY_CHUNK_DELTA, CLIENT_EMPTY_CHUNK_DELTA_AGAIN)
    @in_child(sync_answers)
    def test_sync_apis_deliver_exactly_what_was_yielded(self, found):
        """ChatCompletion.create and Client, streamed or not, over every provider kind deliver exactly the provider's chunks: joined, every chunk (legacy), or one delta per non-empty chunk and a closing chunk with None (Client)"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected(*SYNC_CASES[label]))

    @known(LEGACY_JOINS_ERROR_CHUNKS, CLIENTS_TAKE_ERROR_CHUNKS_FOR_TEXT)
    @in_child(sync_answers_around_an_error)
    def test_sync_apis_leave_an_exception_chunk_out_of_the_text(self, found):
        """ChatCompletion.create and Client over a provider that yields an exception object among its text: no answer joins it in, no Client delta carries it; the legacy stream passes it on as it came"""
        self.assertAroundAnError(found, SYNC)

    @known(LEGACY_JOINS_NONE_CHUNKS, CLIENTS_TAKE_NONE_CHUNKS_FOR_TEXT, CLIENTS_TAKE_NONE_CHUNKS_FOR_TEXT_AGAIN)
    @in_child(sync_answers_around_an_error)
    def test_sync_apis_leave_a_none_chunk_out_of_the_text(self, found):
        """ChatCompletion.create and Client over a provider that yields None among its text: no answer joins it in (as "None"), no Client delta carries it; the legacy stream passes it on as it came"""
        self.assertAroundAnError(found, SYNC, NONE)


class AsyncFidelityChecks(AroundAnErrorChecks):
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

    @known(
        *AROUND_AN_ERROR_ASYNC_PATHS,
        LEGACY_JOINS_ERROR_CHUNKS,
        CREATE_ASYNC_ERROR_CHUNK_TYPE_ERROR,
        CLIENTS_TAKE_ERROR_CHUNKS_FOR_TEXT,
    )
    @in_child(async_answers_around_an_error)
    def test_async_apis_leave_an_exception_chunk_out_of_the_text(self, found):
        """ChatCompletion.create_async and AsyncClient over a provider that yields an exception object among its text: no answer joins it in, no AsyncClient delta carries it; the legacy stream passes it on as it came"""
        self.assertAroundAnError(found, ASYNC)

    @known(
        *AROUND_AN_ERROR_ASYNC_PATHS,
        LEGACY_JOINS_NONE_CHUNKS,
        CREATE_ASYNC_ERROR_CHUNK_TYPE_ERROR,
        CLIENTS_TAKE_NONE_CHUNKS_FOR_TEXT,
        CLIENTS_TAKE_NONE_CHUNKS_FOR_TEXT_AGAIN,
    )
    @in_child(async_answers_around_an_error)
    def test_async_apis_leave_a_none_chunk_out_of_the_text(self, found):
        """ChatCompletion.create_async and AsyncClient over a provider that yields None among its text: no answer joins it in (as "None"), no AsyncClient delta carries it; the legacy stream passes it on as it came"""
        self.assertAroundAnError(found, ASYNC, NONE)


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
