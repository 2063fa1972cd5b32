"""The known defects of provider lists (provider_lists.py, and cancellation.py's list): how g4f's IterListProvider
broke their contract, by release. known_defects.py exports them with its own.

Most of them are one of provider_lists.simulated's broken behaviours: the shape of each call is what that
behaviour gives for the call's scenario (a list of providers doing what its label says), so the same words
describe every call they show on, and a call they do not change must still pass.
"""

import re

from .conditions import NEVER_AWAITED
from .verdicts import ByRelease, Defect, ForCalls, OneOf, Raises, Returns, ReturnsFor

SYNC = ("ChatCompletion.create", "Client")
ASYNC = ("ChatCompletion.create_async", "AsyncClient")


def _calls_of(apis, lists=("IterListProvider", "RotatedProvider"), stream=None):
    """The beginnings of the labels of ``apis`` over ``lists`` (streamed or not, or only ``stream``)."""
    streams = {None: ("",), False: (", not streamed",), True: (", stream",)}[stream]
    return tuple("%s over %s%s" % (api, kind, how) for api in apis for kind in lists for how in streams)


TYPE_ERROR = "JsonMixin.__init__() takes 1 positional argument but 2 were given"
AWAIT_ERROR = "object async_generator can't be used in 'await' expression"  # AsyncClient's, on the same release


def _lists():
    from . import provider_lists  # it imports this registry: read at a verdict, not at import

    return provider_lists


def _over_a_list(label):
    """Is ``label`` a call of provider_lists' checks ("API over IterListProvider, stream, scenario")? The shared
    entries these shapes join are carried by other modules' checks too, whose labels they must leave alone."""
    api, over, rest = label.partition(" over ")
    return bool(over) and rest.split(", ", 1)[0] in _lists().LISTS and rest.rsplit(", ", 1)[-1] in _lists().SCENARIOS


def _for_lists(value):
    return lambda label: value(label) if _over_a_list(label) else None


def _answer(what, **broken):
    """The shape of provider_lists' answer checks under the broken behaviour ``broken`` (simulated's flags)."""
    return ReturnsFor(_for_lists(lambda label: _lists().expected(label, **broken)), what)


def _calls(what, **kwargs):
    """The shape of provider_lists' parameter checks: the providers' record, expected_calls(**kwargs)."""
    return ReturnsFor(_for_lists(lambda label: _lists().expected_calls(**kwargs)), what)


@_for_lists
def _type_error(label):
    error = AWAIT_ERROR if label.startswith("AsyncClient") else TYPE_ERROR
    return {"received": [] if ", stream, " in label else None, "raised": "builtins.TypeError: " + error, "called": []}


def _is_sync(label):
    """async-client-is-sync over a list (or RetryProvider retrying its first provider): AsyncClient's sync call runs
    the list as it should, then awaiting its answer fails (unless the list raised first); its stream is a sync
    generator, never started."""
    retrying = _lists().over_a_retry(label)
    if not label.startswith("AsyncClient") or not (retrying or _over_a_list(label)):
        return None
    if ", stream, " in label:
        return {"received": {"returned": "generator"}, "raised": None, "called": []}
    answer = _lists().expected_retry(label) if retrying else _lists().expected(label)
    if answer["raised"]:
        return None
    return dict(
        answer, received=None, raised="builtins.TypeError: object ChatCompletion can't be used in 'await' " "expression"
    )


def _each_provider_fails_with(error):
    """AsyncClient over a list whose every provider the bridge fails to call with ``error`` ("Type: message"): the
    list's RetryProviderError naming each provider of the call's scenario, no provider called."""

    @_for_lists
    def value(label):
        if not label.startswith("AsyncClient"):
            return None
        roles = _lists().ROLES[: len(_lists().SCENARIOS[_lists().scenario(label)])]
        raised = _lists().RETRY_FAILED + "\n".join("%s: %s" % (role, error) for role in roles)
        return {"received": [] if ", stream, " in label else None, "raised": raised, "called": []}

    return value


@_for_lists
def _no_call(label):
    return [] if label.startswith("AsyncClient") else None


