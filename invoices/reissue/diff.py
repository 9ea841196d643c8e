"""The old -> new difference a reissue would make, as rows of a table: the buyer, the remarks, each line's columns
and the total, written as people write them (¥1,234.50, 13%, 13). Shown before submitting and before approving."""
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from core.admin.written import money, plain_number, rate
from invoices.ledger.money import line_tax, to_decimal


def _line_cells(line):
    """[name, quantity, unit price, amount, rate, tax] of an invoice line or a line as entered."""
    if line is None:
        return ["—"] * 6
    get = line.get if isinstance(line, dict) else lambda key, default=None: getattr(line, key, default)
    amount = to_decimal(get("amount"))
    tax_rate = to_decimal(get("tax_rate"))
    tax = get("tax_amount")
    tax = to_decimal(tax) if tax not in (None, "") else line_tax(amount, tax_rate)
    return [get("name") or "", plain_number(get("quantity")), plain_number(get("unit_price")), money(amount),
            rate(tax_rate), money(tax)]


def line_total(line):
    tax = line.get("tax_amount")
    tax = to_decimal(tax) if tax not in (None, "") else line_tax(line["amount"], line["tax_rate"])
    return to_decimal(line["amount"]) + tax


def line_headers():
    return [gettext("goods or service"), gettext("quantity"), gettext("unit price"), gettext("amount"),
            gettext("tax rate"), gettext("tax")]


def reissue_diff(invoice, *, buyer_name, buyer_tax_id, remarks, lines, issue_new=True):
    """{"fields": [(label, old, new, changed)], "headers": [...], "lines": [{"n", "old": cells, "new": [(cell, changed)]}]}."""
    old_lines = list(invoice.lines.order_by("line_no"))
    new_lines = list(lines) if issue_new else []
    new_total = sum((line_total(line) for line in new_lines), Decimal(0))
    fields = [
        (gettext("buyer name"), invoice.buyer_name, buyer_name if issue_new else "—"),
        (gettext("buyer tax id"), invoice.buyer_tax_id, buyer_tax_id if issue_new else "—"),
        (gettext("remarks"), invoice.remarks or "—", (remarks or "—") if issue_new else "—"),
        (gettext("total incl. tax"), money(invoice.total), money(new_total) if new_lines else "—"),
    ]
    rows = []
    for n in range(max(len(old_lines), len(new_lines))):
        old = _line_cells(old_lines[n] if n < len(old_lines) else None)
        new = _line_cells(new_lines[n] if n < len(new_lines) else None)
        rows.append({"n": n + 1, "old": old, "new": [(b, a != b) for a, b in zip(old, new)]})
    return {
        "fields": [(label, old, new, str(old) != str(new)) for label, old, new in fields],
        "headers": line_headers(),
        "lines": rows,
    }


def red_lines_shown(red_lines):
    """The red invoice's lines for a page: name, quantity, amount, tax, all written out."""
    return [{"name": line["name"], "quantity": plain_number(line.get("quantity")),
             "amount": money(line["amount"]), "tax_amount": money(line["tax_amount"])} for line in red_lines]


def new_lines_shown(lines):
    """A request's stored replacement lines (JSON) as table rows."""
    return [dict(zip(("name", "quantity", "unit_price", "amount", "rate", "tax"), _line_cells(line)))
            for line in lines or []]


def lines_table(headers, rows):
    """A small HTML table for a read-only field: the first column text, the others numbers kept on one line."""
    head = format_html_join("", "<th>{}</th>", ((h,) for h in headers))
    body = format_html_join("", "<tr>{}</tr>", (
        (format_html_join("", '<td style="{}">{}</td>', (
            ("" if i == 0 else "white-space:nowrap;text-align:right", cell) for i, cell in enumerate(row))),)
        for row in rows))
    return format_html('<table class="reissue-lines"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body)
