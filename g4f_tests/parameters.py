"""Request parameters: what the caller passes reaches the provider on every API, and what the clients do with
some of them themselves, both clients do alike.

- Through ChatCompletion.create / create_async and Client / AsyncClient, streamed and not, over a sync, an async
  and an async-generator provider: max_tokens, proxy, stop, response_format, temperature and a parameter g4f does
  not know reach the provider as passed, and so do the model and a conversation's messages.
- Client and AsyncClient also apply some themselves, and must agree: ``stop`` ends the answer before the first
  stop sequence (finish reason "stop"); ``max_tokens`` ends it after that many chunks (finish reason "length");
  response_format {"type": "json_object"} answers the JSON of a fenced ```json block (not streamed);
  ``ignore_stream=True`` reaches the provider. The stop sequences are a list whose first never occurs, a str, one
  inside a chunk, one that two chunks split (the answer never holds it, streamed or not) and one said twice (the
  answer ends before the first); the JSON comes fenced with and without a language, bare, and followed by a second
  fenced block (the answer is the first).
- The edges of a request: a prompt given as a str reaches the provider, through either client, as the one user
  message; 0 for max_tokens and temperature reaches it as 0 (a value, not "none given"), and ignore_stream=True
  reaches it through ChatCompletion too; max_tokens=0 ends a client's answer at the first chunk (finish reason
  "length"), and a json_object answer fenced with CRLF line ends is the JSON.
- What a client is made with, ``Client(proxies=..., api_key=...)``, reaches the provider of every request that does
  not name its own, on both clients.
- ``G4F_PROXY``, which g4f documents as the way to "set a proxy globally" (its docs/config.md), reaches the provider
  of a request that names no proxy, on every API; a request that names one gets its own.
"""

import contextlib
import copy
import importlib
import os

from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider, AsyncProvider

from . import regimes
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_ASYNC_PROVIDER,
    ASYNC_CLIENT_DROPS_KWARGS,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_SYNC_BRIDGE,
    ASYNC_STREAM_OF_SYNC_PROVIDER,
    CLIENT_EMPTY_CHUNK_DELTA,
    CLIENT_EMPTY_CHUNK_DELTA_AGAIN,
    CLIENT_PROXY_TWICE,
    CLIENT_PROXY_TWICE_WITH_G4F_PROXY,
    CLIENT_STREAM_LEAKS_SPLIT_STOP,
    CLIENTS_DROP_RESPONSE_FORMAT,
    CLIENTS_IGNORE_G4F_PROXY,
    CLIENTS_REFUSE_IMAGES,
    CLIENTS_STOP_AT_THE_FIRST_LISTED_SEQUENCE,
    CREATE_ASYNC_IGNORES_G4F_PROXY,
    JSON_OBJECT_CRLF_FENCE,
    JSON_OBJECT_UNCLOSED_FENCE,
    JSON_OBJECT_UNLABELED_FENCE,
    known,
)
from .observe import each, each_async
from .paths import ASYNC, CLIENTS, SYNC, async_stream, not_a_stream, require, start
from .providers import CHUNKS, NON_EMPTY
from .support import MESSAGES, MODEL, require_api


class RecordingProviderMock(AbstractProvider):
    """A sync provider that notes the parameters it is called with in ``received`` and streams ``chunks`` (take a
    fresh one: recording_provider)."""

    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    def create_completion(cls, model, messages, stream, **kwargs):
        cls.received.update(kwargs, model=model, messages=messages)
        yield from cls.chunks


class AsyncRecordingProviderMock(AsyncGeneratorProvider):
    """RecordingProviderMock as an async-generator provider."""

    working = True
    use_stream_timeout = False

    @classmethod
    async def create_async_generator(cls, model, messages, stream, **kwargs):
        cls.received.update(kwargs, model=model, messages=messages)
        for chunk in cls.chunks:
            yield chunk


class RecordingAsyncProviderMock(AsyncProvider):
    """RecordingProviderMock as an AsyncProvider (its chunks joined, in one answer)."""

    working = True
    use_stream_timeout = False
    supports_stream = True

    @classmethod
    async def create_async(cls, model, messages, **kwargs):
        cls.received.update(kwargs, model=model, messages=messages)
        return "".join(cls.chunks)


RECORDING = {
    "sync provider": RecordingProviderMock,
    "async provider": RecordingAsyncProviderMock,
    "async-generator provider": AsyncRecordingProviderMock,
}


