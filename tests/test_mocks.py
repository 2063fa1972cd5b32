"""The ten mock providers of g4f_tests/mocks.py behave, through the installed g4f, exactly as g4f's own test modules
(asyncio, client, model, retry_provider, image_client, web_search) rely on when our mocks.py replaces theirs.

Each mock is driven through g4f's public paths: ``ChatCompletion.create`` (joined and ``stream=True``),
``ChatCompletion.create_async``, ``create_completion`` where the provider has it, and the clients as g4f's tests
use them. The network is blocked and g4f's version check off while these run.
"""

import asyncio
import unittest

from g4f import ChatCompletion
from g4f.client import AsyncClient, Client
from g4f.errors import MissingAuthError
from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider, AsyncProvider
from g4f.providers.retry_provider import IterListProvider

from g4f_tests import mocks
from g4f_tests.sandbox import enable_network_guard, sandbox

try:
    from g4f.providers.response import ImageResponse
except ImportError:  # g4f before 0.4
    from g4f.image import ImageResponse

MODEL = "test/test_model"
MESSAGES = [{"role": "user", "content": "Hello"}]
FOUR = [{"role": "user", "content": chunk} for chunk in ["How ", "are ", "you", "?"]]
# The ten names g4f's test modules import from .mocks, and the kind of provider each must be for g4f to
# dispatch it as their tests expect.
KINDS = {
    "ProviderMock": AbstractProvider,
    "AsyncProviderMock": AsyncProvider,
    "AsyncGeneratorProviderMock": AsyncGeneratorProvider,
    "ModelProviderMock": AbstractProvider,
    "YieldProviderMock": AsyncGeneratorProvider,
    "YieldImageResponseProviderMock": AsyncGeneratorProvider,
    "MissingAuthProviderMock": AbstractProvider,
    "RaiseExceptionProviderMock": AbstractProvider,
    "AsyncRaiseExceptionProviderMock": AsyncGeneratorProvider,
    "YieldNoneProviderMock": AsyncGeneratorProvider,
}


def setUpModule():
    sandbox()


def tearDownModule():
    enable_network_guard(False)  # the guard is this process's: switch it off for the other test modules


def create(provider, messages=MESSAGES, model=MODEL, **kwargs):
    return ChatCompletion.create(model, messages, provider, **kwargs)


def stream(provider, messages=MESSAGES, model=MODEL, **kwargs):
    return list(ChatCompletion.create(model, messages, provider, stream=True, **kwargs))


def create_async(provider, messages=MESSAGES, model=MODEL, **kwargs):
    return asyncio.run(ChatCompletion.create_async(model, messages, provider, **kwargs))


def create_completion(provider, messages=MESSAGES, model=MODEL):
    return list(provider.create_completion(model, messages, False))


# What each mock declares besides its method, as g4f's own mocks.py has it: g4f reads these flags (a provider that
# is not working is skipped; use_stream_timeout decides whether g4f puts a timeout on its stream).
FLAGS = {name: {"working": True, "use_stream_timeout": False} for name in KINDS}
for _name in ("RaiseExceptionProviderMock", "AsyncRaiseExceptionProviderMock", "YieldNoneProviderMock"):
    FLAGS[_name] = {"working": True}


class TestMockNames(unittest.TestCase):
    def test_each_mock_declares_exactly_g4fs_flags(self):
        for name, flags in FLAGS.items():
            with self.subTest(name=name):
                found = {k: v for k, v in vars(getattr(mocks, name)).items() if isinstance(v, (bool, int, str, float))}
                found.pop("__module__", None)
                self.assertEqual(found, flags)

    def test_ten_names_of_the_right_kind_all_working(self):
        for name, kind in KINDS.items():
            with self.subTest(name=name):
                provider = getattr(mocks, name)
                self.assertTrue(issubclass(provider, kind), "%s is not a %s" % (name, kind.__name__))
                self.assertIs(provider.working, True)  # IterListProvider skips a provider that is not working


