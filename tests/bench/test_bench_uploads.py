"""bench_uploads measures the request path and the worker's read in a subprocess each; --measure is one of them."""
import json
from io import StringIO

import pytest
from django.core.management import call_command

from bench.scale.upload_bombs import shared_strings_bomb


def _measure(step, path):
    out = StringIO()
    call_command("bench_uploads", measure=[step, str(path)], stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_one_measurement_reports_the_outcome_and_memory(tmp_path):
    path = tmp_path / "strings.xlsx"
    path.write_bytes(shared_strings_bomb())
    result = _measure("request", path)
    assert result["outcome"].startswith("refused") and "xlsx_max_ratio" in result["outcome"]
    assert result["rss_mb"] > 0 and result["heap_mb"] < 50 and result["seconds"] < 5


@pytest.mark.slow
def test_the_whole_table_is_printed():
    out = StringIO()
    call_command("bench_uploads", rows=200, stdout=out)
    text = out.getvalue()
    for label in ("sheet bomb", "sharedStrings bomb", "honest CSV (200 rows)", "read 200 rows"):
        assert label in text, text