def recording_provider(kind, chunks=NON_EMPTY):
    """A fresh recording provider of ``kind`` (a key of RECORDING) that has received nothing yet."""
    base = RECORDING[kind]
    return type(base.__name__, (base,), {"received": {}, "chunks": tuple(chunks)})


PASSED = {
    "max_tokens": 1000,
    "proxy": "http://127.0.0.1:3128",
    "stop": ["never said"],
    "response_format": {"type": "json_object"},
    "temperature": 0.25,
    "g4f_tests_extra": "Wörld",
}
# A conversation, so that a path that drops, reorders or rewrites messages shows.
CONVERSATION = [
    {"role": "system", "content": "Antworte kurz."},
    {"role": "user", "content": "Hello"},
    {"role": "assistant", "content": "Hallo, Wörld!"},
    {"role": "user", "content": "zwei  Leerzeichen"},
]
RECEIVED = dict(PASSED, model=MODEL, messages=CONVERSATION)  # what the provider must get: also the model and messages
NOT_PASSED = "(not passed)"
KINDS = ("sync provider", "async provider", "async-generator provider")
JSON = '{"zwei": 2, "Wörld": "ö"}'
JSON_CHUNKS = ("Here it is:\n```json\n", JSON, "\n```\nDone.")
JSON_OBJECT = {"response_format": {"type": "json_object"}}
SPLIT_STOP = ("Hello", ", Wö", "rld", " zwei")  # "Wörld" arrives in two chunks
SAID_TWICE = ("Hallo zwei Wörld zwei", " drei")
TWO_STOPS = {"stop": ["never said", "zwei"]}  # the first never occurs: the second must end the answer
FIRST_OF_TWO = {"stop": ["zwei", "never said"]}  # the first occurs: the answer ends there, the second changes nothing
LATER_LISTED_FIRST = {"stop": ["42", "zwei"]}  # both said, "zwei" first: the answer ends before the earliest one
ONE_CHUNK = ("Hello, Wörld \n  zwei  Leerzeichen 42 ЖёлТый",)  # CHUNKS' first five, and more, as one chunk
# What the clients do themselves: label: (the provider's chunks, stream, parameters, the answer expected).
BY_THE_CLIENTS = {
    "stop, not streamed": (CHUNKS, False, {"stop": ["zwei"]}, ("Hello, Wörld \n  ", "stop")),
    "stop, stream": (CHUNKS, True, {"stop": ["zwei"]}, (["Hello", ", Wörld", " ", "\n  ", None], "stop")),
    "stop as a str, not streamed": (CHUNKS, False, {"stop": "zwei"}, ("Hello, Wörld \n  ", "stop")),
    "max_tokens, not streamed": (CHUNKS, False, {"max_tokens": 3}, ("Hello, Wörld ", "length")),
    "max_tokens, stream": (CHUNKS, True, {"max_tokens": 3}, (["Hello", ", Wörld", " ", None], "length")),
    # 0 is a limit, not "no limit": the client ends the answer at the first chunk it reads
    "max_tokens=0, not streamed": (CHUNKS, False, {"max_tokens": 0}, ("Hello", "length")),
    "max_tokens=0, stream": (CHUNKS, True, {"max_tokens": 0}, (["Hello", None], "length")),
    "two stop sequences, not streamed": (CHUNKS, False, TWO_STOPS, ("Hello, Wörld \n  ", "stop")),
    "two stop sequences, stream": (CHUNKS, True, TWO_STOPS, (["Hello", ", Wörld", " ", "\n  ", None], "stop")),
    "two stop sequences, the first one said, not streamed": (
        CHUNKS,
        False,
        FIRST_OF_TWO,
        ("Hello, Wörld \n  ", "stop"),
    ),
    "two stop sequences, the first one said, stream": (
        CHUNKS,
        True,
        FIRST_OF_TWO,
        (["Hello", ", Wörld", " ", "\n  ", None], "stop"),
    ),
    "two stop sequences said, the later one listed first, not streamed": (
        CHUNKS,
        False,
        LATER_LISTED_FIRST,
        ("Hello, Wörld \n  ", "stop"),
    ),
    "two stop sequences said, the later one listed first, stream": (
        CHUNKS,
        True,
        LATER_LISTED_FIRST,
        (["Hello", ", Wörld", " ", "\n  ", None], "stop"),
    ),
    "two stop sequences said in one chunk, the later one listed first, not streamed": (
        ONE_CHUNK,
        False,
        LATER_LISTED_FIRST,
        ("Hello, Wörld \n  ", "stop"),
    ),
    "two stop sequences said in one chunk, the later one listed first, stream": (
        ONE_CHUNK,
        True,
        LATER_LISTED_FIRST,
        (["Hello, Wörld \n  ", None], "stop"),
    ),
    "json_object, not streamed": (JSON_CHUNKS, False, JSON_OBJECT, (JSON, "stop")),
    "json_object fenced without a language, not streamed": (
        ("Hier:\n```\n", JSON, "\n```"),
        False,
        JSON_OBJECT,
        (JSON, "stop"),
    ),
    "json_object, bare JSON, not streamed": ((JSON,), False, JSON_OBJECT, (JSON, "stop")),
    "json_object, the fence never closed, not streamed": (JSON_CHUNKS[:2], False, JSON_OBJECT, (JSON, "stop")),
    "json_object fenced with CRLF line ends, not streamed": (
        ("Hier:\r\n```json\r\n", JSON, "\r\n```\r\nFertig."),
        False,
        JSON_OBJECT,
        (JSON, "stop"),
    ),
    "json_object, a second fenced block after it, not streamed": (
        JSON_CHUNKS[:2] + ("\n```\nUnd so:\n```\nx = 1\n```",),
        False,
        JSON_OBJECT,
        (JSON, "stop"),
    ),
    "ignore_stream, not streamed": (CHUNKS, False, {"ignore_stream": True}, ("".join(CHUNKS), "stop")),
    # A stop sequence inside one chunk, and one that two chunks split: the text never holds it, streamed or not. A
    # stream's deltas are compared joined where a client may cut them up as it likes (the answer given as a str).
    "stop inside a chunk, not streamed": (CHUNKS, False, {"stop": ["Wö"]}, ("Hello, ", "stop")),
    "stop inside a chunk, stream": (CHUNKS, True, {"stop": ["Wö"]}, (["Hello", ", ", None], "stop")),
    "stop across chunks, not streamed": (SPLIT_STOP, False, {"stop": ["Wörld"]}, ("Hello, ", "stop")),
    "stop across chunks, stream": (SPLIT_STOP, True, {"stop": ["Wörld"]}, ("Hello, ", "stop")),
    # said twice in one chunk: the answer ends before the first time
    "stop said twice, not streamed": (SAID_TWICE, False, {"stop": ["zwei"]}, ("Hallo ", "stop")),
    "stop said twice, stream": (SAID_TWICE, True, {"stop": ["zwei"]}, (["Hallo ", None], "stop")),
}


