"""Provider lists: g4f's IterListProvider (what AnyProvider and a model's list of providers are built on) and
RotatedProvider (one made for each request), through every API, streamed and not, as a caller who hands g4f several
providers meets them.

The providers are async-generator providers, as g4f's own are, in the order given (shuffle=False); each notes its
calls. A list:

- answers with the first provider that answers: the caller gets exactly that provider's chunks, and no provider
  after it is called;
- goes on to the next provider where one failed before its first chunk;
- raises the error of a provider that failed after some chunks (streamed: after those chunks), and calls no other:
  it never returns part of an answer as a success, nor another provider's answer in its place;
- raises the error of the one provider that failed as that provider raised it (its type and message), and where
  every provider failed, g4f.errors.RetryProviderError naming each provider's error, in the order they were called;
- calls each provider with the model requested (not the provider's default model) and the caller's other
  parameters as passed (a parameter g4f does not know, an api_key).

RetryProvider with ``single_provider_retry=True`` calls only its first provider, again where it failed before its first
chunk, at most ``max_retries`` times: a provider that fails once, then answers, answers (called twice); one that
always fails is called ``max_retries`` times and its error raised as it raised it; the next provider is never called.

The legacy stream (ChatCompletion) also carries the list's own objects: ProviderInfo, with which g4f says which
provider is answering, and in some releases the error of a provider it passed over. These checks read the text and
leave a legacy stream's objects out. The chunks are NON_EMPTY: a list leaves empty chunks out by design.
"""

import importlib
import itertools

from g4f.providers.base_provider import AsyncGeneratorProvider

from . import support
from .checks import CheckTestCase, in_child
from .failing import ProviderError
from .known_defects import (
    ASYNC_CLIENT_CALLS_THE_WHOLE_LIST,
    ASYNC_CLIENT_CALLS_THE_WHOLE_LIST_AGAIN,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_RETRY_ANSWERS_NOTHING,
    ASYNC_CLIENT_SYNC_BRIDGE,
    ASYNC_LIST_DROPS_THE_API_KEY,
    ASYNC_LIST_DROPS_THE_API_KEY_AGAIN,
    ASYNC_LIST_REPLACES_A_FAILED_ANSWER,
    CHAT_COMPLETION_REFUSES_ROTATED_PROVIDER,
    CLIENTS_STREAM_AN_EMPTY_DELTA_PER_LISTED_PROVIDER,
    ITER_LIST_PROVIDER_INFO_TYPE_ERROR,
    LIST_DROPS_THE_API_KEY,
    LIST_REPLACES_A_FAILED_ANSWER,
    LIST_WRAPS_THE_ONE_ERROR,
    RETRY_PROVIDER_IGNORES_SINGLE_PROVIDER_RETRY,
    RETRY_PROVIDER_WRAPS_THE_ONE_ERROR,
    ROTATED_PROVIDER_JOINS_A_FAILED_ANSWER,
    known,
)
from .observe import each, each_async
from .paths import ASYNC, CLIENTS, SYNC, outcome, outcome_async
from .providers import NON_EMPTY
from .support import MODEL

