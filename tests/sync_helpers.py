"""A real simulated-platform HTTP server on 127.0.0.1 for tests, and signal collectors."""
import threading
from contextlib import contextmanager

import pytest

from invoices import signals
from invoices.platform.server import PlatformHandler, make_server


class LivePlatform:
    """Start, stop and restart the simulator on one loopback port, with an optional handler class."""

    def __init__(self):
        self.port = 0
        self.server = None
        self.thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, handler=PlatformHandler):
        self.server = make_server(port=self.port, handler=handler, token="test-token", daemon_threads=False)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()  # joins request threads still running
            self.thread.join()
            self.server = None


@pytest.fixture
def live_platform(settings):
    platform = LivePlatform().start()
    settings.TAX_PLATFORM = "http"
    settings.TAX_PLATFORM_URL = platform.url
    settings.TAX_PLATFORM_TOKEN = "test-token"
    settings.TAX_PLATFORM_CONNECT_TIMEOUT = 2
    settings.TAX_PLATFORM_READ_TIMEOUT = 2
    yield platform
    platform.stop()


class Collector:
    def __init__(self, signal):
        self.calls = []
        self.signal = signal

    def __call__(self, sender, **kwargs):
        kwargs.pop("signal", None)
        self.calls.append(kwargs)


@contextmanager
def collect(signal):
    collector = Collector(signal)
    signal.connect(collector, weak=False)
    try:
        yield collector
    finally:
        signal.disconnect(collector)


__all__ = ["LivePlatform", "collect", "live_platform", "signals"]
