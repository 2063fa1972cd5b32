"""g4f inside a bot's long-running event loop (as discord.py and aiogram run one): the bot connects to a gateway,
reads events and hands each to a handler task, as those libraries dispatch them, while a heartbeat task runs.

The gateway is a thread of the check's process serving 127.0.0.1 and a free port; it sends events one at a time
(each waits for its reply), then several at once, then asks the bot to close. Handlers call the async API
(create_async, AsyncClient) and the sync one (ChatCompletion.create, Client) on the bot's loop. Without nest_asyncio
applied (g4f patches the loop itself) and after the user applied it first.
"""

import asyncio
import json
import threading

from . import observe, paths, regimes, servers, support
from .checks import CheckTestCase, in_child
from .known_defects import ASYNC_CLIENT_STREAM_DEFECTS, AUTO_PATCH_ASYNC_PROVIDER, known
from .providers import JOINED, MESSAGES, NON_EMPTY, create, create_async

AT_ONCE = 4
# (label, handler, provider): the events, in the order the gateway sends them.
EVENTS = [
    ("await create_async", "create_async", "AsyncChunksProviderMock"),
    ("async client stream", "async_client_stream", "AsyncChunksProviderMock"),
    ("sync create AsyncProviderMock", "create", "AsyncProviderMock"),
    ("sync create AsyncChunksProviderMock", "create", "AsyncChunksProviderMock"),
    ("sync client", "client", "AsyncChunksProviderMock"),
]
AT_ONCE_EVENTS = [
    ("at once create_async", "create_async", "SlowAsyncProviderMock"),
    ("at once sync create", "create", "SlowAsyncProviderMock"),
]


async def async_client_stream(provider):
    AsyncClient = paths.require("AsyncClient")  # skips where g4f predates it, fails where it lost it
    response = AsyncClient(provider=provider).chat.completions.create(MESSAGES, "", stream=True)
    return [c.choices[0].delta.content async for c in response if c.choices and c.choices[0].delta.content is not None]


SYNC = {"create": create, "client": servers.client_text}
ASYNC = {"create_async": create_async, "async_client_stream": async_client_stream}


async def handle(event, writer):
    """A handler task: one g4f call, its observation written back as the reply."""
    function, provider = event["handler"], servers.provider(event["provider"])
    if event.get("at_once"):
        if function in ASYNC:
            try:
                found = {"value": await ASYNC[function](provider)}
            except Exception as error:
                found = {"value": "%s: %s" % (type(error).__name__, error)}
        else:
            found = servers.result(SYNC[function], provider)
    elif function in ASYNC:
        found = await observe.observe_async(ASYNC[function], provider)
    else:
        found = servers.call(SYNC[function], provider)
    writer.write((json.dumps({"id": event["id"], "found": found}, default=repr) + "\n").encode())
    await writer.drain()


async def heartbeat(beats):
    while True:
        await asyncio.sleep(0.01)
        beats[0] += 1


async def bot(port):
    """The bot: connect, dispatch every event to a handler task until the gateway says close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    beats = [0]
    pulse = asyncio.ensure_future(heartbeat(beats))
    handlers = set()
    while True:
        event = json.loads(await reader.readline())
        if event.get("close"):
            break
        task = asyncio.ensure_future(handle(event, writer))
        handlers.add(task)
        task.add_done_callback(handlers.discard)
    await asyncio.gather(*handlers)
    pulse.cancel()
    await asyncio.gather(pulse, return_exceptions=True)
    writer.close()
    pending = [repr(t) for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    return {"pending": pending, "heartbeat ran": beats[0] > 0}


def gateway(sock, found):
    """The gateway's thread: send EVENTS one at a time, AT_ONCE_EVENTS AT_ONCE at a time, then close."""
    connection, _ = sock.accept()
    connection.settimeout(support.TIMEOUT)
    replies = connection.makefile("rb")

    def send(**event):
        connection.sendall((json.dumps(event) + "\n").encode())

    try:
        for number, (label, handler, provider) in enumerate(EVENTS):
            send(id=number, handler=handler, provider=provider)
            found[label] = json.loads(replies.readline())["found"]
        for label, handler, provider in AT_ONCE_EVENTS:
            for number in range(AT_ONCE):
                send(id=number, handler=handler, provider=provider, at_once=True)
            results = [json.loads(replies.readline())["found"] for _ in range(AT_ONCE)]
            found[label] = {"value": servers.tally(results, "Mock")}
    except Exception as error:
        found["gateway"] = {"error": observe.describe_error(error)}
    finally:
        send(close=True)
        replies.close()
        connection.close()


async def bot_session():
    """Run the gateway in a thread and the bot on the regime's loop until the gateway closes."""
    sock = servers.listening()
    found = {}
    thread = threading.Thread(target=gateway, args=(sock, found), name="gateway")
    thread.start()
    try:
        stopped = await bot(sock.getsockname()[1])
    finally:
        await asyncio.get_running_loop().run_in_executor(None, thread.join, support.TIMEOUT)
        sock.close()
    found["stop"] = {"value": stopped}
    return found


class BotChecks(servers.SessionChecks):
    each = "event"

    @known(*ASYNC_CLIENT_STREAM_DEFECTS)
    @in_child(bot_session)
    def test_handlers_await_the_async_api(self, found):
        """a bot's handler task awaiting create_async, or streaming AsyncClient, gets every chunk in order"""
        with self.subTest(event="await create_async"):
            self.assertReturned(self.request(found, "await create_async"), JOINED)
        with self.subTest(event="async client stream"):
            self.assertReturned(self.request(found, "async client stream"), NON_EMPTY)

    def sync_api(self, found):
        self.assertAnswered(
            found,
            [
                ("sync create AsyncProviderMock", "Mock"),
                ("sync create AsyncChunksProviderMock", JOINED),
                ("sync client", JOINED),
            ],
        )

    @in_child(bot_session)
    def test_handlers_await_at_once(self, found):
        """a bot's handler tasks awaiting create_async at once each get their own result"""
        self.assertReturned(self.request(found, "at once create_async"), {"calls": AT_ONCE, "wrong": {}})

    @servers.needs_nest
    @in_child(bot_session)
    def test_handlers_call_sync_api_at_once(self, found):
        """a bot's handler tasks calling sync create at once on the bot's loop each get their own result"""
        self.assertReturned(self.request(found, "at once sync create"), {"calls": AT_ONCE, "wrong": {}})

    @in_child(bot_session)
    def test_bot_closes_cleanly(self, found):
        """the bot closes when its gateway does, with no task pending and nothing left behind"""
        self.assertReturned(self.request(found, "stop"), {"pending": [], "heartbeat ran": True})


class TestBotLoop(BotChecks, CheckTestCase):
    """The user applied nothing: g4f patches the bot's loop at its first sync call that nests."""

    @servers.needs_nest
    @known(AUTO_PATCH_ASYNC_PROVIDER)
    @in_child(bot_session)
    def test_handlers_call_the_sync_api(self, found):
        """a bot's handler task calling sync create or Client on the bot's running loop returns the result (g4f patches the loop)"""
        self.sync_api(found)


class TestBotLoopNestApplied(BotChecks, CheckTestCase):
    """The user applied nest_asyncio2 to the bot's loop first, as g4f advises."""

    regime = regimes.NEST_APPLIED

    @in_child(bot_session)
    def test_handlers_call_the_sync_api(self, found):
        """after nest_asyncio2.apply(), a bot's handler task calling sync create or Client returns the result"""
        self.sync_api(found)
