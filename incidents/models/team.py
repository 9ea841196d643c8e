from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A customer-service team. Reps (客服) see and work only incidents and follow-ups of their teams (and the
    shared queue of ones with no team yet); `view_every_team` (managers, finance) lifts that. See
    incidents/access.py. A user may belong to several teams."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams",
                                     verbose_name=_("members"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name
