"""The favicon: pages link it, /favicon.ico leads to it, and the file is served (no 404 on every page)."""
import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("backoffice/favicon.svg")
    assert finders.find("backoffice/favicon.svg")


@pytest.mark.parametrize("url", ["/admin/login/", "/portal/"])
def test_pages_link_the_icon(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert 'rel="icon"' in response.content.decode() and "backoffice/favicon.svg" in response.content.decode()
