"""The clients' response objects carry what the provider reported, and both clients build the same ones.

A provider streams NON_EMPTY, then reports its finish reason (FinishReason("length")) and its token counts
(Usage), as g4f's providers do. Client and AsyncClient, streamed and not, over a sync and an async-generator
provider, must answer with:

- not streamed, one ChatCompletion: object "chat.completion", an id "chatcmpl-" and 28 letters and digits,
  ``created`` the Unix time of the request, ``model`` as requested, ``provider`` the provider's name, the joined
  text as the message, the finish reason and the token counts the provider reported;
- streamed, one ChatCompletionChunk per chunk and a closing one: object "chat.completion.chunk", one id shared
  by all of them, each ``created`` during the request, ``model`` and ``provider`` as above, no finish reason
  but on the closing chunk, which carries the provider's, and the provider's token counts on it.
"""

import asyncio
import importlib
import re
import threading
import time

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_DROPS_USAGE_OF_SYNC_PROVIDER,
    ASYNC_CLIENT_ESTIMATES_APART,
    ASYNC_CLIENT_ONE_DELTA,
    CLIENT_RESPONSE_WITHOUT_MODEL,
    CLIENTS_USAGE_TOTAL_ZERO,
    OTHER_COUNTS,
    known,
)
from .observe import each, each_async
from .paths import answer, answer_async, async_stream, start
from .providers import NON_EMPTY
from .response_objects import response_of, response_of_async, yielding_provider

