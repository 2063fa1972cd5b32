"""The known-defect registry's entries for the client contracts (fidelity.py, incremental.py, errors.py,
timeouts.py, responses.py, parameters.py, images.py, third_party.py); known_defects.py is the registry and exports
them with its own. Each shape is what the check observes, in the vocabulary of its module.
"""

import re

from . import support
from .conditions import (
    NEVER_AWAITED,
    RUN_IN_LOOP,
    UVLOOP_UNPATCHABLE,
    nest_not_applied,
    python_before_3_11,
)
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
    calls=("AsyncClient",),
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
    calls=("Client", "AsyncClient"),
)
ASYNC_CLIENT_DROPS_KWARGS = Defect(
    "async-client-drops-kwargs",
    "AsyncClient passes the provider none of the parameters it does not name itself (temperature, a provider's "
    "own): a comma missing in its create (api_key=... api_key **kwargs) swallows them, with response_format",
    "0.2.8.1",
    OneOf(
        Returns({"g4f_tests_extra": "(not passed)", "response_format": "(not passed)", "temperature": "(not passed)"}),
        Returns({"temperature": "(not passed)"}),  # parameters.py's edges: max_tokens=0 and temperature=0
    ),
    last="0.2.9.8",
    where="seen in every regime: applies to you on g4f 0.2.8.1 to 0.2.9.8 if you pass AsyncClient temperature or "
    "any other parameter for the provider. Measured on the cells 0.2.8.1 and 0.2.9.8; 0.2.9.9 passes them (bisected "
    "in the wheels: 0.2.8.1 to 0.2.9.8 lack the comma, 0.2.9.9 has it)",
    workaround="upgrade to g4f 0.2.9.9 or later, or use ChatCompletion.create_async",
    calls=("AsyncClient",),
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
    calls=("Client",),
)
JSON_OBJECT_UNLABELED_FENCE = Defect(
    "json-object-unlabeled-fence",
    "Client and AsyncClient answer a json_object request whose JSON comes in a code fence without a language with "
    "the whole text, fence included (their markdown filter wants a language after the backticks)",
    "0.4.0.3",
    Returns(
        {
            "answer": ['Hier:\n```\n{"zwei": 2, "Wörld": "ö"}\n```', "stop"],  # parameters.py's JSON, so fenced
            "ignore_stream reached the provider": None,
        }
    ),
    last="8.3.7",
    where="seen in every regime: applies to you on g4f 0.4.0.3 to 8.3.7 if you ask a client for a json_object "
    "answer and the model fences its JSON without writing json after the backticks. Bisected: 0.4.0.2 and 8.4.0 "
    "answer the JSON",
    workaround="strip the fence yourself, or upgrade to g4f 8.4.0 or later",
    calls=("Client", "AsyncClient"),
)
JSON_OBJECT_UNCLOSED_FENCE = Defect(
    "json-object-unclosed-fence",
    "Client and AsyncClient answer a json_object request whose ```json fence is never closed (the answer cut off, "
    "as a length limit leaves it) with the whole text, the opening fence included",
    "0.2.2.0",
    Returns(
        {
            "answer": ['Here it is:\n```json\n{"zwei": 2, "Wörld": "ö"}', "stop"],  # parameters.py's JSON_CHUNKS[:2]
            "ignore_stream reached the provider": None,
        }
    ),
    last="0.4.0.2",
    where="seen in every regime: applies to you on g4f 0.4.0.2 and older (measured from 0.2.2.0, the oldest release "
    "in the matrix) if you ask a client for a json_object answer that can be cut off before its closing fence. "
    "Measured at the end: 0.4.0.3, whose fence filter was rewritten, answers the JSON",
    workaround="strip the opening fence yourself, or upgrade to g4f 0.4.0.3 or later",
    calls=("Client", "AsyncClient"),
)
CLIENTS_REFUSE_IMAGES = Defect(
    "clients-refuse-images",
    "Client and AsyncClient raise TypeError for a request that sends images, however it sends them (image, with "
    "its name or without, images or media): they index the list of images by each image's data",
    "0.5.1.6",
    OneOf(  # parameters.py's MEDIA: an image without a name, and every way with names
        Raises("builtins.TypeError", re.escape("'NoneType' object is not subscriptable")),
        Raises("builtins.TypeError", "list indices must be integers or slices, not bytes"),
    ),
    last="0.5.1.6",
    where="seen in every regime: applies to you on g4f 0.5.1.6 if you send images to a chat model through a client. "
    "Measured: 0.5.1.5 and 0.5.2.0 pass them on; ChatCompletion does on 0.5.1.6",
    workaround="upgrade to g4f 0.5.2.0 or later, or send them through ChatCompletion",
    calls=("Client", "AsyncClient"),
)
CLIENTS_STOP_AT_THE_FIRST_LISTED_SEQUENCE = Defect(
    "clients-stop-at-the-first-listed-sequence",
    "Client and AsyncClient end an answer at the first stop sequence of the list that a chunk holds, not at the "
    "earliest one in the text: with stop=['42', 'zwei'] and one chunk that says 'zwei' before '42', the answer "
    "ends before '42' and still holds 'zwei', a stop sequence",
    "0.2.2.0",
    OneOf(  # parameters.py's ONE_CHUNK, not streamed and streamed
        Returns(
            {"answer": ["Hello, Wörld \n  zwei  Leerzeichen ", "stop"], "ignore_stream reached the provider": None}
        ),
        Returns(
            {
                "answer": [["Hello, Wörld \n  zwei  Leerzeichen ", None], "stop"],
                "ignore_stream reached the provider": None,
            }
        ),
    ),
    where="seen in every regime, streamed or not: applies to you if you pass several stop sequences and one chunk can "
    "hold more than one of them (a provider that answers in one piece, or in long chunks). Measured on every line "
    "cell from 0.2.2.0 (the oldest release in the matrix) to 8.8.6",
    workaround="cut the answer yourself at the earliest stop sequence, or pass a single one",
    calls=("Client", "AsyncClient"),
)
CLIENT_STREAM_LEAKS_SPLIT_STOP = Defect(
    "client-stream-leaks-split-stop",
    "Client and AsyncClient stream a stop sequence that two chunks split: the chunk that completes it is sent whole "
    "(a chunk is cut only where the whole sequence is inside it), so the deltas hold it; not streamed, the answer "
    "ends before it",
    "0.2.2.0",
    Returns({"answer": ["Hello, Wörld", "stop"], "ignore_stream reached the provider": None}),  # parameters.py
    where="seen in every regime, on every release with the clients (0.2.2.0 to 8.8.6, each line's newest in the "
    "matrix): applies to you if you stream from a client with stop sequences, since a model's chunks can split one",
    workaround="cut the streamed text at the stop sequence yourself, or ask without stream=True",
    calls=("Client, stop across chunks, stream", "AsyncClient, stop across chunks, stream"),
)
CLIENTS_USAGE_TOTAL_ZERO = Defect(
    "clients-usage-total-zero",
    "a provider's Usage reported without total_tokens reaches the answer with total_tokens 0 (Client; AsyncClient "
    "over an async-generator provider), not the sum of the counts it has",
    "0.5.2.4",
    Returns({"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 0}),  # responses.PARTLY
    last="0.5.3.1",
    where="seen in every regime: applies to you on g4f 0.5.2.4 (the first release with the clients' usage) to 0.5.3.1 "
    "if you read usage.total_tokens from a provider that reports only its prompt and completion counts. Bisected: "
    "0.5.3.2 adds them up",
    workaround="add prompt_tokens and completion_tokens yourself, or upgrade to g4f 0.5.3.2 or later",
    calls=(
        "Client, usage reported without its total",
        "AsyncClient, usage reported without its total, not streamed, async-generator provider",
        "AsyncClient, usage reported without its total, stream, async-generator provider",
    ),
)


def _counts(prompt, completion):
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _apart(estimate, clients):
    """responses.py's observation where AsyncClient's estimate is not Client's for the same request."""
    return Returns({"estimate": estimate, "Client's estimate of the same request": clients})


# Client's own estimate for responses.py's request with no usage reported, by release (bisected: 0.6.3.3 adds the
# prompt, 0.6.3.5 counts the answer's bytes instead of its chunks).
_CLIENT_ESTIMATES = (
    ("0.5.2.4", "0.6.3.2", _counts(0, 7)),
    ("0.6.3.3", "0.6.3.4", _counts(6, 7)),
    ("0.6.3.5", None, _counts(6, 1015)),
)
_ONE_CHUNK, _OWN_SUM = _counts(0, 1), _counts(6, 1016)
ASYNC_CLIENT_DROPS_USAGE_OF_SYNC_PROVIDER = Defect(
    "async-client-drops-usage-of-sync-provider",
    "AsyncClient over a sync provider drops the provider's Usage when it comes without total_tokens, or in another "
    "vendor's names (input and output tokens, from 0.5.8.4), and answers g4f's own estimate instead (Client and an async-generator provider keep it); with no usage reported, that estimate is "
    "not Client's for the same request",
    "0.5.2.4",
    ByRelease(  # g4f's estimate changed in 6.8.5 (bisected: 6.8.4 counts one chunk and no prompt)
        *(
            (first, last, OneOf(Returns(_ONE_CHUNK), _apart(_ONE_CHUNK, clients)))
            for first, last, clients in _CLIENT_ESTIMATES[:2]
        ),
        ("0.6.3.5", "6.8.4", OneOf(Returns(_ONE_CHUNK), _apart(_ONE_CHUNK, _CLIENT_ESTIMATES[2][2]))),
        ("6.8.5", "7.4.7", OneOf(Returns(_OWN_SUM), _apart(_OWN_SUM, _CLIENT_ESTIMATES[2][2]))),
    ),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.5.2.4 to 7.4.7 if you read usage from AsyncClient over a sync "
    "provider: a report without its total is replaced by an estimate, and the estimate is not Client's. Bisected: "
    "7.5.0 keeps the report and estimates as Client does",
    workaround="use Client (in a thread from async code), or upgrade to g4f 7.5.0 or later",
    calls=(
        "AsyncClient, usage reported without its total, not streamed, sync provider",
        "AsyncClient, usage reported without its total, stream, sync provider",
        "AsyncClient, usage reported as input and output tokens, not streamed, sync provider",
        "AsyncClient, usage reported as input and output tokens, stream, sync provider",
        "AsyncClient, no usage reported, not streamed, sync provider",
        "AsyncClient, no usage reported, stream, sync provider",
    ),
)
ASYNC_CLIENT_ESTIMATES_APART = Defect(
    "async-client-estimates-apart",
    "with no usage reported, AsyncClient estimates a request's tokens by its own rule (no prompt tokens, one per "
    "chunk), where Client from 0.6.3.3 counts the prompt and from 0.6.3.5 the answer's bytes: the same request "
    "reports other token counts on the two clients",
    "0.6.3.3",
    ByRelease(
        *((first, last or "6.8.4", _apart(_counts(0, 7), clients)) for first, last, clients in _CLIENT_ESTIMATES[1:])
    ),
    last="6.8.4",
    where="seen in every regime: applies to you on g4f 0.6.3.3 to 6.8.4 if you bill or limit by the token counts "
    "of AsyncClient's answers from a provider that reports none. Bisected: 0.6.3.2 and 6.8.5 agree",
    workaround="estimate the tokens yourself, or upgrade to g4f 6.8.5 or later",
    calls=(
        "AsyncClient, no usage reported, not streamed, async-generator provider",
        "AsyncClient, no usage reported, stream, async-generator provider",
    ),
)
IMAGES_DROP_PROXY = Defect(
    "images-drop-proxy",
    "images.generate does not pass the proxy it is given on to the image provider (the api_key it does), in both "
    "clients",
    "0.3.8.3",
    Returns(dict(support.IMAGES, received=dict(support.IMAGE_REQUEST, proxy="(not passed)"))),
    last="0.4.9.6",
    where="seen in every regime: applies to you on g4f 0.3.8.3 to 0.4.9.6 if you generate images through a proxy: "
    "the provider connects without it. Measured on the cells from 0.3.8.3 to 0.4.7.5; bisected: 0.4.9.7 passes it",
    workaround="give the proxy to the image provider yourself, or upgrade to g4f 0.4.9.7 or later",
)
_PREVIEW_ANSWER = {"urls": [support.IMAGE_PREVIEW], "revised prompts": [support.IMAGE_PROMPT]}
IMAGES_ANSWER_THE_PREVIEW = Defect(
    "images-answer-the-preview",
    "images.generate takes an image provider's preview (ImagePreview, a progress report) for an image: up to "
    "0.4.9.9 the answer is the preview alone; from 0.5.0.1 the preview comes first, and every image carries the "
    "prompt, not the provider's revised one",
    "0.4.0.0",
    ByRelease(
        ("0.4.0.0", "0.4.9.9", Returns(dict(support.IMAGES, **_PREVIEW_ANSWER))),
        (
            "0.5.0.1",
            "0.5.6.4",
            Returns(
                dict(
                    support.IMAGES,
                    urls=[support.IMAGE_PREVIEW] + support.IMAGE_URLS,
                    **{"revised prompts": [support.IMAGE_PROMPT] * 3},
                )
            ),
        ),
    ),
    last="0.5.6.4",
    where="seen in every regime: applies to you on g4f 0.4.0.0 (where ImagePreview first appears) to 0.5.6.4 if "
    "your image provider reports progress with previews. Measured on the cells from 0.4.0.0 to 0.5.6.4; 0.5.6.5 "
    "answers the images alone",
    workaround="drop the images whose URL is a preview's, or upgrade to g4f 0.5.6.5 or later",
)
_EMPTY_CHUNK_DELTAS = [c for c in support.CHUNKS] + [None]
CLIENT_EMPTY_CHUNK_DELTA = Defect(
    "client-empty-chunk-delta",
    "Client and AsyncClient stream a chunk with an empty delta for an empty provider chunk (later releases send "
    "no chunk for it)",
    "0.2.2.0",
    OneOf(
        Returns(_EMPTY_CHUNK_DELTAS),
        Returns(list(support.CHUNKS)),  # the deltas an ASGI endpoint or a bot handler streamed (asgi.py, bots.py)
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
    when=nest_not_applied,
    where="seen where g4f's nest package was not applied (with it applied, from 0.2.8.1, the first release that "
    "nests, to 0.3.5.7 the provider is closed): applies to you on g4f 0.3.5.7 or older if you stop reading a "
    "stream early (a cancelled request, a stop button): the provider's connection stays open",
    workaround="upgrade to g4f 0.3.5.8 or later",
)
CLIENT_PROXY_TWICE = Defect(
    "client-proxy-twice",
    "Client.chat.completions.create(proxy=...) passes proxy to the provider twice: TypeError",
    "0.2.2.0",
    Raises("builtins.TypeError", r"(.*\.)?create_completion\(\) got multiple values for keyword argument 'proxy'"),
    last="0.2.2.3",
    where="seen in every regime: applies to you on g4f 0.2.2.0 to 0.2.2.3 if you pass proxy to the Client's create",
    workaround="set the proxy on the Client (Client(proxies=...)), or upgrade to g4f 0.2.2.4 or later",
    calls=("Client",),
)
_NEST_ERROR = 'g4f.errors.NestAsyncioError: Install "nest_asyncio" package'
_RUN_ERROR = "builtins.RuntimeError: asyncio.run() cannot be called from a running event loop"
_ASYNC_PROVIDER_SHAPES = (
    Raises("g4f.errors.NestAsyncioError", 'Install "nest_asyncio" package'),
    Raises("builtins.RuntimeError", RUN_IN_LOOP, [NEVER_AWAITED]),
    *[Returns({"received": r, "raised": _NEST_ERROR}) for r in (None, [])],
    *[Returns({"received": r, "raised": _RUN_ERROR}, [NEVER_AWAITED]) for r in (None, [])],
)
# On a uvloop loop up to 0.3.1.8 that sync path applies nest_asyncio to it, which refuses (uvloop-async-provider).
_UVLOOP_ERROR = "builtins.ValueError: Can't patch loop of type <class 'uvloop.Loop'>"
_UVLOOP_REFUSED_SHAPES = (
    Raises("builtins.ValueError", UVLOOP_UNPATCHABLE),
    *[Returns({"received": r, "raised": _UVLOOP_ERROR}) for r in (None, [])],
)
ASYNC_CLIENT_ASYNC_PROVIDER = Defect(
    "async-client-async-provider",
    "AsyncClient cannot call an AsyncProvider: it takes the provider's sync path inside its own running loop "
    "(NestAsyncioError up to 0.3.2.0, then a bare RuntimeError from asyncio.run() and a never-awaited coroutine; "
    "on uvloop up to 0.3.1.8 nest_asyncio's ValueError refusing to patch it)",
    "0.2.8.1",
    ByRelease(
        ("0.2.8.1", "0.3.1.8", OneOf(*_ASYNC_PROVIDER_SHAPES, *_UVLOOP_REFUSED_SHAPES)),
        ("0.3.1.9", "0.4.0.4", OneOf(*_ASYNC_PROVIDER_SHAPES)),
    ),
    last="0.4.0.4",
    where="seen in every regime: applies to you on g4f 0.2.8.1 to 0.4.0.4 if you use AsyncClient with an "
    "AsyncProvider (the ValueError measured on uvloop from 0.2.8.1 to 0.3.1.8, the ends of uvloop-async-provider's "
    "shape)",
    workaround="upgrade to g4f 0.4.0.5 or later, or use ChatCompletion.create_async",
    calls=("AsyncClient",),
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
    calls=("AsyncClient",),
)
CLIENTS_IGNORE_G4F_PROXY = Defect(
    "clients-ignore-g4f-proxy",
    "Client and AsyncClient do not read G4F_PROXY, which g4f documents as its global proxy: a request that names "
    "no proxy reaches the provider without one, where ChatCompletion passes G4F_PROXY on",
    "7.2.5",
    Returns("(not passed)"),
    calls=("Client, G4F_PROXY set, none named", "AsyncClient, G4F_PROXY set, none named"),
    where="seen in every regime: applies to you if you rely on G4F_PROXY with the clients. Bisected: 7.2.2 reads it, "
    "7.2.5 does not (7.2.3 and 7.2.4 cannot be imported)",
    workaround="make the client with it: Client(proxies=os.environ['G4F_PROXY']), or pass proxy= to each create",
)
CREATE_ASYNC_IGNORES_G4F_PROXY = Defect(
    "create-async-ignores-g4f-proxy",
    "ChatCompletion.create_async does not read G4F_PROXY, where ChatCompletion.create does: a request that names "
    "no proxy reaches the provider without one",
    "0.2.2.0",
    Returns("(not passed)"),
    last="0.3.9.5",
    calls=("ChatCompletion.create_async, G4F_PROXY set, none named",),
    where="seen in every regime: applies to you on g4f 0.3.9.5 and older if you rely on G4F_PROXY with create_async "
    "(bisected: 0.3.9.6 reads it)",
    workaround="pass proxy= to create_async, or upgrade to g4f 0.3.9.6 or later",
)
CLIENT_PROXY_TWICE_WITH_G4F_PROXY = Defect(
    "client-proxy-twice-with-g4f-proxy",
    "with G4F_PROXY set, Client.chat.completions.create(proxy=...) passes proxy to the provider twice: TypeError "
    "(client-proxy-twice, fixed in 0.2.2.4 for the rest, stays where G4F_PROXY is set)",
    "0.2.2.4",
    Raises("builtins.TypeError", r"(.*\.)?create_completion\(\) got multiple values for keyword argument 'proxy'"),
    last="0.2.8.0",
    calls=("Client, G4F_PROXY set, a proxy named",),
    where="seen in every regime: applies to you on g4f 0.2.2.4 to 0.2.8.0 if G4F_PROXY is set and you pass proxy to "
    "the Client's create (0.2.8.1 is the next release, and passes it once)",
    workaround="unset G4F_PROXY and pass the proxy, or upgrade to g4f 0.2.8.1 or later",
)
CLIENT_LEAVES_ASYNC_PROVIDER_OPEN = Defect(
    "client-leaves-async-provider-open",
    "Client over an async-generator provider, once it ended the answer itself (max_tokens), leaves the provider's "
    "generator suspended, its finally not run, streamed or not",
    "0.2.2.0",
    Returns({"answer": "Hello", "closed": False}),
    last="0.3.5.7",
    when=nest_not_applied,
    where="seen in the plain regime (after nest_asyncio was applied, g4f closes it): applies to you on g4f "
    "0.2.2.0 to 0.3.5.7 if you use max_tokens with the sync Client over an async provider. Bisected: 0.3.5.8 (g4f's "
    "new bridge, to_sync_generator) closes it",
    workaround="upgrade to g4f 0.3.5.8 or later",
    calls=("Client, not streamed, async-generator provider", "Client, stream, async-generator provider"),
)
# fidelity.py's provider that yields an exception object among its text ("Hallo", the error, ", Wörld ", "42").
_ERROR_JOINED = "HalloZu viele Anfragen für „Wörld“, Wörld 42"
LEGACY_JOINS_ERROR_CHUNKS = Defect(
    "legacy-joins-error-chunks",
    "ChatCompletion's answer not streamed takes an exception object a provider yields among its chunks for text: "
    "its message is joined into the answer",
    "0.2.2.0",
    Returns(_ERROR_JOINED),
    last="0.3.9.7",
    where="seen in every regime: applies to you on g4f 0.3.9.7 and older (measured from 0.2.2.0, the oldest release in "
    "the matrix) if a provider reports an error as an exception object among its chunks (g4f's own do): the error "
    "becomes part of the answer. Bisected: 0.4.0.0 leaves it out (create_async over a sync provider raised "
    "create-async-error-chunk-type-error up to 0.3.7.6)",
    workaround="upgrade to g4f 0.4.0.0 or later",
    calls=("ChatCompletion.create, not streamed", "ChatCompletion.create_async, not streamed, sync provider"),
)
CREATE_ASYNC_ERROR_CHUNK_TYPE_ERROR = Defect(
    "create-async-error-chunk-type-error",
    "ChatCompletion.create_async over a sync provider that yields an exception object (or None) among its chunks "
    "joins the chunks as str and fails with TypeError (with None, over an async-generator provider too, up to 0.3.2.0)",
    "0.2.2.0",
    Raises("builtins.TypeError", r"sequence item 1: expected str instance, (ValueError|NoneType) found"),
    last="0.3.7.6",
    where="seen in every regime: applies to you on g4f 0.3.7.6 and older (measured from 0.2.2.0, the oldest release in "
    "the matrix) if you await create_async over a sync provider that reports an error among its chunks. Bisected: "
    "0.3.8.0 answers (legacy-joins-error-chunks)",
    workaround="upgrade to g4f 0.4.0.0 or later",
    calls=(
        "ChatCompletion.create_async, not streamed, sync provider",
        "ChatCompletion.create_async, a None chunk, not streamed",
    ),
)
# fidelity.py's provider that yields None among its text, as each API takes it for text.
_NONE_JOINED = "HalloNone, Wörld 42"
_NONE_DELTA = ["Hallo", None, ", Wörld ", "42", None]
_NONE_TEXT_DELTA = ["Hallo", "None", ", Wörld ", "42", None]
_NONE_AS_NONE = OneOf(Returns(_NONE_JOINED), Returns(_NONE_DELTA))  # the delta None itself
_NONE_AS_TEXT = OneOf(Returns(_NONE_JOINED), Returns(_NONE_TEXT_DELTA))  # the delta the text "None"
LEGACY_JOINS_NONE_CHUNKS = Defect(
    "legacy-joins-none-chunks",
    "ChatCompletion's answer not streamed takes a None a provider yields among its chunks for text: the word None is "
    "joined into the answer",
    "0.2.2.0",
    Returns(_NONE_JOINED),
    last="0.3.9.2",
    where="seen in every regime: applies to you on g4f 0.3.9.2 and older (measured from 0.2.2.0, the oldest release in "
    "the matrix) if a provider yields None among its chunks (as one that reads a delta without content may). "
    "Bisected: 0.3.9.3 leaves it out (create_async raises create-async-error-chunk-type-error up to 0.3.7.6 over a "
    "sync provider, up to 0.3.2.0 over an async-generator one)",
    workaround="upgrade to g4f 0.3.9.3 or later",
    calls=(
        "ChatCompletion.create, a None chunk, not streamed",
        "ChatCompletion.create_async, a None chunk, not streamed",
    ),
)
CLIENTS_TAKE_NONE_CHUNKS_FOR_TEXT = Defect(
    "clients-take-none-chunks-for-text",
    "Client and AsyncClient take a None a provider yields among its chunks for text: the answer not streamed holds "
    "the word None, and a stream delivers a delta for it (None up to 0.3.3.3, the text 'None' from 0.3.4.6)",
    "0.2.2.0",
    ByRelease(
        ("0.2.2.0", "0.3.3.3", _NONE_AS_NONE),
        ("0.3.4.6", "0.3.7.5", _NONE_AS_TEXT),
    ),
    last="0.3.7.5",
    where="seen in every regime: applies to you on g4f 0.3.7.5 and older (measured from 0.2.2.0, the oldest release in "
    "the matrix) if a provider yields None among its chunks. Bisected: 0.3.7.6 leaves it out (until "
    "clients-take-none-chunks-for-text-again)",
    workaround="upgrade to g4f 0.5.2.8 or later (0.3.7.6 to 0.4.7.3 leave it out too)",
    calls=("Client", "AsyncClient"),
)
CLIENTS_TAKE_NONE_CHUNKS_FOR_TEXT_AGAIN = Defect(
    "clients-take-none-chunks-for-text-again",
    "clients-take-none-chunks-for-text, back: the answer not streamed holds the word None, and a stream delivers a "
    "delta for it (the text 'None' up to 0.4.9.8, None from 0.4.9.9)",
    "0.4.7.4",
    ByRelease(
        ("0.4.7.4", "0.4.9.8", _NONE_AS_TEXT),
        ("0.4.9.9", "0.5.2.7", _NONE_AS_NONE),
    ),
    last="0.5.2.7",
    where="seen in every regime: applies to you on g4f 0.4.7.4 to 0.5.2.7 if a provider yields None among its "
    "chunks. Bisected: 0.4.7.3 and 0.5.2.8 leave it out",
    workaround="upgrade to g4f 0.5.2.8 or later",
    calls=("Client", "AsyncClient"),
)
JSON_OBJECT_CRLF_FENCE = Defect(
    "json-object-crlf-fence",
    "Client and AsyncClient answer a json_object request whose JSON comes in a code fence with Windows line ends "
    "(CRLF) with the whole text, fence included",
    "0.2.2.0",
    Returns(
        {
            "answer": ['Hier:\r\n```json\r\n{"zwei": 2, "Wörld": "ö"}\r\n```\r\nFertig.', "stop"],  # parameters.py
            "ignore_stream reached the provider": None,
        }
    ),
    last="8.3.7",
    where="seen in every regime: applies to you on g4f 8.3.7 and older (measured from 0.2.2.0, the oldest release in "
    "the matrix) if you ask a client for a json_object answer and the model writes CRLF line ends. 8.4.0 answers the "
    "JSON (the release that also honours a fence without a language)",
    workaround="normalise the line ends and strip the fence yourself, or upgrade to g4f 8.4.0 or later",
    calls=(
        "Client, json_object fenced with CRLF line ends",
        "AsyncClient, json_object fenced with CRLF line ends",
    ),
)
CLIENTS_TAKE_ERROR_CHUNKS_FOR_TEXT = Defect(
    "clients-take-error-chunks-for-text",
    "Client and AsyncClient take an exception object a provider yields among its chunks for text: the answer not "
    "streamed holds its message, and a stream delivers it as a delta (the object itself up to 0.3.3.3, its message "
    "from 0.3.4.6)",
    "0.2.2.0",
    ByRelease(
        (
            "0.2.2.0",
            "0.3.3.3",
            OneOf(Returns(_ERROR_JOINED), Returns(["Hallo", {"object": "ValueError"}, ", Wörld ", "42", None])),
        ),
        (
            "0.3.4.6",
            "0.4.3.4",
            OneOf(Returns(_ERROR_JOINED), Returns(["Hallo", "Zu viele Anfragen für „Wörld“", ", Wörld ", "42", None])),
        ),
    ),
    last="0.4.3.4",
    where="seen in every regime: applies to you on g4f 0.4.3.4 and older (measured from 0.2.2.0, the oldest release in "
    "the matrix; 0.3.3.4 to 0.3.4.5 cannot be imported offline) if a provider reports an error as an exception "
    "object among its chunks: your client's answer shows it as text. Bisected: 0.4.3.5 leaves it out",
    workaround="upgrade to g4f 0.4.3.5 or later",
    calls=("Client", "AsyncClient"),
)
ASYNC_CLIENT_BLOCKS_THE_LOOP = Defect(
    "async-client-blocks-the-loop",
    "AsyncClient runs an async-generator provider through the sync bridge, on a loop nested in the caller's: while "
    "the provider waits, the caller's task cannot be cancelled (cancel() does not end the call; the provider gets no "
    "CancelledError)",
    "0.3.4.6",
    OneOf(  # the task's error is logged as never retrieved on a plain loop, not after nest was applied
        Returns("the call did not end within 2.0 s of cancel()", ["Task exception was never retrieved"]),
        Returns("the call did not end within 2.0 s of cancel()"),
    ),
    last="0.3.7.1",
    where="seen on the default loop, nest applied or not (on uvloop, or without a nest package, the call fails "
    "at once: async-client-sync-bridge): applies to you on g4f 0.3.4.6 to 0.3.7.1 if you cancel AsyncClient "
    "streams (a request timeout, a client that went away). Measured at both ends; 0.3.7.2 works (bisected for "
    "async-client-sync-bridge)",
    workaround="upgrade to g4f 0.3.7.2 or later",
)
