"""JSON over HTTP(S) to a tax-platform provider, with the wire protocol in the issue:

POST {url}/invoices           Idempotency-Key: <number>  → 200/201 accepted, 409 already there, 4xx rejected
GET  {url}/invoices/{number}  → 200 record, 404 none
POST {url}/invoices/issue     Idempotency-Key: <draft key> → 200/201 {number, platform_id}
GET  {url}/invoices/{number}/file?format=pdf|ofd|xml  (legacy invoices add &code=)
                              → 200 the bytes, Content-Type application/pdf, application/ofd or application/xml;
                                404 the platform has no such invoice

Red-letter forms (红字发票信息确认单); the platform numbers each form and keeps its status (01–10):
POST {url}/red-letter-forms   Idempotency-Key: <draft key>
                              {original_number, original_code, entered_by, seller_tax_id, buyer_tax_id, reason,
                               amount, tax_amount, lines} → 201 the form {number, status, lapses_at, …}; 200 the
                              same form again for a repeated key
GET  {url}/red-letter-forms/{number}                    → 200 the form with its current status, 404 none
GET  {url}/red-letter-forms?seller_tax_id=…&status=03   → 200 {results: [form, …]}
POST {url}/red-letter-forms/{number}/confirm  {accept: true|false} → 200 {status: "04"|"06"}
POST {url}/red-letter-forms/{number}/cancel   → 200 {status: "08"}
A red invoice's issue carries red_letter_form_number; the platform refuses it with 422 FORM_NOT_CONFIRMED unless
the form is 01 or 04, and refuses any issue or upload beyond the seller's credit with 422 CREDIT_EXCEEDED.
GET  {url}/credit?seller_tax_id=…  → 200 {total, used, remaining} (yuan, as strings)

The batch listing (the platform's 全量发票查询 as an API), one page at a time in the platform's stable order:
GET  {url}/invoices?seller_tax_id=…&issued_from=YYYY-MM-DD&issued_to=YYYY-MM-DD[&cursor=…&limit=…]
                              → 200 {results: [{number, code, status, total, buyer_tax_id, issued_at, direction,
                                amount, tax_amount}], next_cursor: "…" | null}; the days are inclusive, status is
                                the platform's 发票状态 (正常, 已红冲-部分 …), amounts yuan as strings (amount and
                                tax_amount may be left out); limit 1–1000 (default 1000); pass next_cursor back for
                                the next page, null means the last one. A bad parameter is a 4xx whose code names
                                it (INVALID_ISSUED_FROM, INVALID_LIMIT …).

5xx, timeouts, refused or dropped connections, and 401/403/408/429 (our credentials or the provider's load,
not the invoice's data) are `PlatformUnavailable`; every other 4xx is `PlatformRejected`."""
import http.client
import json
import socket
from decimal import Decimal, InvalidOperation
from datetime import date
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings

from invoices.platform.gateway import (
    FILE_FORMATS,
    FORM_STATUSES,
    Gateway,
    PlatformCredit,
    PlatformError,
    PlatformFile,
    PlatformForm,
    PlatformListedInvoice,
    PlatformListing,
    PlatformReceipt,
    PlatformRecord,
    PlatformRejected,
    PlatformUnavailable,
    check_file_format,
    idempotency_key,
    invoice_payload,
)

RETRYABLE_4XX = {401, 403, 408, 425, 429}


