#!/usr/bin/env python3
"""How much of g4f's bridge and clients the default run executes, children included: g4f/providers/asyncio.py,
g4f/client/__init__.py, g4f/tools/run_tools.py and g4f/providers/base_provider.py.

    python tests/coverage_report.py [--fail-under PERCENT] [-- RUNNER OPTIONS]

Needs coverage.py (pip install -e .[dev]). Branch coverage; prints each file's percentage and what stays
unexecuted, with the reason: every line of the bridge, each block (by the function it is in) of the others.
Exit 1 when the bridge is below --fail-under (default 95) or client/__init__.py below 75.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = "providers/asyncio.py"  # reported line by line
# The other files: their minimum (or None), and why a function's blocks stay unexecuted (by function name).
TARGETS = {
    "client/__init__.py": 75.0,
    "tools/run_tools.py": None,
    "providers/base_provider.py": None,
}
BY_FUNCTION = {
    "add_chunk": "media and audio answers: no check asks for them",
    "resolve_media": "images sent with a request: no check sends one",
    "get_name": "a provider named by a str: the checks pass provider classes",
    "iter_response": "tool calls, reasoning, conversations, headers and provider info chunks: no check yields them",
    "async_iter_response": "tool calls, reasoning, conversations, headers and provider info chunks: no check yields them",
    "__init__": "a client with base_url (a custom OpenAI-compatible provider): needs a server",
    "create": "raw=True, image/media requests and provider names (str): outside the bridge contracts",
    "raw_response": "raw=True (the provider's JSON passed through): outside the bridge contracts",
    "get_provider_handler": "an image provider named by a str or chosen by the model",
    "async_generate": "an IterListProvider of image providers (retries): no check uses one",
    "_generate_image_response": "sync image providers, audio answers and providers without a method",
    "create_variation": "image variations: need an image and a variation provider",
    "async_create_variation": "image variations: need an image and a variation provider",
    "_process_image_response": "b64_json and downloaded images: they need the network",
    "create_client": "ClientFactory: named and custom providers (outside the bridge)",
    "create_async_client": "ClientFactory: named and custom providers (outside the bridge)",
    "stream": "Completions.stream, a shorthand for create(stream=True)",
    "_messages_cache_key": "multi-turn conversation caching of JsonConversation: no check sends one",
    "_cache_get": "multi-turn conversation caching of JsonConversation: no check sends one",
    "_cache_put": "multi-turn conversation caching of JsonConversation: no check sends one",
    "is_provider_api_key": "API keys: no check passes one",
    "provider_supports_native_tools": "tools: no check passes them",
    "validate_arguments": "tool calls: no check passes them",
    "process_search_tool": "web search: needs the network",
    "process_tools": "tool calls: no check passes them",
    "process_thinking_chunk": "<think> reasoning in a chunk: no check yields it",
    "perform_web_search": "web search: needs the network",
    "async_iter_run_tools": "tools, tool emulation, web search, API keys, sources and a failing usage file",
    "iter_run_tools": "tools, tool emulation, web search, API keys, sources and a failing usage file",
    "caculate_prompt_tokens": "messages whose content is a list of parts: no check sends one",
    "get_usage": "",
    "wait_for": "a provider raising TimeoutError itself",
    "get_async_provider_method": "a provider with no method at all",
    "get_provider_method": "a provider with no method at all",
    "get_parameters": "providers' parameter listing (for the GUI and API docs)",
    "get_type_as_var": "providers' parameter listing (for the GUI and API docs)",
    "get_params": "providers' parameter listing (for the GUI and API docs)",
    "get_quota": "quota and health endpoints: need the network",
    "probe_health": "quota and health endpoints: need the network",
    "get_health": "quota and health endpoints: need the network",
    "get_models": "providers' model lists",
    "get_model": "providers' model lists and aliases",
    "raise_error": "providers' HTTP error mapping",
    "get_cache_file": "authenticated providers (cookies, auth files)",
    "delete_cache_file": "authenticated providers (cookies, auth files)",
    "on_auth_async": "authenticated providers (cookies, auth files)",
    "reset_auth": "authenticated providers (cookies, auth files)",
    "write_cache_file": "authenticated providers (cookies, auth files)",
    "get_auth_result": "authenticated providers (cookies, auth files)",
    "create_async_generator": "authenticated providers (cookies, auth files)",
}

# Why a line stays unexecuted, by a piece of its text: paths no check can reach on this machine.
REASONS = {
    "except ImportError": "an import fallback, taken only where the package is missing (the nest-hidden child hides "
    "nest_asyncio2 and uvloop, so both run there)",
    "has_uvloop = False": "taken only without uvloop (the nest-hidden child hides it)",
    "has_uvloop = True": "taken only with uvloop installed (the [uvloop] extra)",
    "return loop": "the uvloop early return: taken only with uvloop installed (the [uvloop] extra)",
    "has_nest_asyncio = False": "taken only without nest_asyncio2 (measured in the no-nest child)",
    "except Exception": "only if closing a refused coroutine itself fails",
    "pass": "only if closing a refused coroutine itself fails",
    "loop = asyncio.get_running_loop()": "to_thread's fallback for Python < 3.9 (no asyncio.to_thread)",
    "run_in_executor": "to_thread's fallback for Python < 3.9 (no asyncio.to_thread)",
    "isinstance(loop, uvloop.Loop)": "taken only with uvloop installed (the [uvloop] extra)",
    "if asyncio.iscoroutine(generator):": "the refused coroutine's check inside the except: always a coroutine there "
    "(it was checked before), so its false branch cannot be taken",
    'if hasattr(loop, "shutdown_default_executor"):': "false only on Python 3.8 (shutdown_default_executor is 3.9+)",
    "if has_uvloop:": "false only without uvloop (the nest-hidden child hides it)",
    'if hasattr(asyncio, "to_thread"):': "false only on Python 3.8 (asyncio.to_thread is 3.9+)",
}


def main():
    work = tempfile.mkdtemp(prefix="g4f-tests-coverage-")
    try:
        return measure(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(work):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fail-under", type=float, default=95.0)
    parser.add_argument("runner_args", nargs="*")
    args = parser.parse_args()
    try:
        import coverage  # noqa: F401
    except ImportError:
        parser.exit(2, "coverage.py is missing: pip install -e .[dev]\n")
    import g4f

    package = os.path.dirname(g4f.__file__)
    target = os.path.join(package, TARGET)
    others = {os.path.join(package, path): (path, minimum) for path, minimum in TARGETS.items()}
    rc = os.path.join(work, "coveragerc")
    with open(rc, "w") as f:
        # concurrency = multiprocessing: coverage follows the check children (zygotes and their forks).
        f.write(
            "[run]\nbranch = True\nparallel = True\nconcurrency = thread,multiprocessing\ndata_file = %s\n"
            "include =\n    %s\n" % (os.path.join(work, ".coverage"), "\n    ".join([target] + list(others)))
        )
    env = dict(os.environ)
    run = subprocess.run(
        [sys.executable, "-m", "coverage", "run", "--rcfile", rc, os.path.join(ROOT, "run_tests.py"), "-q"]
        + args.runner_args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
    )
    print(run.stdout.rstrip().splitlines()[-1] if run.stdout.strip() else "(no output)")
    subprocess.run([sys.executable, "-m", "coverage", "combine", "-q", "--rcfile", rc], cwd=work, check=True)
    import coverage as cov

    data = cov.Coverage(config_file=rc, data_file=os.path.join(work, ".coverage"))
    data.load()
    data.report(file=sys.stdout)
    percent = data.report(include=[target], file=open(os.devnull, "w"))
    _, statements, excluded, missing, _ = data.analysis2(target)
    with open(target, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if missing:
        print("\nunexecuted lines of g4f/%s:" % TARGET)
    for number in missing:
        text = lines[number - 1].strip()
        reason = next((why for key, why in REASONS.items() if key in text), "no check reaches it")
        print("  %4d  %-60s %s" % (number, text[:60], reason))
    try:  # coverage.py has no public API for the branches not taken
        branches = data._analyze(target).missing_branch_arcs()
    except Exception:
        branches = {}
    partial = {line: ends for line, ends in branches.items() if line not in missing}
    if partial:
        print("\nbranches of g4f/%s never taken (line -> where it would go):" % TARGET)
    for number, ends in sorted(partial.items()):
        text = lines[number - 1].strip()
        reason = next((why for key, why in REASONS.items() if key in text), "no check reaches it")
        where = ", ".join(str(end) if end > 0 else "exit" for end in ends)
        print("  %4d  %-60s %s" % (number, ("%s -> %s" % (text, where))[:60], reason))
    failed = percent < args.fail_under
    results = ["g4f/%s: %.1f%%" % (TARGET, percent)]
    for path, (name, minimum) in others.items():
        share = data.report(include=[path], file=open(os.devnull, "w"))
        print("\nunexecuted blocks of g4f/%s (by function):" % name)
        for function, first, last in blocks(data, path):
            print(
                "  %4d-%-4d %-28s %s" % (first, last, function[:28], BY_FUNCTION.get(function) or "no check reaches it")
            )
        failed = failed or (minimum is not None and share < minimum)
        results.append("g4f/%s: %.1f%%%s" % (name, share, "" if minimum is None else " (at least %s%%)" % minimum))
    print("\nbranch coverage, clean-interpreter children included:\n  " + "\n  ".join(results))
    return 1 if failed else 0


def blocks(data, path):
    """(function, first line, last line) of each run of unexecuted statements in ``path``."""
    _, statements, _, missing, _ = data.analysis2(path)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    missing, found, run = set(missing), [], None
    for number in statements:
        if number not in missing:
            run = None
            continue
        function = _function_of(lines, number)
        if run is not None and run[0] == function:
            run[2] = number
        else:
            run = [function, number, number]
            found.append(run)
    return found


def _function_of(lines, number):
    indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
    for line in reversed(lines[: number - 1]):
        stripped = line.lstrip()
        if stripped.startswith(("def ", "async def ")) and len(line) - len(stripped) < indent:
            return stripped.split("def ", 1)[1].split("(", 1)[0]
    return "(module level)"


if __name__ == "__main__":
    sys.exit(main())
