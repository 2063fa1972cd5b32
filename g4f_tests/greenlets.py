"""g4f under gevent (g4f issue #2658: gunicorn -k gevent, Client and client.images.generate): a process that ran
gevent's monkey.patch_all() before importing anything else (its own zygote, a new interpreter: never a fork of a
process that imported ssl or asyncio), serving wsgi.py's app with gevent's WSGI server on 127.0.0.1 and a free port.

Requests come from a real HTTP client (http.client over gevent's sockets), one at a time first (sync create,
Client, a streamed answer, client.images.generate, also one that downloads the image from this server with
aiohttp), then several at once: each request is a greenlet, and all of them share one OS thread. Optional: needs
gevent (``pip install gevent``).
"""

import gc
import threading
import warnings

from . import regimes, servers, support, wsgi
from .checks import CheckTestCase, in_child
from .env_defects import RACY_AT_ONCE
from .known_defects import (
    CLIENT_IMAGES_NAME_ERROR,
    GEVENT_ASYNC_PROVIDER_AT_ONCE,
    GEVENT_ASYNC_PROVIDER_AT_ONCE_NO_NEST,
    GEVENT_AT_ONCE_NEST_ERROR,
    GEVENT_GENERATOR_AT_ONCE,
    GEVENT_GENERATOR_AT_ONCE_NO_NEST,
    GEVENT_IMAGES_AT_ONCE,
    GEVENT_IMAGES_AT_ONCE_NESTED,
    GEVENT_IMAGES_AT_ONCE_NO_NEST,
    known,
)
from .mocks import YieldImageResponseProviderMock
from .providers import CHUNKS, JOINED

AT_ONCE = 4
IMAGE = b"\x89PNG\r\n\x1a\n g4f-tests"
URL = "http://127.0.0.1:PORT/image.png"
SCRIPT = [(label, path) for label, path in wsgi.SCRIPT if not label.startswith("at once")] + [
    ("images url", "/images?format=url"),
    ("images b64_json", "/images?format=b64_json"),
    ("at once AsyncProviderMock", "/at-once?provider=SlowAsyncProviderMock"),
    ("at once images", "/images-at-once"),
    ("at once AsyncChunksProviderMock", "/at-once?provider=AsyncChunksProviderMock"),
]


def generate_image(port, response_format):
    """client.images.generate with a provider that answers the prompt as the image's URL: here, this server's."""
    from g4f.client import Client

    url = "http://127.0.0.1:%d/image.png" % port
    response = Client().images.generate(url, provider=YieldImageResponseProviderMock, response_format=response_format)
    images = [image.url if response_format == "url" else image.b64_json for image in response.data]
    return [image.replace(url, URL) for image in images]  # the URL, whatever the port


def application(port):
    barrier = threading.Barrier(AT_ONCE)
    app = wsgi.application(barrier)

    def gevent_app(environ, start_response):
        path, query = environ["PATH_INFO"], environ.get("QUERY_STRING", "")
        if path == "/image.png":
            start_response("200 OK", [("Content-Type", "image/png")])
            return [IMAGE]
        if path == "/images":
            found = servers.call(generate_image, port, query.partition("=")[2])
        elif path == "/images-at-once":
            barrier.wait(support.TIMEOUT)
            found = servers.result(generate_image, port, "url")
        else:
            return app(environ, start_response)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [servers.dumps(found).encode()]

    return gevent_app


def gevent_session():
    """Serve the app with gevent's WSGI server, a greenlet per request, until the client has made every request."""
    from gevent.pywsgi import WSGIServer

    sock = servers.listening()
    port = sock.getsockname()[1]
    server = WSGIServer(sock, application(port), log=None, error_log=None)
    server.start()
    found = {}
    try:
        for label, path in SCRIPT:
            if label == "stream":
                found[label] = servers.lines(port, path)
            elif label.startswith("at once"):
                found[label] = at_once(port, path)
            else:
                found[label] = servers.get(port, path)
    finally:
        server.stop(timeout=support.TIMEOUT)
    found["stop"] = {"value": {"port closed": servers.port_closed(port)}}
    return found


