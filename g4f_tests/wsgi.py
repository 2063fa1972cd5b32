"""g4f behind a threaded WSGI server (g4f issues #950, #956, #967: "There is no current event loop in thread
'Thread-27 (process_request_thread)'"): a WSGI app served by the stdlib's wsgiref with socketserver's threading
mix-in (what Flask's development server is: a new thread per request), on 127.0.0.1 and a free port.

One server per regime, in the check's own process, takes requests from a real HTTP client (http.client): first
one at a time (sync create, Client, a streamed answer), then several at once, each calling the sync API from its
own request thread; then it is stopped. Plain, and after the app applied nest_asyncio2 (as g4f tells users to).
"""

import gc
import socketserver
import threading
import urllib.parse
import warnings
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from . import regimes, servers, support
from .checks import CheckTestCase, in_child
from .known_defects import NEST_RUN_LEAVES_LOOPS, known
from .providers import CHUNKS, JOINED, MESSAGES, create

AT_ONCE = 4
SCRIPT = [
    ("create AsyncProviderMock", "/create?provider=AsyncProviderMock"),
    ("create AsyncChunksProviderMock", "/create?provider=AsyncChunksProviderMock"),
    ("client", "/client"),
    ("stream", "/stream"),
    ("at once AsyncProviderMock", "/at-once?provider=SlowAsyncProviderMock"),
    ("at once AsyncChunksProviderMock", "/at-once?provider=AsyncChunksProviderMock"),
]
EXPECTED = {"SlowAsyncProviderMock": "Mock", "AsyncChunksProviderMock": JOINED}


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def application(barrier):
    """The WSGI app: each path makes one g4f call from the request's own thread and answers JSON (or streams)."""

    def app(environ, start_response):
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        provider = servers.provider(query.get("provider", ["AsyncChunksProviderMock"])[0])
        path = environ["PATH_INFO"]
        if path == "/stream":
            start_response("200 OK", [("Content-Type", "application/x-ndjson")])
            return (
                (servers.dumps(chunk) + "\n").encode()
                for chunk in sync_stream(provider)  # each chunk is written as the stream gives it
            )
        if path == "/at-once":
            barrier.wait(support.TIMEOUT)  # the requests really overlap
            found = servers.result(create, provider)
        elif path == "/client":
            found = servers.call(servers.client_text, provider)
        else:
            found = servers.call(create, provider)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [servers.dumps(found).encode()]

    return app


def sync_stream(provider):
    import g4f

    for chunk in g4f.ChatCompletion.create(g4f.models.default, MESSAGES, provider, stream=True):
        if isinstance(chunk, str):
            yield chunk


def wsgi_session():
    """Serve application() with a thread per request until the client has made every request."""
    sock = servers.listening()
    port = sock.getsockname()[1]
    server = ThreadingWSGIServer(("127.0.0.1", port), QuietHandler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.server_name, server.server_port = "127.0.0.1", port
    server.setup_environ()
    server.set_app(application(threading.Barrier(AT_ONCE)))
    serving = threading.Thread(target=server.serve_forever, args=(0.01,), name="wsgi-server")
    found = {}
    with warnings.catch_warnings(record=True) as caught:  # the whole session's: a thread's loop warns as it ends
        warnings.simplefilter("always")
        serving.start()
        try:
            drive(port, found)
        finally:
            server.shutdown()
            server.server_close()  # joins the request threads (ThreadingMixIn.block_on_close)
            serving.join(support.TIMEOUT)
        gc.collect()
    stray = [str(w.message).splitlines()[0] for w in caught if support.is_stray(str(w.message))]
    found["stop"] = {"value": {"port closed": servers.port_closed(port)}, "warnings": stray}
    return found


def drive(port, found):
    """The HTTP client: SCRIPT in order (the requests labelled "at once" AT_ONCE at a time)."""
    for label, path in SCRIPT:
        if label == "stream":
            found[label] = servers.lines(port, path)
        elif label.startswith("at once"):
            results = servers.at_once(servers.get, [(port, path)] * AT_ONCE)
            found[label] = {"value": servers.tally(results, EXPECTED[path.rpartition("=")[2]])}
        else:
            found[label] = servers.get(port, path)


class WsgiChecks(servers.SessionChecks):

    @known(NEST_RUN_LEAVES_LOOPS)
    @in_child(wsgi_session)
    def test_sync_create_one_request_at_a_time(self, found):
        """a threaded WSGI server: sync create and Client from a request's thread return the result and leave the thread no loop"""
        self.assertAnswered(
            found,
            [
                ("create AsyncProviderMock", "Mock"),
                ("create AsyncChunksProviderMock", JOINED),
                ("client", JOINED),
            ],
        )

    @in_child(wsgi_session)
    def test_streamed_response_yields_chunks_in_order(self, found):
        """a threaded WSGI server streams sync create(stream=True) chunk by chunk, in order"""
        self.assertReturned(self.request(found, "stream"), list(CHUNKS))

    @in_child(wsgi_session)
    def test_requests_at_once_each_get_their_own_result(self, found):
        """a threaded WSGI server: sync create from several request threads at once returns each caller its own result"""
        for label in ("at once AsyncProviderMock", "at once AsyncChunksProviderMock"):
            with self.subTest(request=label):
                self.assertReturned(self.request(found, label), {"calls": AT_ONCE, "wrong": {}})

    @known(NEST_RUN_LEAVES_LOOPS)
    @in_child(wsgi_session)
    def test_server_stops_cleanly(self, found):
        """a threaded WSGI server stops, closes its port, and its finished request threads left no unclosed loop"""
        self.assertReturned(self.request(found, "stop"), {"port closed": True})


class TestThreadedWsgi(WsgiChecks, CheckTestCase):
    pass


class TestThreadedWsgiNestApplied(WsgiChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
