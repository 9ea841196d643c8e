import pytest


@pytest.fixture
def run_hooks(django_capture_on_commit_callbacks):
    """Call a service and run what its commit starts (the queued upload, the incidents app's jobs)."""
    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return _run
