"""Sync calls from a thread that has no event loop (g4f #950, #967: "There is no current event loop in thread
'Thread-27 (process_request_thread)'"), as a threaded server makes them: every sync path, each call from a fresh
worker thread, the calls at once. The provider runs on a loop g4f installs for that thread while it runs, in the
caller's context; before the call returns g4f has ended what the provider left running on that loop (a job on
the default executor, a pending task, a suspended async generator) and the thread has no loop installed."""

import importlib
import threading
import unittest

from . import support
from .checks import CheckTestCase, in_child
from .failing import FAILURES, TimingOutGeneratorMock, chunks_then_error, failure_expected
from .known_defects import (
    CLIENT_IMAGES_DEFECTS,
    EXECUTOR_NOT_WAITED_BEFORE_3_9,
    PROVIDER_TIMEOUT_RENAMED,
    known,
)
from .observe import describe_error, each
from .probes import CALLER, CALLERS_VALUE, ENDED, IMAGE_URL, loop_seen, probe, work_left
from .support import CHUNKS, JOINED, MESSAGES


def chat(provider, stream, first_only=False):
    """ChatCompletion.create; a stream is read to its end, or (``first_only``) closed after its first chunk."""
    import g4f

    kwargs = {"ignore_stream": True} if stream and not provider.supports_stream else {}
    result = g4f.ChatCompletion.create(g4f.models.default, MESSAGES, provider, stream=stream, **kwargs)
    if not stream:
        return {"result": result}
    first = next(iter(result))
    produced = provider.report["produced"]
    if first_only:
        result.close()
        return {"result": first, "provider's generator": "closed" if provider.report["closed"].is_set() else "open"}
    rest = [chunk for chunk in result if isinstance(chunk, str)]
    return {"result": [first] + rest, "chunks the provider had produced when the first arrived": produced}


def client_chat(provider, stream):
    Client = importlib.import_module("g4f.client").Client
    response = Client(provider=provider).chat.completions.create(MESSAGES, "", stream=stream)
    if stream:
        return {"result": "".join(c.choices[0].delta.content or "" for c in response if c.choices)}
    return {"result": response.choices[0].message.content}


def client_images(provider):
    Client = importlib.import_module("g4f.client").Client
    response = Client().images.generate("a cat", provider=provider, response_format="url")
    return {"result": response.data[0].url}


# label: (call, provider kind, arguments after the provider, expected result)
CALLS = {
    "create, sync provider": (chat, "sync", (False,), JOINED),
    "create(stream=True), sync provider": (chat, "sync", (True,), list(CHUNKS)),
    "create, AsyncProvider": (chat, "AsyncProvider", (False,), JOINED),
    "create(stream=True), AsyncProvider": (chat, "AsyncProvider", (True,), [JOINED]),
    "create, async generator": (chat, "async generator", (False,), JOINED),
    "create(stream=True), async generator": (chat, "async generator", (True,), list(CHUNKS)),
    "create(stream=True), async generator, closed after its first chunk": (
        chat,
        "async generator",
        (True, True),
        CHUNKS[0],
    ),
    "create, async generator without streaming": (chat, "async generator without streaming", (False,), JOINED),
    "create(stream=True), async generator without streaming": (
        chat,
        "async generator without streaming",
        (True,),
        list(CHUNKS),
    ),
    "Client create, async generator": (client_chat, "async generator", (False,), JOINED),
    "Client create(stream=True), async generator": (client_chat, "async generator", (True,), JOINED),
    "Client create, AsyncProvider": (client_chat, "AsyncProvider", (False,), JOINED),
    "Client().images.generate": (client_images, "image", (), IMAGE_URL),
}
PROVIDER_METHODS = "g4f.providers.base_provider"
# How far a stream had run when its first chunk reached the caller: a streaming provider one chunk, one
# that does not stream (g4f collects it first) all of them.
PRODUCED = {"sync": 1, "async generator": 1, "async generator without streaming": len(CHUNKS)}


def call_in_fresh_thread(label, found):
    call, kind, args, _ = CALLS[label]
    provider = probe(kind)

    def run():
        CALLER.set(CALLERS_VALUE)
        try:
            if call is client_images:
                support.require_api("client_images")
            if kind == "async generator without streaming" and args[0]:  # streamed though it says it cannot
                support.require_api(
                    "provider_method", lambda: importlib.import_module(PROVIDER_METHODS).get_provider_method
                )
            value = call(provider, *args)
        except Exception as error:
            found[label] = (
                {"skip": str(error)} if isinstance(error, unittest.SkipTest) else {"error": describe_error(error)}
            )
            return
        left = support.thread_loop()
        value["thread's loop after the call"] = None if left is None else "closed" if left.is_closed() else "open"
        value["provider's loop"] = loop_seen(provider)
        value["caller's context"] = provider.report.get("context")
        if kind != "sync":
            value.update(work_left(provider))
        found[label] = {"value": value}

    thread = threading.Thread(target=run, name="g4f-tests-worker")  # a thread that never had an event loop
    thread.start()
    return thread


