"""g4f.client's Client and AsyncClient over the bridge: one message with the provider's text, or its chunks as deltas."""

import importlib

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_ONE_DELTA,
    ASYNC_CLIENT_SYNC_BRIDGE,
    known,
)
from .observe import each, each_async
from .providers import JOINED, MESSAGES, NON_EMPTY, AsyncChunksProviderMock, ChunksProviderMock

PROVIDERS = {"sync provider": (ChunksProviderMock,), "async-generator provider": (AsyncChunksProviderMock,)}
STREAMS = {name: args + (True,) for name, args in PROVIDERS.items()}


def deltas(chunks):
    """The text of each streamed chunk that carries any: the closing chunk carries none, and whether an empty
    chunk becomes an empty delta differs by release (0.5.0.1 forwards it, 8.8.6 drops it) and changes no text."""
    return [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]


def message_text(response):
    if not response.choices or response.choices[0].message is None:
        return {"no message in": repr(response)[:300]}
    return response.choices[0].message.content


def client_create(provider, stream=False):
    Client = importlib.import_module("g4f.client").Client
    response = Client(provider=provider).chat.completions.create(MESSAGES, "", stream=stream)
    return deltas(response) if stream else message_text(response)


async def async_client_create(provider, stream=False):
    AsyncClient = support.require_api("async_client", lambda: importlib.import_module("g4f.client").AsyncClient)
    response = AsyncClient(provider=provider).chat.completions.create(MESSAGES, "", stream=stream)
    if not stream:
        return message_text(await response)
    if hasattr(response, "__await__") and not hasattr(response, "__aiter__"):
        response = await response  # some g4f releases return a coroutine of the stream
    return deltas([chunk async for chunk in response])


def client_messages():
    return each(client_create, PROVIDERS)


def client_streams():
    return each(client_create, STREAMS)


async def async_client_messages():
    return await each_async(async_client_create, PROVIDERS)


async def async_client_streams():
    return await each_async(async_client_create, STREAMS)


class ClientChecks:
    @in_child(client_messages)
    def test_create_returns_joined_message(self, found):
        """sync Client.chat.completions.create returns one message with every chunk joined in order"""
        for provider, call in self.calls(found):
            with self.subTest(provider=provider):
                self.assertReturned(call, JOINED)

    @in_child(client_streams)
    def test_stream_yields_deltas_in_order(self, found):
        """sync Client.chat.completions.create(stream=True) yields one delta per non-empty chunk, in order"""
        for provider, call in self.calls(found):
            with self.subTest(provider=provider):
                self.assertReturned(call, NON_EMPTY)


class AsyncClientChecks:
    @known(ASYNC_CLIENT_MISSING, ASYNC_CLIENT_IS_SYNC, ASYNC_CLIENT_SYNC_BRIDGE)
    @in_child(async_client_messages)
    def test_async_create_returns_joined_message(self, found):
        """AsyncClient.chat.completions.create, awaited, returns one message with every chunk joined in order"""
        for provider, call in self.calls(found):
            with self.subTest(provider=provider):
                self.assertReturned(call, JOINED)

    @known(ASYNC_CLIENT_MISSING, ASYNC_CLIENT_IS_SYNC, ASYNC_CLIENT_SYNC_BRIDGE, ASYNC_CLIENT_ONE_DELTA)
    @in_child(async_client_streams)
    def test_async_stream_yields_deltas_in_order(self, found):
        """AsyncClient.chat.completions.create(stream=True) yields one delta per non-empty chunk, asynchronously, in order"""
        for provider, call in self.calls(found):
            with self.subTest(provider=provider):
                self.assertReturned(call, NON_EMPTY)


class TestClient(ClientChecks, CheckTestCase):
    pass


class TestClientNestApplied(ClientChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncClient(AsyncClientChecks, CheckTestCase):
    pass


class TestAsyncClientUvloop(AsyncClientChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncClientNestApplied(AsyncClientChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
