from pathlib import Path

from core.jobs.registry import registered

DOC = Path(__file__).resolve().parents[2] / "docs" / "jobs.md"


def test_every_registered_job_is_in_the_table():
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in registered() if not name.startswith("test.") and f"`{name}`" not in text]
    assert not missing, f"docs/jobs.md does not list {missing}"