# async-client-is-sync's shapes over a list (known_defects.py adds them to that entry): the answer, the calls.
ASYNC_CLIENT_IS_SYNC_OVER_A_LIST = (
    ReturnsFor(_is_sync, "a ChatCompletion that cannot be awaited, or a sync generator for a stream (over a list)"),
    ReturnsFor(  # without a nest package: each provider's call fails
        _each_provider_fails_with('NestAsyncioError: Install "nest_asyncio" package'),
        "RetryProviderError naming NestAsyncioError for each provider (over a list)",
    ),
    ReturnsFor(_no_call, "no provider called (over a list)"),
)
# async-client-sync-bridge's (known_defects.py adds them to that entry): where g4f cannot patch the running loop,
# each provider's call fails and leaves its coroutine never awaited.
ASYNC_CLIENT_SYNC_BRIDGE_OVER_A_LIST = (
    ReturnsFor(
        _each_provider_fails_with("RuntimeError: This event loop is already running"),
        "RetryProviderError naming a bare RuntimeError for each provider (over a list)",
        [NEVER_AWAITED],
    ),
    ReturnsFor(_no_call, "no provider called (over a list)", [NEVER_AWAITED]),
)


LIST_WRAPS_THE_ONE_ERROR = Defect(
    "list-wraps-the-one-error",
    "a provider list whose one provider failed raises g4f.errors.RetryProviderError('RetryProvider failed:\\n"
    "<provider>: <type>: <message>'), not the provider's error: an except clause for the provider's error type "
    "(a rate limit, a missing key) does not catch it",
    "0.3.1.6",
    _answer("RetryProviderError naming the one provider's error, where the provider's error belongs", wrap_one=True),
    last="0.5.2.4",
    where="seen in every regime, on every API: applies to you on g4f 0.3.1.6 (the first with IterListProvider) to "
    "0.5.2.4 if you catch a provider's own errors around a provider list (AnyProvider, a model's providers). Bisected: "
    "0.5.2.5 raises the provider's error",
    workaround="catch g4f.errors.RetryProviderError too (its message names the provider and its error; from 0.5.1.3 "
    "its __cause__ is the first provider's error), or upgrade to g4f 0.5.2.5 or later",
)
_REPLACED = _answer(
    "the next provider's whole answer as a success, where the provider that failed after its first chunks should "
    "have ended the call with its error",
    replace_failed=True,
)
_REPLACED_REASON = (
    "a provider list whose provider failed after some chunks goes on to the next provider and answers with its "
    "answer, not streamed: the same request streamed raises the first provider's error after its chunks, so a "
    "call's answer depends on whether it was streamed, and on which API it went through"
)
LIST_REPLACES_A_FAILED_ANSWER = Defect(
    "list-replaces-a-failed-answer",
    _REPLACED_REASON,
    "0.4.0.5",
    _REPLACED,
    last="0.5.7.1",
    where="seen in every regime: applies to you on g4f 0.4.0.5 to 0.5.7.1 if a provider of your list can fail "
    "mid-answer and you call ChatCompletion.create or Client without streaming: your answer then comes, silently, "
    "from another provider. Measured at both ends: 0.4.0.4 raises the error there (its async path does not: "
    "async-list-replaces-a-failed-answer), and so does 0.5.7.2",
    workaround="stream the request (the error then reaches you), or upgrade to g4f 0.5.7.2 or later",
    calls=_calls_of(SYNC, stream=False),
)
ASYNC_LIST_REPLACES_A_FAILED_ANSWER = Defect(
    "async-list-replaces-a-failed-answer",
    _REPLACED_REASON,
    "0.3.1.6",
    ByRelease(
        ("0.3.1.6", "0.3.7.6", ForCalls(_calls_of(ASYNC[:1], stream=False), _REPLACED)),
        ("0.3.8.0", "0.4.0.4", _REPLACED),
    ),
    last="0.4.0.4",
    where="seen in every regime: applies to you if a provider of your list can fail mid-answer and you call "
    "create_async (g4f 0.3.1.6 to 0.4.0.4) or AsyncClient (0.3.8.0 to 0.4.0.4) without streaming: your answer then "
    "comes, silently, from another provider. Measured at every end: 0.4.0.5 raises the error there (its sync path "
    "does not: list-replaces-a-failed-answer)",
    workaround="stream the request (the error then reaches you), or upgrade to g4f 0.4.0.5 or later",
    calls=_calls_of(ASYNC, stream=False),
)
WRAPPED_FIRST = "g4f.errors.RetryProviderError: RetryProvider failed:\nfirst: ProviderError: first"


