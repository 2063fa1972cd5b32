"""g4f.client's Client and AsyncClient over the bridge: one message, or its chunks as deltas."""
import asyncio
import unittest

from .mocks import CHUNKS, JOINED, AsyncChunksProviderMock, ChunksProviderMock
from .support import UvloopTestCase, run_in_thread, within

MESSAGES = [{"role": "user", "content": "Hello"}]
PROVIDERS = (ChunksProviderMock, AsyncChunksProviderMock)


def client_class(name):
    try:
        import g4f.client as module
    except ImportError:
        raise unittest.SkipTest("g4f.client does not exist in this g4f")
    if not hasattr(module, name):
        raise unittest.SkipTest("g4f.client.%s does not exist in this g4f" % name)
    return getattr(module, name)


def deltas(chunks):
    """The text of each streamed chunk; the closing chunk carries none."""
    return [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content is not None]


def message_text(response):
    if not response.choices or response.choices[0].message is None:
        raise AssertionError("the client returned no choices or an empty message: %r" % (response,))
    return response.choices[0].message.content


class TestClient(unittest.TestCase):
    def test_create_returns_joined_message(self):
        """sync Client.chat.completions.create returns one message with every chunk joined in order"""
        Client = client_class("Client")
        for provider in PROVIDERS:
            with self.subTest(provider=provider.__name__):
                client = Client(provider=provider)
                response = run_in_thread(client.chat.completions.create, MESSAGES, "")
                self.assertEqual(message_text(response), JOINED)

    def test_stream_yields_deltas_in_order(self):
        """sync Client.chat.completions.create(stream=True) yields one delta per chunk, in order"""
        Client = client_class("Client")
        for provider in PROVIDERS:
            with self.subTest(provider=provider.__name__):
                client = Client(provider=provider)
                chunks = run_in_thread(lambda: list(client.chat.completions.create(MESSAGES, "", stream=True)))
                self.assertEqual(deltas(chunks), list(CHUNKS))


class AsyncClientChecks:
    """Bound below to the default loop and to uvloop."""

    async def test_async_create_returns_joined_message(self):
        """AsyncClient.chat.completions.create, awaited, returns one message with every chunk joined in order"""
        AsyncClient = client_class("AsyncClient")
        for provider in PROVIDERS:
            with self.subTest(provider=provider.__name__):
                client = AsyncClient(provider=provider)
                response = await within(client.chat.completions.create(MESSAGES, ""))
                self.assertEqual(message_text(response), JOINED)

    async def test_async_stream_yields_deltas_in_order(self):
        """AsyncClient.chat.completions.create(stream=True) yields one delta per chunk, asynchronously, in order"""
        AsyncClient = client_class("AsyncClient")
        for provider in PROVIDERS:
            with self.subTest(provider=provider.__name__):
                client = AsyncClient(provider=provider)
                stream = client.chat.completions.create(MESSAGES, "", stream=True)
                if asyncio.iscoroutine(stream):  # some g4f releases return a coroutine of the stream
                    stream = await within(stream)
                self.assertTrue(hasattr(stream, "__aiter__"), "stream=True returned %r" % (stream,))

                async def collect():
                    return [chunk async for chunk in stream]

                self.assertEqual(deltas(await within(collect())), list(CHUNKS))


class TestAsyncClient(AsyncClientChecks, unittest.IsolatedAsyncioTestCase):
    pass


class TestAsyncClientUvloop(AsyncClientChecks, UvloopTestCase):
    pass
