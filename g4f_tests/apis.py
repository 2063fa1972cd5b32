"""The table of g4f APIs the checks need, by the g4f release that first had each (support.require_api reads it)."""

# APIs that appeared in a known g4f release. On an older g4f a check that needs one skips, naming it; on
# the first release that had it and every newer one the check must find it, or it fails naming what is gone.
G4F_APIS = {
    # First releases found by bisecting the wheels on the package index (g4f's own code, not a guess).
    "async_client": ("0.2.8.1", "g4f.client.AsyncClient"),
    "bridge": ("0.3.5.8", "g4f.providers.asyncio"),
    "auto_patch": ("0.4.0.0", "g4f patching a running loop itself when nest_asyncio is importable"),
    "create_async_stream": ("0.4.0.5", "ChatCompletion.create_async(stream=True) for every provider kind"),
    "to_async_iterator": ("0.4.0.5", "g4f.providers.asyncio.to_async_iterator"),
    "to_sync_generator_timeout": ("0.5.4.4", "to_sync_generator(..., timeout=...)"),
    "client_ignore_stream": ("0.3.9.6", "ChatCompletion and the clients passing ignore_stream on to the provider"),
    "images": ("0.3.8.3", "Client().images.generate passing the prompt to an image provider"),
    "client_usage": ("0.5.2.4", "the clients' answers carrying a provider's FinishReason and Usage"),
    "stream_timeout": ("7.5.0", "the clients' own stream limit (g4f.providers.base_provider.wait_for)"),
    "provider_method": ("7.5.0", "g4f.providers.base_provider.get_provider_method (passes supports_stream on)"),
    "wait_for": ("7.5.0", "g4f.providers.base_provider.wait_for (AsyncClient's stream_timeout between chunks)"),
    "client_images": ("0.3.4.0", 'Client().images.generate(..., response_format="url") over an async generator'),
    "to_sync_generator_coroutine": ("7.5.0", "g4f's to_sync_generator accepting a coroutine"),
    "to_thread": ("8.4.0", "g4f.providers.asyncio.to_thread"),
    "client_variation": ("0.3.4.0", "the clients' images.create_variation(image, ...) over an image provider"),
    "completions_stream": ("0.4.0.3", "the clients' completions.stream(...), a shorthand for create(stream=True)"),
    "client_raw": ("0.6.3.2", "the clients' create(raw=True), passing a provider's JsonResponse objects through"),
    "authed_limits": (
        "0.6.2.1",
        "AsyncAuthedProvider's limit on each chunk of a cached login: stream_timeout, or timeout where "
        "use_stream_timeout is False",
    ),
    "media": ("0.4.9.0", "the APIs taking images as media (image, images and media reaching the provider as media)"),
    "iter_list_provider": ("0.3.1.6", "g4f.providers.retry_provider.IterListProvider"),
    "single_provider_retry": ("0.3.1.6", "RetryProvider(single_provider_retry=True) in g4f.providers.retry_provider"),
    "rotated_provider": ("0.5.8.2", "g4f.providers.retry_provider.RotatedProvider"),
    "usage_vendor_names": ("0.5.8.4", "g4f's Usage taking input_tokens and output_tokens (another vendor's names)"),
    "client_str_prompt": ("0.4.8.3", "the clients taking a str prompt as the user's one message"),
    "client_think": ("0.5.2.6", "Client taking a <think> block out of the content (with g4f's Reasoning objects)"),
    "client_response_objects": (
        "0.5.2.6",
        "the clients' answers carrying a provider's Reasoning, ToolCalls, ProviderInfo and JsonConversation",
    ),
}