DEFAULT_MODEL = "g4f-tests-default"  # each provider's own default: a list that drops the model requested shows
ALIASES = {"g4f-tests-alias": DEFAULT_MODEL}
PASSED = {"g4f_tests_extra": "Wörld", "api_key": "sk-Wörld ключ"}
NOT_PASSED = "(not passed)"
ROLES = ("first", "second", "third")
# What each provider does: answers (NON_EMPTY), fails before its first chunk, or fails after two chunks.
ANSWERS, FAILS, FAILS_AFTER_TWO = "answers", "fails before its first chunk", "fails after two chunks"
FAILS_ONCE = "fails before its first chunk once, then answers"
SCENARIOS = {
    "the first answers": (ANSWERS, ANSWERS),
    "the first fails before its first chunk": (FAILS, ANSWERS, ANSWERS),
    "the first fails after two chunks": (FAILS_AFTER_TWO, ANSWERS),
    "the only provider fails": (FAILS,),
    "every provider fails": (FAILS, FAILS),
}
PARAMETERS = "the first fails before its first chunk"  # the scenario of the parameters' checks: two providers called
LISTS = {"IterListProvider": "iter_list_provider", "RotatedProvider": "rotated_provider"}  # their G4F_APIS names
# RetryProvider retrying its first provider: what it does in each scenario (the roles called, and whether it raises
# the first's error).
RETRYING = "RetryProvider with single_provider_retry"
RETRY_OPTIONS = {"single_provider_retry": True, "max_retries": 3}
RETRIES = {
    "the first fails once and then answers": ((FAILS_ONCE, ANSWERS), ["first", "first"], False),
    "the first always fails": ((FAILS, ANSWERS), ["first"] * RETRY_OPTIONS["max_retries"], True),
}
LISTS[RETRYING] = "single_provider_retry"
RETRY_FAILED = "g4f.errors.RetryProviderError: RetryProvider failed:\n"
NO_PROVIDER = "g4f.errors.RetryNoProviderError: No provider found"


class ListedProviderMock(AsyncGeneratorProvider):
    """One provider of a list: does what its ``behaviour`` says and notes its calls in ``called`` (take a fresh
    one: provider_list)."""

    working = True
    supports_stream = True
    use_stream_timeout = False
    default_model = DEFAULT_MODEL
    models = [DEFAULT_MODEL, MODEL]
    model_aliases = {}

    @classmethod
    async def create_async_generator(cls, model, messages, stream=False, **kwargs):
        cls.called.append([cls.role, model] + [kwargs.get(name, NOT_PASSED) for name in PASSED])
        if cls.behaviour == FAILS or (cls.behaviour == FAILS_ONCE and len(cls.called) == 1):
            raise ProviderError(cls.role)
        for index, chunk in enumerate(NON_EMPTY):
            if cls.behaviour == FAILS_AFTER_TWO and index == 2:
                raise ProviderError(cls.role)
            yield chunk


_numbers = itertools.count(1)


def provider_list(kind, behaviours):
    """A fresh list of ``kind`` (a key of LISTS, or RETRYING) of providers doing ``behaviours``, the providers, and the
    record they share. Each provider's name is new (g4f counts failures by name, across calls), so that one call's
    cannot order the next."""
    name, options = (RETRYING, RETRY_OPTIONS) if kind == RETRYING else (kind, {})
    listing = support.require_api(
        LISTS[kind], lambda: getattr(importlib.import_module("g4f.providers.retry_provider"), name.split()[0])
    )
    called = []
    providers = [
        type(
            "Listed%dProviderMock" % next(_numbers),
            (ListedProviderMock,),
            # the first has an alias that is not the model requested (which must pass through as it is), the others
            # none (where a list falls back to a provider's default model, that shows)
            {
                "role": role,
                "behaviour": behaviour,
                "called": called,
                "model_aliases": ALIASES if role == "first" else {},
            },
        )
        for role, behaviour in zip(ROLES, behaviours)
    ]
    return listing(providers, shuffle=False, **options), providers, called


def read(found, providers, called):
    """What the caller saw, in roles: the text (a legacy stream's objects left out), the error with each provider's
    name replaced by its role, and the roles of the providers called."""
    received = found["received"]
    if isinstance(received, list):
        received = [item for item in received if not (isinstance(item, dict) and list(item) == ["object"])]
    raised = found["raised"]
    for provider in providers:
        raised = raised and raised.replace(provider.__name__, provider.role)
    return {"received": received, "raised": raised, "called": [call[0] for call in called]}