# Edges of a request, each on every API that takes it:
# - a prompt given as a str (the clients take one) reaches the provider as the conversation's one user message;
# - values that are false but not None are values: max_tokens=0 and temperature=0 reach the provider as 0;
# - ignore_stream=True (with stream=True) reaches the provider.
PROMPT = "zwei  Leerzeichen, „Wörld“\n"
FALSY = {"max_tokens": 0, "temperature": 0}
EDGES = {
    "a str prompt": ({"messages": PROMPT}, {"messages": [{"role": "user", "content": PROMPT}]}),
    "max_tokens=0 and temperature=0": (FALSY, FALSY),
    "ignore_stream=True": ({"ignore_stream": True}, {"ignore_stream": True}),
}


def edge_cases(apis, edge):
    streams = (
        (True,) if edge == "ignore_stream=True" else (False, True)
    )  # not streamed, ChatCompletion answers unjoined
    return {
        "%s, %s, %s, %s" % (api, edge, "stream" if stream else "not streamed", kind): (api, kind, stream, edge)
        for api in apis
        for kind in KINDS
        for stream in streams
    }


def edge_of(label):
    """The edge a label names (a key of EDGES), or None."""
    return next((edge for edge in EDGES if ", %s, " % edge in label), None)


def not_as_expected(received, edge):
    """What the provider got of the edge's parameters where it differs from what it should have got ({}: nothing)."""
    expected = REQUESTS[edge][1]
    return {key: received.get(key, NOT_PASSED) for key in expected if received.get(key, NOT_PASSED) != expected[key]}


