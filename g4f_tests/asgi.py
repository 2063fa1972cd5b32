"""g4f behind an ASGI server (g4f issue #2403): a Starlette app served by uvicorn on 127.0.0.1 and a free port, on
asyncio (``pip install uvicorn``) and on uvloop (``uvicorn[standard]``, which picks uvloop when installed).

One server per regime, in the check's own process, takes these requests from a real HTTP client (a thread with
http.client), one after another in this order, since the first call that makes g4f patch the server's loop
changes what every later request sees: ``def`` endpoints (run in Starlette's threadpool), a streaming endpoint over
AsyncClient, ``async def`` endpoints that await create_async, then ``async def`` endpoints that call the sync API
(ChatCompletion.create, Client) on the server's running loop, then (the loop patched by now) requests at once and
a ``def`` endpoint again; then the server is stopped. Each test asserts on what its request observed.
"""

import logging
import unittest

from . import observe, paths, regimes, servers, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_STREAM_DEFECTS,
    AUTO_PATCH_ASYNC_PROVIDER,
    PATCHED_LOOP_THREADS_KEEP_LOOPS,
    UVLOOP_ASYNC_PROVIDER,
    UVLOOP_CLIENT,
    known,
)
from .providers import JOINED, MESSAGES, NON_EMPTY, create, create_async

AT_ONCE = 4
# (label, path): the requests, in the order the server gets them.
SCRIPT = [
    ("def create AsyncProviderMock", "/thread/create?provider=AsyncProviderMock"),
    ("def create AsyncChunksProviderMock", "/thread/create?provider=AsyncChunksProviderMock"),
    ("def client", "/thread/client"),
    ("stream", "/stream"),
    ("await create_async", "/loop/create_async?provider=AsyncChunksProviderMock"),
    ("async create", "/loop/create?provider=AsyncProviderMock"),
    ("async client", "/loop/client"),
    ("async create again", "/loop/create?provider=AsyncProviderMock"),
    ("at once", "/loop/result?provider=SlowAsyncProviderMock"),
    ("def create again", "/thread/create?provider=AsyncProviderMock"),
]


def app():
    """The Starlette app: each endpoint makes one g4f call the way an integrator writes it and answers JSON."""
    from starlette.applications import Starlette
    from starlette.responses import Response, StreamingResponse
    from starlette.routing import Route

    def answer(found):
        return Response(servers.dumps(found), media_type="application/json")

    def thread_create(request):  # a def endpoint: Starlette runs it in its threadpool
        return answer(servers.call(create, servers.provider(request.query_params["provider"])))

    def thread_client(request):
        return answer(servers.call(servers.client_text, servers.provider("AsyncChunksProviderMock")))

    async def loop_create(request):  # an async def endpoint: the sync API on the server's running loop
        return answer(servers.call(create, servers.provider(request.query_params["provider"])))

    async def loop_client(request):
        return answer(servers.call(servers.client_text, servers.provider("AsyncChunksProviderMock")))

    async def loop_result(request):
        return answer(servers.result(create, servers.provider(request.query_params["provider"])))

    async def loop_create_async(request):
        return answer(await observe.observe_async(create_async, servers.provider(request.query_params["provider"])))

    async def stream(request):
        async def deltas():
            try:  # a release without AsyncClient skips, one that lost it fails; an error ends the stream as a record
                AsyncClient = paths.require("AsyncClient")
                response = AsyncClient(provider=servers.provider("AsyncChunksProviderMock")).chat.completions.create(
                    MESSAGES, "", stream=True
                )
                async for chunk in response:
                    if chunk.choices and chunk.choices[0].delta.content is not None:
                        yield servers.dumps(chunk.choices[0].delta.content) + "\n"
            except unittest.SkipTest as skip:
                yield servers.dumps({servers.END: {"skip": str(skip)}}) + "\n"
            except Exception as error:
                yield servers.dumps({servers.END: {"error": observe.describe_error(error)}}) + "\n"

        return StreamingResponse(deltas(), media_type="application/x-ndjson")

    routes = [
        Route("/thread/create", thread_create),
        Route("/thread/client", thread_client),
        Route("/loop/create", loop_create),
        Route("/loop/client", loop_client),
        Route("/loop/result", loop_result),
        Route("/loop/create_async", loop_create_async),
        Route("/stream", stream),
    ]
    return Starlette(routes=routes)


def drive(port, found, server):
    """The HTTP client's thread: SCRIPT in order, then stop the server."""
    try:
        for label, path in SCRIPT:
            if label == "stream":
                found[label] = servers.lines(port, path)
            elif label == "at once":
                results = servers.at_once(servers.get, [(port, path)] * AT_ONCE)
                found[label] = {"value": servers.tally(results, "Mock")}
            else:
                found[label] = servers.get(port, path)
    finally:
        server.should_exit = True


