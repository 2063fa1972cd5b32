"""The registry of known g4f defects: which check, which g4f releases, why.

A check listed here still runs and asserts its whole contract; where the installed g4f is in the
affected range (and the entry's condition holds) the test is marked as an expected failure when the
suite is loaded, and the runners print the reason in a "known g4f defects" section. ``--strict``
(``G4F_TESTS_STRICT=1``) leaves them as plain failures. If g4f starts honouring the contract, the
expected failure becomes an unexpected success and the run fails, so the entry gets removed.
"""
import fnmatch
import os

from .support import STRICT_ENV, g4f_version, nest_importable, parse_version


def _no_nest():
    """neither nest_asyncio nor nest_asyncio2 is importable"""
    return not nest_importable()


# (test id, first affected g4f release, last affected or None while no fixed release is known,
#  condition or None, reason). Test ids are relative to this package; * matches the uvloop binding.
_BARE_RUNTIME_ERROR = (
    "without nest_asyncio, sync create inside a running loop raises a bare RuntimeError, not "
    "NestAsyncioError, and leaves a never-awaited coroutine (since g4f 0.3.4.6; g4f issues #2748, #2403)"
)

DEFECTS = [
    ("asyncio.TestChatCompletion.test_exception", "0.3.4.6", None, _no_nest, _BARE_RUNTIME_ERROR),
    ("nesting.TestWithoutNestAsyncio.test_async_provider_in_running_loop", "0.3.4.6", None, None,
     _BARE_RUNTIME_ERROR),
    ("nesting.TestWithoutNestAsyncio.test_generator_provider_in_running_loop", "0.3.4.6", None, None,
     _BARE_RUNTIME_ERROR),
    ("nesting.TestUvloop.test_*_provider_in_running_uvloop", "7.0.0", None, None,
     "g4f leaves a running uvloop loop unpatched and lets the bare RuntimeError through instead of "
     "NestAsyncioError (g4f issue #2403; measured on 7.0.0 and 8.8.6, older releases not measured)"),
    ("nesting.TestAutoPatch.test_async_provider_in_running_loop", "7.5.0", None, None,
     "with nest_asyncio importable but not applied, the AsyncProvider sync path calls asyncio.run() "
     "without patching the running loop: bare RuntimeError (since g4f 7.5.0; 7.4.7 worked)"),
    ("jupyter.TestJupyterKernel.test_async_provider_in_fresh_kernel", "7.5.0", None, None,
     "in a fresh Jupyter kernel the AsyncProvider sync path calls asyncio.run() on the kernel's running, "
     "unpatched loop: bare RuntimeError and a never-awaited coroutine (g4f issue #2748; the auto-patch "
     "defect, measured in a kernel on 8.8.6)"),
    ("streaming.TestAsyncStreaming*.test_create_async_stream_yields_chunks_in_order", "0.4.0.5", "7.4.7", None,
     "create_async(stream=True) with a sync provider returns a coroutine, not an async iterator"),
    ("clients.TestAsyncClient*.test_async_stream_yields_deltas_in_order", "0.4.0.5", "7.4.7", None,
     "AsyncClient streaming over a sync provider yields the whole text as one delta"),
    ("bridge.TestToAsyncIterator*.test_to_async_iterator_accepts_every_shape", "0.4.0.5", "7.4.7", None,
     "to_async_iterator iterates a str or bytes item by item instead of yielding it whole"),
]


def strict():
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


def matching(test_id, version=None):
    """The reason if ``test_id`` is a known defect of g4f ``version`` (the installed one by default)."""
    version = parse_version(version or g4f_version())
    package = __name__.rsplit(".", 1)[0] + "."
    for name, first, last, condition, reason in DEFECTS:
        if not fnmatch.fnmatchcase(test_id, package + name):
            continue
        if version < parse_version(first):
            continue
        if last is not None and version > parse_version(last):
            continue
        if condition is not None and not condition():
            continue
        return reason
    return None


def iter_tests(suite):
    for item in suite:
        if hasattr(item, "__iter__"):
            for test in iter_tests(item):
                yield test
        else:
            yield item


def apply(suite):
    """Mark the known defects in ``suite`` as expected failures (unless strict); return the suite."""
    if strict():
        return suite
    version = g4f_version()
    for test in iter_tests(suite):
        reason = matching(test.id(), version)
        if reason is not None:
            test.__unittest_expecting_failure__ = True
    return suite
