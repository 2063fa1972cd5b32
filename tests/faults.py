#!/usr/bin/env python3
"""The faults injected into a copy of g4f to prove that each check family can fail.

Each fault is a small edit of g4f 8.8.6's bridge code, tied to the check meant to catch it.
``tests/test_faults.py`` applies them one at a time (see helpers.G4fCopy) and asserts that the suite
fails on that check. ``python tests/faults.py`` prints the table the README shows.
"""

import collections

Fault = collections.namedtuple("Fault", "name family path old new runner_args caught_by")

_NEST_ERROR = "NestAsyncioError('Install nest-asyncio2')"

FAULTS = [
    Fault(
        "altered result",
        "documented",
        "providers/base_provider.py",
        "yield asyncio.run(provider.create_async(*args, **kwargs))",
        "yield 'not ' + asyncio.run(provider.create_async(*args, **kwargs))",
        [],
        "asyncio.TestChatCompletion.test_create",
    ),
    Fault(
        "lost chunk (sync stream)",
        "streaming",
        "providers/asyncio.py",
        "    gen = generator.__aiter__()\n",
        "    gen = generator.__aiter__()\n    loop.run_until_complete(gen.__anext__())\n",
        [],
        "streaming.TestSyncStreaming.test_stream_yields_chunks_in_order",
    ),
    Fault(
        "repeated chunk (async path of a sync provider)",
        "streaming",
        "providers/base_provider.py",
        "for chunk in provider.create_completion(*args, **kwargs):\n                yield chunk",
        "for chunk in provider.create_completion(*args, **kwargs):\n                yield chunk\n"
        "                yield chunk",
        [],
        "streaming.TestAsyncStreaming.test_create_async_stream_yields_chunks_in_order",
    ),
    Fault(
        "reordered chunks when joining",
        "streaming",
        "providers/helper.py",
        "            for chunk in chunks\n",
        "            for chunk in reversed(list(chunks))\n",
        [],
        "streaming.TestSyncStreaming.test_create_joins_all_chunks",
    ),
    Fault(
        "str returned for stream=True",
        "streaming",
        "__init__.py",
        "return result if stream or ignore_stream else concat_chunks(result)",
        "return concat_chunks(result) if stream else (result if ignore_stream else concat_chunks(result))",
        [],
        "streaming.TestSyncStreaming.test_stream_yields_chunks_in_order",
    ),
    Fault(
        "awaitable where an async iterator belongs",
        "streaming",
        "__init__.py",
        'if not stream and not ignore_stream and hasattr(result, "__aiter__"):',
        'if not ignore_stream and hasattr(result, "__aiter__"):',
        [],
        "streaming.TestAsyncStreaming.test_create_async_stream_yields_chunks_in_order",
    ),
    Fault(
        "lost first delta in Client streaming",
        "clients",
        "client/__init__.py",
        "        if stream:\n            chunk = ChatCompletionChunk.model_construct(",
        "        if stream and idx == 1:\n            continue\n"
        "        if stream:\n            chunk = ChatCompletionChunk.model_construct(",
        [],
        "clients.TestClient.test_stream_yields_deltas_in_order",
    ),
    Fault(
        "loop not closed",
        "loop hygiene",
        "providers/asyncio.py",
        "                asyncio.set_event_loop(None)\n                loop.close()\n",
        "                asyncio.set_event_loop(None)\n",
        [],
        "loops.TestLoopHygiene.test_sync_call_leaves_nothing_unclosed_or_pending",
    ),
    Fault(
        "loop left installed",
        "loop hygiene",
        "providers/asyncio.py",
        "                asyncio.set_event_loop(None)\n                loop.close()\n",
        "                loop.close()\n",
        [],
        "loops.TestLoopHygiene.test_sync_call_returns_and_leaves_no_loop_installed",
    ),
    Fault(
        "no auto-patch of the running loop",
        "clean interpreter",
        "providers/asyncio.py",
        "                nest_asyncio.apply(loop)",
        "                pass",
        [],
        "nesting.TestAutoPatch.test_generator_provider_in_running_loop",
    ),
    Fault(
        "check_nested ignored",
        "clean interpreter",
        "providers/asyncio.py",
        "            elif check_nested:",
        "            elif False:",
        [],
        "nesting.TestWithoutNestAsyncio.test_get_running_loop_check_nested",
    ),
    Fault(
        "bare RuntimeError from to_sync_generator",
        "clean interpreter",
        "providers/asyncio.py",
        '                raise NestAsyncioError(\n                    \'Install "nest-asyncio2" package | '
        "pip install -U nest-asyncio2'\n                ) from e",
        "                raise",
        [],
        "nesting.TestWithoutNestAsyncio.test_to_sync_generator_coroutine_in_running_loop",
    ),
    Fault(
        "known defect fixed: NestAsyncioError without nest_asyncio",
        "known defects",
        "providers/base_provider.py",
        "            yield asyncio.run(provider.create_async(*args, **kwargs))",
        "            coroutine = provider.create_async(*args, **kwargs)\n"
        "            try:\n"
        "                result = asyncio.run(coroutine)\n"
        "            except RuntimeError as error:\n"
        "                coroutine.close()\n"
        "                from g4f.errors import NestAsyncioError\n"
        "                raise NestAsyncioError('Install nest-asyncio2') from error\n"
        "            yield result",
        [],
        "nesting.TestWithoutNestAsyncio.test_async_provider_in_running_loop",
    ),
    Fault(
        "one event loop shared by all threads",
        "threads",
        "providers/base_provider.py",
        "            yield asyncio.run(provider.create_async(*args, **kwargs))",
        "            yield _SHARED_LOOP.run_until_complete(provider.create_async(*args, **kwargs))",
        [],
        "threads.TestThreads.test_sync_create_from_many_threads_at_once",
    ),
    Fault(
        "cancellation does not reach the provider",
        "cancellation",
        "providers/helper.py",
        "    return concat_chunks([chunk async for chunk in chunks])",
        "    import asyncio\n\n    async def collect():\n        return [chunk async for chunk in chunks]\n\n"
        "    return concat_chunks(await asyncio.shield(collect()))",
        [],
        "cancellation.TestCancellation.test_cancel_create_async",
    ),
    Fault(
        "sync stream never answers",
        "hangs",
        "providers/asyncio.py",
        "yield loop.run_until_complete(await_callback(gen.__anext__, timeout))",
        "yield loop.run_until_complete(asyncio.Event().wait())",
        ["-k", "TestSyncStreaming.test_stream_yields"],
        "streaming.TestSyncStreaming.test_stream_yields_chunks_in_order",
    ),
    Fault(
        "async provider never answers (default run)",
        "hangs",
        "providers/base_provider.py",
        "            yield await provider.create_async(*args, **kwargs)",
        "            await asyncio.Event().wait()\n            yield None",
        [],
        "asyncio.TestChatCompletionAsync.test_async",
    ),
    Fault(
        "wrong result on a uvloop loop only",
        "uvloop",
        "__init__.py",
        "        method = get_async_provider_method(provider)",
        "        import asyncio\n"
        "        if type(asyncio.get_running_loop()).__module__.startswith('uvloop'):\n"
        "            provider = type(provider.__name__, (provider,), {'create_async': "
        "classmethod(lambda cls, *a, **k: asyncio.sleep(0, 'wrong'))})\n"
        "        method = get_async_provider_method(provider)",
        ["-k", "TestChatCompletionAsync", "-k", "Uvloop"],
        "threads.TestLoopThreadsUvloop.test_many_create_async_gathered",
    ),
]

# Extra lines some faults need at the end of the edited module.
APPENDIX = {
    "one event loop shared by all threads": "\n_SHARED_LOOP = asyncio.new_event_loop()\n",
}


def markdown():
    lines = ["| fault injected into a copy of g4f | family | file | caught by |", "|---|---|---|---|"]
    for fault in FAULTS:
        lines.append("| %s | %s | `g4f/%s` | `%s` |" % (fault.name, fault.family, fault.path, fault.caught_by))
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