def every_sync_path_from_fresh_threads():
    """Every call of CALLS at once, each from its own fresh worker thread: {label: its observation}."""
    support.require_api("bridge")  # what these checks know of the bridge's loop handling is g4f.providers.asyncio
    found = {}
    for thread in [call_in_fresh_thread(label, found) for label in CALLS]:
        thread.join(support.TIMEOUT)
    hung = {"error": {"type": "hang", "message": "no answer within %s s" % support.TIMEOUT, "nest_error": False}}
    return {label: found.get(label, hung) for label in CALLS}


def expected(label, *keys):
    call, kind, args, result = CALLS[label]
    facts = {"result": result, "thread's loop after the call": None, "caller's context": CALLERS_VALUE}
    facts["provider's loop"] = (
        "no loop (a sync provider)" if kind == "sync" else "installed for the thread while it ran"
    )
    if kind != "sync":
        facts.update(ENDED)
    if call is chat and args[1:] == (True,):
        facts["provider's generator"] = "closed"
    elif call is chat and args[0] and kind in PRODUCED:
        facts["chunks the provider had produced when the first arrived"] = PRODUCED[kind]
    return {key: facts[key] for key in keys if key in facts}


def wanted(*keys):
    """What a test expects of each call: the facts named ``keys`` that apply to it."""
    return lambda label: expected(label, *keys)


class TestWorkerThreads(CheckTestCase):
    @known(*CLIENT_IMAGES_DEFECTS)
    @in_child(every_sync_path_from_fresh_threads)
    def test_result_right_and_no_loop_left_in_the_thread(self, found):
        """sync create (stream or not, every provider kind), Client create and Client().images.generate from a fresh worker thread with no event loop return the result, run the provider on a loop installed for that thread, and leave it no loop"""
        for label, call, want in self.facts(found, wanted("result", "provider's loop", "thread's loop after the call")):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(EXECUTOR_NOT_WAITED_BEFORE_3_9, *CLIENT_IMAGES_DEFECTS)
    @in_child(every_sync_path_from_fresh_threads)
    def test_background_work_ended_before_the_call_returns(self, found):
        """a sync call from a worker thread returns only after g4f shut down the default executor, cancelled pending tasks and closed the provider's async generators; nothing is left never-awaited or destroyed pending"""
        for label, call, want in self.facts(found, wanted("provider's generator", *ENDED)):
            with self.subTest(call=label):
                self.assertReturned(call, want)
        self.assertNothingStray(found)

    @known(*CLIENT_IMAGES_DEFECTS)
    @in_child(every_sync_path_from_fresh_threads)
    def test_provider_runs_in_the_callers_context(self, found):
        """a sync call from a worker thread runs the provider in the caller's context: a ContextVar the caller set is visible inside the provider"""
        for label, call, want in self.facts(found, wanted("caller's context")):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @in_child(every_sync_path_from_fresh_threads)
    def test_stream_hands_out_each_chunk_as_it_comes(self, found):
        """sync create(stream=True) hands out each chunk as the provider yields it; a provider with supports_stream = False is collected to its end first"""
        for label, call, want in self.facts(found, wanted("chunks the provider had produced when the first arrived")):
            with self.subTest(call=label):
                self.assertReturned(call, want)


def in_a_fresh_thread(function, *args):
    """``function(*args)`` in a new thread that never had an event loop; its value and the loop it left."""
    found = {}

    def run():
        try:
            found["value"] = function(*args)
        except BaseException as error:  # raised again in the caller's thread
            found["error"] = error
        left = support.thread_loop()
        found["loop"] = None if left is None else "closed" if left.is_closed() else "open"

    thread = threading.Thread(target=run, name="g4f-tests-worker")
    thread.start()
    thread.join(support.TIMEOUT)
    if "error" in found:
        raise found["error"]
    return dict(found["value"], **{"thread's loop after the call": found["loop"]})


def left_no_loop(label):
    return dict(failure_expected(label), **{"thread's loop after the call": None})


def failing_paths_from_fresh_threads():
    support.require_api("bridge")
    cases = {label: (chunks_then_error,) + args for label, (args, _) in FAILURES.items()}
    return each(in_a_fresh_thread, cases)


def provider_timeout_from_a_fresh_thread():
    support.require_api("bridge")
    return in_a_fresh_thread(chunks_then_error, TimingOutGeneratorMock, True, False, True)


class TestWorkerThreadFailures(CheckTestCase):
    @in_child(failing_paths_from_fresh_threads)
    def test_provider_error_reaches_the_caller_unchanged(self, found):
        """from a fresh worker thread, a provider's exception reaches the sync caller unchanged (after the chunks before it) on every bridge path, and the bridge leaves the thread no loop and nothing stray"""
        for label, call, want in self.facts(found, left_no_loop):
            with self.subTest(call=label):
                self.assertReturned(call, want)

    @known(PROVIDER_TIMEOUT_RENAMED)
    @in_child(provider_timeout_from_a_fresh_thread)
    def test_provider_timeout_error_reaches_the_caller_unchanged(self, found):
        """a TimeoutError the provider raises itself reaches the sync caller unchanged, with its own message (no timeout was given); where g4f renames it (the known defect), it is the renamed error's __cause__"""
        self.assertReturned(
            found,
            {
                "chunks before the error": [CHUNKS[0]],
                "error": "TimeoutError: g4f-tests: the provider's own timeout",
                "thread's loop after the call": None,
            },
        )
