"""Image generation: Client().images.generate (sync over async) and AsyncClient().images.generate give the same
result, outside and inside a running event loop; and so do their create_variation.

An image provider that answers two URLs and a revised prompt, asked with response_format="url" (so nothing is
downloaded) and with a proxy and an api_key: the ImagesResponse has one Image per URL, in order, each with the
revised prompt, the model asked for, the provider's name and a ``created`` time; the provider got the proxy and
the api_key. The same again from a provider that first yields a preview (g4f's ImagePreview, where the release
has it: a progress report, no answer): the answer is the same. The sync client runs its async implementation itself: from plain
code, and from code running on an event loop (a notebook cell, an async handler; g4f issue #2658).

``create_variation(image, image_name=..., prompt=..., model=..., response_format="url")`` over a sync and an
async-generator image provider: the provider gets the image (bytes, passed as they are) with its name and the
prompt, and the answer is as above; the sync Client from plain code, AsyncClient awaited.

Over a provider list (IterListProvider, as a model's image providers are), both clients answer with the first
provider that answers: its images, under its name; one that failed is passed over, and no provider after the one
that answered is called.
"""

import importlib
import time

from . import regimes, support
from .checks import CheckTestCase, in_child
from .known_defects import (
    ASYNC_CLIENT_VARIATION_POSITIONAL,
    CLIENT_IMAGES_NAME_ERROR,
    CLIENT_VARIATION_ARGUMENTS,
    CLIENT_VARIATION_EARLY,
    IMAGES_ANSWER_THE_PREVIEW,
    IMAGES_DROP_PROXY,
    IMAGES_LIST_STOPS_AT_A_FAILED_PROVIDER,
    SYNC_IMAGES_IN_RUNNING_LOOP,
    known,
)
from .mocks import ImageResponse
from .observe import each, each_async

PROMPT, URLS, PREVIEW, EXPECTED = support.IMAGE_PROMPT, support.IMAGE_URLS, support.IMAGE_PREVIEW, support.IMAGES
REQUEST = support.IMAGE_REQUEST
NOT_PASSED = "(not passed)"


def image_provider(preview=False):
    """An async-generator provider that notes the REQUEST parameters it gets in ``received``, yields a preview first
    (with ``preview``, where g4f has ImagePreview), then answers URLS for the prompt it is given, as g4f's
    ImageResponse."""
    from g4f.providers.base_provider import AsyncGeneratorProvider

    try:
        from g4f.providers.response import ImagePreview
    except ImportError:  # a release without previews
        ImagePreview = None

    async def create_async_generator(cls, model, messages, prompt=None, **kwargs):
        cls.received.update((key, kwargs.get(key, NOT_PASSED)) for key in REQUEST)
        if preview and ImagePreview is not None:
            yield ImagePreview([PREVIEW], prompt)
        yield ImageResponse(URLS, prompt + " (revised)")

    attributes = {"working": True, "received": {}, "create_async_generator": classmethod(create_async_generator)}
    return type("ImageProviderMock", (AsyncGeneratorProvider,), attributes)


def summary(response, started):
    """An ImagesResponse in EXPECTED's terms."""
    ended = time.time()
    created = getattr(response, "created", None)
    return {
        "urls": [image.url for image in response.data],
        "revised prompts": [image.revised_prompt for image in response.data],
        "model": getattr(response, "model", None),
        "provider": getattr(response, "provider", None),
        "created": EXPECTED["created"] if isinstance(created, int) and int(started) <= created <= ended else created,
    }


def generate(client_name, preview):
    """``Client(image_provider=...).images.generate(...)`` (or AsyncClient's, not awaited), as a caller writes it:
    with a proxy and an api_key, or (``preview``) without them, from a provider that yields a preview first. The
    provider, and what the call returned."""
    support.require_api("images")
    client = importlib.import_module("g4f.client")
    if client_name == "AsyncClient":
        support.require_api("async_client")
    provider = image_provider(preview)
    images = getattr(client, client_name)(image_provider=provider).images
    return provider, images.generate(PROMPT, EXPECTED["model"], response_format="url", **({} if preview else REQUEST))


def answer(provider, summary, preview):
    """The summary, and what the provider received where the request named a proxy and an api_key."""
    return summary if preview else dict(summary, received=provider.received)


def sync_images(preview):
    started = time.time()
    provider, response = generate("Client", preview)
    return answer(provider, summary(response, started), preview)


async def sync_images_inside_the_loop(preview):
    """The sync Client called from a coroutine running on the regime's loop."""
    return sync_images(preview)


async def async_images(preview):
    started = time.time()
    provider, response = generate("AsyncClient", preview)
    return answer(provider, summary(await response, started), preview)


AFTER_A_PREVIEW = ", after a preview"


def both(label, function):
    """The cases of ``function``: with a proxy and an api_key, and from a provider that yields a preview first."""
    return {label: (function, False), label + AFTER_A_PREVIEW: (function, True)}


