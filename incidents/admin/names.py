"""People as the desk names them: the full name a colleague knows (姓名), the login only when none is recorded."""
from django import forms


def person(user, empty=""):
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of staff users shown by name, not by login."""

    def label_from_instance(self, obj):
        return person(obj)
