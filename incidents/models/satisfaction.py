from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SatisfactionAnswer(models.Model):
    """The customer's answer to the survey sent when their incident was resolved: one per incident."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.CASCADE, related_name="satisfaction", verbose_name=_("incident")
    )
    rating = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    solved = models.BooleanField(_("problem solved"))
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="satisfaction_rating_1_5"),
        ]

    def __str__(self):
        return f"{self.incident.reference}: {self.rating}/5"

    @property
    def satisfied(self):
        return self.rating >= 4