def outside_a_loop():
    return each(lambda function, preview: function(preview), both("Client, outside a loop", sync_images))


async def in_a_running_loop():
    cases = dict(
        both("AsyncClient", async_images), **both("Client, inside a running loop", sync_images_inside_the_loop)
    )
    return await each_async(lambda function, preview: function(preview), cases)


def expected(label):
    return EXPECTED if label.endswith(AFTER_A_PREVIEW) else dict(EXPECTED, received=REQUEST)


IMAGE = b"\x89PNG\r\n\x1a\n\x00 Bild \xc3\xa4"  # bytes as read from a file (a PNG header, non-ASCII)
IMAGE_NAME = "Katze Ä.png"
VARIATION_PROMPT = "the same cat, „Wörld“ edition"
VARIATION = dict(EXPECTED, **{"revised prompts": [VARIATION_PROMPT + " (revised)"] * len(URLS)})
RECEIVED = {"images": [[IMAGE, IMAGE_NAME]], "prompt": VARIATION_PROMPT}


def variation_provider(kind):
    """An image provider of ``kind`` that notes the images (with their names) and the prompt it gets in
    ``received``, and answers URLS."""
    from g4f.providers.base_provider import AbstractProvider, AsyncGeneratorProvider

    def answer(cls, prompt, kwargs):
        media = kwargs.get("media") or []
        cls.received.update(images=[list(item) if isinstance(item, tuple) else item for item in media], prompt=prompt)
        return ImageResponse(URLS, prompt + " (revised)")

    attributes = {"working": True, "received": {}}
    if kind == "sync provider":
        create = classmethod(
            lambda cls, model, messages, stream, prompt=None, **kwargs: iter([answer(cls, prompt, kwargs)])
        )
        attributes["create_completion"] = create
        return type("ImageProviderMock", (AbstractProvider,), attributes)

    async def create_async_generator(cls, model, messages, prompt=None, **kwargs):
        yield answer(cls, prompt, kwargs)

    attributes["create_async_generator"] = classmethod(create_async_generator)
    return type("ImageProviderMock", (AsyncGeneratorProvider,), attributes)


def variation(client_name, kind):
    """What ``create_variation`` answered (awaited for AsyncClient) and what the provider got."""
    support.require_api("client_variation")
    client = importlib.import_module("g4f.client")
    provider = variation_provider(kind)
    images = getattr(client, client_name)(image_provider=provider).images
    arguments = {"image_name": IMAGE_NAME, "prompt": VARIATION_PROMPT, "model": EXPECTED["model"]}
    return provider, images.create_variation(IMAGE, response_format="url", **arguments)


def sync_variation(kind):
    started = time.time()
    provider, response = variation("Client", kind)
    return dict(summary(response, started), received=provider.received)


async def async_variation(kind):
    started = time.time()
    provider, response = variation("AsyncClient", kind)
    return dict(summary(await response, started), received=provider.received)


# A list of image providers, in the order given: each notes that it was called, then fails or answers images of
# its own (URLs that name it). What the caller gets: the URLs, the provider named, the providers called.
LIST_SCENARIOS = {
    "the first answers": ("answers", "answers"),
    "the first fails": ("fails", "answers", "answers"),
}
ROLES = ("first", "second", "third")


def role_urls(role):
    return ["https://images.invalid/%s/Bild-%d.png" % (role, n) for n in (1, 2)]


def image_list(scenario):
    """An IterListProvider of image providers doing LIST_SCENARIOS[scenario], its providers, and their record."""
    from g4f.providers.base_provider import AsyncGeneratorProvider

    from .failing import ProviderError

    retry_provider = support.require_api(
        "iter_list_provider", lambda: importlib.import_module("g4f.providers.retry_provider")
    )
    called = []

    async def create_async_generator(cls, model, messages, prompt=None, **kwargs):
        called.append(cls.role)
        if cls.behaviour == "fails":
            raise ProviderError(cls.role)
        yield ImageResponse(role_urls(cls.role), (prompt or "") + " (revised)")

    providers = [
        type(
            "Listed%sImageProviderMock" % role.capitalize(),
            (AsyncGeneratorProvider,),
            {
                "working": True,
                "role": role,
                "behaviour": behaviour,
                "create_async_generator": classmethod(create_async_generator),
            },
        )
        for role, behaviour in zip(ROLES, LIST_SCENARIOS[scenario])
    ]
    return retry_provider.IterListProvider(providers, shuffle=False), providers, called


def expected_from_a_list(label):
    behaviours = LIST_SCENARIOS[label.rsplit(", ", 1)[1]]
    answering = ROLES[behaviours.index("answers")]
    return {
        "urls": role_urls(answering),
        "provider": "Listed%sImageProviderMock" % answering.capitalize(),
        "called": list(ROLES[: ROLES.index(answering) + 1]),
    }