def simulated(
    behaviours, api, stream, wrap_one=False, replace_failed=False, join_failed=False, call_all=False, empty_deltas=False
):
    """What the caller of ``api`` gets from a list of providers doing ``behaviours``, as ``read`` puts it: the
    contract with every flag off. Each flag is a way g4f releases broke it (list_defects.py): ``wrap_one``, the one
    provider's error wrapped in RetryProviderError; ``replace_failed``, a provider that failed mid-answer passed over
    for the next (its chunks dropped); ``join_failed``, the same with its chunks kept, the next answer after them;
    ``call_all``, every provider called whatever the others did, every answer
    delivered, and RetryProviderError (or RetryNoProviderError) at the end; ``empty_deltas``, a client's stream
    with an empty delta for each provider called."""
    client_stream = stream and api in CLIENTS
    received, called, failed, raised = [], [], [], None
    for role, behaviour in zip(ROLES, behaviours):
        called.append(role)
        if empty_deltas and client_stream:
            received.append("")
        if behaviour == ANSWERS:
            received.extend(NON_EMPTY)
            if not call_all:
                break
            continue
        failed.append(role)
        if behaviour == FAILS_AFTER_TWO and not replace_failed:
            received.extend(NON_EMPTY[:2])
            if not (call_all or join_failed):
                raised = "%s.%s: %s" % (ProviderError.__module__, ProviderError.__qualname__, role)
                break
    else:
        if len(failed) == 1 and not (wrap_one or call_all):
            raised = "%s.%s: %s" % (ProviderError.__module__, ProviderError.__qualname__, failed[0])
        elif failed:
            raised = RETRY_FAILED + "\n".join("%s: ProviderError: %s" % (role, role) for role in failed)
        elif call_all:
            raised = NO_PROVIDER
    if not stream:
        received = None if raised else "".join(received)
    elif client_stream and not raised:
        received.append(None)  # the closing chunk
    return {"received": received, "raised": raised, "called": called}


def scenario(label):
    return label.rsplit(", ", 1)[1]


def api_of(label):
    return label.split(" over ", 1)[0]


def expected(label, **broken):
    """``simulated`` for the call ``label`` ("API over IterListProvider, stream, scenario")."""
    return simulated(SCENARIOS[scenario(label)], api_of(label), ", stream, " in label, **broken)


def expected_calls(api_key=PASSED["api_key"], roles=ROLES[:2]):
    """What the providers of the parameters' scenario must note: the model requested and the parameters passed."""
    return [[role, MODEL, PASSED["g4f_tests_extra"], api_key] for role in roles]


def list_cases(apis, scenarios=SCENARIOS, rotated_through_chat_completion=False):
    """{label: (kind, api, stream)}: every API over every list, but ChatCompletion over RotatedProvider (a defect of
    every release since 0.5.8.2, the newest too, checked on its own so that it hides no other call), or only that."""
    return {
        "%s over %s, %s, %s" % (api, kind, "stream" if stream else "not streamed", name): (kind, api, stream)
        for api in apis
        for kind in LISTS
        if kind != RETRYING
        if (api.startswith("ChatCompletion") and kind == "RotatedProvider") == rotated_through_chat_completion
        for stream in (False, True)
        for name in scenarios
    }


def retry_cases(apis):
    return {
        "%s over %s, %s, %s" % (api, RETRYING, "stream" if stream else "not streamed", name): (api, stream, name)
        for api in apis
        for stream in (False, True)
        for name in RETRIES
    }


FIRST_FAILED = "%s.%s: first" % (ProviderError.__module__, ProviderError.__qualname__)


def expected_retry(label, called=None, raised=None, answered=None):
    """What the caller of ``label`` (a retry_cases label) must see: the first provider's answer, or its error. The
    known defects (list_defects.py) name what went wrong instead: the roles ``called``, the error ``raised`` (a str,
    or False for none) and whether an answer was delivered (``answered``; a stream delivers it before an error)."""
    api, stream = api_of(label), ", stream, " in label
    _, must_call, fails = RETRIES[scenario(label)]
    called = must_call if called is None else called
    raised = (FIRST_FAILED if fails else None) if raised is None else (raised or None)
    answered = not fails if answered is None else answered
    if not stream:
        received = None if raised else "".join(NON_EMPTY)
    else:
        received = (list(NON_EMPTY) if answered else []) + ([None] if api in CLIENTS and not raised else [])
    return {"received": received, "raised": raised, "called": called}