class HttpGateway(Gateway):
    def __init__(self, url=None, token=None, connect_timeout=None, read_timeout=None):
        url = url if url is not None else getattr(settings, "TAX_PLATFORM_URL", "")
        if not url:
            raise PlatformError("TAX_PLATFORM_URL is not set")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PlatformError(f"TAX_PLATFORM_URL must be an http(s) URL, not {url!r}")
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.base_path = parts.path.rstrip("/")
        self.token = token if token is not None else getattr(settings, "TAX_PLATFORM_TOKEN", "")
        self.connect_timeout = connect_timeout or getattr(settings, "TAX_PLATFORM_CONNECT_TIMEOUT", 5)
        self.read_timeout = read_timeout or getattr(settings, "TAX_PLATFORM_READ_TIMEOUT", 15)

    # --- transport ---------------------------------------------------------------------------------------
    def _request(self, method, path, body=None, key=""):
        status, _type, raw = self._exchange(method, path, body, key)
        return status, self._json(raw)

    def _exchange(self, method, path, body=None, key="", accept="application/json"):
        """(status, Content-Type, body bytes) of one request; transport failures are PlatformUnavailable."""
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        conn = cls(self.host, self.port, timeout=self.connect_timeout)
        headers = {"Accept": accept}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            conn.connect()
            # The connect timeout bounds the handshake; the read timeout bounds every wait for the answer.
            conn.sock.settimeout(self.read_timeout)
            conn.request(method, self.base_path + path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, garbled
            kind = "timed out" if isinstance(exc, (socket.timeout, TimeoutError)) else type(exc).__name__
            raise PlatformUnavailable(f"{method} {path}: {kind} {exc}".strip()) from exc
        finally:
            conn.close()
        return response.status, response.getheader("Content-Type", ""), raw

    @staticmethod
    def _json(raw):
        try:
            payload = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            payload = {"body": raw[:200].decode("utf-8", "replace")}
        if not isinstance(payload, dict):
            payload = {"body": payload}
        return payload

    def _raise_for(self, status, payload, method, path):
        if status >= 500 or status in RETRYABLE_4XX:
            raise PlatformUnavailable(f"{method} {path}: HTTP {status} {payload.get('message', '')}".strip())
        if 400 <= status < 500:
            raise PlatformRejected(payload.get("code") or str(status), payload.get("message") or f"HTTP {status}")
        raise PlatformUnavailable(f"{method} {path}: unexpected HTTP {status}")

    # --- interface -----------------------------------------------------------------------------------------
    def upload(self, invoice):
        status, payload = self._request("POST", "/invoices", invoice_payload(invoice), key=idempotency_key(invoice))
        if status in (200, 201, 409):
            return PlatformReceipt(number=invoice.number, code=invoice.code,
                                   platform_id=str(payload.get("platform_id") or ""),
                                   duplicate=status == 409, raw=payload)
        self._raise_for(status, payload, "POST", "/invoices")

    def query(self, invoice):
        path = f"/invoices/{quote(invoice.number)}"
        if invoice.code:
            path += "?" + urlencode({"code": invoice.code})
        status, payload = self._request("GET", path)
        if status == 404:
            return None
        if status != 200:
            self._raise_for(status, payload, "GET", path)
        try:
            total = Decimal(str(payload.get("total")))
        except (InvalidOperation, TypeError):
            raise PlatformUnavailable(f"GET {path}: the platform answered without a readable total") from None
        return PlatformRecord(number=str(payload.get("number") or invoice.number), code=str(payload.get("code") or ""),
                              status=str(payload.get("status") or ""), total=total, raw=payload)

    def issue(self, draft):
        status, payload = self._request("POST", "/invoices/issue", draft.to_payload(), key=draft.idempotency_key)
        if status in (200, 201) and payload.get("number"):
            return PlatformReceipt(number=str(payload["number"]), platform_id=str(payload.get("platform_id") or ""),
                                   duplicate=status == 200, raw=payload)
        self._raise_for(status if status not in (200, 201) else 502, payload, "POST", "/invoices/issue")

    def download(self, invoice, format):  # noqa: A002
        fmt = check_file_format(format)
        query = {"format": fmt, **({"code": invoice.code} if invoice.code else {})}
        path = f"/invoices/{quote(invoice.number)}/file?" + urlencode(query)
        status, content_type, raw = self._exchange("GET", path, accept=FILE_FORMATS[fmt])
        if status == 404:
            return None
        if status != 200:
            self._raise_for(status, self._json(raw), "GET", path)
        if not raw:
            raise PlatformUnavailable(f"GET {path}: the platform answered 200 without a file")
        return PlatformFile(number=invoice.number, format=fmt, content=raw,
                            content_type=content_type.split(";")[0].strip() or FILE_FORMATS[fmt])

    # --- red-letter forms and credit ---------------------------------------------------------------------------
    def _expect(self, method, path, body=None, key="", ok=(200,)):
        """The JSON answer of a request that must answer one of `ok`; anything else raises the typed error."""
        status, payload = self._request(method, path, body, key=key)
        if status not in ok:
            self._raise_for(status, payload, method, path)
        return status, payload

    def red_letter_form_submit(self, draft):
        status, payload = self._expect("POST", "/red-letter-forms", draft.to_payload(), key=draft.idempotency_key,
                                       ok=(200, 201))
        return PlatformForm.from_json(payload, duplicate=status == 200)

    def red_letter_form_get(self, number):
        path = f"/red-letter-forms/{quote(str(number), safe='')}"
        status, payload = self._request("GET", path)
        if status == 404:
            return None
        if status != 200:
            self._raise_for(status, payload, "GET", path)
        return PlatformForm.from_json(payload)

    def red_letter_forms_waiting(self, seller_tax_id):
        path = "/red-letter-forms?" + urlencode({"seller_tax_id": seller_tax_id, "status": "03"})
        _status, payload = self._expect("GET", path)
        results = payload.get("results")
        if not isinstance(results, list) or not all(isinstance(item, dict) for item in results):
            raise PlatformUnavailable(f"GET {path}: the platform answered without a list of forms")
        return [PlatformForm.from_json(item) for item in results]

    def red_letter_form_confirm(self, number, accept):
        path = f"/red-letter-forms/{quote(str(number), safe='')}/confirm"
        _status, payload = self._expect("POST", path, {"accept": bool(accept)})
        return self._form_status(payload, "POST", path)

    def red_letter_form_cancel(self, number):
        path = f"/red-letter-forms/{quote(str(number), safe='')}/cancel"
        _status, payload = self._expect("POST", path, {})
        return self._form_status(payload, "POST", path)

    @staticmethod
    def _form_status(payload, method, path):
        status = str(payload.get("status") or "")
        if status not in FORM_STATUSES:
            raise PlatformUnavailable(f"{method} {path}: the platform answered no known form status: {payload!r}")
        return status

    def credit(self, seller_tax_id):
        _status, payload = self._expect("GET", "/credit?" + urlencode({"seller_tax_id": seller_tax_id}))
        return PlatformCredit.from_json(payload)

    def list_invoices(self, seller_tax_id, issued_from, issued_to, cursor=None, limit=None):
        query = {"seller_tax_id": seller_tax_id,
                 "issued_from": issued_from.isoformat() if isinstance(issued_from, date) else issued_from,
                 "issued_to": issued_to.isoformat() if isinstance(issued_to, date) else issued_to}
        if cursor:
            query["cursor"] = cursor
        if limit is not None:
            query["limit"] = limit
        path = "/invoices?" + urlencode(query)
        _status, payload = self._expect("GET", path)
        results, cursor = payload.get("results"), payload.get("next_cursor")
        if not isinstance(results, list) or not all(isinstance(row, dict) for row in results) or not (
                cursor is None or isinstance(cursor, str)):
            raise PlatformUnavailable(f"GET {path}: the platform answered without a page of invoices")
        return PlatformListing([PlatformListedInvoice.from_json(row) for row in results], cursor or None)
