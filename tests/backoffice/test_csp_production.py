"""Production mode: every page carries the Content-Security-Policy, the admin's pages hold no inline script
under it, and a JSON body nested 3,000 levels deep is a 400 there too (DEBUG off)."""
import json

import pytest

from tests.backoffice.test_production_mode import manage, production_env

pytestmark = pytest.mark.slow  # runs manage.py in subprocesses

PROBE = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from tests.csp_helpers import ADMIN_PAGES, inline_script_problems

client = Client(HTTP_HOST="127.0.0.1")
out = {}
login = client.get("/admin/login/", secure=True)
out["login"] = [login.status_code, login.headers.get("Content-Security-Policy", ""),
                inline_script_problems(login.content.decode())]
client.force_login(get_user_model().objects.create_superuser("root", password="pw-root-Long-1"))
for url in ADMIN_PAGES:
    r = client.get(url, secure=True)
    out[url] = [r.status_code, r.headers.get("Content-Security-Policy", ""), inline_script_problems(r.content.decode())]
deep = Client(HTTP_HOST="127.0.0.1").post("/api/v1/auth/token/", "[" * 3000 + "]" * 3000,
                                          content_type="application/json", secure=True)
out["deep"] = [deep.status_code, deep.content.decode()[:200]]
print(json.dumps(out))
"""


def test_production_pages_carry_the_csp_and_work_under_it(tmp_path):
    env = production_env(tmp_path)
    for step in (("migrate", "--noinput", "-v", "0"), ("collectstatic", "--noinput", "-v", "0")):
        result = manage(env, *step)
        assert result.returncode == 0, result.stderr
    result = manage(env, "shell", "-v", "0", "-c", PROBE)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    deep_status, deep_body = out.pop("deep")
    assert deep_status == 400 and "3" in deep_body, deep_body
    for url, (status, policy, problems) in out.items():
        assert status == 200, url
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, url
        assert problems == [], (url, problems)
