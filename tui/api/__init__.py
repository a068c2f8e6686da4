"""The Vonage HTTP layer: client, models, errors, paging, retries. Imports no Textual.

Nothing is imported here on purpose (start-up stays cheap); import the modules you need:
``client`` (VonageClient, ClientEvent), ``models``, ``errors``, ``validators``, ``hosts``, ``retry``,
``ratelimit``. ``core``, ``client_pools``, ``request_models``, ``responses``, ``failures`` (was it sent?),
``proxies`` (which host uses a proxy) and ``number_fields`` are the parts behind them.
"""