def over_a_retry(label):
    """Is ``label`` a call of the single_provider_retry checks?"""
    return " over %s, " % RETRYING in label


def retried(label, api, stream, name):
    listing, providers, called = provider_list(RETRYING, RETRIES[name][0])
    return read(outcome(api, listing, stream), providers, called)


async def retried_async(label, api, stream, name):
    listing, providers, called = provider_list(RETRYING, RETRIES[name][0])
    return read(await outcome_async(api, listing, stream), providers, called)


def sync_retries():
    return each(retried, {label: (label,) + args for label, args in retry_cases(SYNC).items()})


async def async_retries():
    return await each_async(retried_async, {label: (label,) + args for label, args in retry_cases(ASYNC).items()})


SYNC_CASES = list_cases(SYNC)
ASYNC_CASES = list_cases(ASYNC)
SYNC_PARAMETERS = list_cases(SYNC, [PARAMETERS])
ASYNC_PARAMETERS = list_cases(ASYNC, [PARAMETERS])
SYNC_ROTATED = list_cases(SYNC[:1], rotated_through_chat_completion=True)
ASYNC_ROTATED = list_cases(ASYNC[:1], rotated_through_chat_completion=True)


def asked(label, kind, api, stream, calls_only=False):
    """The call ``label``, as ``read`` puts it; ``calls_only``: the calls the providers noted."""
    listing, providers, called = provider_list(kind, SCENARIOS[scenario(label)])
    found = read(outcome(api, listing, stream, **PASSED), providers, called)
    return called if calls_only else found


async def asked_async(label, kind, api, stream, calls_only=False):
    listing, providers, called = provider_list(kind, SCENARIOS[scenario(label)])
    found = read(await outcome_async(api, listing, stream, **PASSED), providers, called)
    return called if calls_only else found


def calls(cases, calls_only=False):
    return {label: (label,) + args + (calls_only,) for label, args in cases.items()}


def sync_lists():
    return each(asked, calls(SYNC_CASES))


def sync_parameters():
    return each(asked, calls(SYNC_PARAMETERS, calls_only=True))


def sync_rotated():
    return each(asked, calls(SYNC_ROTATED))


async def async_lists():
    return await each_async(asked_async, calls(ASYNC_CASES))


async def async_parameters():
    return await each_async(asked_async, calls(ASYNC_PARAMETERS, calls_only=True))


async def async_rotated():
    return await each_async(asked_async, calls(ASYNC_ROTATED))


class ProviderListChecks:
    def assertListContract(self, found):
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected(label))

    def assertRetries(self, found):
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected_retry(label))

    def assertParametersReachEveryProvider(self, found):
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected_calls())


ASYNC_DEFECTS = (
    ITER_LIST_PROVIDER_INFO_TYPE_ERROR,
    ASYNC_CLIENT_MISSING,
    ASYNC_CLIENT_IS_SYNC,
    ASYNC_CLIENT_SYNC_BRIDGE,
)
WHOLE_LIST = (ASYNC_CLIENT_CALLS_THE_WHOLE_LIST, ASYNC_CLIENT_CALLS_THE_WHOLE_LIST_AGAIN)
ANSWER_DEFECTS = (
    LIST_WRAPS_THE_ONE_ERROR,
    CLIENTS_STREAM_AN_EMPTY_DELTA_PER_LISTED_PROVIDER,
    ROTATED_PROVIDER_JOINS_A_FAILED_ANSWER,
)