# Images sent with a request, each way g4f's APIs take them: ``image`` (and ``image_name``), ``images`` (media's old
# name) and ``media``; each reaches the provider as ``media`` alone, a list of (data, name) pairs, in the order given.
IMAGE, IMAGE_NAME = b"\x89PNG\r\n\x1a\n Bild \xc3\xa4", "Bild ä.png"
PAIRS = [(IMAGE, IMAGE_NAME), (b"GIF89a zwei", "zwei Wörld.gif")]
# Only as media: image, image_name and images are not passed on beside it (a provider without **kwargs would fail).
_ONLY_MEDIA = dict.fromkeys(("image", "image_name", "images"), NOT_PASSED)
MEDIA = {
    "an image and its name": ({"image": IMAGE, "image_name": IMAGE_NAME}, dict(_ONLY_MEDIA, media=PAIRS[:1])),
    "an image without a name": ({"image": IMAGE}, dict(_ONLY_MEDIA, media=[(IMAGE, None)])),
    "two images as images, media's old name": ({"images": PAIRS}, dict(_ONLY_MEDIA, media=PAIRS)),
    "two images as media": ({"media": PAIRS}, dict(_ONLY_MEDIA, media=PAIRS)),
}
REQUESTS = dict(EDGES, **MEDIA)


def media_of(label):
    """The way of sending images a label names (a key of MEDIA), or None."""
    return next((way for way in MEDIA if ", %s, " % way in label), None)


# The edges the installed g4f may predate (a key of support.G4F_APIS).
EDGE_APIS = dict(
    {"a str prompt": "client_str_prompt", "ignore_stream=True": "client_ignore_stream"}, **dict.fromkeys(MEDIA, "media")
)


def edge_received(api, kind, stream, edge):
    if edge in EDGE_APIS:
        require_api(EDGE_APIS[edge])
    provider = recording_provider(kind)
    result = start(api, provider, stream, **copy.deepcopy(REQUESTS[edge][0]))
    if stream:
        list(result)
    return not_as_expected(provider.received, edge)


async def edge_received_async(api, kind, stream, edge):
    if edge in EDGE_APIS:
        require_api(EDGE_APIS[edge])
    provider = recording_provider(kind)
    result = start(api, provider, stream, **copy.deepcopy(REQUESTS[edge][0]))
    return await read_out(api, result, stream) or not_as_expected(provider.received, edge)


def not_as_passed(received):
    """The parameters that did not reach the provider as passed, with what it got instead (nothing: {})."""
    return {key: received.get(key, NOT_PASSED) for key in RECEIVED if received.get(key, NOT_PASSED) != RECEIVED[key]}


# What a client is made with: Client(proxies=PROXY, api_key=...) passes them to the provider as proxy and api_key.
CLIENT_DEFAULTS = {"proxy": "http://127.0.0.1:3128", "api_key": "sk-g4f-tests-Wörld"}


def made_with_defaults(api, provider):
    """A Client or AsyncClient made with CLIENT_DEFAULTS, for ``provider``."""
    cls = require(api) or importlib.import_module("g4f.client").Client
    return cls(provider=provider, proxies=CLIENT_DEFAULTS["proxy"], api_key=CLIENT_DEFAULTS["api_key"])


def defaults_not_received(provider):
    received = provider.received
    return {key: received.get(key, NOT_PASSED) for key, value in CLIENT_DEFAULTS.items() if received.get(key) != value}


def client_defaults_received(api, kind, stream):
    provider = recording_provider(kind)
    result = made_with_defaults(api, provider).chat.completions.create(MESSAGES, MODEL, stream=stream)
    if stream:
        list(result)
    return defaults_not_received(provider)


async def read_out(api, result, stream):
    """Await an async API's answer, or read its stream to the end; {"returned": type} for a stream that is not one."""
    if not stream:
        await result
        return None
    chunks = await async_stream(api, result)
    if chunks is None:
        return not_a_stream(result)
    async for _ in chunks:
        pass
    return None


async def client_defaults_received_async(api, kind, stream):
    provider = recording_provider(kind)
    result = made_with_defaults(api, provider).chat.completions.create(MESSAGES, MODEL, stream=stream)
    return await read_out(api, result, stream) or defaults_not_received(provider)


def parameters_received(api, kind, stream):
    provider = recording_provider(kind)
    result = start(api, provider, stream, messages=CONVERSATION, **PASSED)
    if stream:
        list(result)
    return not_as_passed(provider.received)


