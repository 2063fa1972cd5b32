"""Loop hygiene of the first sync calls in a fresh interpreter: nothing left installed, unclosed or pending."""

from . import support
from .checks import CheckTestCase, in_children
from .mocks import AsyncGeneratorProviderMock, AsyncProviderMock
from .providers import CHUNKS, JOINED, AsyncChunksProviderMock, NoStreamAsyncChunksProviderMock, create


async def mock_coroutine():
    return "Mock"


def to_sync_generator_of_a_coroutine():
    to_sync_generator = support.require_api(
        "to_sync_generator_coroutine", lambda: support.g4f_bridge().to_sync_generator
    )
    return list(to_sync_generator(mock_coroutine()))


def sync_call(kind):
    """One sync call from plain code (no loop anywhere), the first of its process."""
    provider, stream = CALLS[kind][:2]
    return to_sync_generator_of_a_coroutine() if provider is None else create(provider, stream)


CALLS = {
    "AsyncProviderMock": (AsyncProviderMock, False, "Mock"),
    "AsyncGeneratorProviderMock": (AsyncGeneratorProviderMock, False, "Mock"),
    "AsyncChunksProviderMock, stream=True": (AsyncChunksProviderMock, True, list(CHUNKS)),
    "NoStreamAsyncChunksProviderMock": (NoStreamAsyncChunksProviderMock, False, JOINED),
    "to_sync_generator(coroutine)": (None, False, ["Mock"]),
}
CASES = {kind: (kind,) for kind in CALLS}


class TestLoopHygiene(CheckTestCase):
    @in_children(sync_call, CASES)
    def test_sync_call_returns_and_leaves_no_loop_installed(self, founds):
        """a sync call outside any loop returns the result and leaves no event loop installed for the thread"""
        for kind, found in founds.items():
            with self.subTest(call=kind):
                self.assertEqual(self.returned(found), CALLS[kind][2])
                self.assertIsNone(
                    found.leftover, "a %s event loop is left installed as the thread's loop" % found.leftover
                )

    @in_children(sync_call, CASES)
    def test_sync_call_leaves_nothing_unclosed_or_pending(self, founds):
        """a sync call outside any loop closes the loop it made and leaves no pending task or never-awaited coroutine"""
        for kind, found in founds.items():
            with self.subTest(call=kind):
                self.returned(found)
                self.assertNothingStray(found)
