"""The clients' other ways to ask: ``completions.stream(...)`` and ``create(..., raw=True)``, alike in both clients.

- ``stream(messages, model, **kwargs)`` is ``create(messages, model, stream=True, **kwargs)``: the deltas of the
  provider's chunks and a closing chunk, the extra parameters passed on to the provider.
- ``raw=True`` passes the provider's own JSON through: over a provider that yields JsonResponse objects (among
  text, as g4f's OpenAI-compatible providers do), streamed, exactly those objects in order and nothing else; not
  streamed, the first of them. Over a provider that yields none, the ordinary answer (its text, or its deltas).
Over a sync and an async-generator provider, Client and AsyncClient.
"""

import importlib
import inspect

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_JOINS_JSON_OBJECTS,
    ASYNC_CLIENT_ONE_DELTA,
    ASYNC_CLIENT_RAW_TEXT,
    CLIENT_JOINS_JSON_OBJECTS,
    CLIENTS_RAW_EARLY,
    CLIENTS_RAW_NOT_STREAMED,
    known,
)
from .observe import each, each_async
from .parameters import recording_provider
from .paths import async_stream, item, start, text
from .providers import NON_EMPTY

EXTRA = {"g4f_tests_extra": "Wörld", "temperature": 0.25}
STREAMED = {"deltas": NON_EMPTY + [None], "extra parameters reached the provider": EXTRA}
# JSON objects as an OpenAI-compatible provider passes them on: nested, non-ASCII, one without choices.
JSON = support.RAW_JSON
RAW = {"stream": JSON, "not streamed": JSON[0]}
PLAIN = {"stream": NON_EMPTY + [None], "not streamed": "".join(NON_EMPTY)}
# Without raw=True, over a provider that yields JSON objects among its text: the text alone.
TEXT_ONLY = {"stream": NON_EMPTY[:3] + [None], "not streamed": "".join(NON_EMPTY[:3])}


def stream_shorthand(api):
    """What ``completions.stream(...)`` delivered, and which extra parameters reached the provider."""
    provider = recording_provider("async-generator provider")
    support.require_api("completions_stream")
    completions = _completions(api, provider)
    return {
        "deltas": [item(chunk) for chunk in completions.stream(support.MESSAGES, support.MODEL, **EXTRA)],
        "extra parameters reached the provider": {key: provider.received.get(key) for key in EXTRA},
    }


async def stream_shorthand_async(api):
    provider = recording_provider("async-generator provider")
    support.require_api("completions_stream")
    chunks = await async_stream(api, _completions(api, provider).stream(support.MESSAGES, support.MODEL, **EXTRA))
    return {
        "deltas": [item(chunk) async for chunk in chunks],
        "extra parameters reached the provider": {key: provider.received.get(key) for key in EXTRA},
    }


def _completions(api, provider):
    client = importlib.import_module("g4f.client")
    Client = client.Client if api == "Client" else support.require_api("async_client", lambda: client.AsyncClient)
    return Client(provider=provider).chat.completions


def raw_api():
    """g4f's JsonResponse, once the clients' create has its raw parameter (KeyError if it is gone)."""
    client = importlib.import_module("g4f.client")
    inspect.signature(client.Completions.create).parameters["raw"]
    return importlib.import_module("g4f.providers.response").JsonResponse


def raw_provider(kind, with_json):
    """A provider of ``kind`` that yields text and (``with_json``) the JSON objects among it."""
    from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider

    JsonResponse = support.require_api("client_raw", raw_api)

    def items():
        if not with_json:
            return list(NON_EMPTY)
        return [NON_EMPTY[0], JsonResponse(**JSON[0]), "", NON_EMPTY[1], JsonResponse(**JSON[1]), NON_EMPTY[2]]

    attributes = {"working": True, "use_stream_timeout": False, "supports_stream": True}
    if kind == "sync provider":
        attributes["create_completion"] = classmethod(lambda cls, model, messages, stream, **kwargs: iter(items()))
        return type("RawProviderMock", (AbstractProvider,), attributes)

    async def create_async_generator(cls, model, messages, stream, **kwargs):
        for chunk in items():
            yield chunk

    attributes["create_async_generator"] = classmethod(create_async_generator)
    return type("AsyncRawProviderMock", (AsyncGeneratorProvider,), attributes)


def raw_item(chunk):
    """A JSON object passed through as its dict; anything else as paths.py reads it."""
    if type(chunk).__name__ == "JsonResponse":
        return chunk.get_dict()
    return item(chunk) if getattr(chunk, "choices", None) is not None and hasattr(chunk.choices[0], "delta") else None


