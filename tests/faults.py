#!/usr/bin/env python3
"""The faults injected into a copy of g4f to prove that each check can fail, and fails exactly.

Each fault is a small edit of g4f 8.8.6's code (helpers.G4fCopy), tied to the checks that must catch it and to
how: the outcome they must get ("failed": failed or error; "unexpected success": a known defect that stopped
showing; "watchdog": the per-test limit ends a run that hangs in this process) and a pattern their message must
match. ``tests/test_faults.py`` applies them one at a time and reads the outcomes from the runner's --json; a run
covers the modules of the checks a fault names (``args``, when given, instead).
``python tests/faults.py`` prints the table README.md shows.
"""

import collections

Fault = collections.namedtuple(
    "Fault",
    "name family path old new caught_by kind pattern args needs hide_nest appendix",
    defaults=((), None, False, ""),
)

# Inside a running loop, the AsyncProvider sync path misbehaves in a way no known defect describes.
_IN_RUNNING_LOOP = (
    "            try:\n"
    "                asyncio.get_running_loop()\n"
    "            except RuntimeError:\n"
    "                pass\n"
    "            else:\n"
    "                %s\n"
    "            yield asyncio.run(provider.create_async(*args, **kwargs))"
)
_ASYNC_PROVIDER_SYNC = "            yield asyncio.run(provider.create_async(*args, **kwargs))"
_NOT_THE_DEFECT = r"not the known defect"