def _retrying(what, **wrong):
    """The shape of provider_lists' single_provider_retry checks: expected_retry(label, **wrong) on their calls."""
    return ReturnsFor(
        lambda label: _lists().expected_retry(label, **wrong) if _lists().over_a_retry(label) else None, what
    )


_WHOLE_LIST = OneOf(
    _answer(
        "every provider's answer in turn (every provider called), then RetryProviderError for those that failed, "
        "or RetryNoProviderError('No provider found') where none did",
        call_all=True,
    ),
    _calls("all three providers of the list called", roles=("first", "second", "third")),
    # RetryProvider(single_provider_retry=True): its list gone through once, as IterListProvider's
    _retrying(
        "the first provider called once, then the second, whose answer is delivered (streamed), then "
        "RetryProviderError naming the first's error",
        called=["first", "second"],
        raised=WRAPPED_FIRST,
        answered=True,
    ),
)
_WHOLE_LIST_REASON = (
    "AsyncClient goes through the whole provider list (of async-generator providers, as g4f's own are: the only kind "
    "measured) whatever each provider did: it calls every provider, delivers "
    "every answer one after the other, and then raises RetryProviderError naming those that failed, or "
    "RetryNoProviderError('No provider found') where none did, so a call whose first provider answered fails"
)
ASYNC_CLIENT_CALLS_THE_WHOLE_LIST = Defect(
    "async-client-calls-the-whole-list",
    _WHOLE_LIST_REASON,
    "0.3.1.6",
    _WHOLE_LIST,
    last="0.3.2.0",
    where="seen in every regime: applies to you on g4f 0.3.1.6 (the first with IterListProvider) to 0.3.2.0 if you "
    "give AsyncClient a provider list (0.3.2.1 to 0.3.2.9 cannot be imported; 0.3.3.0 has no AsyncClient: "
    "async-client-missing)",
    workaround="give AsyncClient one provider, or upgrade to g4f 0.3.8.0 or later",
    calls=("AsyncClient",),
)
ASYNC_CLIENT_CALLS_THE_WHOLE_LIST_AGAIN = Defect(
    "async-client-calls-the-whole-list-again",
    _WHOLE_LIST_REASON + " (again: 0.3.4.6 to 0.3.7.1 ran AsyncClient through the sync bridge, which does not)",
    "0.3.7.2",
    _WHOLE_LIST,
    last="0.3.7.6",
    where="seen in every regime: applies to you on g4f 0.3.7.2 to 0.3.7.6 if you give AsyncClient a provider list. "
    "Measured at both ends: 0.3.7.1 and 0.3.8.0 answer with the first provider that answers",
    workaround="give AsyncClient one provider, or upgrade to g4f 0.3.8.0 or later",
    calls=("AsyncClient",),
)
_NO_KEY = _calls("the providers called without the api_key passed", api_key="(not passed)")
_NO_KEY_REASON = (
    "IterListProvider calls its providers without the api_key the caller passed (the other parameters reach them)"
)
_ITER_LIST = ("IterListProvider",)
LIST_DROPS_THE_API_KEY = Defect(
    "list-drops-the-api-key",
    _NO_KEY_REASON,
    "0.5.2.4",
    _NO_KEY,
    last="0.5.2.4",
    where="seen in every regime: applies to you on g4f 0.5.2.4 if you pass api_key with a provider list (AnyProvider, "
    "a model's providers) to ChatCompletion.create or Client. Bisected: 0.5.2.3 and 0.5.2.5 pass it (0.5.2.5's async "
    "path stops passing it: async-list-drops-the-api-key)",
    workaround="give the key to each provider's own configuration (g4f's environment variables or cookies), or "
    "upgrade to g4f 0.5.2.5 or later",
    calls=_calls_of(SYNC, _ITER_LIST),
)
ASYNC_LIST_DROPS_THE_API_KEY = Defect(
    "async-list-drops-the-api-key",
    _NO_KEY_REASON,
    "0.5.2.5",
    _NO_KEY,
    last="0.5.4.0",
    where="seen in every regime: applies to you on g4f 0.5.2.5 to 0.5.4.0 if you pass api_key with a provider list "
    "(AnyProvider, a model's providers) to create_async or AsyncClient: IterListProvider there leaves the key out "
    "on purpose (add_api_key = False; RetryProvider sets it True). Bisected: 0.5.2.4 and 0.5.4.1 pass it",
    workaround="use RetryProvider, or give the key to each provider's own configuration (g4f's environment variables "
    "or cookies), or upgrade to g4f 0.5.4.1 to 0.5.7.3, or 7.1.3 or later (async-list-drops-the-api-key-again)",
    calls=_calls_of(ASYNC, _ITER_LIST),
)
ASYNC_LIST_DROPS_THE_API_KEY_AGAIN = Defect(
    "async-list-drops-the-api-key-again",
    _NO_KEY_REASON + " (again)",
    "0.5.7.4",
    _NO_KEY,
    last="7.1.2",
    where="seen in every regime: applies to you on g4f 0.5.7.4 to 7.1.2 if you pass api_key with a provider list "
    "(AnyProvider, a model's providers) to create_async or AsyncClient. Bisected: 0.5.7.3 and 7.1.3 pass it",
    workaround="give the key to each provider's own configuration (g4f's environment variables or cookies), or "
    "upgrade to g4f 7.1.3 or later",
    calls=_calls_of(ASYNC, _ITER_LIST),
)
CLIENTS_STREAM_AN_EMPTY_DELTA_PER_LISTED_PROVIDER = Defect(
    "clients-stream-an-empty-delta-per-listed-provider",
    "the clients' streams over a provider list carry a chunk with an empty delta ('') for each provider the list "
    "calls, before that provider's chunks (the list's ProviderInfo turned into text)",
    "0.4.3.5",
    _answer(
        "an empty delta before each provider's chunks (the one provider's error wrapped in RetryProviderError, as "
        "list-wraps-the-one-error)",
        empty_deltas=True,
        wrap_one=True,
    ),
    last="0.4.7.3",
    where="seen in every regime: applies to you on g4f 0.4.3.5 to 0.4.7.3 if you stream a client's answer over a "
    "provider list (AsyncClient's from 0.4.3.6: 0.4.3.5's async path fails first, iter-list-provider-info-type-error). "
    "Measured at both ends: 0.4.3.4 and 0.4.7.4 stream no such chunk",
    workaround="skip chunks whose delta content is empty, or upgrade to g4f 0.4.7.4 or later",
    calls=_calls_of(("Client", "AsyncClient"), _ITER_LIST, stream=True),
)
ROTATED_PROVIDER_JOINS_A_FAILED_ANSWER = Defect(
    "rotated-provider-joins-a-failed-answer",
    "RotatedProvider goes on to the next provider after one failed mid-answer, and answers with both: the failed "
    "provider's first chunks, then the next provider's whole answer, as a success",
    "0.5.8.2",
    _answer("the failed provider's chunks, then the next provider's answer, as a success", join_failed=True),
    last="8.4.8",
    where="seen in every regime, through the clients (ChatCompletion refuses a RotatedProvider: "
    "chat-completion-refuses-rotated-provider): applies to you on g4f 0.5.8.2 (the first with RotatedProvider) to "
    "8.4.8 if a provider of your RotatedProvider can fail mid-answer: your answer starts with one provider's words "
    "and goes on with another's. Bisected: 8.4.9 raises the error",
    workaround="use IterListProvider, or upgrade to g4f 8.4.9 or later",
    calls=("Client over RotatedProvider", "AsyncClient over RotatedProvider"),
)
_NOT_WORKING = "g4f.errors.ProviderNotWorkingError: RetryProvider is not working"
CHAT_COMPLETION_REFUSES_ROTATED_PROVIDER = Defect(
    "chat-completion-refuses-rotated-provider",
    "ChatCompletion.create and create_async refuse a RotatedProvider before calling any provider: "
    "ProviderNotWorkingError('RetryProvider is not working'), because RotatedProvider, unlike IterListProvider, "
    "never sets its ``working`` (the clients do not look at it)",
    "0.5.8.2",
    ReturnsFor(
        _for_lists(
            lambda label: {"received": [] if ", stream, " in label else None, "raised": _NOT_WORKING, "called": []}
        ),
        "ProviderNotWorkingError, no provider called",
    ),
    where="seen in every regime: applies to you on g4f 0.5.8.2 (the first with RotatedProvider) and later if you give "
    "ChatCompletion a RotatedProvider. Measured on every cell from 0.5.8.2 to 8.8.6",
    workaround="pass ignore_working=True, or set working = True on the RotatedProvider you made, or call it through "
    "Client or AsyncClient",
    calls=("ChatCompletion.create over RotatedProvider", "ChatCompletion.create_async over RotatedProvider"),
)
ITER_LIST_PROVIDER_INFO_TYPE_ERROR = Defect(
    "iter-list-provider-info-type-error",
    "IterListProvider's async path (create_async, AsyncClient, and AnyProvider built on it) fails with TypeError "
    "before it calls its first provider: it makes its ProviderInfo with a positional dict (create_async), or is "
    "awaited as a coroutine (AsyncClient: \"object async_generator can't be used in 'await' expression\")",
    "0.4.3.5",
    OneOf(
        Raises("builtins.TypeError", re.escape(TYPE_ERROR)),  # cancellation.py's create_async
        ReturnsFor(_type_error, "the TypeError, no provider called"),
        _calls("no provider called", roles=()),
    ),
    last="0.4.3.5",
    where="seen in every regime: applies to you on g4f 0.4.3.5 if you call a provider list asynchronously. Bisected: "
    "0.4.3.4 and 0.4.3.6 call the providers",
    workaround="upgrade to g4f 0.4.3.6 or later",
)


