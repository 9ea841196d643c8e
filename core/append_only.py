"""Append-only audit rows (invoice and incident events): written once, never updated or deleted, whether
through an instance or a queryset."""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CHANGED = _("Events are append-only and cannot be changed.")
DELETED = _("Events are append-only and cannot be deleted.")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(CHANGED)

    def delete(self):
        raise ValidationError(DELETED)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValidationError(CHANGED)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(DELETED)
