"""The caller's context on the async paths: a ContextVar the caller set is visible inside the provider for
create_async (every provider kind, stream or not), AsyncClient (chat, images) and g4f's to_thread (as
asyncio.to_thread). (Sync calls from a worker thread: workers.py; inside a running loop: callers_loop.py.) None of these calls leaves a never-awaited coroutine or a destroyed pending task.
"""

import importlib

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_ASYNC_PROVIDER_UNPATCHABLE,
    ASYNC_CLIENT_SYNC_BRIDGE,
    ASYNC_STREAM_OF_ASYNC_PROVIDER,
    ASYNC_SYNC_PROVIDER_OUTSIDE_CONTEXT,
    CLIENT_IMAGES_DEFECTS,
    TO_THREAD_DROPS_CONTEXT,
    known,
)
from .observe import each_async
from .probes import CALLER, CALLERS_VALUE, IMAGE_URL, probe
from .providers import CHUNKS, JOINED, MESSAGES


async def create_async(provider, stream=False):
    import g4f

    if stream:
        support.require_api("create_async_stream")
        response = g4f.ChatCompletion.create_async(g4f.models.default, MESSAGES, provider, stream=True)
        return [chunk async for chunk in response if isinstance(chunk, str)]
    return await g4f.ChatCompletion.create_async(g4f.models.default, MESSAGES, provider)


async def async_client(provider, stream=False):
    AsyncClient = support.require_api("async_client", lambda: importlib.import_module("g4f.client").AsyncClient)
    response = AsyncClient(provider=provider).chat.completions.create(MESSAGES, "", stream=stream)
    if not stream:
        return (await response).choices[0].message.content
    return "".join([chunk.choices[0].delta.content or "" async for chunk in response if chunk.choices])


async def async_client_images(provider):
    support.require_api("client_images")
    AsyncClient = importlib.import_module("g4f.client").AsyncClient
    response = await AsyncClient().images.generate("a cat", provider=provider, response_format="url")
    return response.data[0].url


async def to_thread(provider):
    to_thread = support.require_api("to_thread", lambda: support.g4f_bridge().to_thread)
    provider.report["context"] = await to_thread(CALLER.get)
    return JOINED


# label: (call, provider kind, arguments after the provider, expected result). A test's expected failure names the
# defect of its first failing call: AsyncClient's AsyncProvider call comes before its async-generator calls, so that
# where both fail (0.3.5.8 to 0.3.7.1 on uvloop or without nest) the defect only it shows is the one named.
CALLS = {
    "create_async, sync provider": (create_async, "sync", (), JOINED),
    "create_async, AsyncProvider": (create_async, "AsyncProvider", (), JOINED),
    "create_async, async generator": (create_async, "async generator", (), JOINED),
    "create_async(stream=True), async generator": (create_async, "async generator", (True,), list(CHUNKS)),
    "create_async(stream=True), AsyncProvider": (create_async, "AsyncProvider", (True,), [JOINED]),
    "AsyncClient create, AsyncProvider": (async_client, "AsyncProvider", (), JOINED),
    "AsyncClient create, async generator": (async_client, "async generator", (), JOINED),
    "AsyncClient create(stream=True), async generator": (async_client, "async generator", (True,), JOINED),
    "AsyncClient().images.generate": (async_client_images, "image", (), IMAGE_URL),
    "g4f's to_thread": (to_thread, "sync", (), JOINED),
}


async def call_in_context(label, calls):
    call, kind, args, _ = calls[label]
    CALLER.set(CALLERS_VALUE)
    provider = probe(kind, background=False)
    result = await call(provider, *args)
    return {"result": result, "caller's context": provider.report.get("context")}


async def every_async_path():
    support.require_api("bridge")
    return await each_async(call_in_context, {label: (label, CALLS) for label in CALLS})


def in_the_callers_context(label):
    return {"result": CALLS[label][3], "caller's context": CALLERS_VALUE}


# What AsyncClient's calls meet on old releases: its sync paths where g4f cannot patch the loop, its image download.
ASYNC_CLIENT_PATHS = (ASYNC_CLIENT_SYNC_BRIDGE, ASYNC_CLIENT_ASYNC_PROVIDER_UNPATCHABLE, *CLIENT_IMAGES_DEFECTS)


class ContextChecks:
    @known(
        TO_THREAD_DROPS_CONTEXT,
        ASYNC_SYNC_PROVIDER_OUTSIDE_CONTEXT,
        ASYNC_STREAM_OF_ASYNC_PROVIDER,
        *ASYNC_CLIENT_PATHS,
    )
    @in_child(every_async_path)
    def test_provider_runs_in_the_callers_context(self, found):
        """create_async (every provider kind, stream or not), AsyncClient chat and images, and g4f's to_thread run the provider in the caller's context: a ContextVar the caller set is visible inside"""
        for label, call, want in self.facts(found, in_the_callers_context):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(ASYNC_STREAM_OF_ASYNC_PROVIDER, *ASYNC_CLIENT_PATHS)
    @in_child(every_async_path)
    def test_calls_leave_nothing_stray(self, found):
        """create_async (every provider kind, stream or not), AsyncClient chat and images leave no never-awaited coroutine and no destroyed pending task"""
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.returned(call)
                self.assertNothingStray(call)
        self.assertNothingStray(found)


class TestContexts(ContextChecks, CheckTestCase):
    pass


class TestContextsUvloop(ContextChecks, CheckTestCase):
    regime = regimes.UVLOOP
