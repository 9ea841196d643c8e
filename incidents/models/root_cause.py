from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class RootCauseCategory(models.Model):
    """The managed list an incident's root cause is counted under (reports, dashboard). The seeded rows keep
    their English name as a msgid (incidents/root_causes.py), so they read in the user's language; rows
    managers add read as typed."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("root-cause category")
        verbose_name_plural = _("root-cause categories")
        ordering = ["position", "id"]

    def __str__(self):
        return gettext(self.name)
