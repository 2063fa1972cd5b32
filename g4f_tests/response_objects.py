"""What a provider yields besides its text reaches the caller in g4f's OpenAI shape, the same way in both clients.

A provider first reports the upstream provider and model that answer (ProviderInfo) and its conversation state
(JsonConversation), then streams reasoning tokens (Reasoning), its text (an empty chunk among it) and two tool
calls (ToolCalls), as g4f's providers do. Client and AsyncClient, streamed and not, over a sync and an
async-generator provider, must answer with:

- not streamed, one ChatCompletion: the joined text as ``message.content``, the joined reasoning tokens as
  ``message.reasoning``, the tool calls as ``message.tool_calls`` (id, type, function name and arguments as
  yielded) and finish reason "tool_calls", as OpenAI answers a request that called tools;
- streamed, one chunk per reasoning token (``delta.reasoning``, no content), per text chunk (``delta.content``)
  and for the tool calls (``delta.tool_calls``), then a closing chunk whose finish reason is "tool_calls";
- ``provider`` and ``model`` the ones the provider reported (every chunk of a stream);
- ``conversation`` (the answer's, the closing chunk's) the conversation's fields as a dict, as g4f's stubs declare
  it and g4f's API serves and takes it back.

A chat answer may hold an image after its text (g4f's ImageResponse, two URLs here): not streamed, the content is
the text, then the image as g4f renders it, which must name every URL; streamed, the deltas say the same.

A reasoning model's answer may come as plain text instead, a ``<think>`` block first (split over two chunks here),
then the answer. Client takes the block out of the content and carries the thought as reasoning; AsyncClient must
do the same (the same request, the same answer), streamed and not. The tag written in backquotes (an answer about
the tag) is text: the content as it came, no reasoning.
"""

import importlib

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_KEEPS_THINK,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_ONE_DELTA,
    ASYNC_CLIENT_SYNC_BRIDGE,
    CLIENT_REASONING_AS_TEXT,
    CLIENT_STREAM_DROPS_CONVERSATION,
    CLIENT_STREAM_DROPS_REASONING_AND_TOOL_CALLS,
    CLIENT_TOOL_CALLS_STOP,
    CLIENTS_CONVERSATION_OBJECT,
    known,
)
from .observe import each, each_async
from .paths import answer, answer_async, async_stream, start

PROVIDER = {"name": "Upstream-Prövider", "model": "Upstream-Modell 2"}
CONVERSATION = {"conversation_id": "Gespräch-42", "message_ids": ["a1", "Ö2"], "Parent": None}
REASONING = ["Denke ", "über „Wörld“ nach… ", "\n"]
TEXT = ["Hallo", "", ", Wörld ", "42"]
TOOL_CALLS = [
    {"id": "call_Ä1", "type": "function", "function": {"name": "get_Wetter", "arguments": '{"stadt": "Köln"}'}},
    {"id": "call_2", "type": "function", "function": {"name": "Zeit", "arguments": "{}"}},
]
NON_EMPTY_TEXT = [chunk for chunk in TEXT if chunk]
EXPECTED = {
    "not streamed": {
        "content": "".join(TEXT),
        "reasoning": "".join(REASONING),
        "tool_calls": TOOL_CALLS,
        "finish_reason": "tool_calls",
        "provider": PROVIDER["name"],
        "model": PROVIDER["model"],
        "conversation": CONVERSATION,
    },
    "stream": {
        "deltas": [{"reasoning": token} for token in REASONING]
        + [{"content": chunk} for chunk in NON_EMPTY_TEXT]
        + [{"tool_calls": TOOL_CALLS}, {}],
        "finish_reason": [None] * (len(REASONING) + len(NON_EMPTY_TEXT) + 1) + ["tool_calls"],
        "provider": PROVIDER["name"],
        "model": PROVIDER["model"],
        "conversation": CONVERSATION,
    },
}
CARRIED = ("content", "deltas", "reasoning", "tool_calls", "finish_reason", "provider", "model")


def response_types():
    module = importlib.import_module("g4f.providers.response")
    for name in ("ProviderInfo", "JsonConversation", "Reasoning", "ToolCalls"):
        getattr(module, name)
    return module


