"""An HTTP face for the simulated platform (the wire protocol in http.py), for `manage.py
platform_simulator` and for tests that exercise the http gateway over loopback."""
import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.db import connections

from invoices.platform.gateway import FILE_FORMATS, PlatformRejected, PlatformUnavailable
from invoices.platform.server_forms import FormEndpoints
from invoices.platform.sim_listing import listing_params, sim_list
from invoices.platform.simulator import (
    record_json,
    sim_file,
    sim_gate,
    sim_issue,
    sim_lookup,
    sim_receive,
)

logger = logging.getLogger(__name__)


class PlatformHandler(FormEndpoints, BaseHTTPRequestHandler):
    server_version = "SimulatedTaxPlatform/1.0"
    token = ""  # set per server by make_server

    def log_message(self, fmt, *args):
        logger.debug("platform_simulator: " + fmt, *args)

    def _send(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self):
        if self.token and self.headers.get("Authorization", "") != f"Bearer {self.token}":
            self._send(401, {"code": "UNAUTHORIZED", "message": "invalid bearer token"})
            return False
        return True

    def _read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            raise PlatformRejected("INVALID_JSON", "请求体不是合法的 JSON") from None
        if not isinstance(body, dict):
            raise PlatformRejected("INVALID_JSON", "请求体应为 JSON 对象")
        return body

    def _handle(self, work):
        try:
            if self._authorized():
                work()
        except PlatformUnavailable as exc:
            self._send(503, {"code": "UNAVAILABLE", "message": str(exc)})
        except PlatformRejected as exc:
            self._send(422, {"code": exc.code, "message": exc.message})
        except Exception:  # a bug here must look like a platform fault to the client, not hang it
            logger.exception("platform_simulator failed")
            self._send(500, {"code": "INTERNAL", "message": "internal error"})
        finally:
            # Each request runs in its own thread with its own connection; don't leave them open.
            connections.close_all()

    def do_POST(self):  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path.rstrip("/")
        form_work = self.form_post_route(path)
        if form_work is not None:
            self._handle(form_work)
        elif path.endswith("/invoices/issue"):
            self._handle(self._issue)
        elif path.endswith("/invoices"):
            self._handle(self._upload)
        else:
            self._send(404, {"code": "NOT_FOUND", "message": self.path})

    def _send_bytes(self, content, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def do_GET(self):  # noqa: N802
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        form_work = self.form_get_route(path, parts.query)
        if form_work is not None:
            self._handle(form_work)
            return
        if path.endswith("/file"):
            head, _sep, number = path[: -len("/file")].rpartition("/")
            query = parse_qs(parts.query)
            if head.endswith("/invoices") and number:
                fmt, code = query.get("format", [""])[0], query.get("code", [""])[0]
                self._handle(lambda: self._file(code, unquote(number), fmt))
                return
        if path.endswith("/invoices"):
            self._handle(lambda: self._list(parse_qs(parts.query)))
            return
        head, _sep, number = path.rpartition("/")
        if not head.endswith("/invoices") or not number:
            self._send(404, {"code": "NOT_FOUND", "message": self.path})
            return
        code = parse_qs(parts.query).get("code", [""])[0]
        self._handle(lambda: self._query(code, unquote(number)))

    def _upload(self):
        body = self._read_json()
        sim_gate([str(body.get("seller_tax_id") or ""), str(body.get("buyer_tax_id") or "")])
        record, created = sim_receive(body)
        self.after_store(record, created)
        self._send(201 if created else 409, {"platform_id": record.platform_id, "number": record.number})

    def _issue(self):
        body = self._read_json()
        sim_gate([str(body.get("seller_tax_id") or ""), str(body.get("buyer_tax_id") or "")])
        record, created = sim_issue(body, self.headers.get("Idempotency-Key", ""))
        self.after_store(record, created)
        self._send(201 if created else 200, {"platform_id": record.platform_id, "number": record.number})

    def _query(self, code, number):
        sim_gate()
        record = sim_lookup(code, number)
        if record is None:
            self._send(404, {"code": "NOT_FOUND", "message": number})
        else:
            self._send(200, record_json(record))

    def _list(self, query):
        values = {name: (query.get(name) or [None])[0]
                  for name in ("seller_tax_id", "issued_from", "issued_to", "cursor", "limit")}
        listing_params(**values)  # a bad parameter is a 422 naming it, even while the platform is down
        sim_gate()
        self._send(200, sim_list(**values))

    def _file(self, code, number, fmt):
        if fmt not in FILE_FORMATS:
            raise PlatformRejected("INVALID_FORMAT", f"format 应为 {'、'.join(sorted(FILE_FORMATS))} 之一")
        sim_gate()
        found = sim_file(code, number, fmt)
        if found is None:
            self._send(404, {"code": "NOT_FOUND", "message": number})
        else:
            self._send_bytes(found.content, found.content_type)

    def after_store(self, record, created):
        """Hook for tests that model a server which stores an upload or an issued invoice and then answers late or
        not at all (the client times out, or dies waiting, after the platform accepted)."""


def make_server(port=8765, host="127.0.0.1", handler=PlatformHandler, token=None, daemon_threads=True):
    """A ThreadingHTTPServer on loopback only; port 0 picks a free port (read it from server.server_address).
    With daemon_threads=False, server_close() waits for requests in flight (tests use that)."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the simulated platform only listens on loopback")
    handler_cls = type("BoundPlatformHandler", (handler,), {
        "token": getattr(settings, "TAX_PLATFORM_TOKEN", "") if token is None else token,
    })
    server = ThreadingHTTPServer((host, port), handler_cls)
    server.daemon_threads = daemon_threads
    return server
