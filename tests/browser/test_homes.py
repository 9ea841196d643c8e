"""Each role logs in and lands on a page that tells them what to do now."""
import pytest


@pytest.mark.parametrize("username", ["cs", "finance", "manager"])
def test_home_page(open_as, shots, username):
    page = open_as(username)
    shots(page, f"home-{username}")