def yielding_provider(kind, items, name):
    """A provider of ``kind`` ("sync provider" or "async-generator provider"), class ``name`` (prefixed "Async" for
    the async-generator one), that yields what ``items()`` returns (fresh for each call)."""
    from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider

    attributes = {"working": True, "use_stream_timeout": False, "supports_stream": True}
    if kind == "sync provider":

        def create_completion(cls, model, messages, stream, **kwargs):
            yield from items()

        attributes["create_completion"] = classmethod(create_completion)
        return type(name, (AbstractProvider,), attributes)

    async def create_async_generator(cls, model, messages, stream, **kwargs):
        for item in items():
            yield item

    attributes["create_async_generator"] = classmethod(create_async_generator)
    return type("Async" + name, (AsyncGeneratorProvider,), attributes)


def provider_of(kind):
    """A provider of ``kind`` ("sync provider" or "async-generator provider") that yields all of the above."""
    response = support.require_api("client_response_objects", response_types)

    def items():
        calls = [dict(call, function=dict(call["function"])) for call in TOOL_CALLS]  # the client may rewrite them
        return (
            [response.ProviderInfo(**PROVIDER), response.JsonConversation(**CONVERSATION)]
            + [response.Reasoning(token) for token in REASONING]
            + list(TEXT)
            + [response.ToolCalls(calls)]
        )

    return yielding_provider(kind, items, "ObjectsProviderMock")


def tool_calls_of(calls):
    if calls is None:
        return None
    return [
        {
            "id": getattr(call, "id", None),
            "type": getattr(call, "type", None),
            "function": {
                "name": getattr(getattr(call, "function", None), "name", None),
                "arguments": getattr(getattr(call, "function", None), "arguments", None),
            },
        }
        for call in calls
    ]


def conversation_of(conversation):
    """A dict as it is; anything else as {its type's name: its fields}, to show where it is not the dict."""
    if conversation is None or isinstance(conversation, dict):
        return conversation
    return {type(conversation).__name__: dict(getattr(conversation, "__dict__", {}))}


def delta_of(chunk):
    delta = chunk.choices[0].delta
    content = getattr(delta, "content", None)
    found = {
        "content": content if content is None or isinstance(content, str) else {type(content).__name__: str(content)},
        "reasoning": getattr(delta, "reasoning", None),
        "tool_calls": tool_calls_of(getattr(delta, "tool_calls", None)),
    }
    return {key: value for key, value in found.items() if value is not None}


def shared(values):
    return values[0] if values and all(value == values[0] for value in values) else values


def summary(response):
    """A ChatCompletion, or a stream's chunks (a list), in EXPECTED's terms."""
    if isinstance(response, list):
        return {
            "deltas": [delta_of(chunk) for chunk in response],
            "finish_reason": [chunk.choices[0].finish_reason for chunk in response],
            "provider": shared([getattr(chunk, "provider", None) for chunk in response]),
            "model": shared([getattr(chunk, "model", None) for chunk in response]),
            "conversation": conversation_of(getattr(response[-1], "conversation", None)) if response else None,
        }
    message = response.choices[0].message
    return {
        "content": message.content,
        "reasoning": getattr(message, "reasoning", None),
        "tool_calls": tool_calls_of(getattr(message, "tool_calls", None)),
        "finish_reason": response.choices[0].finish_reason,
        "provider": getattr(response, "provider", None),
        "model": getattr(response, "model", None),
        "conversation": conversation_of(getattr(response, "conversation", None)),
    }


def response_of(api, provider, stream):
    """A client's answer: its ChatCompletion, or its stream's chunks (a list)."""
    result = start(api, provider, stream)
    return list(result) if stream else result


async def response_of_async(api, provider, stream):
    result = start(api, provider, stream)
    return [chunk async for chunk in await async_stream(api, result)] if stream else await result


def client_answer(api, kind, stream):
    return summary(response_of(api, provider_of(kind), stream))


async def async_client_answer(api, kind, stream):
    return summary(await response_of_async(api, provider_of(kind), stream))


def cases(api):
    return {
        "%s, %s, %s" % (api, "stream" if stream else "not streamed", kind): (api, kind, stream)
        for kind in ("sync provider", "async-generator provider")
        for stream in (False, True)
    }


def sync_objects():
    return each(client_answer, cases("Client"))


async def async_objects():
    return await each_async(async_client_answer, cases("AsyncClient"))


