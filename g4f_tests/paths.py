"""The four APIs that ask g4f for a chat completion, behind one interface, so that a contract is written once and
checked through every API that offers it:

- sync (called by sync bodies): ``ChatCompletion.create`` and ``Client().chat.completions.create``;
- async (called by async bodies): ``ChatCompletion.create_async`` and ``AsyncClient().chat.completions.create``.

``start`` makes the request. What came back is read in one vocabulary: a non-streamed answer as its text; a stream
as the list of its items (a legacy chunk as it came, a client chunk as its delta content: the closing chunk, which
carries the finish reason, has None); a failure as "module.Type: message". ``answer`` raises what g4f raised (the
observation records it); ``outcome`` also reports what a stream delivered before it failed.
"""

import importlib

from . import support
from .support import MESSAGES, MODEL

SYNC = ("ChatCompletion.create", "Client")
ASYNC = ("ChatCompletion.create_async", "AsyncClient")
CLIENTS = ("Client", "AsyncClient")


def require(api, stream=False):
    """Skip where the installed g4f predates ``api`` (support.require_api); fail, naming it, where it is gone."""
    if api == "ChatCompletion.create_async" and stream:
        support.require_api("create_async_stream")
    if api == "AsyncClient":
        return support.require_api("async_client", lambda: importlib.import_module("g4f.client").AsyncClient)
    return None


def start(api, provider, stream=False, messages=MESSAGES, **kwargs):
    """The request, as ``api`` is called: what it returns (for an async API, not yet awaited or iterated)."""
    import g4f

    if not isinstance(messages, str):  # a str prompt goes as it is: the clients take one
        messages = [dict(message) for message in messages]
    AsyncClient = require(api, stream)
    if api == "ChatCompletion.create":
        return g4f.ChatCompletion.create(MODEL, messages, provider, stream=stream, **kwargs)
    if api == "ChatCompletion.create_async":
        return g4f.ChatCompletion.create_async(MODEL, messages, provider, stream=stream, **kwargs)
    if api == "Client":
        client = importlib.import_module("g4f.client")
        return client.Client(provider=provider).chat.completions.create(messages, MODEL, stream=stream, **kwargs)
    return AsyncClient(provider=provider).chat.completions.create(messages, MODEL, stream=stream, **kwargs)


def item(chunk):
    """One item of a stream: a legacy chunk as it came (an object that is not a str, by its type name); a client
    chunk as its delta content."""
    choices = getattr(chunk, "choices", None)
    if choices is not None:
        return choices[0].delta.content if choices else {"chunk without choices": type(chunk).__name__}
    return chunk if isinstance(chunk, str) else {"object": type(chunk).__name__}


def text(result):
    """A non-streamed answer's text: the legacy API's str, a client's message content."""
    choices = getattr(result, "choices", None)
    if choices is not None:
        return choices[0].message.content if choices else {"answer without choices": type(result).__name__}
    return result if isinstance(result, str) else {"returned": type(result).__name__}


def describe(error):
    return "%s.%s: %s" % (type(error).__module__, type(error).__qualname__, error)


def not_a_stream(result):
    """What a request for a stream returned instead of one: {"returned": its type name}."""
    if hasattr(result, "close") and hasattr(result, "__await__"):
        result.close()  # a coroutine nobody will await: no never-awaited warning from the harness
    return {"returned": type(result).__name__}


def answer(api, provider, stream=False, **kwargs):
    """A sync API's answer: the text, or the stream's items; {"returned": type} for a stream that is not one."""
    result = start(api, provider, stream, **kwargs)
    if not stream:
        return text(result)
    if isinstance(result, str) or not hasattr(result, "__iter__"):
        return not_a_stream(result)
    return [item(chunk) for chunk in result]


async def async_stream(api, result):
    if api == "AsyncClient" and hasattr(result, "__await__") and not hasattr(result, "__aiter__"):
        result = await result  # AsyncClient of some g4f releases: a coroutine of the stream
    return result if hasattr(result, "__aiter__") else None


async def answer_async(api, provider, stream=False, **kwargs):
    """``answer`` for an async API."""
    result = start(api, provider, stream, **kwargs)
    if not stream:
        return text(await result)
    chunks = await async_stream(api, result)
    if chunks is None:
        return not_a_stream(result)
    return [item(chunk) async for chunk in chunks]


def outcome(api, provider, stream=False, **kwargs):
    """What the caller of a sync API saw, never raising: {"received": the text, or the items the stream delivered
    (also those before a failure), "raised": "module.Type: message" or None}."""
    received = [] if stream else None
    require(api, stream)  # a missing API skips or fails the check: it is not what the call raised
    try:
        result = start(api, provider, stream, **kwargs)
        if not stream:
            received = text(result)
        elif isinstance(result, str) or not hasattr(result, "__iter__"):
            received = not_a_stream(result)
        else:
            for chunk in result:
                received.append(item(chunk))
    except Exception as error:
        return {"received": received, "raised": describe(error)}
    return {"received": received, "raised": None}


async def outcome_async(api, provider, stream=False, **kwargs):
    """``outcome`` for an async API."""
    received = [] if stream else None
    require(api, stream)
    try:
        result = start(api, provider, stream, **kwargs)
        if not stream:
            received = text(await result)
        else:
            chunks = await async_stream(api, result)
            if chunks is None:
                received = not_a_stream(result)
            else:
                async for chunk in chunks:
                    received.append(item(chunk))
    except Exception as error:
        return {"received": received, "raised": describe(error)}
    return {"received": received, "raised": None}


def cases(apis, providers, streams=(False, True)):
    """{label: (api, provider, stream)} for every API, provider and stream; ``providers`` is {name: provider}.
    Labels read "Client, stream, async-generator provider"."""
    return {
        "%s, %s, %s" % (api, "stream" if stream else "not streamed", name): (api, provider, stream)
        for api in apis
        for name, provider in providers.items()
        for stream in streams
    }