async def parameters_received_async(api, kind, stream):
    provider = recording_provider(kind)
    result = start(api, provider, stream, messages=CONVERSATION, **PASSED)
    return await read_out(api, result, stream) or not_as_passed(provider.received)


# G4F_PROXY, set while a request is made (and unset after): another proxy than the one a request names (PASSED's).
ENV_PROXY = "http://127.0.0.1:3129"


@contextlib.contextmanager
def g4f_proxy_set():
    os.environ["G4F_PROXY"] = ENV_PROXY
    try:
        yield
    finally:
        del os.environ["G4F_PROXY"]


def proxy_cases(apis):
    """label: (api, kind, stream, whether the request names a proxy), with G4F_PROXY set."""
    return {
        "%s, G4F_PROXY set, %s, %s, %s"
        % (api, "a proxy named" if named else "none named", "stream" if stream else "not streamed", kind): (
            api,
            kind,
            stream,
            named,
        )
        for api in apis
        for kind in KINDS
        for stream in (False, True)
        for named in (False, True)
    }


def expected_proxy(label):
    return PASSED["proxy"] if "a proxy named" in label else ENV_PROXY


def proxy_received(api, kind, stream, named):
    provider = recording_provider(kind)
    with g4f_proxy_set():
        result = start(api, provider, stream, **({"proxy": PASSED["proxy"]} if named else {}))
        if stream:
            list(result)
    return provider.received.get("proxy", NOT_PASSED)


async def proxy_received_async(api, kind, stream, named):
    provider = recording_provider(kind)
    with g4f_proxy_set():
        result = start(api, provider, stream, **({"proxy": PASSED["proxy"]} if named else {}))
        return await read_out(api, result, stream) or provider.received.get("proxy", NOT_PASSED)


def answer_of(chunks, response, provider, stream, joined=False):
    """The client's answer (text, or deltas: ``joined``, their text), its finish reason, and whether ignore_stream
    reached the provider."""
    if stream:
        deltas = [chunk.choices[0].delta.content for chunk in chunks]
        answer = ("".join(d or "" for d in deltas) if joined else deltas, chunks[-1].choices[0].finish_reason)
    else:
        answer = (response.choices[0].message.content, response.choices[0].finish_reason)
    return {"answer": list(answer), "ignore_stream reached the provider": provider.received.get("ignore_stream")}


def client_applies(api, label):
    chunks, stream, parameters, _ = BY_THE_CLIENTS[label]
    if "ignore_stream" in parameters:
        require_api("client_ignore_stream")
    provider = recording_provider("async-generator provider", chunks)
    result = start(api, provider, stream, **parameters)
    return answer_of(list(result) if stream else None, result, provider, stream, joined(label))


async def client_applies_async(api, label):
    chunks, stream, parameters, _ = BY_THE_CLIENTS[label]
    if "ignore_stream" in parameters:
        require_api("client_ignore_stream")
    provider = recording_provider("async-generator provider", chunks)
    result = start(api, provider, stream, **parameters)
    if stream:
        chunks = await async_stream(api, result)
        if chunks is None:
            return not_a_stream(result)
        return answer_of([chunk async for chunk in chunks], None, provider, stream, joined(label))
    return answer_of(None, await result, provider, stream)


def joined(label):
    """Is the stream's answer for ``label`` compared as the text of its deltas (its expected answer a str)?"""
    return isinstance(BY_THE_CLIENTS[label][3][0], str)


def expected_by_the_client(label):
    parameters, answer = BY_THE_CLIENTS[label][2:]
    return {"answer": list(answer), "ignore_stream reached the provider": parameters.get("ignore_stream")}


def passing_cases(apis, what=""):
    return {
        "%s, %s%s, %s" % (api, what, "stream" if stream else "not streamed", kind): (api, kind, stream)
        for api in apis
        for kind in KINDS
        for stream in (False, True)
    }


def sync_requests():
    found = each(parameters_received, passing_cases(SYNC))
    found.update(each(client_defaults_received, passing_cases(["Client"], "made with proxies and api_key, ")))
    found.update(each(client_applies, {"Client, " + label: ("Client", label) for label in BY_THE_CLIENTS}))
    found.update(each(proxy_received, proxy_cases(SYNC)))
    for edge in REQUESTS:
        found.update(each(edge_received, edge_cases(CLIENTS[:1] if edge == "a str prompt" else SYNC, edge)))
    return found


