"""Loop hygiene after sync calls outside any loop: nothing left installed, unclosed or pending.

Checked in a fresh interpreter (see clean_interpreter.py): once nest_asyncio is applied in a process,
asyncio.run itself leaves its loop installed, so this process could not tell g4f's doing from it.
"""
from .clean_interpreter import CleanInterpreterTestCase
from .mocks import CHUNKS, JOINED

OUTSIDE_CALLS = [
    ("outside_async_provider", "AsyncProviderMock", "Mock"),
    ("outside_generator_provider", "AsyncGeneratorProviderMock", "Mock"),
    ("outside_stream", "AsyncChunksProviderMock, stream=True", list(CHUNKS)),
    ("outside_no_stream_generator", "NoStreamAsyncChunksProviderMock", JOINED),
    ("outside_bridge_coroutine", "to_sync_generator(coroutine)", ["Mock"]),
]


class TestLoopHygiene(CleanInterpreterTestCase):
    scenario = "nest"

    def test_sync_call_returns_and_leaves_no_loop_installed(self):
        """a sync call outside any loop returns the result and leaves no event loop installed for the thread"""
        for check, call, expected in OUTSIDE_CALLS:
            with self.subTest(call=call):
                found = self.outcome(check)
                if found["error"]:
                    self.fail(self.describe(found))
                self.assertEqual(found["value"]["value"], expected, self.describe(found))
                self.assertIsNone(found["value"]["loop"],
                                  "a %s event loop is left installed as the thread's loop" % found["value"]["loop"])

    def test_sync_call_leaves_nothing_unclosed_or_pending(self):
        """a sync call outside any loop closes the loop it made and leaves no pending task or never-awaited coroutine"""
        for check, call, _ in OUTSIDE_CALLS:
            with self.subTest(call=call):
                self.assertNothingStray(self.outcome(check))
