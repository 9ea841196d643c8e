"""The simulated platform's red-letter form and credit endpoints (the wire protocol in http.py), mixed into
server.PlatformHandler; the forms themselves are sim_forms', the credit sim_credit's."""
import re
from urllib.parse import parse_qs, unquote

from invoices.platform.gateway import FORM_STATUSES, PlatformRejected
from invoices.platform.sim_credit import sim_credit
from invoices.platform.sim_forms import (
    form_json,
    sim_form_cancel,
    sim_form_confirm,
    sim_form_get,
    sim_form_submit,
    sim_forms_waiting,
)
from invoices.platform.simulator import sim_gate

# Matched at the end of the path: the provider's URL may carry a path prefix before these.
FORM_ANSWER = re.compile(r"/red-letter-forms/(?P<number>[^/]+)/(?P<verb>confirm|cancel)$")
FORM_ONE = re.compile(r"/red-letter-forms/(?P<number>[^/]+)$")
FORMS = re.compile(r"/red-letter-forms$")
CREDIT = re.compile(r"/credit$")


def _query_value(query, name, required=True):
    value = (parse_qs(query).get(name) or [""])[0].strip()
    if required and not value:
        raise PlatformRejected("MISSING_PARAMETER", f"缺少查询参数 {name}")
    return value


class FormEndpoints:
    """Routes return the work to run under the handler's error mapping, or None when the path is not theirs."""

    def form_post_route(self, path):
        if FORMS.search(path):
            return self._form_submit
        match = FORM_ANSWER.search(path)
        if match:
            number = unquote(match["number"])
            if match["verb"] == "confirm":
                return lambda: self._form_confirm(number)
            return lambda: self._form_cancel(number)
        return None

    def form_get_route(self, path, query):
        if FORMS.search(path):
            return lambda: self._forms_list(query)
        match = FORM_ONE.search(path)
        if match:
            return lambda: self._form_get(unquote(match["number"]))
        if CREDIT.search(path):
            return lambda: self._credit(query)
        return None

    def _form_submit(self):
        body = self._read_json()
        sim_gate([str(body.get("seller_tax_id") or "")])
        form, created = sim_form_submit(body, self.headers.get("Idempotency-Key", ""))
        self._send(201 if created else 200, form_json(form))

    def _form_get(self, number):
        sim_gate()
        form = sim_form_get(number)
        if form is None:
            self._send(404, {"code": "NOT_FOUND", "message": number})
        else:
            self._send(200, form_json(form))

    def _forms_list(self, query):
        seller_tax_id = _query_value(query, "seller_tax_id")
        status = _query_value(query, "status", required=False) or "03"
        if status not in FORM_STATUSES:
            raise PlatformRejected("INVALID_STATUS", f"status 应为 {FORM_STATUSES[0]}–{FORM_STATUSES[-1]} 之一")
        sim_gate()
        self._send(200, {"results": [form_json(f) for f in sim_forms_waiting(seller_tax_id, status=status)]})

    def _form_confirm(self, number):
        accept = self._read_json().get("accept")
        if not isinstance(accept, bool):
            raise PlatformRejected("INVALID_ACCEPT", "accept 应为 true（确认）或 false（否认）")
        sim_gate()
        self._send(200, {"status": sim_form_confirm(number, accept)})

    def _form_cancel(self, number):
        sim_gate()
        self._send(200, {"status": sim_form_cancel(number)})

    def _credit(self, query):
        seller_tax_id = _query_value(query, "seller_tax_id")
        sim_gate()
        self._send(200, sim_credit(seller_tax_id))
