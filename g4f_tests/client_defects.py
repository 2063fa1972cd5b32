"""The known-defect registry's entries for the client contracts (fidelity.py, incremental.py, errors.py,
timeouts.py, responses.py, parameters.py, images.py, third_party.py); known_defects.py is the registry and exports
them with its own. Each shape is what the check observes, in the vocabulary of its module.
"""

from . import support
from .conditions import NEVER_AWAITED, RUN_IN_LOOP, nest_not_applied, python_before_3_11
from .verdicts import ByRelease, Defect, OneOf, Raises, Returns

# g4f's RaiseExceptionProviderMock as errors.py asks it, not streamed and streamed (a subclass that streams).
_RAISE_MOCKS = ("RaiseExceptionProviderMock", "StreamingRaiseExceptionProviderMock")
NO_USE_STREAM_TIMEOUT = "type object '%s' has no attribute 'use_stream_timeout'"
ASYNC_CLIENT_USE_STREAM_TIMEOUT = Defect(
    "async-client-use-stream-timeout",
    "AsyncClient reads the provider's use_stream_timeout, which only AsyncGeneratorProvider defines: a provider "
    "based on AbstractProvider or AsyncProvider without it (g4f's own RaiseExceptionProviderMock, a third "
    "party's) gets AttributeError from every AsyncClient request, streamed or not, and is never called",
    "7.5.0",
    OneOf(
        Raises("builtins.AttributeError", NO_USE_STREAM_TIMEOUT % r"\w+"),
        *[
            Returns({"received": received, "raised": "builtins.AttributeError: " + NO_USE_STREAM_TIMEOUT % name})
            for name in _RAISE_MOCKS
            for received in (None, [])
        ],
    ),
    where="seen in every regime: applies to you if you pass AsyncClient a provider class of your own based on "
    "AbstractProvider or AsyncProvider (ChatCompletion and Client take it)",
    workaround="set use_stream_timeout = False on the provider class (as g4f's own test mocks do), or base it on "
    "AsyncGeneratorProvider",
)
CLIENT_STREAM_NO_LIMIT = Defect(
    "client-stream-no-limit",
    "the sync Client does not limit the wait for a stream's chunks: with stream_timeout (or timeout, for a "
    "provider whose use_stream_timeout is False) it waits as long as the provider takes, where AsyncClient "
    "raises TimeoutError",
    "7.5.0",
    Returns({"received": [support.CHUNKS[0], support.CHUNKS[1], None], "raised": None}),
    where="seen in every regime: applies to you if you rely on stream_timeout or timeout to end a stalled "
    "stream of the sync Client (a chat UI, a bot)",
    workaround="use AsyncClient, or watch the time yourself between chunks",
)
CLIENT_RESPONSE_WITHOUT_MODEL = Defect(
    "client-response-without-model",
    "the sync Client's ChatCompletion and chunks have model None and provider None (its iter_response drops "
    "the provider info it is given), where AsyncClient's carry the model requested and the provider's name",
    "6.9.8",
    Returns({"model": None, "provider": None}),
    where="seen in every regime: applies to you if you read response.model or response.provider of the sync "
    "Client (logging, billing, an OpenAI-compatible proxy)",
    workaround="use the model you asked for, or AsyncClient",
)
CLIENTS_DROP_RESPONSE_FORMAT = Defect(
    "clients-drop-response-format",
    "Client and AsyncClient keep response_format to themselves (they only filter the answer for json_object): "
    "the provider never gets it, where ChatCompletion passes it on",
    "0.2.2.0",
    Returns({"response_format": "(not passed)"}),
    where="seen in every regime: applies to you if you ask a client for JSON (response_format) from a provider "
    "that supports it, such as g4f's OpenAI-compatible ones: the provider is not asked for JSON",
    workaround="ask for JSON in the prompt, or use ChatCompletion.create / create_async",
)
SYNC_IMAGES_IN_RUNNING_LOOP = Defect(
    "sync-images-in-running-loop",
    "Client().images.generate runs its async implementation with asyncio.run(), which cannot run inside a running "
    "event loop: a bare RuntimeError and a never-awaited coroutine, where chat completions nest",
    "0.3.8.3",
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    issues=(2658,),
    when=nest_not_applied,
    where="seen on a plain asyncio loop and on uvloop: applies to you if you generate images with the sync Client "
    "from async code (a Discord or Telegram bot, a notebook cell) without nest_asyncio2 applied",
    workaround="await AsyncClient().images.generate, or apply nest_asyncio2 first",
)
_EMPTY_CHUNK_DELTAS = [c for c in support.CHUNKS] + [None]
CLIENT_EMPTY_CHUNK_DELTA = Defect(
    "client-empty-chunk-delta",
    "Client and AsyncClient stream a chunk with an empty delta for an empty provider chunk (later releases send "
    "no chunk for it)",
    "0.2.2.0",
    OneOf(
        Returns(_EMPTY_CHUNK_DELTAS),
        Returns(
            {
                "answer": [["Hello", ", Wörld", " ", "", "\n  ", None], "stop"],
                "ignore_stream reached the provider": None,
            }
        ),
    ),
    last="0.3.9.5",
    where="seen in every regime: applies to you on g4f 0.3.9.5 or older (and 0.4.9.9 to 0.5.2.7) if you count or "
    "display the deltas of a client stream",
    workaround="skip chunks whose delta content is empty, or upgrade to g4f 0.5.2.8 or later",
)
CLIENT_EMPTY_CHUNK_DELTA_AGAIN = Defect(
    "client-empty-chunk-delta-again",
    CLIENT_EMPTY_CHUNK_DELTA.reason + ", again (0.3.9.6 to 0.4.9.8 sent none)",
    "0.4.9.9",
    CLIENT_EMPTY_CHUNK_DELTA.shape,
    last="0.5.2.7",
    where=CLIENT_EMPTY_CHUNK_DELTA.where,
    workaround=CLIENT_EMPTY_CHUNK_DELTA.workaround,
)
EARLY_CLOSE_LEAVES_PROVIDER_OPEN = Defect(
    "early-close-leaves-provider-open",
    "closing a sync stream (ChatCompletion.create(stream=True), Client) of an async-generator provider after one "
    "chunk leaves the provider's generator open: its finally does not run",
    "0.2.2.0",
    Returns({"first": support.CHUNKS[0], "closed": False}),
    last="0.3.5.7",
    where="seen in every regime: applies to you on g4f 0.3.5.7 or older if you stop reading a stream early (a "
    "cancelled request, a stop button): the provider's connection stays open",
    workaround="upgrade to g4f 0.3.5.8 or later",
)
CLIENT_PROXY_TWICE = Defect(
    "client-proxy-twice",
    "Client.chat.completions.create(proxy=...) passes proxy to the provider twice: TypeError",
    "0.2.2.0",
    Raises("builtins.TypeError", r".*\.create_completion\(\) got multiple values for keyword argument 'proxy'"),
    last="0.2.2.3",
    where="seen in every regime: applies to you on g4f 0.2.2.0 to 0.2.2.3 if you pass proxy to the Client's create",
    workaround="set the proxy on the Client (Client(proxies=...)), or upgrade to g4f 0.2.2.4 or later",
)
_NEST_ERROR = 'g4f.errors.NestAsyncioError: Install "nest_asyncio" package'
_RUN_ERROR = "builtins.RuntimeError: asyncio.run() cannot be called from a running event loop"
ASYNC_CLIENT_ASYNC_PROVIDER = Defect(
    "async-client-async-provider",
    "AsyncClient cannot call an AsyncProvider: it takes the provider's sync path inside its own running loop "
    "(NestAsyncioError up to 0.3.2.0, then a bare RuntimeError from asyncio.run() and a never-awaited coroutine)",
    "0.2.8.1",
    OneOf(
        Raises("g4f.errors.NestAsyncioError", 'Install "nest_asyncio" package'),
        Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
        *[Returns({"received": r, "raised": _NEST_ERROR}) for r in (None, [])],
        *[Returns({"received": r, "raised": _RUN_ERROR}, [NEVER_AWAITED]) for r in (None, [])],
    ),
    last="0.4.0.4",
    where="seen in every regime: applies to you on g4f 0.2.8.1 to 0.4.0.4 if you use AsyncClient with an "
    "AsyncProvider",
    workaround="upgrade to g4f 0.4.0.5 or later, or use ChatCompletion.create_async",
)
CLIENT_TIMEOUT_IS_ASYNCIO_ERROR = Defect(
    "client-timeout-is-asyncio-error",
    "AsyncClient's stream limit lets asyncio.TimeoutError through, which before Python 3.11 is not the builtin "
    "TimeoutError g4f means to raise (its except TimeoutError does not catch it): no message either",
    "7.5.0",
    Returns(
        {
            "received": [support.CHUNKS[0]],
            "raised": "asyncio.exceptions.TimeoutError: ",
            "promptly": True,
            "closed": True,
        }
    ),
    when=python_before_3_11,
    where="seen on Python 3.8: applies to you on Python 3.8 to 3.10 if you catch TimeoutError around an "
    "AsyncClient stream with stream_timeout or timeout",
    workaround="catch asyncio.TimeoutError as well (or use Python 3.11 or later)",
)
# images.py's create_variation, measured on the line's releases 0.3.4.6 to 8.8.6 and on 0.5.1.3, 0.5.2.8, 0.5.4.4,
# 0.5.6.0 and 0.5.7.0 (scratch environments of each release).
_NO_VARIATION = "Provider <class 'abc.ImageProviderMock'> does not support image variation"
CLIENT_VARIATION_EARLY = Defect(
    "client-variation-early",
    "images.create_variation answers no image: a sync image provider is refused as not supporting variations, "
    "an async-generator one fails in the clients' own code (a TypeError, then an AttributeError and a "
    "never-awaited coroutine)",
    "0.3.4.6",
    OneOf(
        Raises("builtins.ValueError", _NO_VARIATION),
        Raises("g4f.errors.NoImageResponseError", _NO_VARIATION),
        Raises(
            "builtins.TypeError",
            r"Images\._process_image_response\(\) missing 1 required positional argument: " "'response_format'",
        ),
        Raises("builtins.AttributeError", "'coroutine' object has no attribute 'data'", [NEVER_AWAITED]),
    ),
    last="0.3.7.2",
    where="seen in every regime: applies to you on g4f 0.3.4.6 to 0.3.7.2 (measured at both ends, not bisected "
    "further) if you make image variations",
    workaround="upgrade to g4f 0.5.7.0 or later",
)
CLIENT_VARIATION_ARGUMENTS = Defect(
    "client-variation-arguments",
    "images.create_variation(image, image_name=..., prompt=..., ...) raises TypeError in the clients' own code: "
    "the prompt (then the image name) passed twice, then the arguments passed by position to a keyword-only method",
    "0.4.0.0",
    Raises(
        "builtins.TypeError",
        r"Images\.(_generate_image_response\(\) got multiple values for argument 'prompt'|async_create_variation\(\) "
        r"(got multiple values for argument 'image_name'|takes 1 positional argument but 5 positional arguments "
        r"\(and 2 keyword-only arguments\) were given))",
    ),
    last="0.5.6.6",
    where="seen in every regime: applies to you on g4f 0.4.0.0 to 0.5.6.6 if you make image variations. Measured: "
    "0.4.0.0 to 0.5.1.3 prompt, 0.5.2.8 and 0.5.4.4 image_name, 0.5.6.0 positional; 0.5.7.0 works (0.3.7.2 to "
    "0.4.0.0 and 0.5.6.0 to 0.5.7.0 not bisected further)",
    workaround="upgrade to g4f 0.5.7.0 or later",
)
# shorthands.py's create(raw=True), measured on 0.6.3.2 to 0.6.3.7, 0.6.4.3, 6.0.5, 6.6.0 to 6.7.0, 6.8.0, 7.0.0,
# 7.4.7, 7.5.0, 8.0.5 and 8.8.6 (scratch environments of each release).
_RAW_ARGUMENT = (
    r"(Async)?Completions\.create\.<locals>\.raw_response\(\) missing 1 required positional argument: 'response'"
)
CLIENTS_RAW_EARLY = Defect(
    "clients-raw-early",
    "the first releases with raw=True answer nothing over a provider that yields no JSON object (streamed; "
    "Client's not streamed raises StopIteration), and AsyncClient's not streamed raises TypeError whatever the provider yields",
    "0.6.3.2",
    OneOf(
        Raises("builtins.StopIteration", ""),
        Returns([]),
        Raises("builtins.TypeError", "'async_generator' object is not an iterator"),
    ),
    last="0.6.3.3",
    where="seen in every regime: applies to you on g4f 0.6.3.2 and 0.6.3.3 if you use raw=True",
    workaround="upgrade to g4f 7.5.0 or later (Client), and see async-client-raw-text",
)
CLIENTS_RAW_NOT_STREAMED = Defect(
    "clients-raw-not-streamed",
    "create(raw=True) not streamed raises TypeError (its raw_response called without the response): Client's up to "
    "6.6.7, AsyncClient's up to 0.6.3.6",
    "0.6.3.4",
    Raises("builtins.TypeError", _RAW_ARGUMENT),
    last="6.6.7",
    where="seen in every regime: applies to you on g4f 0.6.3.4 to 6.6.7 if you ask for raw=True without stream",
    workaround="stream (stream=True) and take the first object, or upgrade to g4f 6.7.0 or later",
)
ASYNC_CLIENT_RAW_TEXT = Defect(
    "async-client-raw-text",
    "AsyncClient's create(raw=True) over a provider that yields no JSON object raises TypeError, streamed or not "
    "(its fallback iterates the async answer with a plain for loop), where Client's answers the text; up to 7.4.7 "
    "also over a sync provider that yields JSON",
    "0.6.3.4",
    ByRelease(
        (
            "0.6.3.4",
            "0.6.3.6",
            Raises("builtins.TypeError", "'async for' requires an object with __aiter__ method, got list"),
        ),
        ("0.6.3.7", None, Raises("builtins.TypeError", "'async_generator' object is not iterable")),
    ),
    where="seen in every regime: applies to you if you ask AsyncClient for raw=True from a provider that is not "
    "OpenAI-compatible (any of g4f's web providers)",
    workaround="use Client, or raw=False for such providers",
)
# response_objects.py: what a provider yields besides text, in that module's vocabulary (its EXPECTED, cut down to
# the keys a test asks for). Measured with scratch environments of each release named (the matrix's line cells
# run them): 0.5.2.6 and 0.5.2.7 cannot be imported offline (nodriver).
_NS = {"content": "Hallo, Wörld 42", "reasoning": "Denke über „Wörld“ nach… \n", "finish_reason": "tool_calls"}
_TOOL_CALLS = [
    {"id": "call_Ä1", "type": "function", "function": {"name": "get_Wetter", "arguments": '{"stadt": "Köln"}'}},
    {"id": "call_2", "type": "function", "function": {"name": "Zeit", "arguments": "{}"}},
]
_NS.update(tool_calls=_TOOL_CALLS, provider="Upstream-Prövider", model="Upstream-Modell 2")
_REASONING = ["Denke ", "über „Wörld“ nach… ", "\n"]
_DELTAS = [{"content": chunk} for chunk in ("Hallo", ", Wörld ", "42")] + [{"tool_calls": _TOOL_CALLS}, {}]
_STREAM = {"deltas": [{"reasoning": token} for token in _REASONING] + _DELTAS, "provider": _NS["provider"]}
_STREAM.update(model=_NS["model"], finish_reason=[None] * 7 + ["stop"])
_NS_STOP = dict(_NS, finish_reason="stop")
CLIENT_TOOL_CALLS_STOP = Defect(
    "client-tool-calls-stop",
    "an answer that delivered the provider's tool calls ends with finish reason \"stop\", where OpenAI's say "
    '"tool_calls": the clients\' streams always, their answers not streamed up to 7.4.3',
    "0.5.2.6",
    ByRelease(
        ("0.5.2.6", "7.4.3", OneOf(Returns(_NS_STOP), Returns(_STREAM))),
        ("7.4.4", None, Returns(_STREAM)),
    ),
    where='seen in every regime: applies to you if your agent loop reads finish_reason == "tool_calls" to run '
    "the tools of a client stream (an OpenAI-compatible agent framework). Measured: 0.5.7.1 to 7.4.3 not streamed "
    "too (7.4.3 stop, 7.4.4 tool_calls), every release since 0.5.7.1 streamed",
    workaround="run the tools when the stream delivered tool_calls deltas, whatever the finish reason",
)
CLIENT_REASONING_AS_TEXT = Defect(
    "client-reasoning-as-text",
    "the clients stream the provider's reasoning tokens as text (delta.content: the Reasoning objects themselves) "
    "and drop them from the answer not streamed (message.reasoning None)",
    "0.5.2.6",
    OneOf(
        Returns(dict(_NS_STOP, reasoning=None)),
        Returns(dict(_STREAM, deltas=[{"content": {"Reasoning": token}} for token in _REASONING] + _DELTAS)),
    ),
    last="0.6.0.3",
    where="seen in every regime: applies to you on g4f 0.5.2.6 to 0.6.0.3 if you use a reasoning model: its "
    "thinking is shown as the answer. Measured: 0.5.2.8 to 0.6.0.3 (0.6.0.4 and 0.6.0.5 were never published), "
    "0.6.1.1 fixed",
    workaround="upgrade to g4f 0.6.1.1 or later",
)
CLIENTS_CONVERSATION_OBJECT = Defect(
    "clients-conversation-object",
    "the clients' answers carry the provider's JsonConversation object as conversation, where g4f's stubs declare "
    "a dict (and its API serves and takes one): AsyncClient's always, the Client's closing stream chunk from "
    "8.5.6; only the Client's answer not streamed has the dict",
    "0.5.2.6",
    Returns(
        {
            "conversation": {
                "JsonConversation": {"conversation_id": "Gespräch-42", "message_ids": ["a1", "Ö2"], "Parent": None}
            }
        }
    ),
    where="seen in every regime: applies to you if you read or store response.conversation as a dict (json.dumps "
    "it, index it) with AsyncClient, or from a Client stream",
    workaround="read it with getattr, or convert it: conversation.get_dict() when it has one",
)
CLIENT_STREAM_DROPS_CONVERSATION = Defect(
    "client-stream-drops-conversation",
    "the sync Client's stream drops the provider's conversation: its closing chunk has conversation None, where "
    "AsyncClient's carries it",
    "0.5.2.6",
    Returns({"conversation": None}),
    last="8.5.5",
    where="seen in every regime: applies to you on g4f 8.5.5 or older if you continue a provider's conversation "
    "from a Client stream. Measured: 0.5.7.1 to 8.5.5 (8.5.0, 8.5.5), 8.5.6 carries it",
    workaround="use AsyncClient, or Client without stream, or upgrade to g4f 8.5.6 or later",
)