class TestProviderLists(ProviderListChecks, CheckTestCase):
    @known(LIST_REPLACES_A_FAILED_ANSWER, *ANSWER_DEFECTS)
    @in_child(sync_lists)
    def test_sync_apis_answer_with_the_first_provider_that_answers(self, found):
        """ChatCompletion.create and Client over a provider list, streamed or not: the first provider that answers answers (no later one called), one that failed before its first chunk is passed over, one that failed after it ends the call with its error, and the errors raised are the provider's own (RetryProviderError for several)"""
        self.assertListContract(found)

    @known(LIST_DROPS_THE_API_KEY)
    @in_child(sync_parameters)
    def test_sync_apis_pass_the_request_to_every_provider_of_a_list(self, found):
        """ChatCompletion.create and Client over a provider list whose first provider fails, streamed or not: both providers called get the model requested (not their default) and the caller's parameters (an api_key, one g4f does not know)"""
        self.assertParametersReachEveryProvider(found)

    @known(RETRY_PROVIDER_WRAPS_THE_ONE_ERROR, RETRY_PROVIDER_IGNORES_SINGLE_PROVIDER_RETRY)
    @in_child(sync_retries)
    def test_sync_apis_retry_the_first_provider(self, found):
        """ChatCompletion.create and Client over RetryProvider(single_provider_retry=True, max_retries=3), streamed or not: a first provider that fails once, then answers, answers; one that always fails is called 3 times and its error raised; the second is never called"""
        self.assertRetries(found)

    @known(CHAT_COMPLETION_REFUSES_ROTATED_PROVIDER)
    @in_child(sync_rotated)
    def test_chat_completion_takes_a_rotated_provider(self, found):
        """ChatCompletion.create over a RotatedProvider, streamed or not, as over IterListProvider: the first provider that answers answers, one that failed before its first chunk is passed over, one that failed after it ends the call with its error"""
        self.assertListContract(found)


class TestAsyncProviderLists(ProviderListChecks, CheckTestCase):
    @known(ASYNC_LIST_REPLACES_A_FAILED_ANSWER, *ANSWER_DEFECTS + WHOLE_LIST + ASYNC_DEFECTS)
    @in_child(async_lists)
    def test_async_apis_answer_with_the_first_provider_that_answers(self, found):
        """ChatCompletion.create_async and AsyncClient over a provider list, streamed or not: the first provider that answers answers (no later one called), one that failed before its first chunk is passed over, one that failed after it ends the call with its error, and the errors raised are the provider's own (RetryProviderError for several)"""
        self.assertListContract(found)

    @known(
        ASYNC_LIST_DROPS_THE_API_KEY,
        ASYNC_LIST_DROPS_THE_API_KEY_AGAIN,
        *WHOLE_LIST + ASYNC_DEFECTS,
    )
    @in_child(async_parameters)
    def test_async_apis_pass_the_request_to_every_provider_of_a_list(self, found):
        """ChatCompletion.create_async and AsyncClient over a provider list whose first provider fails, streamed or not: both providers called get the model requested (not their default) and the caller's parameters (an api_key, one g4f does not know)"""
        self.assertParametersReachEveryProvider(found)

    @known(
        RETRY_PROVIDER_WRAPS_THE_ONE_ERROR,
        RETRY_PROVIDER_IGNORES_SINGLE_PROVIDER_RETRY,
        ASYNC_CLIENT_RETRY_ANSWERS_NOTHING,
        *WHOLE_LIST + ASYNC_DEFECTS,
    )
    @in_child(async_retries)
    def test_async_apis_retry_the_first_provider(self, found):
        """ChatCompletion.create_async and AsyncClient over RetryProvider(single_provider_retry=True, max_retries=3), streamed or not: a first provider that fails once, then answers, answers; one that always fails is called 3 times and its error raised; the second is never called"""
        self.assertRetries(found)

    @known(CHAT_COMPLETION_REFUSES_ROTATED_PROVIDER)
    @in_child(async_rotated)
    def test_create_async_takes_a_rotated_provider(self, found):
        """ChatCompletion.create_async over a RotatedProvider, streamed or not, as over IterListProvider: the first provider that answers answers, one that failed before its first chunk is passed over, one that failed after it ends the call with its error"""
        self.assertListContract(found)