async def async_requests():
    found = await each_async(parameters_received_async, passing_cases(ASYNC))
    cases = passing_cases(["AsyncClient"], "made with proxies and api_key, ")
    found.update(await each_async(client_defaults_received_async, cases))
    cases = {"AsyncClient, " + label: ("AsyncClient", label) for label in BY_THE_CLIENTS}
    found.update(await each_async(client_applies_async, cases))
    found.update(await each_async(proxy_received_async, proxy_cases(ASYNC)))
    for edge in REQUESTS:
        found.update(
            await each_async(edge_received_async, edge_cases(CLIENTS[1:] if edge == "a str prompt" else ASYNC, edge))
        )
    return found


class ParameterChecks:
    def assertParametersReachTheProvider(self, found):
        for label, call in self.calls(found):
            case = label.partition(", ")[2]
            if case not in BY_THE_CLIENTS and "G4F_PROXY" not in label and not edge_of(label) and not media_of(label):
                with self.subTest(call=label):
                    self.assertReturned(call, {})  # no parameter differs from PASSED

    def assertG4fProxyReachesTheProvider(self, found):
        for label, call in self.calls(found):
            if "G4F_PROXY" in label:
                with self.subTest(call=label):
                    self.assertReturned(call, expected_proxy(label))

    def assertEdgesReachTheProvider(self, found, which=edge_of):
        for label, call in self.calls(found):
            if which(label):
                with self.subTest(call=label):
                    self.assertReturned(call, {})  # the provider got what the edge should give it

    def assertClientApplies(self, found):
        for label, call in self.calls(found):
            case = label.partition(", ")[2]
            if case in BY_THE_CLIENTS:
                with self.subTest(call=label):
                    self.assertReturned(call, expected_by_the_client(case))


class SyncParameterChecks(ParameterChecks):
    @known(CLIENTS_DROP_RESPONSE_FORMAT, CLIENT_PROXY_TWICE)
    @in_child(sync_requests)
    def test_sync_apis_pass_the_parameters_to_the_provider(self, found):
        """ChatCompletion.create and Client, streamed or not, pass max_tokens, proxy, stop, response_format, temperature and unknown parameters to every provider kind as given; a Client made with proxies and api_key passes them on"""
        self.assertParametersReachTheProvider(found)

    @known(CLIENTS_IGNORE_G4F_PROXY, CLIENT_PROXY_TWICE, CLIENT_PROXY_TWICE_WITH_G4F_PROXY)
    @in_child(sync_requests)
    def test_sync_apis_take_the_proxy_from_g4f_proxy(self, found):
        """With G4F_PROXY set, ChatCompletion.create and Client, streamed or not, pass it to every provider kind as the proxy of a request that names none; a request that names one gets its own"""
        self.assertG4fProxyReachesTheProvider(found)

    @in_child(sync_requests)
    def test_sync_apis_pass_the_edges_of_a_request(self, found):
        """ChatCompletion.create and Client pass 0 as max_tokens and temperature (not as no value) and ignore_stream to every provider kind; Client passes a str prompt as the one user message"""
        self.assertEdgesReachTheProvider(found)

    @known(CLIENTS_REFUSE_IMAGES)
    @in_child(sync_requests)
    def test_sync_apis_pass_images_as_media(self, found):
        """ChatCompletion.create and Client, streamed or not, pass an image (with its name or none), images (media's old name) and media to every provider kind as media, a list of (data, name) pairs in the order given"""
        self.assertEdgesReachTheProvider(found, media_of)

    @known(
        CLIENT_EMPTY_CHUNK_DELTA,
        CLIENT_EMPTY_CHUNK_DELTA_AGAIN,
        JSON_OBJECT_UNLABELED_FENCE,
        JSON_OBJECT_CRLF_FENCE,
        JSON_OBJECT_UNCLOSED_FENCE,
        CLIENTS_STOP_AT_THE_FIRST_LISTED_SEQUENCE,
        CLIENT_STREAM_LEAKS_SPLIT_STOP,
    )
    @in_child(sync_requests)
    def test_client_applies_stop_max_tokens_json_and_ignore_stream(self, found):
        """Client ends the answer before the stop sequence that occurs (finish reason stop) and after max_tokens chunks (length), answers the JSON of a json_object response (fenced or bare), passes ignore_stream on, as AsyncClient does"""
        self.assertClientApplies(found)