def at_once(port, path):
    """AT_ONCE requests at once: the tally of their results, and the warnings they caused meanwhile (one thread
    runs every greenlet, so what was caught in this window is theirs)."""
    expected = {"SlowAsyncProviderMock": "Mock", "AsyncChunksProviderMock": JOINED}.get(path.rpartition("=")[2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = servers.at_once(servers.get, [(port, path)] * AT_ONCE)
        gc.collect()
    tally = servers.tally(results, expected or [URL])
    return {"value": tally, "warnings": ["%s: %s" % (w.category.__name__, w.message) for w in caught]}


@servers.needs("gevent")
class TestGevent(servers.SessionChecks, CheckTestCase):
    regime = regimes.GEVENT_PATCHED

    @in_child(gevent_session)
    def test_sync_calls_one_request_at_a_time(self, found):
        """under gevent's patch_all and WSGI server, one request at a time: sync create and Client return the result"""
        self.assertAnswered(
            found,
            [
                ("create AsyncProviderMock", "Mock"),
                ("create AsyncChunksProviderMock", JOINED),
                ("client", JOINED),
            ],
        )

    @in_child(gevent_session)
    def test_streamed_response_yields_chunks_in_order(self, found):
        """under gevent, a WSGI response streams sync create(stream=True) chunk by chunk, in order"""
        self.assertReturned(self.request(found, "stream"), list(CHUNKS))

    @known(CLIENT_IMAGES_NAME_ERROR)
    @in_child(gevent_session)
    def test_images_generate_one_request_at_a_time(self, found):
        """under gevent, client.images.generate returns the image's URL, and its base64 after downloading it from a loopback server"""
        import base64

        support.require_api("images")
        with self.subTest(request="images url"):
            self.assertReturned(self.request(found, "images url"), [URL])
        with self.subTest(request="images b64_json"):
            self.assertReturned(self.request(found, "images b64_json"), [base64.b64encode(IMAGE).decode()])

    @known(
        GEVENT_ASYNC_PROVIDER_AT_ONCE,
        GEVENT_ASYNC_PROVIDER_AT_ONCE_NO_NEST,
        GEVENT_AT_ONCE_NEST_ERROR,
    )
    @in_child(gevent_session)
    def test_sync_create_at_once_async_provider(self, found):
        """under gevent, requests at once (greenlets of one thread): sync create with an async provider returns each its own result"""
        first, last, why = RACY_AT_ONCE
        racy = support.parse_version(first) <= support.g4f_release() <= support.parse_version(last)
        if racy and support.g4f_nest() is not None:
            self.skipTest(why)
        self.assertReturned(self.request(found, "at once AsyncProviderMock"), {"calls": AT_ONCE, "wrong": {}})

    @known(GEVENT_IMAGES_AT_ONCE, GEVENT_IMAGES_AT_ONCE_NESTED, GEVENT_IMAGES_AT_ONCE_NO_NEST)
    @in_child(gevent_session)
    def test_images_generate_at_once(self, found):
        """under gevent, requests at once (greenlets of one thread): client.images.generate returns each its image"""
        support.require_api("images")
        self.assertReturned(self.request(found, "at once images"), {"calls": AT_ONCE, "wrong": {}})

    @known(GEVENT_GENERATOR_AT_ONCE, GEVENT_GENERATOR_AT_ONCE_NO_NEST, GEVENT_AT_ONCE_NEST_ERROR)
    @in_child(gevent_session)
    def test_sync_create_at_once_generator_provider(self, found):
        """under gevent, requests at once (greenlets of one thread): sync create with an async-generator provider returns each its own result"""
        self.assertReturned(self.request(found, "at once AsyncChunksProviderMock"), {"calls": AT_ONCE, "wrong": {}})

    @in_child(gevent_session)
    def test_server_stops_cleanly(self, found):
        """under gevent, the WSGI server stops and closes its port"""
        self.assertReturned(self.request(found, "stop"), {"port closed": True})