def from_a_list(response, called):
    return {
        "urls": [image.url for image in response.data],
        "provider": getattr(response, "provider", None),
        "called": called,
    }


def sync_list_images(scenario):
    support.require_api("images")
    listing, _, called = image_list(scenario)
    client = importlib.import_module("g4f.client").Client(image_provider=listing)
    return from_a_list(client.images.generate(PROMPT, EXPECTED["model"], response_format="url"), called)


async def async_list_images(scenario):
    support.require_api("images")
    support.require_api("async_client")
    listing, _, called = image_list(scenario)
    client = importlib.import_module("g4f.client").AsyncClient(image_provider=listing)
    return from_a_list(await client.images.generate(PROMPT, EXPECTED["model"], response_format="url"), called)


def sync_lists():
    return each(sync_list_images, {"Client over IterListProvider, %s" % name: (name,) for name in LIST_SCENARIOS})


async def async_lists():
    cases = {"AsyncClient over IterListProvider, %s" % name: (name,) for name in LIST_SCENARIOS}
    return await each_async(async_list_images, cases)


KINDS = ("sync provider", "async-generator provider")


def sync_variations():
    return each(sync_variation, {"Client, %s" % kind: (kind,) for kind in KINDS})


async def async_variations():
    return await each_async(async_variation, {"AsyncClient, %s" % kind: (kind,) for kind in KINDS})


class ImageChecks:
    def assertSameImages(self, found):
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected(label))

    def assertFirstThatAnswers(self, found):
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, expected_from_a_list(label))

    def assertSameVariations(self, found):
        for label, call in self.calls(found):
            with self.subTest(call=label):
                self.assertReturned(call, dict(VARIATION, received=RECEIVED))


class SyncImageChecks(ImageChecks):
    @known(CLIENT_IMAGES_NAME_ERROR, IMAGES_DROP_PROXY, IMAGES_ANSWER_THE_PREVIEW)
    @in_child(outside_a_loop)
    def test_client_images_outside_a_loop(self, found):
        """Client().images.generate from sync code passes the proxy and api_key on and answers one Image per URL the provider gave (not its preview), with its revised prompt, the model, the provider's name and created"""
        self.assertSameImages(found)

    @known(IMAGES_LIST_STOPS_AT_A_FAILED_PROVIDER, CLIENT_IMAGES_NAME_ERROR)
    @in_child(sync_lists)
    def test_client_images_from_a_provider_list(self, found):
        """Client().images.generate over an IterListProvider of image providers answers with the first that answers (its images, its name), passes over one that failed, and calls none after it"""
        self.assertFirstThatAnswers(found)

    @known(CLIENT_VARIATION_EARLY, CLIENT_VARIATION_ARGUMENTS)
    @in_child(sync_variations)
    def test_client_image_variation(self, found):
        """Client().images.create_variation passes the image with its name and the prompt to a sync or async-generator image provider and answers its images, as AsyncClient's does"""
        self.assertSameVariations(found)


class AsyncImageChecks(ImageChecks):
    @known(SYNC_IMAGES_IN_RUNNING_LOOP, CLIENT_IMAGES_NAME_ERROR, IMAGES_DROP_PROXY, IMAGES_ANSWER_THE_PREVIEW)
    @in_child(in_a_running_loop)
    def test_images_inside_a_running_loop(self, found):
        """awaited AsyncClient().images.generate, and Client().images.generate called inside a running loop, answer as the sync Client does outside one (g4f issue #2658)"""
        self.assertSameImages(found)

    @known(IMAGES_LIST_STOPS_AT_A_FAILED_PROVIDER, CLIENT_IMAGES_NAME_ERROR)
    @in_child(async_lists)
    def test_async_client_images_from_a_provider_list(self, found):
        """awaited AsyncClient().images.generate over an IterListProvider of image providers answers with the first that answers (its images, its name), passes over one that failed, and calls none after it, as Client's does"""
        self.assertFirstThatAnswers(found)

    @known(CLIENT_VARIATION_EARLY, CLIENT_VARIATION_ARGUMENTS, ASYNC_CLIENT_VARIATION_POSITIONAL)
    @in_child(async_variations)
    def test_async_client_image_variation(self, found):
        """awaited AsyncClient().images.create_variation passes the image with its name and the prompt to a sync or async-generator image provider and answers its images, as Client's does"""
        self.assertSameVariations(found)


class TestImages(SyncImageChecks, CheckTestCase):
    pass


class TestImagesNestApplied(SyncImageChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED


class TestAsyncImages(AsyncImageChecks, CheckTestCase):
    pass


class TestAsyncImagesUvloop(AsyncImageChecks, CheckTestCase):
    regime = regimes.UVLOOP


class TestAsyncImagesNestApplied(AsyncImageChecks, CheckTestCase):
    regime = regimes.NEST_APPLIED