def text_item(chunk):
    """A client chunk's delta content; an object that is not text, by its type name."""
    content = item(chunk)
    return content if content is None or isinstance(content, str) else {"object": type(content).__name__}


def raw_answer(api, kind, with_json, stream, raw=True):
    result = start(api, raw_provider(kind, with_json), stream, **({"raw": True} if raw else {}))
    if stream:
        return [(raw_item if raw else text_item)(chunk) for chunk in result]
    return result.get_dict() if type(result).__name__ == "JsonResponse" else text(result)


async def raw_answer_async(api, kind, with_json, stream, raw=True):
    result = start(api, raw_provider(kind, with_json), stream, **({"raw": True} if raw else {}))
    if stream:
        return [(raw_item if raw else text_item)(chunk) async for chunk in await async_stream(api, result)]
    result = await result
    return result.get_dict() if type(result).__name__ == "JsonResponse" else text(result)


def raw_cases(api):
    kinds = [("sync provider", True), ("async-generator provider", True), ("async-generator provider", False)]
    cases = {
        "%s raw, %s, %s%s"
        % (api, "stream" if stream else "not streamed", kind, "" if with_json else " without JSON"): (
            api,
            kind,
            with_json,
            stream,
        )
        for kind, with_json in kinds
        for stream in (False, True)
    }
    for kind in ("sync provider", "async-generator provider"):
        for stream in (False, True):
            label = "%s not raw, %s, %s" % (api, "stream" if stream else "not streamed", kind)
            cases[label] = (api, kind, True, stream, False)
    return cases


def expected_raw(label):
    expected = TEXT_ONLY if " not raw, " in label else PLAIN if label.endswith("without JSON") else RAW
    return expected["stream" if " raw, stream, " in label else "not streamed"]


def sync_shorthands():
    found = each(stream_shorthand, {"Client.stream": ("Client",)})
    found.update(each(raw_answer, raw_cases("Client")))
    return found


async def async_shorthands():
    found = await each_async(stream_shorthand_async, {"AsyncClient.stream": ("AsyncClient",)})
    found.update(await each_async(raw_answer_async, raw_cases("AsyncClient")))
    return found


class ShorthandChecks:
    def assertStreamShorthand(self, found):
        for label, call in self.calls(found):
            if label.endswith(".stream"):
                with self.subTest(call=label):
                    self.assertReturned(call, STREAMED)

    def assertRaw(self, found):
        for label, call in self.calls(found):
            if " raw, " in label:
                with self.subTest(call=label):
                    self.assertReturned(call, expected_raw(label))


class SyncShorthandChecks(ShorthandChecks):
    @in_child(sync_shorthands)
    def test_client_stream_is_create_with_stream(self, found):
        """Client().chat.completions.stream(...) delivers what create(stream=True) does and passes the extra parameters on"""
        self.assertStreamShorthand(found)

    @known(CLIENTS_RAW_EARLY, CLIENTS_RAW_NOT_STREAMED, CLIENT_JOINS_JSON_OBJECTS)
    @in_child(sync_shorthands)
    def test_client_raw_passes_the_providers_json_through(self, found):
        """Client's create(raw=True) delivers the provider's JSON objects (the first, not streamed), and the ordinary answer over a provider that yields none; without raw, the text alone"""
        self.assertRaw(found)


class AsyncShorthandChecks(ShorthandChecks):
    @in_child(async_shorthands)
    def test_async_client_stream_is_create_with_stream(self, found):
        """AsyncClient().chat.completions.stream(...) delivers what create(stream=True) does and passes the extra parameters on"""
        self.assertStreamShorthand(found)

    @known(
        ASYNC_CLIENT_RAW_TEXT,
        CLIENTS_RAW_EARLY,
        CLIENTS_RAW_NOT_STREAMED,
        ASYNC_CLIENT_JOINS_JSON_OBJECTS,
        ASYNC_CLIENT_ONE_DELTA,
    )
    @in_child(async_shorthands)
    def test_async_client_raw_passes_the_providers_json_through(self, found):
        """AsyncClient's create(raw=True) delivers the provider's JSON objects (the first, not streamed), and the ordinary answer over a provider that yields none, as Client's does; without raw, the text alone"""
        self.assertRaw(found)


class TestShorthands(SyncShorthandChecks, CheckTestCase):
    pass


class TestShorthandsNestApplied(SyncShorthandChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncShorthands(AsyncShorthandChecks, CheckTestCase):
    pass


class TestAsyncShorthandsUvloop(AsyncShorthandChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncShorthandsNestApplied(AsyncShorthandChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
