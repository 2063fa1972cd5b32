"""Providers that report what the bridge did around them (our mocks, beside providers.py): the loop they ran on
and whether it was the thread's installed loop, the caller's ContextVar, how far a stream had run when the
caller got its first chunk, and what they left running that a sync call must end before it returns: a job on
the loop's default executor, a pending task, a suspended inner async generator. And which parts of asyncio a
nest package has replaced.

``probe(kind)`` makes a fresh class per call, so its report is that call's alone (calls may run in parallel).
"""

import asyncio
import contextvars
import threading
import time

from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider, AsyncProvider

from .mocks import ImageResponse
from .support import CHUNKS, JOINED, thread_loop

# Set by the caller before a call; a provider run in the caller's context sees CALLERS_VALUE.
CALLER = contextvars.ContextVar("g4f_tests_caller", default="not set: the provider ran in another context")
CALLERS_VALUE = "set by the caller"
# The provider's executor job runs until its executor is shut down, then notes whether the loop was still open:
# g4f must shut the default executor down (and wait for it) before it closes the loop, as asyncio.run does; a loop
# closed first shuts it down without waiting. No timing involved; JOB_PATIENCE bounds the wait if nothing shuts it.
JOB_PATIENCE = 1.0
JOB_POLL = 0.001
IMAGE_URL = "http://127.0.0.1:9/g4f-tests.png"  # loopback (no name to resolve): a release that fetches it is refused


class _Probe:
    background = True  # start background work (the loop is g4f's own); off when the loop is the caller's
    report = {}

    @classmethod
    def began(cls):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        cls.report.update(loop=loop, installed=loop is not None and thread_loop() is loop, context=CALLER.get())

    @classmethod
    async def leave_work_behind(cls):
        """Start what the sync call must end before it returns, and leave it running."""
        if not cls.background:
            return
        report, loop = cls.report, asyncio.get_running_loop()

        def job():
            report["job thread"] = threading.current_thread()
            pool = loop._default_executor  # the one running this job
            deadline = time.monotonic() + JOB_PATIENCE
            while not pool._shutdown and time.monotonic() < deadline:  # no event to wait on: ThreadPoolExecutor
                time.sleep(JOB_POLL)
            report["job end"] = (
                "never saw its executor shut down"
                if not pool._shutdown
                else "ended after the loop closed" if loop.is_closed() else "ended before the loop closed"
            )

        async def pending():
            await asyncio.Event().wait()

        async def inner():
            try:
                yield 1
                yield 2
            finally:
                report["inner closed"].set()

        report["job"] = loop.run_in_executor(None, job)
        report["task"] = loop.create_task(pending())
        report["inner"] = inner()
        await report["inner"].__anext__()
        await asyncio.sleep(0)  # the pending task starts waiting


class SyncProbe(_Probe, AbstractProvider):
    working = True
    supports_stream = True
    use_stream_timeout = False

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        cls.began()
        for chunk in CHUNKS:
            cls.report["produced"] += 1
            yield chunk


class AsyncProbe(_Probe, AsyncProvider):
    working = True
    supports_stream = True
    use_stream_timeout = False

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        cls.began()
        await cls.leave_work_behind()
        cls.report["produced"] = len(CHUNKS)
        return JOINED


class GeneratorProbe(_Probe, AsyncGeneratorProvider):
    working = True
    supports_stream = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        cls.began()
        try:
            await cls.leave_work_behind()
            for chunk in CHUNKS:
                await asyncio.sleep(0)
                cls.report["produced"] += 1
                yield chunk
        finally:
            cls.report["closed"].set()


class NoStreamGeneratorProbe(GeneratorProbe):
    supports_stream = False


class ImageProbe(_Probe, AsyncGeneratorProvider):
    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream=True, prompt=None, **kwargs):
        cls.began()
        await cls.leave_work_behind()
        yield ImageResponse(IMAGE_URL, prompt or "")


KINDS = {
    "sync": SyncProbe,
    "AsyncProvider": AsyncProbe,
    "async generator": GeneratorProbe,
    "async generator without streaming": NoStreamGeneratorProbe,
    "image": ImageProbe,
}


def probe(kind, background=True):
    """A fresh probe provider of ``kind`` (a key of KINDS), its report empty."""
    report = {"produced": 0, "inner closed": threading.Event()}
    report["closed"] = threading.Event()
    base = KINDS[kind]
    return type(base.__name__, (base,), {"report": report, "background": background})


def loop_seen(provider, callers_loop=None):
    """Which loop the provider ran on, in words."""
    report = provider.report
    if "loop" not in report:
        return "the provider never ran"
    if report["loop"] is None:
        return "no loop (a sync provider)"
    if callers_loop is not None:
        return "the caller's" if report["loop"] is callers_loop else "a private loop, not the caller's"
    return "installed for the thread while it ran" if report["installed"] else "not installed for the thread"


def work_left(provider):
    """What the provider's background work looked like when the call returned, in words."""
    report = provider.report
    if "job" not in report:
        return {"background work": "never started"}
    thread = report.get("job thread")
    return {
        "executor job": report.get("job end", "still running"),
        "executor thread": "ended" if thread is not None and not thread.is_alive() else "still alive",
        "pending task": "cancelled" if report["task"].cancelled() else "not cancelled",
        "inner async generator": "closed" if report["inner closed"].is_set() else "left suspended",
    }


ENDED = {
    "executor job": "ended before the loop closed",
    "executor thread": "ended",
    "pending task": "cancelled",
    "inner async generator": "closed",
}


def asyncio_parts():
    """The parts of asyncio a nest package replaces (nest_asyncio and nest_asyncio2 ``apply``), by name."""
    return {
        "asyncio.run": asyncio.run,
        "asyncio.get_event_loop": asyncio.get_event_loop,
        "asyncio.Task": asyncio.Task,
        "asyncio.Future": asyncio.Future,
        "the event loop policy's get_event_loop": type(asyncio.get_event_loop_policy()).get_event_loop,
    }


def replaced_since(before):
    """The names of asyncio_parts() that are no longer what they were in ``before``."""
    return sorted(name for name, part in asyncio_parts().items() if part is not before[name])
