"""Login throttling (django-axes) on the admin and the token API, token revocation, deactivation."""
import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from backoffice.accounts import token_revoke, user_deactivate

from ..conftest import make_user

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw-root")


def token_login(client, username, password):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def with_token(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + key)
    return client


def fail_until_locked(post):
    responses = [post() for _ in range(settings.AXES_FAILURE_LIMIT)]
    return responses


def test_token_login_locks_out_after_failure_limit_even_with_right_password(api, cs_user):
    responses = fail_until_locked(lambda: token_login(api, "cs", "wrong"))
    assert [r.status_code for r in responses[:-1]] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    locked = api.post(TOKEN_URL, {"username": "cs", "password": "pw-cs"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429 and "too many failed logins" in locked.json()["detail"]
    assert not Token.objects.filter(user=cs_user).exists()
    attempt = AccessAttempt.objects.get(username="cs")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT and attempt.ip_address == "127.0.0.1"


def test_lockout_is_per_username_and_address(api, cs_user, finance_user):
    fail_until_locked(lambda: token_login(api, "cs", "wrong"))
    # Same address, other user: still allowed (a shared office NAT must not lock everybody out).
    assert token_login(api, "finance", "pw-finance").status_code == 200
    # Same user from another address: allowed too.
    elsewhere = APIClient(REMOTE_ADDR="10.0.0.9")
    assert token_login(elsewhere, "cs", "pw-cs").status_code == 200


def test_success_before_limit_resets_the_count(api, cs_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        token_login(api, "cs", "wrong")
    assert token_login(api, "cs", "pw-cs").status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert token_login(api, "cs", "wrong").status_code == 400
    assert token_login(api, "cs", "pw-cs").status_code == 200


def test_admin_login_lockout_is_listed_in_admin_and_unlocked_by_deleting_it(client, cs_user, admin_user):
    login_url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login_url, {"username": "cs", "password": "wrong"})
    client.cookies["django_language"] = "en"  # the language switch (the browser's language is not asked)
    response = client.post(login_url, {"username": "cs", "password": "pw-cs"})
    assert response.status_code == 429 and b"Account locked" in response.content
    assert b"Too many failed logins (%d)" % settings.AXES_FAILURE_LIMIT in response.content
    assert "_auth_user_id" not in client.session

    staff = APIClient()
    staff.force_login(admin_user)
    listing = staff.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and b"cs" in listing.content
    # Deleting the attempt in the admin is how a superuser unlocks an account before the cool-off ends.
    attempt = AccessAttempt.objects.get(username="cs")
    staff.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert not AccessAttempt.objects.exists()
    response = client.post(login_url, {"username": "cs", "password": "pw-cs"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(cs_user.pk)


def test_forwarded_address_counts_only_behind_trusted_proxies(settings, rf):
    from backoffice.security import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.7"  # the client-written 6.6.6.6 is never believed
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.1"


def test_caller_revokes_own_token(api, cs_user):
    key = token_login(api, "cs", "pw-cs").json()["token"]
    client = with_token(key)
    assert client.get("/api/v1/invoices/").status_code == 200
    assert client.post(REVOKE_URL).status_code == 204
    assert client.get("/api/v1/invoices/").status_code == 401
    assert not Token.objects.filter(user=cs_user).exists()
    # A new login issues a new, different token.
    assert token_login(api, "cs", "pw-cs").json()["token"] != key


def test_revoke_needs_authentication(api):
    assert api.post(REVOKE_URL).status_code == 401


def test_deactivated_user_token_stops_working_at_once(cs_user, admin_user):
    key = Token.objects.create(user=cs_user).key
    client = with_token(key)
    assert client.get("/api/v1/invoices/").status_code == 200
    user_deactivate(user=cs_user, actor=admin_user)
    cs_user.refresh_from_db()
    assert not cs_user.is_active and not Token.objects.filter(user=cs_user).exists()
    assert client.get("/api/v1/invoices/").status_code == 401
    entry = LogEntry.objects.get(object_id=str(cs_user.pk))
    # Written in the language of the request that did it (Chinese by default).
    assert entry.user == admin_user and entry.change_message in {"Deactivated; API token revoked.", "已停用账号，API 令牌已吊销。"}


def test_drf_refuses_token_of_inactive_user_even_if_token_survives(cs_user):
    # Deactivation that bypassed the service (e.g. a raw update) still cuts the token off: DRF checks is_active.
    key = Token.objects.create(user=cs_user).key
    type(cs_user).objects.filter(pk=cs_user.pk).update(is_active=False)
    response = with_token(key).get("/api/v1/invoices/")
    assert response.status_code == 401


def test_token_revoke_service_logs_only_when_a_token_existed(cs_user, admin_user):
    assert token_revoke(user=cs_user, actor=admin_user) is False
    assert not LogEntry.objects.exists()
    Token.objects.create(user=cs_user)
    assert token_revoke(user=cs_user, actor=admin_user) is True
    assert LogEntry.objects.get().user == admin_user


def _run_action(client, action, users):
    return client.post(
        reverse("admin:auth_user_changelist"),
        {"action": action, "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_superuser_revokes_any_token_from_the_user_list(client, admin_user, cs_user, finance_user):
    for user in (cs_user, finance_user):
        Token.objects.create(user=user)
    client.force_login(admin_user)
    listing = client.get(reverse("admin:auth_user_changelist"))
    assert listing.status_code == 200 and b"revoke_api_tokens" in listing.content
    response = _run_action(client, "revoke_api_tokens", [cs_user, finance_user])
    assert response.status_code == 200
    assert not Token.objects.exists()


def test_revoke_action_is_offered_to_superusers_only(client, django_user_model, cs_user):
    from django.contrib.auth.models import Permission

    clerk = make_user(django_user_model, "useradmin")
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    Token.objects.create(user=cs_user)
    client.force_login(clerk)
    listing = client.get(reverse("admin:auth_user_changelist"))
    assert listing.status_code == 200 and b"revoke_api_tokens" not in listing.content
    assert b"deactivate_users" in listing.content
    _run_action(client, "revoke_api_tokens", [cs_user])
    assert Token.objects.filter(user=cs_user).exists()


def test_deactivate_action_and_change_form_both_revoke_tokens(client, admin_user, cs_user, finance_user):
    for user in (cs_user, finance_user, admin_user):
        Token.objects.create(user=user)
    client.force_login(admin_user)
    _run_action(client, "deactivate_users", [cs_user, admin_user])
    cs_user.refresh_from_db()
    admin_user.refresh_from_db()
    assert not cs_user.is_active and not Token.objects.filter(user=cs_user).exists()
    assert admin_user.is_active and Token.objects.filter(user=admin_user).exists()  # never yourself

    change_url = reverse("admin:auth_user_change", args=[finance_user.pk])
    form = {
        "username": "finance", "is_staff": "on", "is_active": "", "groups": [g.pk for g in finance_user.groups.all()],
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00",
    }
    response = client.post(change_url, form)
    assert response.status_code == 302, response.content[:2000]
    finance_user.refresh_from_db()
    assert not finance_user.is_active and not Token.objects.filter(user=finance_user).exists()
