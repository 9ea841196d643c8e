"""The block lane sends a block with a row of blank cells the csv-module way (which skips such rows, so the
rows after one are numbered differently); it finds them in the bytes, before COPY."""
import pytest

from invoices.reconciliation.pipeline import load_block


@pytest.mark.parametrize("block, blank", [
    (b"1,a,b\r\n2,c,d\r\n", False),
    (b"1,a,b\n2,c,d", False),
    (b",,\r\n1,a,b\r\n", True),
    (b"1,a,b\r\n \t, ,\r\n2,c,d\r\n", True),
    ("1,a,b\n\u3000,\u00a0,\n".encode(), True),
    (b"1,a,b\n\n2,c,d\n", True),
    ("1,a,b\n\u3000x,,\n".encode(), False),
])
def test_blank_rows_are_found_in_the_bytes(block, blank):
    assert load_block.has_blank_row(block) is blank