async def uvicorn_session():
    """Serve app() with uvicorn on the regime's running loop until the client has made every request."""
    import threading

    import uvicorn

    sock = servers.listening()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app(), loop="none", lifespan="off", log_level="warning"))
    recorder = observe._LogRecorder()  # what uvicorn logs as a warning or an error
    logging.getLogger("uvicorn.error").addHandler(recorder)
    found = {}
    client = threading.Thread(target=drive, args=(port, found, server), name="http-client")
    client.start()
    await server.serve(sockets=[sock])
    client.join(support.TIMEOUT)  # it asked the server to stop after its last request: done by now
    sock.close()
    closed = servers.port_closed(port)
    found["stop"] = {"value": {"stopped": True, "port closed": closed, "server log": recorder.lines}}
    return found


STOPPED = {"stopped": True, "port closed": True, "server log": []}


class UvicornChecks(servers.SessionChecks):

    @in_child(uvicorn_session)
    def test_def_endpoint_returns_results_and_leaves_no_loop(self, found):
        """a def endpoint (Starlette's threadpool) of a fresh uvicorn server: sync create and Client return the result and leave the worker thread no loop"""
        self.assertAnswered(
            found,
            [
                ("def create AsyncProviderMock", "Mock"),
                ("def create AsyncChunksProviderMock", JOINED),
                ("def client", JOINED),
            ],
        )

    @known(*ASYNC_CLIENT_STREAM_DEFECTS)
    @in_child(uvicorn_session)
    def test_streaming_endpoint_yields_async_client_deltas(self, found):
        """a streaming endpoint over AsyncClient(stream=True) sends every delta, in order, through uvicorn"""
        self.assertReturned(self.request(found, "stream"), NON_EMPTY)

    @in_child(uvicorn_session)
    def test_async_endpoint_awaits_create_async(self, found):
        """an async def endpoint that awaits create_async returns the joined chunks"""
        self.assertReturned(self.request(found, "await create_async"), JOINED)

    @in_child(uvicorn_session)
    def test_server_stops_cleanly(self, found):
        """after every request, uvicorn stops when asked, logs no error and closes its port"""
        self.assertReturned(self.request(found, "stop"), STOPPED)


@servers.needs("uvicorn", "starlette")
class TestUvicorn(UvicornChecks, CheckTestCase):
    """uvicorn on asyncio: g4f patches the server's loop (nest_asyncio2) at the first sync call that nests."""

    @servers.needs_nest
    @known(AUTO_PATCH_ASYNC_PROVIDER)
    @in_child(uvicorn_session)
    def test_async_endpoint_sync_create(self, found):
        """an async def endpoint of a fresh uvicorn server: sync create with an async provider returns the result (g4f patches the server's loop)"""
        self.assertReturned(self.request(found, "async create"), "Mock")

    @servers.needs_nest
    @in_child(uvicorn_session)
    def test_async_endpoint_sync_client(self, found):
        """an async def endpoint of uvicorn: sync Client returns the joined message (g4f patches the server's loop)"""
        self.assertReturned(self.request(found, "async client"), JOINED)

    @servers.needs_nest
    @in_child(uvicorn_session)
    def test_requests_at_once_after_loop_patched(self, found):
        """once g4f has patched uvicorn's loop, async def endpoints called at once each get their own sync create result"""
        self.assertReturned(self.request(found, "async create again"), "Mock")
        self.assertReturned(self.request(found, "at once"), {"calls": AT_ONCE, "wrong": {}})

    @servers.needs_nest
    @known(PATCHED_LOOP_THREADS_KEEP_LOOPS)
    @in_child(uvicorn_session)
    def test_def_endpoint_after_loop_patched(self, found):
        """once g4f has patched uvicorn's loop, a def endpoint's sync create returns the result and leaves the worker thread no loop"""
        self.assertReturned(self.request(found, "def create again"), "Mock")


@servers.needs("uvicorn", "starlette")
class TestUvicornUvloop(UvicornChecks, CheckTestCase):
    """uvicorn on uvloop (uvicorn[standard]): g4f cannot nest there, the sync API must say so."""

    regime = regimes.UVLOOP

    @known(UVLOOP_ASYNC_PROVIDER)
    @in_child(uvicorn_session)
    def test_async_endpoint_sync_create(self, found):
        """an async def endpoint of uvicorn on uvloop: sync create with an async provider raises NestAsyncioError"""
        self.assertRaisedNestAsyncioError(self.request(found, "async create"))

    @known(UVLOOP_CLIENT)
    @in_child(uvicorn_session)
    def test_async_endpoint_sync_client(self, found):
        """an async def endpoint of uvicorn on uvloop: sync Client raises NestAsyncioError (g4f issue #2403)"""
        self.assertRaisedNestAsyncioError(self.request(found, "async client"))