# A <think> block, then the answer, as a model's chunks may cut them: Client's content is the answer, its reasoning
# the thought. The block over two chunks; in one chunk with the answer's start; over four chunks, the tags apart.
THINKINGS = {
    "the block over two chunks": ["<think>Ich denke", " über „Wörld“ nach</think>", "Hallo ", "Wörld"],
    "the block and the answer's start in one chunk": ["<think>Ich denke über „Wörld“ nach</think>Hallo ", "Wörld"],
    "the block over four chunks": ["<think>", "Ich", " denke über", " „Wörld“ nach", "</think>", "Hallo Wörld"],
    # text before the block, in its chunk, and a space after it: both stay in the content, as they came
    "text before the block and a space after it": [
        "Vorab: <think>Ich denke",
        " über „Wörld“ nach</think> Hallo ",
        "Wörld",
    ],
    # the tag named in backquotes, as an answer about the tag writes it: text, not a block (no reasoning)
    "the tag in backquotes is text": ["Schreib `<think>` vor", " den Gedanken, „Wörld“"],
}
THINKING = THINKINGS["the block over two chunks"]
THOUGHT = "Ich denke über „Wörld“ nach"


def split(layout):
    """What a client must answer for THINKINGS[layout]: the text without the block as content, the thought as
    reasoning; a text without a block as it came, with no reasoning."""
    text, block = "".join(THINKINGS[layout]), "<think>%s</think>" % THOUGHT
    return {"content": text.replace(block, ""), "the reasoning is the thought": block in text}


def thinking_provider(kind, layout):
    """A provider of ``kind`` whose text starts with a <think> block (THINKINGS[layout])."""
    support.require_api("client_think")
    return yielding_provider(kind, lambda: THINKINGS[layout], "ThinkingProviderMock")


def reasoning_of(item):
    """A message's or delta's reasoning as text: ``reasoning``, or ``reasoning_content`` as OpenAI-compatible APIs
    (and g4f up to 0.6.0.3) name it; a list of reasoning tokens joined."""
    reasoning = getattr(item, "reasoning", None) or getattr(item, "reasoning_content", None)
    return "".join(str(part) for part in reasoning) if isinstance(reasoning, list) else str(reasoning or "")


def text_of(content):
    """A delta's content as text; an object there (a Reasoning, say) as {TypeName: its text}."""
    if content is None or isinstance(content, str):
        return content or ""
    return "{%s: %s}" % (type(content).__name__, content)


def split_of(response):
    """The answer's content (a stream's deltas joined) and whether its reasoning is the thought (the <think> tags, which
    g4f keeps as markers around it, left out)."""
    if isinstance(response, list):
        deltas = [chunk.choices[0].delta for chunk in response if chunk.choices]
        content = "".join(text_of(getattr(delta, "content", None)) for delta in deltas)
        reasoning = "".join(reasoning_of(delta) for delta in deltas)
    else:
        message = response.choices[0].message
        content, reasoning = message.content, reasoning_of(message)
    return {
        "content": content,
        "the reasoning is the thought": reasoning.replace("<think>", "").replace("</think>", "") == THOUGHT,
    }


def client_split(api, kind, stream, layout):
    return split_of(response_of(api, thinking_provider(kind, layout), stream))


async def async_client_split(api, kind, stream, layout):
    return split_of(await response_of_async(api, thinking_provider(kind, layout), stream))


def think_cases(api):
    return {
        "%s, %s" % (label, layout): arguments + (layout,)
        for label, arguments in cases(api).items()
        for layout in THINKINGS
    }


def sync_splits():
    return each(client_split, think_cases("Client"))


async def async_splits():
    return await each_async(async_client_split, think_cases("AsyncClient"))


# A chat answer with an image (with two URLs) after its text, as g4f's image-making chat providers answer.
MEDIA_TEXT = "Hier ist dein Bild: "
# The second with a query string: g4f may quote a URL's path, never its query's separators.
MEDIA_URLS = ["https://images.invalid/Ä1.png", "https://images.invalid/zwei.jpg?größe=2&format=png"]
MEDIA_ALT = "eine Katze im „Schnee“"


def media_image():
    from .mocks import ImageResponse

    return ImageResponse(list(MEDIA_URLS), MEDIA_ALT)


def media_provider(kind):
    return yielding_provider(kind, lambda: [MEDIA_TEXT, media_image()], "MediaProviderMock")


def media_text(found):
    """An answer (paths.answer's) as text: a stream's items joined, an object there as its text."""
    if isinstance(found, list):
        return "".join("" if item is None else str(item) for item in found)
    return found


def expected_media(label):
    """The text, then the image as g4f renders it (``str``, which must name every URL)."""
    return MEDIA_TEXT + str(media_image())


def client_media(api, kind, stream):
    return media_text(answer(api, media_provider(kind), stream))


async def async_client_media(api, kind, stream):
    return media_text(await answer_async(api, media_provider(kind), stream))


def sync_media():
    return each(client_media, cases("Client"))


async def async_media():
    return await each_async(async_client_media, cases("AsyncClient"))