class TestMockResults(unittest.TestCase):
    def test_documented_three_give_mock_on_every_path(self):
        for provider in (mocks.ProviderMock, mocks.AsyncProviderMock, mocks.AsyncGeneratorProviderMock):
            with self.subTest(provider=provider.__name__):
                self.assertEqual(create(provider), "Mock")
                self.assertEqual(create_async(provider), "Mock")
        self.assertEqual(list(mocks.ProviderMock.create_completion(MODEL, MESSAGES, True)), ["Mock"])
        self.assertEqual(stream(mocks.AsyncGeneratorProviderMock), ["Mock"])
        message = Client(provider=mocks.AsyncGeneratorProviderMock).chat.completions.create(MESSAGES, "")
        self.assertEqual(message.choices[0].message.content, "Mock")

    def test_model_provider_yields_the_model(self):
        self.assertEqual(create(mocks.ModelProviderMock), MODEL)
        self.assertEqual(create_async(mocks.ModelProviderMock, model="other/model"), "other/model")
        self.assertEqual(create_completion(mocks.ModelProviderMock, model="m"), ["m"])
        response = Client(provider=mocks.ModelProviderMock).chat.completions.create(MESSAGES, "Hello")
        self.assertEqual(response.choices[0].message.content, "Hello")

    def test_yield_provider_yields_each_message_content(self):
        self.assertEqual(stream(mocks.YieldProviderMock, FOUR), ["How ", "are ", "you", "?"])
        self.assertEqual(create(mocks.YieldProviderMock, FOUR), "How are you?")
        self.assertEqual(create_async(mocks.YieldProviderMock, FOUR), "How are you?")
        # client.py's max_tokens counts these chunks
        response = Client(provider=mocks.YieldProviderMock).chat.completions.create(FOUR, "Hello", max_tokens=2)
        self.assertEqual(response.choices[0].message.content, "How are ")

    def test_yield_none_provider_yields_none(self):
        self.assertEqual(stream(mocks.YieldNoneProviderMock), [None])
        self.assertEqual(create(mocks.YieldNoneProviderMock), "")

    def test_image_provider_yields_an_image_response_of_the_prompt(self):
        chunks = stream(mocks.YieldImageResponseProviderMock, prompt="A cat")
        self.assertEqual(len(chunks), 1)
        self.assertIsInstance(chunks[0], ImageResponse)
        self.assertEqual((chunks[0].urls, chunks[0].alt), ("A cat", ""))


class TestMockErrors(unittest.TestCase):
    def assertRaisesNamed(self, error, provider, call):
        with self.assertRaises(error) as caught:
            call(provider)
        self.assertIs(type(caught.exception), error)
        self.assertEqual(str(caught.exception), provider.__name__)

    def test_missing_auth_provider_raises_missing_auth_error(self):
        for call in (create, create_async, create_completion):
            with self.subTest(call=call.__name__):
                self.assertRaisesNamed(MissingAuthError, mocks.MissingAuthProviderMock, call)

    def test_raise_mocks_raise_runtime_error_with_the_class_name(self):
        for provider, calls in (
            (mocks.RaiseExceptionProviderMock, (create, create_async, create_completion)),
            (mocks.AsyncRaiseExceptionProviderMock, (create, create_async, stream)),
        ):
            for call in calls:
                with self.subTest(provider=provider.__name__, call=call.__name__):
                    self.assertRaisesNamed(RuntimeError, provider, call)


class TestMocksInG4fsClients(unittest.IsolatedAsyncioTestCase):
    """The combinations g4f's retry_provider.py and image_client.py run."""

    async def test_iter_list_skips_raising_and_none_providers(self):
        for first in (
            mocks.RaiseExceptionProviderMock,
            mocks.AsyncRaiseExceptionProviderMock,
            mocks.YieldNoneProviderMock,
        ):
            with self.subTest(first=first.__name__):
                client = AsyncClient(provider=IterListProvider([first, mocks.YieldProviderMock], False))
                response = await client.chat.completions.create(MESSAGES, "")
                self.assertEqual(response.choices[0].message.content, "Hello")

    async def test_image_client_skips_missing_auth_and_none(self):
        for first in (mocks.MissingAuthProviderMock, mocks.YieldNoneProviderMock):
            with self.subTest(first=first.__name__):
                provider = IterListProvider([first, mocks.YieldImageResponseProviderMock], False)
                response = await AsyncClient(image_provider=provider).images.generate(
                    "Hello", "", response_format="orginal"  # sic: g4f's image_client.py passes this
                )
                self.assertEqual(response.data[0].url, "Hello")

    async def test_image_client_raises_the_runtime_error(self):
        provider = IterListProvider([mocks.YieldNoneProviderMock, mocks.AsyncRaiseExceptionProviderMock], False)
        with self.assertRaises(RuntimeError):
            await AsyncClient(image_provider=provider).images.generate("Hello", "")


if __name__ == "__main__":
    unittest.main()


class TestDropInFormat(unittest.TestCase):
    def test_the_drop_in_pair_is_formatted_as_g4f_formats_it(self):
        """asyncio.py and mocks.py pass black at g4f's 88 columns (the project's 120 must not reach them)"""
        import os
        import subprocess
        import sys

        package = os.path.dirname(mocks.__file__)
        files = [os.path.join(package, name) for name in ("asyncio.py", "mocks.py")]
        proc = subprocess.run(
            [sys.executable, "-m", "black", "--check", "--line-length", "88", *files],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            universal_newlines=True,
        )
        self.assertEqual(proc.returncode, 0, proc.stdout)