USAGE = {"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33}
ID = "chatcmpl- and 28 letters and digits"
CREATED = "the time of the request"
PROVIDER = "the provider's name"
NOT_REPORTED = OTHER_COUNTS
EXPECTED = {
    "not streamed": {
        "object": "chat.completion",
        "id": ID,
        "created": CREATED,
        "model": support.MODEL,
        "provider": PROVIDER,
        "content": "".join(NON_EMPTY),
        "finish_reason": "length",
        "usage": USAGE,
    },
    "stream": {
        "object": "chat.completion.chunk",
        "id": ID,
        "created": CREATED,
        "model": support.MODEL,
        "provider": PROVIDER,
        "content": list(NON_EMPTY) + [None],
        "finish_reason": [None] * len(NON_EMPTY) + ["length"],
        "usage": USAGE,
    },
}


def response_types():
    def lookup():
        module = importlib.import_module("g4f.providers.response")
        return module.FinishReason, module.Usage

    return support.require_api("client_usage", lookup)


def reporting_provider(kind):
    """A provider of ``kind`` that streams NON_EMPTY, then reports its finish reason and its token counts."""
    FinishReason, Usage = response_types()
    return yielding_provider(
        kind, lambda: list(NON_EMPTY) + [FinishReason("length"), Usage(**USAGE)], "ReportingProviderMock"
    )


def usage_of(response):
    usage = getattr(response, "usage", None)
    return None if usage is None else {key: getattr(usage, key, None) for key in USAGE}


def summary(response, started, provider):
    """A ChatCompletion, or a stream's chunks (a list), in EXPECTED's terms: for object, id, model and provider
    the value all of them share (a list where they differ), in EXPECTED's words where it is what those describe;
    ``created`` likewise, each read on its own (a stream may cross a second)."""
    ended = time.time()
    chunks = response if isinstance(response, list) else [response]
    found = {}
    for key in ("object", "id", "created", "model", "provider"):
        values = [getattr(chunk, key, None) for chunk in chunks]
        if key == "created":
            values = [CREATED if isinstance(v, int) and int(started) <= v <= ended else v for v in values]
        shared = all(value == values[0] for value in values) and values
        found[key] = _in_words(key, values[0], provider) if shared else values
    if isinstance(response, list):
        found["content"] = [chunk.choices[0].delta.content for chunk in chunks]
        found["finish_reason"] = [chunk.choices[0].finish_reason for chunk in chunks]
    else:
        found["content"] = response.choices[0].message.content
        found["finish_reason"] = response.choices[0].finish_reason
    found["usage"] = usage_of(chunks[-1]) if chunks else None
    return found


def _in_words(key, value, provider):
    if key == "id" and isinstance(value, str) and re.fullmatch(r"chatcmpl-[A-Za-z0-9]{28}", value):
        return ID
    if key == "provider" and value == provider.__name__:
        return PROVIDER
    return value


def wrong(found, stream):
    """The fields of ``found`` (a summary) that are not as EXPECTED says, with the values found."""
    expected = EXPECTED["stream" if stream else "not streamed"]
    if found.get("usage") not in (USAGE, None):
        found["usage"] = NOT_REPORTED  # g4f's own estimate (its numbers change between releases)
    return {key: found.get(key) for key in expected if found.get(key) != expected[key]}


def client_response(api, kind, stream):
    """What is wrong in the Client's answer (nothing: {})."""
    provider = reporting_provider(kind)
    started = time.time()
    result = start(api, provider, stream)
    return wrong(summary(list(result) if stream else result, started, provider), stream)


async def async_client_response(api, kind, stream):
    """What is wrong in the AsyncClient's answer (nothing: {})."""
    provider = reporting_provider(kind)
    started = time.time()
    result = start(api, provider, stream)
    if stream:
        result = [chunk async for chunk in await async_stream(api, result)]
    else:
        result = await result
    return wrong(summary(result, started, provider), stream)


def cases(api):
    return {
        "%s, %s, %s" % (api, "stream" if stream else "not streamed", kind): (api, kind, stream)
        for kind in ("sync provider", "async-generator provider")
        for stream in (False, True)
    }


def legacy_text(api, kind):
    """The legacy API's answer (not streamed) for a provider that also reports its finish reason and usage."""
    return answer(api, reporting_provider(kind))


async def legacy_text_async(api, kind):
    return await answer_async(api, reporting_provider(kind))


def legacy_cases(api):
    return {"%s, %s" % (api, kind): (api, kind) for kind in ("sync provider", "async-generator provider")}


def sync_responses():
    found = each(client_response, cases("Client"))
    found.update(each(legacy_text, legacy_cases("ChatCompletion.create")))
    return found


async def async_responses():
    found = await each_async(async_client_response, cases("AsyncClient"))
    found.update(await each_async(legacy_text_async, legacy_cases("ChatCompletion.create_async")))
    return found


# Token counts reported without their total, and none at all: the clients' usage adds up either way (g4f estimates
# the counts it was not given; how it counts is its own, that they add up is not, and neither is that AsyncClient
# estimates the same request as Client does: the async check asks Client too, from a thread of its own).
PARTLY = {"prompt_tokens": 11, "completion_tokens": 22}
ADDS_UP = "whole numbers, completion_tokens above 0, prompt_tokens + completion_tokens = total_tokens"
# The same counts in another vendor's names (input and output tokens), which g4f's Usage takes for them.
VENDOR_NAMES = "usage reported as input and output tokens"
USAGE_REPORTS = {"usage reported without its total": USAGE, VENDOR_NAMES: USAGE, "no usage reported": ADDS_UP}


def usage_provider(kind, report):
    """A provider of ``kind`` that streams NON_EMPTY, then reports PARTLY (in its own names, or another vendor's), or
    ("no usage reported") nothing."""
    Usage = response_types()[1]
    extra = [Usage(**PARTLY)] if report == "usage reported without its total" else []
    if report == VENDOR_NAMES:
        support.require_api("usage_vendor_names")
        extra = [Usage(input_tokens=PARTLY["prompt_tokens"], output_tokens=PARTLY["completion_tokens"])]
    return yielding_provider(kind, lambda: list(NON_EMPTY) + extra, "UsageProviderMock")


def usage_found(response, report):
    """The answer's token counts (a stream's, on its last chunk); for "no usage reported", ADDS_UP where they do."""
    usage = usage_of(response[-1] if isinstance(response, list) else response)
    counts = list(usage.values()) if usage else []
    if report == "no usage reported" and counts and all(type(n) is int and n >= 0 for n in counts):
        # the answer has text: saying it took tokens
        if (
            usage["completion_tokens"] > 0
            and usage["prompt_tokens"] + usage["completion_tokens"] == usage["total_tokens"]
        ):
            return ADDS_UP
    return usage


def client_usage(api, kind, stream, report):
    return usage_found(response_of(api, usage_provider(kind, report), stream), report)


def client_estimate(kind, stream, found):
    """In a thread of its own (no loop running): Client's token counts for the request with no usage reported, put
    in ``found``; the loop that Client leaves the thread, where nest's asyncio.run leaves one, closed."""
    try:
        response = response_of("Client", usage_provider(kind, "no usage reported"), stream)
        found.append(usage_of(response[-1] if isinstance(response, list) else response))
    finally:
        loop = support.thread_loop()
        if loop is not None and not loop.is_running():
            loop.close()
            asyncio.set_event_loop(None)


async def async_client_usage(api, kind, stream, report):
    response = await response_of_async(api, usage_provider(kind, report), stream)
    found = usage_found(response, report)
    if found == ADDS_UP:  # and the same estimate as Client's, for the same request
        estimate = usage_of(response[-1] if isinstance(response, list) else response)
        theirs = []
        worker = threading.Thread(target=client_estimate, args=(kind, stream, theirs))
        worker.start()
        worker.join()
        if theirs != [estimate]:
            return {"estimate": estimate, "Client's estimate of the same request": theirs[0] if theirs else None}
    return found


def usage_cases(api):
    """The calls of cases(api) for each report, labelled "API, report, stream or not, provider kind" (a defect names
    the calls it is in by the start of their labels)."""
    return {
        "%s, %s, %s" % (api, report, label.partition(", ")[2]): case + (report,)
        for label, case in cases(api).items()
        for report in USAGE_REPORTS
    }


def sync_usages():
    return each(client_usage, usage_cases("Client"))


async def async_usages():
    return await each_async(async_client_usage, usage_cases("AsyncClient"))


class ResponseChecks:
    def assertResponses(self, found):
        for label, call in self.calls(found):
            if not label.startswith("ChatCompletion"):
                with self.subTest(call=label):
                    self.assertReturned(call, {})  # no field differs from EXPECTED

    def assertUsageAddsUp(self, found):
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, USAGE_REPORTS[label.split(", ")[1]])

    def assertLegacyText(self, found):
        for label, call in self.calls(found):
            if label.startswith("ChatCompletion"):
                with self.subTest(call=label):
                    self.assertReturned(call, "".join(NON_EMPTY))