def expected(keys):
    def want(label):
        expected = EXPECTED["stream" if ", stream, " in label else "not streamed"]
        return {key: value for key, value in expected.items() if key in keys}

    return want


class ObjectChecks:
    def assertCarried(self, found, keys):
        for label, call, want in self.facts(found, expected(keys)):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    def assertMediaAfterText(self, found):
        from urllib.parse import quote

        image = str(media_image())
        for url in MEDIA_URLS:  # how g4f renders an image is its own (quoted or not); that it names every URL is not
            named = url in image or quote(url, safe=":/?&=#") in image
            self.assertTrue(named, "the image's text %r leaves out %s, as it is or quoted" % (image, url))
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected_media(label))

    def assertSplit(self, found):
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, split(label.rpartition(", ")[2]))


class SyncObjectChecks(ObjectChecks):
    @known(CLIENT_TOOL_CALLS_STOP, CLIENT_REASONING_AS_TEXT, CLIENT_STREAM_DROPS_REASONING_AND_TOOL_CALLS)
    @in_child(sync_objects)
    def test_client_carries_reasoning_tool_calls_and_provider_info(self, found):
        """Client's answer carries the provider's reasoning, tool calls (finish reason tool_calls) and reported provider and model, streamed and not, as AsyncClient's does"""
        self.assertCarried(found, CARRIED)

    @known(CLIENTS_CONVERSATION_OBJECT, CLIENT_STREAM_DROPS_CONVERSATION)
    @in_child(sync_objects)
    def test_client_carries_the_conversation_as_a_dict(self, found):
        """Client's answer (the closing chunk of a stream) carries the provider's conversation as a dict of its fields, as AsyncClient's does"""
        self.assertCarried(found, ("conversation",))

    @known(CLIENT_REASONING_AS_TEXT, CLIENT_STREAM_DROPS_REASONING_AND_TOOL_CALLS)
    @in_child(sync_splits)
    def test_client_takes_a_think_block_out_of_the_content(self, found):
        """Client answers a text that starts with a <think> block (split over chunks) with the rest as content and the thought as reasoning, streamed and not, as AsyncClient must"""
        self.assertSplit(found)

    @in_child(sync_media)
    def test_client_keeps_the_text_before_an_image(self, found):
        """Client's answer from a provider that yields text, then an image with two URLs: the text, then the image as g4f renders it (every URL), streamed or not, as AsyncClient's"""
        self.assertMediaAfterText(found)


class AsyncObjectChecks(ObjectChecks):
    @known(ASYNC_CLIENT_KEEPS_THINK)
    @in_child(async_splits)
    def test_async_client_takes_a_think_block_out_of_the_content(self, found):
        """AsyncClient answers a text that starts with a <think> block (split over chunks) with the rest as content and the thought as reasoning, streamed and not, as Client does"""
        self.assertSplit(found)

    @known(
        CLIENT_TOOL_CALLS_STOP,
        CLIENT_REASONING_AS_TEXT,
        CLIENT_STREAM_DROPS_REASONING_AND_TOOL_CALLS,
        ASYNC_CLIENT_ONE_DELTA,
    )
    @in_child(async_objects)
    def test_async_client_carries_reasoning_tool_calls_and_provider_info(self, found):
        """AsyncClient's answer carries the provider's reasoning, tool calls (finish reason tool_calls) and reported provider and model, streamed and not, as Client's does"""
        self.assertCarried(found, CARRIED)

    @known(CLIENTS_CONVERSATION_OBJECT, ASYNC_CLIENT_ONE_DELTA)
    @in_child(async_objects)
    def test_async_client_carries_the_conversation_as_a_dict(self, found):
        """AsyncClient's answer (the closing chunk of a stream) carries the provider's conversation as a dict of its fields, as Client's does"""
        self.assertCarried(found, ("conversation",))

    @known(ASYNC_CLIENT_MISSING, ASYNC_CLIENT_IS_SYNC, ASYNC_CLIENT_SYNC_BRIDGE)
    @in_child(async_media)
    def test_async_client_keeps_the_text_before_an_image(self, found):
        """AsyncClient's answer from a provider that yields text, then an image with two URLs: the text, then the image as g4f renders it (every URL), streamed or not, as Client's"""
        self.assertMediaAfterText(found)


class TestResponseObjects(SyncObjectChecks, CheckTestCase):
    pass


class TestResponseObjectsNestApplied(SyncObjectChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncResponseObjects(AsyncObjectChecks, CheckTestCase):
    pass


class TestAsyncResponseObjectsUvloop(AsyncObjectChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncResponseObjectsNestApplied(AsyncObjectChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
