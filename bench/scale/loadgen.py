"""Load generator for `manage.py bench`: N client threads GET one loopback URL until a time or request budget
is spent, then print one JSON line. Run as its own process (`python -m bench.scale.loadgen`) so the
clients do not share the server's interpreter. Refuses anything but 127.0.0.1."""
import argparse
import http.client
import json
import threading
import time
from urllib.parse import urlsplit


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--token", default="")
    args = parser.parse_args()
    url = urlsplit(args.url)
    if url.hostname != "127.0.0.1" or url.scheme != "http":
        raise SystemExit("loadgen only targets http://127.0.0.1")
    path = url.path + (f"?{url.query}" if url.query else "")
    headers = {"Authorization": f"Token {args.token}"} if args.token else {}
    lock, stats = threading.Lock(), {"ok": 0, "errors": 0, "sent": 0}
    deadline = time.monotonic() + min(args.seconds, 120.0)  # hard cap: the load always stops by itself

    def client():
        while time.monotonic() < deadline:
            with lock:
                if stats["sent"] >= args.max_requests:
                    return
                stats["sent"] += 1
            try:
                conn = http.client.HTTPConnection("127.0.0.1", url.port, timeout=10)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            with lock:
                stats["ok" if ok else "errors"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    print(json.dumps({"ok": stats["ok"], "errors": stats["errors"], "seconds": elapsed,
                      "rps": stats["ok"] / elapsed if elapsed else 0.0}))


if __name__ == "__main__":
    main()