FAULTS = [
    # The documented module.
    Fault(
        "altered result",
        "documented",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        "            yield 'not ' + asyncio.run(provider.create_async(*args, **kwargs))",
        ("asyncio.TestChatCompletion.test_create",),
        "failed",
        r"'not Mock'",
    ),
    Fault(
        "async provider never answers (documented, in this process)",
        "hangs",
        "providers/base_provider.py",
        "            yield await provider.create_async(*args, **kwargs)",
        "            await asyncio.Event().wait()\n            yield None",
        ("asyncio.TestChatCompletionAsync.test_async",),
        "watchdog",
        r"did not finish within 2",
        ("g4f_tests.asyncio", "--timeout", "2"),
    ),
    # Streaming and clients.
    Fault(
        "lost chunk (sync stream)",
        "streaming",
        "providers/asyncio.py",
        "    gen = generator.__aiter__()\n",
        "    gen = generator.__aiter__()\n    loop.run_until_complete(gen.__anext__())\n",
        ("streaming.TestSyncStreaming.test_stream_yields_chunks_in_order",),
        "failed",
        r"expected \['Hello'",
    ),
    Fault(
        "repeated chunk (async path of a sync provider)",
        "streaming",
        "providers/base_provider.py",
        "for chunk in provider.create_completion(*args, **kwargs):\n                yield chunk",
        "for chunk in provider.create_completion(*args, **kwargs):\n                yield chunk\n"
        "                yield chunk",
        ("streaming.TestAsyncStreaming.test_create_async_stream_yields_chunks_in_order",),
        "failed",
        r"expected",
    ),
    Fault(
        "reordered chunks when joining",
        "streaming",
        "providers/helper.py",
        "            for chunk in chunks\n",
        "            for chunk in reversed(list(chunks))\n",
        ("streaming.TestSyncStreaming.test_create_joins_all_chunks",),
        "failed",
        r"expected 'Hello",
    ),
    Fault(
        "str returned for stream=True",
        "streaming",
        "__init__.py",
        "return result if stream or ignore_stream else concat_chunks(result)",
        "return concat_chunks(result) if stream else (result if ignore_stream else concat_chunks(result))",
        ("streaming.TestSyncStreaming.test_stream_yields_chunks_in_order",),
        "failed",
        r"'returned': 'str'",
    ),
    Fault(
        "awaitable where an async iterator belongs",
        "streaming",
        "__init__.py",
        'if not stream and not ignore_stream and hasattr(result, "__aiter__"):',
        'if not ignore_stream and hasattr(result, "__aiter__"):',
        ("streaming.TestAsyncStreaming.test_create_async_stream_yields_chunks_in_order",),
        "failed",
        r"'returned': 'coroutine'",
    ),
    Fault(
        "lost first delta in Client streaming",
        "clients",
        "client/__init__.py",
        "        if stream:\n            chunk = ChatCompletionChunk.model_construct(",
        "        if stream and idx == 1:\n            continue\n"
        "        if stream:\n            chunk = ChatCompletionChunk.model_construct(",
        ("fidelity.TestFidelity.test_sync_apis_deliver_exactly_what_was_yielded",),
        "failed",
        r"expected \['Hello'",
    ),
    # The client contracts through every API (fidelity.py to third_party.py).
    Fault(
        "Client streams a delta for an empty chunk",
        "fidelity",
        "client/__init__.py",
        "        elif not chunk:\n            continue\n\n        content = add_chunk(content, chunk)",
        "\n        content = add_chunk(content, chunk)",
        ("fidelity.TestFidelity.test_sync_apis_deliver_exactly_what_was_yielded",),
        "failed",
        r"expected \['Hello', ', Wörld', ' ', '\\n",
    ),
    Fault(
        "AsyncClient streams a delta for an empty chunk",
        "fidelity",
        "client/__init__.py",
        "            elif not chunk:\n                continue\n\n            content = add_chunk(content, chunk)",
        "\n            content = add_chunk(content, chunk)",
        ("fidelity.TestAsyncFidelity.test_async_apis_deliver_exactly_what_was_yielded",),
        "failed",
        r"expected \['Hello', ', Wörld', ' ', '\\n",
    ),
    Fault(
        "Client reads the provider's stream ahead",
        "incremental",
        "tools/run_tools.py",
        "        for chunk in method(\n            model=model, messages=messages, provider=provider, **kwargs\n        ):",
        "        for chunk in list(method(\n            model=model, messages=messages, provider=provider, **kwargs\n        )):",
        ("incremental.TestStops.test_sync_stream_is_delivered_as_produced",),
        "failed",
        r"'produced when it arrived': 7",
    ),
    Fault(
        "closing a sync stream leaves the provider's generator open",
        "incremental",
        "providers/asyncio.py",
        "                loop.run_until_complete(loop.shutdown_asyncgens())\n",
        "",
        ("incremental.TestStops.test_closing_a_sync_stream_closes_the_provider",),
        "failed",
        r"'closed': False",
    ),
    Fault(
        "Client swallows a provider error (a partial answer as a success)",
        "errors",
        "tools/run_tools.py",
        "        provider.live -= 1\n        raise\n\n    if sources is not None:",
        "        provider.live -= 1\n        return\n\n    if sources is not None:",
        ("errors.TestErrors.test_sync_apis_raise_the_provider_error",),
        "failed",
        r"'raised': None",
    ),
    Fault(
        "AsyncClient replaces a provider error by another type",
        "errors",
        "tools/run_tools.py",
        "        provider.live -= 1\n        raise\n\n    # Yield sources",
        "        provider.live -= 1\n        raise RuntimeError('g4f-tests fault')\n\n    # Yield sources",
        ("errors.TestAsyncErrors.test_async_apis_raise_the_provider_error",),
        "failed",
        r"g4f-tests fault",
    ),
    Fault(
        "AsyncClient applies the limit the provider does not name",
        "timeouts",
        "tools/run_tools.py",
        "        if provider.use_stream_timeout\n",
        "        if not provider.use_stream_timeout\n",
        ("timeouts.TestTimeouts.test_async_client_stream_waits_each_chunk_at_most_the_named_limit",),
        "failed",
        r"expected",
    ),
    Fault(
        "Client reports its own finish reason, not the provider's",
        "responses",
        "client/__init__.py",
        "        if isinstance(chunk, FinishReason):\n            finish_reason = chunk.reason",
        "        if isinstance(chunk, FinishReason):\n            finish_reason = 'stop'",
        ("responses.TestResponses.test_client_response_carries_what_the_provider_reported",),
        "failed",
        r"'finish_reason'",
    ),
    Fault(
        "AsyncClient ignores the provider's token counts",
        "responses",
        "client/__init__.py",
        "                usage = chunk\n                continue",
        "                continue",
        ("responses.TestAsyncResponses.test_async_client_response_carries_what_the_provider_reported",),
        "failed",
        r"other counts than the provider reported",
    ),
    Fault(
        "a stream's chunks get ids of their own",
        "responses",
        "client/__init__.py",
        "                chunk, None, completion_id, int(time.time())\n",
        "                chunk, None, completion_id[:-2] + str(idx).zfill(2), int(time.time())\n",
        ("responses.TestResponses.test_client_response_carries_what_the_provider_reported",),
        "failed",
        r"'id': \['chatcmpl-",
    ),
    Fault(
        "Client does not pass max_tokens on",
        "parameters",
        "client/__init__.py",
        "                max_tokens=max_tokens,\n",
        "",
        ("parameters.TestParameters.test_sync_apis_pass_the_parameters_to_the_provider",),
        "failed",
        r"'max_tokens': '\(not passed\)'",
    ),
    Fault(
        "Client ends max_tokens one chunk late",
        "parameters",
        "client/__init__.py",
        "        if max_tokens is not None and idx >= max_tokens:",
        "        if max_tokens is not None and idx > max_tokens:",
        ("parameters.TestParameters.test_client_applies_stop_max_tokens_json_and_ignore_stream",),
        "failed",
        r"expected \{'answer': \[.*'length'\]",
    ),
    Fault(
        "images keep only the first URL",
        "images",
        "client/__init__.py",
        "                for image in response.get_list()\n",
        "                for image in response.get_list()[:1]\n",
        ("images.TestImages.test_client_images_outside_a_loop",),
        "failed",
        r"'urls': \['https://images.invalid/1.png'\]",
    ),
    Fault(
        "an async-generator provider no longer streams unless it says so",
        "third-party providers",
        "providers/base_provider.py",
        "    supports_stream = True\n    use_stream_timeout = True\n",
        "    supports_stream = False\n    use_stream_timeout = True\n",
        ("third_party.TestThirdParty.test_sync_apis_take_providers_written_as_documented",),
        "failed",
        r"StreamNotSupportedError",
    ),
    # Loop hygiene, in a fresh interpreter.
    Fault(
        "loop not closed",
        "loop hygiene",
        "providers/asyncio.py",
        "                asyncio.set_event_loop(None)\n                loop.close()\n",
        "                asyncio.set_event_loop(None)\n",
        ("loops.TestLoopHygiene.test_sync_call_leaves_nothing_unclosed_or_pending",),
        "failed",
        r"unclosed event loop",
    ),
    Fault(
        "loop left installed",
        "loop hygiene",
        "providers/asyncio.py",
        "                asyncio.set_event_loop(None)\n                loop.close()\n",
        "                loop.close()\n",
        ("loops.TestLoopHygiene.test_sync_call_returns_and_leaves_no_loop_installed",),
        "failed",
        r"left installed",
    ),
    # Nesting, in fresh interpreters.
    Fault(
        "no auto-patch of the running loop",
        "nesting",
        "providers/asyncio.py",
        "                nest_asyncio.apply(loop)",
        "                pass",
        ("nesting.TestAutoPatch.test_generator_provider_in_running_loop",),
        "failed",
        r"expected 'Mock'",
    ),
    Fault(
        "check_nested ignored",
        "nesting",
        "providers/asyncio.py",
        "            elif check_nested:",
        "            elif False:",
        ("nesting.TestWithoutNestAsyncio.test_get_running_loop_check_nested",),
        "failed",
        r"NestAsyncioError",
    ),
    Fault(
        "bare RuntimeError from to_sync_generator",
        "nesting",
        "providers/asyncio.py",
        '                raise NestAsyncioError(\n                    \'Install "nest-asyncio2" package | '
        "pip install -U nest-asyncio2'\n                ) from e",
        "                raise",
        ("nesting.TestWithoutNestAsyncio.test_to_sync_generator_coroutine_in_running_loop",),
        "failed",
        r"NestAsyncioError",
    ),
    Fault(
        "g4f nest-patches asyncio when imported",
        "regimes",
        "providers/asyncio.py",
        "def get_running_loop(check_nested: bool)",
        "if has_nest_asyncio:\n    nest_asyncio.apply()\n\n\ndef get_running_loop(check_nested: bool)",
        (
            "streaming.TestAsyncStreaming.test_create_async_joins_all_chunks",
            "bridge.TestToSyncGenerator.test_generator_with_timeout_yields_every_chunk",
        ),
        "failed",
        r"could not run in its regime \(plain asyncio.*\): asyncio is nest-patched",
    ),
    # Known defects: fixed (an unexpected success), or broken differently (not the known defect).
    Fault(
        "known defect fixed: NestAsyncioError without nest_asyncio",
        "known defects",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        "            coroutine = provider.create_async(*args, **kwargs)\n"
        "            try:\n"
        "                result = asyncio.run(coroutine)\n"
        "            except RuntimeError as error:\n"
        "                coroutine.close()\n"
        "                from g4f.errors import NestAsyncioError\n"
        "                raise NestAsyncioError('Install nest-asyncio2') from error\n"
        "            yield result",
        ("nesting.TestWithoutNestAsyncio.test_async_provider_in_running_loop",),
        "unexpected success",
        r"",
    ),
    Fault(
        "KeyError inside a running loop",
        "known defects",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        _IN_RUNNING_LOOP % "raise KeyError('g4f-tests fault')",
        (
            "nesting.TestWithoutNestAsyncio.test_async_provider_in_running_loop",
            "nesting.TestAutoPatch.test_async_provider_in_running_loop",
        ),
        "failed",
        _NOT_THE_DEFECT + r".*KeyError",
    ),
    Fault(
        "a wrong value inside a running loop",
        "known defects",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        _IN_RUNNING_LOOP % "yield 'WRONG'\n                return",
        (
            "nesting.TestWithoutNestAsyncio.test_async_provider_in_running_loop",
            "nesting.TestAutoPatch.test_async_provider_in_running_loop",
        ),
        "failed",
        _NOT_THE_DEFECT + r".*'WRONG'",
    ),
    Fault(
        "KeyError inside a running loop, documented test without nest",
        "known defects",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        _IN_RUNNING_LOOP % "raise KeyError('g4f-tests fault')",
        ("asyncio.TestChatCompletion.test_exception",),
        "failed",
        _NOT_THE_DEFECT + r".*KeyError",
        ("g4f_tests.asyncio",),
        None,
        True,
    ),
    Fault(
        "KeyError inside a running loop, in a Jupyter kernel",
        "known defects",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        _IN_RUNNING_LOOP % "raise KeyError('g4f-tests fault')",
        ("jupyter.TestJupyterKernel.test_async_provider_in_fresh_kernel",),
        "failed",
        _NOT_THE_DEFECT + r".*KeyError",
        ("g4f_tests.jupyter",),
        "ipykernel",
    ),
    Fault(
        "the process dies in g4f's uvloop branch",
        "known defects",
        "providers/asyncio.py",
        "            if isinstance(loop, uvloop.Loop):\n                return loop",
        "            if isinstance(loop, uvloop.Loop):\n"
        "                import os, signal\n"
        "                os.kill(os.getpid(), signal.SIGSEGV)",
        ("nesting.TestUvloop.test_generator_provider_in_running_uvloop",),  # the AsyncProvider path never gets there
        "failed",
        _NOT_THE_DEFECT + r".*exit status -11",
        ("g4f_tests.nesting",),
        "uvloop",
    ),
    # APIs a release had: gone is a failure, not a skip.
    Fault(
        "to_thread renamed",
        "missing APIs",
        "providers/asyncio.py",
        "async def to_thread(",
        "async def to_thread_(",
        ("bridge.TestToAsyncIterator.test_to_thread_runs_in_another_thread",),
        "failed",
        r"g4f.providers.asyncio.to_thread is missing",
    ),
    Fault(
        "to_sync_generator's timeout renamed",
        "missing APIs",
        "providers/asyncio.py",
        "    generator: AsyncIterator, stream: bool = True, timeout: int = None\n",
        "    generator: AsyncIterator, stream: bool = True, seconds: int = None\n",
        ("bridge.TestToSyncGenerator.test_generator_with_timeout_yields_every_chunk",),
        "failed",
        r"to_sync_generator\(\.\.\., timeout=\.\.\.\) is missing",
    ),
    # Threads, cancellation, hangs in a child, uvloop.
    Fault(
        "one event loop shared by all threads",
        "threads",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        "            yield _SHARED_LOOP.run_until_complete(provider.create_async(*args, **kwargs))",
        ("threads.TestThreads.test_sync_create_from_many_threads_at_once",),
        "failed",
        r"expected \{",
        appendix="\n_SHARED_LOOP = asyncio.new_event_loop()\n",
    ),
    Fault(
        "cancellation does not reach the provider",
        "cancellation",
        "providers/helper.py",
        "    return concat_chunks([chunk async for chunk in chunks])",
        "    import asyncio\n\n    async def collect():\n        return [chunk async for chunk in chunks]\n\n"
        "    return concat_chunks(await asyncio.shield(collect()))",
        ("cancellation.TestCancellation.test_cancel_create_async",),
        "failed",
        r"not closed",
    ),
    Fault(
        "sync stream never answers (in a child)",
        "hangs",
        "providers/asyncio.py",
        "yield loop.run_until_complete(await_callback(gen.__anext__, timeout))",
        "yield loop.run_until_complete(asyncio.Event().wait())",
        ("streaming.TestSyncStreaming.test_stream_yields_chunks_in_order",),
        "failed",
        r"the check hung",
        ("g4f_tests.streaming.TestSyncStreaming", "--timeout", "2"),
    ),
    # Where integrators run g4f: each environment's checks catch a fault of their own.
    Fault(
        "a worker thread's loop left open and installed (uvicorn's threadpool)",
        "environments",
        "providers/asyncio.py",
        "                asyncio.set_event_loop(None)\n                loop.close()\n",
        "                if __import__('threading').current_thread() is __import__('threading').main_thread():\n"
        "                    asyncio.set_event_loop(None)\n"
        "                    loop.close()\n",
        ("asgi.TestUvicorn.test_def_endpoint_returns_results_and_leaves_no_loop",),
        "failed",
        r"unclosed event loop left installed",
        ("g4f_tests.asgi.TestUvicorn",),
        "uvicorn",
    ),
    Fault(
        "one event loop shared by a threaded WSGI server's request threads",
        "environments",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        "            yield _SHARED_LOOP.run_until_complete(provider.create_async(*args, **kwargs))",
        ("wsgi.TestThreadedWsgi.test_requests_at_once_each_get_their_own_result",),
        "failed",
        r"This event loop is already running",
        ("g4f_tests.wsgi.TestThreadedWsgi",),
        appendix="\n_SHARED_LOOP = asyncio.new_event_loop()\n",
    ),
    Fault(
        "KeyError inside another greenlet's running loop (gevent)",
        "environments",
        "providers/base_provider.py",
        _ASYNC_PROVIDER_SYNC,
        _IN_RUNNING_LOOP % "raise KeyError('g4f-tests fault')",
        ("greenlets.TestGevent.test_sync_create_at_once_async_provider",),
        "failed",
        _NOT_THE_DEFECT + r".*KeyError",
        ("g4f_tests.greenlets",),
        "gevent",
    ),
    Fault(
        "create_async leaves a task pending on the caller's loop (a bot's)",
        "environments",
        "__init__.py",
        "        method = get_async_provider_method(provider)",
        "        method = get_async_provider_method(provider)\n"
        "        import asyncio\n"
        "        asyncio.ensure_future(asyncio.sleep(3600))",
        ("bots.TestBotLoop.test_bot_closes_cleanly",),
        "failed",
        r"'pending': \[.*sleep",
        ("g4f_tests.bots.TestBotLoop",),
    ),
    Fault(
        "no auto-patch of a kernel's loop (stream=True in a fresh kernel)",
        "environments",
        "providers/asyncio.py",
        "                nest_asyncio.apply(loop)",
        "                pass",
        ("jupyter.TestJupyterKernel.test_stream_in_fresh_kernel",),
        "failed",
        r"This event loop is already running",
        ("g4f_tests.jupyter",),
        "ipykernel",
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
        ("threads.TestLoopThreadsUvloop.test_many_create_async_gathered",),
        "failed",
        r"'wrong'",
        ("g4f_tests.threads",),
        "uvloop",
    ),
]


def markdown():
    lines = ["| fault injected into a copy of g4f | family | file | caught by (outcome) |", "|---|---|---|---|"]
    for fault in FAULTS:
        caught = ", ".join("`%s`" % test for test in fault.caught_by)
        lines.append("| %s | %s | `g4f/%s` | %s (%s) |" % (fault.name, fault.family, fault.path, caught, fault.kind))
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
