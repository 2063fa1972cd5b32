"""The documented asyncio tests of g4f's ChatCompletion, exactly as specified.

Three classes: sync calls from plain unittest (``TestChatCompletion``), ``create_async`` from a
running loop (``TestChatCompletionAsync``), and the same with nest_asyncio applied
(``TestChatCompletionNestAsync``). Only the stdlib, g4f, nest_asyncio(2) and ``.mocks`` are imported,
so this file and ``mocks.py`` can be copied into g4f's ``etc/unittest/`` as they are.
Checks beyond the documented ones live in the other modules of this package.
"""
import sys

if __name__ == "__main__" and not __package__:
    # Run as a script, this file's folder comes first on sys.path and the file shadows the stdlib asyncio.
    sys.stderr.write("run the suite from the project root: python -m unittest, python run_tests.py or python -m g4f_tests\n")
    sys.exit(2)

import asyncio
import unittest

try:  # g4f imports nest_asyncio2 since early 2026; older releases used nest_asyncio
    import nest_asyncio2 as nest_asyncio

    has_nest_asyncio = True
except ImportError:
    try:
        import nest_asyncio

        has_nest_asyncio = True
    except ImportError:
        has_nest_asyncio = False

import g4f
import g4f.errors
from g4f import ChatCompletion
from g4f.client import Client

from .mocks import AsyncGeneratorProviderMock, AsyncProviderMock, ProviderMock

DEFAULT_MESSAGES = [{"role": "user", "content": "Hello"}]


class TestChatCompletion(unittest.TestCase):
    async def run_exception(self):
        return ChatCompletion.create(g4f.models.default, DEFAULT_MESSAGES, AsyncProviderMock)

    def test_exception(self):
        """sync create inside a running loop without nest_asyncio raises NestAsyncioError"""
        if has_nest_asyncio:
            self.skipTest("has nest_asyncio")
        self.assertRaises(g4f.errors.NestAsyncioError, asyncio.run, self.run_exception())

    def test_create(self):
        """sync create with an async provider returns its result"""
        result = ChatCompletion.create(g4f.models.default, DEFAULT_MESSAGES, AsyncProviderMock)
        self.assertEqual("Mock", result)

    def test_create_generator(self):
        """sync create with an async-generator provider returns the joined chunks"""
        result = ChatCompletion.create(g4f.models.default, DEFAULT_MESSAGES, AsyncGeneratorProviderMock)
        self.assertEqual("Mock", result)

    def test_await_callback(self):
        """sync Client over an async-generator provider returns one message"""
        client = Client(provider=AsyncGeneratorProviderMock)
        response = client.chat.completions.create(DEFAULT_MESSAGES, "", max_tokens=0)
        if not response.choices or response.choices[0].message is None:
            self.fail("the client returned no choices or an empty message: %r" % (response,))
        self.assertEqual("Mock", response.choices[0].message.content)


class TestChatCompletionAsync(unittest.IsolatedAsyncioTestCase):
    async def test_base(self):
        """create_async with a sync provider returns its result"""
        result = await ChatCompletion.create_async(g4f.models.default, DEFAULT_MESSAGES, ProviderMock)
        self.assertEqual("Mock", result)

    async def test_async(self):
        """create_async with an async provider returns its result"""
        result = await ChatCompletion.create_async(g4f.models.default, DEFAULT_MESSAGES, AsyncProviderMock)
        self.assertEqual("Mock", result)

    async def test_create_generator(self):
        """create_async with an async-generator provider returns the joined chunks"""
        result = await ChatCompletion.create_async(g4f.models.default, DEFAULT_MESSAGES, AsyncGeneratorProviderMock)
        self.assertEqual("Mock", result)


class TestChatCompletionNestAsync(unittest.IsolatedAsyncioTestCase):
    def setUp(self):
        if not has_nest_asyncio:
            self.skipTest('"nest_asyncio" not installed')
        nest_asyncio.apply()

    async def test_create(self):
        """create_async with a sync provider returns its result after nest_asyncio.apply()"""
        result = await ChatCompletion.create_async(g4f.models.default, DEFAULT_MESSAGES, ProviderMock)
        self.assertEqual("Mock", result)

    async def _test_nested(self):
        """sync create with an async provider inside a running loop returns its result (nest_asyncio applied)"""
        result = ChatCompletion.create(g4f.models.default, DEFAULT_MESSAGES, AsyncProviderMock)
        self.assertEqual("Mock", result)

    async def _test_nested_generator(self):
        """sync create with an async-generator provider inside a running loop returns its result (nest_asyncio applied)"""
        result = ChatCompletion.create(g4f.models.default, DEFAULT_MESSAGES, AsyncGeneratorProviderMock)
        self.assertEqual("Mock", result)


if __name__ == "__main__":
    unittest.main()
