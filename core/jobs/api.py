"""Jobs over the API: the same list and the same 重试 rule as the admin (services.can_retry)."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.permissions import ModelPermissions, require

from .models import Job
from .registry import describe, label_of
from .services import job_retry


class JobSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    about = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "name", "label", "about", "area", "status", "attempts", "max_attempts", "created_at",
                  "next_try_at", "lease_until", "finished_at", "last_error", "result"]
        read_only_fields = fields

    def get_label(self, obj) -> str:
        return str(label_of(obj.name))

    def get_about(self, obj) -> str:
        return describe(obj.name, obj.params)


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = JobSerializer
    permission_classes = [ModelPermissions]
    queryset = Job.objects.order_by("-id")
    filterset_fields = ["status", "area", "name"]

    @extend_schema(request=None, responses=JobSerializer)
    # Seeing the job is enough to ask; job_retry answers 403 unless the user retries jobs of its area.
    @action(detail=True, methods=["post"], permission_classes=[require("core.view_job")])
    def retry(self, request, pk=None):
        try:
            job = job_retry(job=self.get_object(), actor=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(JobSerializer(job).data)
