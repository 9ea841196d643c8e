"""Numbers taken from a sequence row: the ledger's invoice numbers, red-letter form numbers, and the simulated
platform's own numbering all count the same way."""


def take_next_number(model, lookup, *, prefix, taken, width=15):
    """Lock the sequence row of `model` found by `lookup` (created on first use; its counter is `last`), and take
    the first number prefix + counter (zero-padded to `width`) that `taken(number)` says is free: numbers
    entered by hand or imported may already occupy a slot. Call inside a transaction."""
    model.objects.get_or_create(**lookup)
    sequence = model.objects.select_for_update().get(**lookup)
    while True:
        sequence.last += 1
        number = f"{prefix}{sequence.last:0{width}d}"
        if not taken(number):
            break
    sequence.save(update_fields=["last"])
    return number