def _always_fails(label):
    return label.endswith(", the first always fails")


RETRY_PROVIDER_WRAPS_THE_ONE_ERROR = Defect(
    "retry-provider-wraps-the-one-error",
    "RetryProvider(single_provider_retry=True) whose provider failed every try raises RetryProviderError naming its "
    "error, not the provider's error as it raised it (as list-wraps-the-one-error, for the one provider it retries)",
    "0.3.1.6",
    ReturnsFor(
        lambda label: (
            _lists().expected_retry(label, raised=WRAPPED_FIRST)
            if _lists().over_a_retry(label) and _always_fails(label)
            else None
        ),
        "the first provider called max_retries times, then RetryProviderError naming its error",
    ),
    last="0.5.2.4",
    where="seen in every regime: applies to you on g4f 0.5.2.4 and older (measured from 0.3.1.6) if you catch a "
    "provider's own error type from a RetryProvider that retries one provider. Measured: 0.5.2.5 raises the "
    "provider's error, as IterListProvider does from then (list-wraps-the-one-error)",
    workaround="catch RetryProviderError too, or upgrade to g4f 0.5.2.5 or later",
)
RETRY_PROVIDER_IGNORES_SINGLE_PROVIDER_RETRY = Defect(
    "retry-provider-ignores-single-provider-retry",
    "RetryProvider(single_provider_retry=True) does not retry its first provider: it goes on to the next provider "
    "of its list, as IterListProvider does, and answers with it",
    "0.5.4.1",
    _retrying(
        "the first provider called once, then the second, which answers",
        called=["first", "second"],
        raised=False,
        answered=True,
    ),
    last="7.4.7",
    where="seen in every regime: applies to you on g4f 0.5.4.1 to 7.4.7 if you use single_provider_retry to retry "
    "one provider (a flaky one you need the answer of): another provider answers instead. Bisected: 0.5.4.0 "
    "retries, 0.5.4.1 does not; 7.5.0 retries again",
    workaround="retry the call yourself, or upgrade to g4f 7.5.0 or later",
)
ASYNC_CLIENT_RETRY_ANSWERS_NOTHING = Defect(
    "async-client-retry-answers-nothing",
    "AsyncClient over RetryProvider(single_provider_retry=True) whose provider failed once, then answered, answers "
    "with an empty message, not streamed (the provider was retried and answered)",
    "0.3.8.0",
    Returns({"received": "", "raised": None, "called": ["first", "first"]}),
    last="0.3.8.0",
    where="seen in every regime: applies to you on g4f 0.3.8.0 if you read AsyncClient's answer over a RetryProvider "
    "that retries one provider. Measured: 0.3.7.6 calls the whole list (async-client-calls-the-whole-list-again), "
    "0.3.8.1 answers",
    workaround="stream the request, or upgrade to g4f 0.3.8.1 or later",
    calls=("AsyncClient over RetryProvider with single_provider_retry, not streamed",),
)
