"""The known-defect registry's entries for what the clients carry besides text and their other ways to ask
(response_objects.py, shorthands.py, images.py's variations); known_defects.py exports them with its own. Each
shape is what the check observes, in the vocabulary of its module.
"""

from . import support
from .conditions import NEVER_AWAITED
from .verdicts import ByRelease, Defect, OneOf, Raises, Returns

# images.py's create_variation, measured on the line's releases 0.3.4.6 to 8.8.6 and on 0.5.1.3, 0.5.2.8, 0.5.4.4,
# 0.5.6.0 and 0.5.7.0 (scratch environments of each release).
_NO_VARIATION = "Provider <class 'abc.ImageProviderMock'> does not support image variation"
_VARIATION_COROUTINE = Raises("builtins.AttributeError", "'coroutine' object has no attribute 'data'", [NEVER_AWAITED])
CLIENT_VARIATION_EARLY = Defect(
    "client-variation-early",
    "images.create_variation answers no image: a sync image provider is refused as not supporting variations, "
    "an async-generator one fails in the clients' own code (a TypeError, then an AttributeError and a "
    "never-awaited coroutine)",
    "0.3.4.6",
    ByRelease(
        (
            "0.3.4.6",
            "0.3.7.2",
            OneOf(
                Raises("builtins.ValueError", _NO_VARIATION),
                Raises("g4f.errors.NoImageResponseError", _NO_VARIATION),
                Raises(
                    "builtins.TypeError",
                    # before Python 3.10 the message names the function without its class
                    r"(Images\.)?_process_image_response\(\) missing 1 required positional argument: "
                    "'response_format'",
                ),
                _VARIATION_COROUTINE,
            ),
        ),
        (  # bisected: the sync provider named None, then NoneType
            "0.3.7.3",
            "0.3.8.0",
            OneOf(
                Raises("g4f.errors.NoImageResponseError", r"Provider (None|NoneType) does not support image variation"),
                _VARIATION_COROUTINE,
            ),
        ),
    ),
    last="0.3.8.0",
    where="seen in every regime: applies to you on g4f 0.3.4.6 to 0.3.8.0 if you make image variations. Bisected: "
    "0.3.8.1 fails otherwise (client-variation-arguments)",
    workaround="upgrade to g4f 0.5.7.0 or later",
)
CLIENT_VARIATION_ARGUMENTS = Defect(
    "client-variation-arguments",
    "images.create_variation(image, image_name=..., prompt=..., ...) raises TypeError in the clients' own code: "
    "the prompt (then the image name) passed twice, then the arguments passed by position to a keyword-only method",
    "0.3.8.1",
    Raises(
        "builtins.TypeError",
        # before Python 3.10 the message names the function without its class
        r"(Images\.)?(_generate_image_response\(\) got multiple values for argument 'prompt'|async_create_variation"
        r"\(\) (got multiple values for argument 'image_name'|takes 1 positional argument but 5 positional arguments "
        r"\(and 2 keyword-only arguments\) were given))",
    ),
    last="0.5.6.3",
    where="seen in every regime: applies to you on g4f 0.3.8.1 to 0.5.6.3 if you make image variations. Measured: "
    "0.3.8.1 to 0.5.1.3 prompt, 0.5.2.8 and 0.5.4.4 image_name (also on Python 3.8: 0.5.4.3 and 0.5.4.4), 0.5.6.0 "
    "to 0.5.6.3 positional; 0.5.6.4 works (bisected; 0.3.7.2 to 0.3.8.1 not bisected further)",
    workaround="upgrade to g4f 0.5.6.4 or later",
)
ASYNC_CLIENT_VARIATION_POSITIONAL = Defect(
    "async-client-variation-positional",
    "AsyncClient().images.create_variation(image, ...) still passes its arguments by position to a keyword-only "
    "method, one release after the sync Client's was fixed: TypeError",
    "0.5.6.4",
    Raises(
        "builtins.TypeError",
        r"(Images\.)?async_create_variation\(\) takes 1 positional argument but 5 positional arguments \(and 2 "
        r"keyword-only arguments\) were given",
    ),
    last="0.5.6.4",
    where="seen in every regime: applies to you on g4f 0.5.6.4 if you make image variations with AsyncClient. "
    "Bisected: 0.5.6.3 fails in the sync Client too (client-variation-arguments), 0.5.6.5 answers",
    workaround="use the sync Client there, or upgrade to g4f 0.5.6.5 or later",
    calls=("AsyncClient",),
)
# shorthands.py's create(raw=True), measured on 0.6.3.2 to 0.6.3.7, 0.6.4.3, 6.0.5, 6.6.0 to 6.7.0, 6.8.0, 7.0.0,
# 7.4.7, 7.5.0, 8.0.5 and 8.8.6 (scratch environments of each release).
_RAW_ARGUMENT = (
    r"((Async)?Completions\.create\.<locals>\.)?raw_response\(\) missing 1 required positional argument: 'response'"
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
_NON_EMPTY, _RAW_JSON = support.NON_EMPTY, support.RAW_JSON
_TEXT_WITH_JSON = _NON_EMPTY[0] + str(_RAW_JSON[0]) + _NON_EMPTY[1] + str(_RAW_JSON[1]) + _NON_EMPTY[2]
_JOINED_JSON = (
    Returns(_TEXT_WITH_JSON),
    Returns(
        [_NON_EMPTY[0], {"object": "JsonResponse"}, _NON_EMPTY[1], {"object": "JsonResponse"}, _NON_EMPTY[2], None]
    ),
)
CLIENT_JOINS_JSON_OBJECTS = Defect(
    "client-joins-json-objects",
    "without raw=True, Client makes a provider's JSON objects (JsonResponse) part of the answer: their text in the "
    "message, the objects themselves as deltas of a stream",
    "0.6.3.2",
    OneOf(*_JOINED_JSON),
    last="0.6.3.2",
    where="seen in every regime: applies to you on g4f 0.6.3.2 if your provider yields JSON objects (as g4f's "
    "OpenAI-compatible ones do). 0.6.3.3 answers the text alone",
    workaround="upgrade to g4f 0.6.3.3 or later",
)
ASYNC_CLIENT_JOINS_JSON_OBJECTS = Defect(
    "async-client-joins-json-objects",
    "without raw=True, AsyncClient makes a provider's JSON objects (JsonResponse) part of the answer: their text in "
    "the message (over a sync provider, its stream one delta with that text), the objects themselves as deltas of "
    "a stream (0.6.3.2, over an async-generator provider)",
    "0.6.3.2",
    OneOf(*_JOINED_JSON, Returns([_TEXT_WITH_JSON, None])),
    last="6.8.0",
    where="seen in every regime: applies to you on g4f 0.6.3.2 to 6.8.0 if your provider yields JSON objects (as "
    "g4f's OpenAI-compatible ones do) and you read AsyncClient's answer. Bisected: 6.8.1 answers the text alone",
    workaround="upgrade to g4f 6.8.1 or later, or use Client",
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
    calls=("AsyncClient",),
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
        # a <think> block (response_objects.THINKINGS, each layout): its parts streamed as Reasoning objects in the
        # content (the block over four chunks: an empty one after the opening tag)
        Returns(  # the layout with text before the block and a space after it
            {
                "content": "Vorab: {Reasoning: <think>}{Reasoning: Ich denke}{Reasoning:  über „Wörld“ nach}"
                "{Reasoning: </think>} Hallo Wörld",
                "the reasoning is the thought": True,
            }
        ),
        *(
            Returns({"content": "%s</think>}Hallo Wörld" % parts, "the reasoning is the thought": True})
            for parts in (
                "{Reasoning: <think>}{Reasoning: Ich denke}{Reasoning:  über „Wörld“ nach}{Reasoning: ",
                "{Reasoning: <think>}{Reasoning: Ich denke über „Wörld“ nach}{Reasoning: ",
                "{Reasoning: <think>}{Reasoning: }{Reasoning: Ich}{Reasoning:  denke über}{Reasoning:  „Wörld“ nach}"
                "{Reasoning: ",
            )
        ),
    ),
    last="0.6.0.3",
    where="seen in every regime: applies to you on g4f 0.5.2.6 to 0.6.0.3 if you use a reasoning model: its "
    "thinking is shown as the answer. Measured: 0.5.2.8 to 0.6.0.3 (0.6.0.4 and 0.6.0.5 were never published), "
    "0.6.1.1 fixed",
    workaround="upgrade to g4f 0.6.1.1 or later",
)
CLIENT_STREAM_DROPS_REASONING_AND_TOOL_CALLS = Defect(
    "client-stream-drops-reasoning-and-tool-calls",
    "the clients' streams drop the provider's reasoning tokens (they stream nothing before the first text) and "
    'its tool calls (kept for the answer not streamed), and end with finish reason "stop"; the empty text '
    "chunk is client-empty-chunk-delta-again's",
    "0.5.2.7",
    OneOf(
        Returns(
            {
                "deltas": [{"content": chunk} for chunk in ("Hallo", "", ", Wörld ", "42")] + [{}],
                "finish_reason": [None] * 4 + ["stop"],
                "provider": _NS["provider"],
                "model": _NS["model"],
            }
        ),
        # a <think> block (response_objects.THINKINGS, each layout): taken out of the content, its thought out of the stream
        Returns({"content": "Hallo Wörld", "the reasoning is the thought": False}),
    ),
    last="0.5.2.7",
    calls=("Client, stream", "AsyncClient, stream"),
    where="seen in every regime: applies to you on g4f 0.5.2.7 if you stream from a reasoning model or use tools "
    "with a client stream. Measured on 0.5.2.7 (Client, and AsyncClient over an async-generator provider); 0.5.2.8 "
    "streams both (client-reasoning-as-text); 0.5.2.6, the first release with these objects, is not a cell",
    workaround="upgrade to g4f 0.6.1.1 or later (0.5.2.8 streams both, the reasoning as text), or read them from "
    "the answer not streamed",
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
ASYNC_CLIENT_KEEPS_THINK = Defect(
    "async-client-keeps-think",
    "AsyncClient leaves a <think> block in the content and reports no reasoning, where Client takes it out and carries "
    "the thought as reasoning: the same request answers differently on the two clients",
    "0.5.2.6",
    OneOf(  # the provider's text as it came (response_objects.THINKINGS: the layouts without text before the block, and that one)
        *(
            Returns({"content": content, "the reasoning is the thought": False})
            for content in (
                "<think>Ich denke über „Wörld“ nach</think>Hallo Wörld",
                "Vorab: <think>Ich denke über „Wörld“ nach</think> Hallo Wörld",
            )
        )
    ),
    calls=("AsyncClient",),
    where="seen in every regime: applies to you if you read a reasoning model's answer (DeepSeek-R1 and the like "
    "through a provider that streams <think>) with AsyncClient. Measured from 0.5.2.7 (0.5.2.6, the first release "
    "with g4f's Reasoning objects, by which Client takes the block out, cannot be imported) to 8.8.6",
    workaround="use Client (in a thread from async code), or split the <think> block yourself",
)
