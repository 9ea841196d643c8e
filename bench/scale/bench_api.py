"""API throughput under concurrent load: gunicorn serves the site on a loopback port (a subprocess), a second
process (loadgen) runs the clients, and each API call is compared with a bare Django view doing the same lookup
with values(). Both are bounded in time and requests and stop by themselves."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from rest_framework.authtoken.models import Token

from invoices.ledger.models import Invoice


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(base, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited; see its output above")
        try:
            urllib.request.urlopen(base + "/bench/bare-invoices/?page_size=1", timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def _load(url, *, token, clients, seconds, max_requests):
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale.loadgen", url, "--clients", str(clients), "--seconds", str(seconds),
         "--max-requests", str(max_requests), "--token", token],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_api(*, user, workers, clients, seconds, max_requests):
    token, _created = Token.objects.get_or_create(user=user)
    number = Invoice.objects.order_by("-id").values_list("number", flat=True)[5000:5001].get()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DEBUG": "0", "DJANGO_ENV": "development"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.scale.bench_wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"], env=env,
    )
    rows = []
    try:
        _wait_up(base, proc)
        cases = [
            (f"API invoices ?number= ({clients} clients)", f"/api/v1/invoices/?number={number}",
             f"/bench/bare-invoices/?number={number}"),
            (f"API cursor page of 100 ({clients} clients)", "/api/v1/invoices/?page_size=100",
             "/bench/bare-invoices/?page_size=100"),
        ]
        for label, api_path, ref_path in cases:
            api = _load(base + api_path, token=token.key, clients=clients, seconds=seconds, max_requests=max_requests)
            ref = _load(base + ref_path, token="", clients=clients, seconds=seconds, max_requests=max_requests)
            rows.append((label, api, ref))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return rows
