"""What the environment checks share (asgi.py, wsgi.py, greenlets.py, bots.py, jupyter.py): a listening socket on
127.0.0.1 and a free port, a real HTTP client (the stdlib's http.client) that drives a server from outside the
server's own code, requests sent at once, and what a server's handler reports about the call it made.

Everything a check starts lives in the check's process (a server, its port, its threads), so it ends with it: nothing
outlives the run, also when a check's process dies mid-run (a kernel, the one environment that is a process of its
own, dies with the test process: ``die_with_parent``).
"""

import asyncio
import ctypes
import http.client
import json
import signal
import socket
import sys
import threading
import unittest

from . import mocks, observe, providers, support


def needs(*packages):
    """Class decorator: skip naming the packages to install when any of them is missing (pip names)."""
    missing = [name for name in packages if not support.is_importable(name.replace("-", "_"))]
    return unittest.skipIf(
        missing, "%s not installed (pip install %s)" % (" and ".join(missing), " ".join(sorted(set(packages))))
    )


def needs_nest(test):
    """Skip a test whose contract is that g4f patches the running loop itself, where g4f cannot nest (its
    contract there, NestAsyncioError, is nesting.TestWithoutNestAsyncio's)."""
    reason = "g4f cannot nest here: the nest package it imports is not installed (pip install nest_asyncio2)"
    return unittest.skipIf(support.g4f_nest() is None, reason)(test)


def listening():
    """A TCP socket listening on 127.0.0.1 and a free port (connections queue until the server accepts)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


def port_closed(port):
    """Nothing accepts connections on 127.0.0.1:port any more."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=support.TIMEOUT).close()
    except OSError:
        return True
    return False


def get(port, path):
    """GET path from 127.0.0.1:port: the JSON the handler answered, or what the client saw instead."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=support.TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
    except Exception as error:
        return {"error": observe.describe_error(error)}
    finally:
        connection.close()
    if response.status != 200:
        return {"error": {"type": "HTTP %d" % response.status, "message": body[-2000:], "nest_error": False}}
    return json.loads(body)


END = "g4f-tests: the stream ended"  # a last line {END: {"skip": ...} or {"error": ...}}: how the handler's call ended


def lines(port, path):
    """GET a streamed answer, one JSON value a line (each as it arrives): {"value": [the values]}, the error, or
    how the handler's call ended instead (its last line, {END: ...}; the values before it are then dropped)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=support.TIMEOUT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        values = [json.loads(line) for line in iter(response.readline, b"")]
    except Exception as error:
        return {"error": observe.describe_error(error)}
    finally:
        connection.close()
    if response.status != 200:
        return {"error": {"type": "HTTP %d" % response.status, "message": repr(values), "nest_error": False}}
    if values and isinstance(values[-1], dict) and END in values[-1]:
        return values[-1][END]
    return {"value": values}


def at_once(function, calls):
    """``function(*args)`` for each args of ``calls``, each from its own thread, started together; the results in
    order (greenlets under gevent's patched threading)."""
    results = [None] * len(calls)

    def run(index, args):
        results[index] = function(*args)

    threads = [threading.Thread(target=run, args=(i, args)) for i, args in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(support.TIMEOUT)
    return results


def provider(name):
    """A provider of ours or of mocks.py, by class name (as a request names it)."""
    return getattr(mocks, name, None) or getattr(providers, name)


def client_text(provider):
    """The sync Client's message text (how an integrator calls it)."""
    from g4f.client import Client

    return Client(provider=provider).chat.completions.create(providers.MESSAGES, "").choices[0].message.content


def stream(provider):
    """The str chunks of a sync create(stream=True)."""
    return providers.create(provider, stream=True)


# The calls a handler or a notebook cell makes, by name.
CALLS = {"create": providers.create, "stream": stream, "client": client_text}


def loop_patched():
    """Has g4f (or anyone) nest-patched the running loop of this thread?"""
    return hasattr(type(asyncio.get_running_loop()), "_nest_patched")


def call(function, *args):
    """What a handler answers: the observation of ``function(*args)`` (observe.observe), with the thread it ran in
    and whether that thread's running loop, if any, was nest-patched before the call."""
    try:
        before = loop_patched()
    except RuntimeError:
        before = None
    found = observe.observe(function, *args)
    found.update(thread=threading.current_thread().name, patched_before=before)
    return found


def result(function, *args):
    """A call's result without the warnings (for calls made at once, whose warnings cannot be told apart): the
    value, or the error as "module.Type: message"."""
    try:
        return {"value": function(*args)}
    except Exception as error:
        return {"value": "%s.%s: %s" % (type(error).__module__, type(error).__qualname__, error)}


def tally(results, expected):
    """What calls made at once returned: how many, and the wrong ones with how often each (an exact shape)."""
    wrong = {}
    for found in results:
        value = found.get("value") if isinstance(found, dict) else found
        if value != expected:
            key = value if isinstance(value, str) else json.dumps(found, default=repr)[:300]
            wrong[key] = wrong.get(key, 0) + 1
    return {"calls": len(results), "wrong": wrong}


def observation(found, label):
    """The support.Observation of request ``label`` of a session's answers (what the handler reported)."""
    if label not in found:
        raise AssertionError("no answer to the %r request: the session ended early (%s)" % (label, sorted(found)))
    answer = dict(found[label])
    context = ["context: %s=%s" % (key, answer.pop(key)) for key in ("thread", "patched_before") if key in answer]
    answer["log"] = list(answer.get("log", [])) + context
    return support.Observation(**answer)


def dumps(value):
    return json.dumps(value, default=repr)


_PR_SET_PDEATHSIG = 1


def die_with_parent():
    """For Popen's preexec_fn: on Linux, the child is killed when the thread that started it ends (else the
    child's own parent check, such as ipykernel's, ends it)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass


class SessionChecks:
    """What the environment checks share: one session of a server (or a bot) runs in a child, started first
    (checks.prefetch takes the slow ones first); each test reads the answers to its own requests."""

    slow = True
    each = "request"  # what a labelled answer answers: a request (servers), an event (a bot's gateway)

    def request(self, found, label):
        return observation(self.returned(found, "an observation of each %s" % self.each), label)

    def assertAnswered(self, found, answers):
        """Each (label, expected) of ``answers``: the answer to that request, as a subtest named by it."""
        for label, expected in answers:
            with self.subTest(**{self.each: label}):
                self.assertReturned(self.request(found, label), expected)