# Where AsyncClient is missing, synchronous, or runs the provider through the sync bridge inside its own loop.
ASYNC_CLIENT_DEFECTS = (ASYNC_CLIENT_MISSING, ASYNC_CLIENT_IS_SYNC, ASYNC_CLIENT_SYNC_BRIDGE)


class AsyncParameterChecks(ParameterChecks):
    @known(
        CLIENTS_DROP_RESPONSE_FORMAT,
        ASYNC_STREAM_OF_SYNC_PROVIDER,
        ASYNC_CLIENT_ASYNC_PROVIDER,
        ASYNC_CLIENT_DROPS_KWARGS,
        *ASYNC_CLIENT_DEFECTS,
    )
    @in_child(async_requests)
    def test_async_apis_pass_the_parameters_to_the_provider(self, found):
        """ChatCompletion.create_async and AsyncClient, streamed or not, pass max_tokens, proxy, stop, response_format, temperature and unknown parameters to every provider kind as given; an AsyncClient made with proxies and api_key passes them on"""
        self.assertParametersReachTheProvider(found)

    @known(
        CLIENTS_IGNORE_G4F_PROXY,
        CREATE_ASYNC_IGNORES_G4F_PROXY,
        ASYNC_STREAM_OF_SYNC_PROVIDER,
        ASYNC_CLIENT_ASYNC_PROVIDER,
        *ASYNC_CLIENT_DEFECTS,
    )
    @in_child(async_requests)
    def test_async_apis_take_the_proxy_from_g4f_proxy(self, found):
        """With G4F_PROXY set, ChatCompletion.create_async and AsyncClient, streamed or not, pass it to every provider kind as the proxy of a request that names none; a request that names one gets its own"""
        self.assertG4fProxyReachesTheProvider(found)

    @known(ASYNC_STREAM_OF_SYNC_PROVIDER, ASYNC_CLIENT_ASYNC_PROVIDER, ASYNC_CLIENT_DROPS_KWARGS, *ASYNC_CLIENT_DEFECTS)
    @in_child(async_requests)
    def test_async_apis_pass_the_edges_of_a_request(self, found):
        """ChatCompletion.create_async and AsyncClient pass 0 as max_tokens and temperature (not as no value) and ignore_stream to every provider kind; AsyncClient passes a str prompt as the one user message"""
        self.assertEdgesReachTheProvider(found)

    @known(
        CLIENTS_REFUSE_IMAGES,
        ASYNC_STREAM_OF_SYNC_PROVIDER,
        ASYNC_CLIENT_ASYNC_PROVIDER,
        ASYNC_CLIENT_DROPS_KWARGS,
        *ASYNC_CLIENT_DEFECTS,
    )
    @in_child(async_requests)
    def test_async_apis_pass_images_as_media(self, found):
        """ChatCompletion.create_async and AsyncClient, streamed or not, pass an image (with its name or none), images (media's old name) and media to every provider kind as media, a list of (data, name) pairs in the order given"""
        self.assertEdgesReachTheProvider(found, media_of)

    @known(
        CLIENT_EMPTY_CHUNK_DELTA,
        CLIENT_EMPTY_CHUNK_DELTA_AGAIN,
        JSON_OBJECT_UNLABELED_FENCE,
        JSON_OBJECT_CRLF_FENCE,
        JSON_OBJECT_UNCLOSED_FENCE,
        CLIENTS_STOP_AT_THE_FIRST_LISTED_SEQUENCE,
        CLIENT_STREAM_LEAKS_SPLIT_STOP,
        *ASYNC_CLIENT_DEFECTS,
    )
    @in_child(async_requests)
    def test_async_client_applies_stop_max_tokens_json_and_ignore_stream(self, found):
        """AsyncClient ends the answer before the stop sequence that occurs (finish reason stop) and after max_tokens chunks (length), answers the JSON of a json_object response (fenced or bare), passes ignore_stream on, as Client does"""
        self.assertClientApplies(found)


class TestParameters(SyncParameterChecks, CheckTestCase):
    pass


class TestParametersNestApplied(SyncParameterChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncParameters(AsyncParameterChecks, CheckTestCase):
    pass


class TestAsyncParametersUvloop(AsyncParameterChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncParametersNestApplied(AsyncParameterChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