class SyncResponseChecks(ResponseChecks):
    @known(CLIENT_RESPONSE_WITHOUT_MODEL)
    @in_child(sync_responses)
    def test_client_response_carries_what_the_provider_reported(self, found):
        """Client's ChatCompletion and chunks carry the provider's finish reason and token counts, one chatcmpl- id per answer, created, object, the model as requested and the provider's name"""
        self.assertResponses(found)

    @known(CLIENTS_USAGE_TOTAL_ZERO)
    @in_child(sync_usages)
    def test_client_usage_adds_up(self, found):
        """Client's token counts, streamed and not, where the provider reported them without their total (the total is their sum) and where it reported none (g4f's estimate: whole numbers that add up, some for the answer), by the same rule as AsyncClient's"""
        self.assertUsageAddsUp(found)

    @in_child(sync_responses)
    def test_legacy_create_joins_only_the_text(self, found):
        """ChatCompletion.create, not streamed, answers only the provider's text, without its finish reason or token counts"""
        self.assertLegacyText(found)


class AsyncResponseChecks(ResponseChecks):
    @known(ASYNC_CLIENT_ONE_DELTA)
    @in_child(async_responses)
    def test_async_client_response_carries_what_the_provider_reported(self, found):
        """AsyncClient's ChatCompletion and chunks carry the provider's finish reason and token counts, one chatcmpl- id per answer, created, object, the model as requested and the provider's name"""
        self.assertResponses(found)

    @known(CLIENTS_USAGE_TOTAL_ZERO, ASYNC_CLIENT_DROPS_USAGE_OF_SYNC_PROVIDER, ASYNC_CLIENT_ESTIMATES_APART)
    @in_child(async_usages)
    def test_async_client_usage_adds_up(self, found):
        """AsyncClient's token counts, streamed and not, where the provider reported them without their total (the total is their sum) and where it reported none (g4f's estimate: whole numbers that add up, some for the answer, the same as Client's for the same request)"""
        self.assertUsageAddsUp(found)

    @in_child(async_responses)
    def test_legacy_create_async_joins_only_the_text(self, found):
        """ChatCompletion.create_async, not streamed, answers only the provider's text, without its finish reason or token counts"""
        self.assertLegacyText(found)


class TestResponses(SyncResponseChecks, CheckTestCase):
    pass


class TestResponsesNestApplied(SyncResponseChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncResponses(AsyncResponseChecks, CheckTestCase):
    pass


class TestAsyncResponsesUvloop(AsyncResponseChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncResponsesNestApplied(AsyncResponseChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
