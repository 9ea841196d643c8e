"""Demo logins. They exist only through `manage.py seed_demo`, never through migrations."""
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from core.roles import CUSTOMER_SERVICE, FINANCE, MANAGER

DEMO_PASSWORD = "demo1234"
DEMO_USERS = [
    # username, group, first name, is_superuser
    ("cs", CUSTOMER_SERVICE, "客服小王", False),
    ("cs2", CUSTOMER_SERVICE, "客服小李", False),
    ("finance", FINANCE, "财务张会计", False),
    ("finance2", FINANCE, "财务刘复核", False),
    ("manager", MANAGER, "经理陈", False),
    ("admin", None, "管理员", True),
]


def seed_users():
    User = get_user_model()
    users = {}
    hashed = None  # one hash for the shared demo password: each costs the hasher's full work factor (~0.5 s)
    for username, group_name, first_name, superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "is_staff": True, "is_superuser": superuser,
                      "email": f"{username}@backoffice.example.cn"},
        )
        if created:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            user.save(update_fields=["password"])
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
        users[username] = user
    return users
