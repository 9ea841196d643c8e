from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from core.text import clean_name, model_length_errors, name_error
from invoices.ledger.identifiers import check_tax_id, normalize_text
from invoices.ledger.models import Customer

CUSTOMER_FIELDS = (
    "name", "tax_id", "address", "phone", "bank_name", "bank_account", "contact_name", "email", "mobile",
)


def _clean_customer(data, *, instance=None):
    errors = {}
    cleaned = {}
    for field in CUSTOMER_FIELDS:
        if field in data:
            value = data[field]
            cleaned[field] = "" if value is None else str(value).strip()
    for field in ("name", "contact_name"):
        if field in cleaned:
            cleaned[field] = clean_name(cleaned[field])
            message = name_error(cleaned[field], Customer._meta.get_field(field).verbose_name)
            if message:
                errors[field] = [message]
    if "name" in cleaned or instance is None:
        if not cleaned.get("name"):
            errors["name"] = [_("Customer name is required.")]
    warnings = []
    if cleaned.get("tax_id"):
        check = check_tax_id(cleaned["tax_id"])
        if not check.ok:
            errors["tax_id"] = [check.error]
        else:
            cleaned["tax_id"] = check.value
            if check.warning:
                warnings.append(check.warning)
            clash = Customer.objects.filter(tax_id=check.value)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors["tax_id"] = [_("Another customer already has tax id %(v)s.") % {"v": check.value}]
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if cleaned.get("mobile"):
        cleaned["mobile"] = normalize_text(cleaned["mobile"]).replace("-", "")
    # Counted on the stored form: NFKC turns one "㍱" into three characters.
    for field, message in model_length_errors(Customer, cleaned).items():
        errors.setdefault(field, [message])
    if errors:
        raise ValidationError(errors)
    return cleaned, warnings


@transaction.atomic
def customer_create(*, actor=None, **data):
    """Create a customer. The returned customer's `warnings` lists what was accepted but should be looked at again
    (a legacy or ID-card-shaped 纳税人识别号): the admin shows them as messages, the API returns them."""
    cleaned, warnings = _clean_customer(data)
    customer = Customer.objects.create(**cleaned)
    customer.warnings = warnings
    return customer


@transaction.atomic
def customer_update(*, customer, actor=None, **data):
    """Update a customer; `warnings` on the result as for customer_create (only for the fields given)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    cleaned, warnings = _clean_customer(data, instance=customer)
    for field, value in cleaned.items():
        setattr(customer, field, value)
    customer.save(update_fields=list(cleaned) or None)
    customer.warnings = warnings
    return customer
