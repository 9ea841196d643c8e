"""REST endpoints of the incident desk. Views parse, call a service and answer; permissions mirror the admin:
model permissions for reading and writing, `require(...)` for workflow actions, object rules in the services."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import require

from .filters import CommunicationFilter, FollowUpFilter, IncidentFilter
from .selectors import communication_list, followup_list, incident_detail, incident_list, satisfaction_list
from .serializers import (
    AssignSerializer,
    CommunicationCreateSerializer,
    CommunicationSerializer,
    CompleteSerializer,
    FollowUpCreateSerializer,
    FollowUpSerializer,
    IncidentDetailSerializer,
    IncidentEventSerializer,
    IncidentSerializer,
    IncidentUpdateSerializer,
    IncidentWriteSerializer,
    MergeSerializer,
    NotifySerializer,
    ReviewSerializer,
    SatisfactionSerializer,
    TransitionSerializer,
)
from .services.communications import communication_log, communication_send_email
from .services.followups import followup_assign, followup_complete, followup_create
from .services.incidents import (
    incident_claim,
    incident_open,
    incident_review,
    incident_transition,
    incident_update,
)
from .services.merge import incident_merge
from .services.notify import incident_notify_customers
from .services.timeline import incident_note_add


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = IncidentFilter

    def get_queryset(self):
        # The same team rule as the admin (incidents/selectors.py): another team's incident is a 404 here.
        if self.action == "retrieve":
            return incident_detail(user=self.request.user)
        return incident_list(user=self.request.user)

    def get_serializer_class(self):
        return IncidentDetailSerializer if self.action == "retrieve" else IncidentSerializer

    def get_permissions(self):
        perms = {
            "transition": [require("incidents.change_incident")],
            # The admin's 领取 and 合并 need the same: change_incident, and the services' object rules.
            "claim": [require("incidents.change_incident")],
            "merge": [require("incidents.change_incident")],
            "review": [require("incidents.review_incident")],
            "notify": [require("incidents.change_incident", "incidents.add_communication")],
            "events": [require("incidents.view_incident",
                               "incidents.add_incidentevent" if self.request.method == "POST"
                               else "incidents.view_incidentevent")],
        }
        if self.action in perms:
            return [p() for p in perms[self.action]]
        return super().get_permissions()

    def _detail(self, incident, code=status.HTTP_200_OK):
        return Response(IncidentDetailSerializer(incident_detail(user=self.request.user).get(pk=incident.pk)).data,
                        status=code)

    @extend_schema(request=IncidentWriteSerializer, responses={201: IncidentDetailSerializer})
    def create(self, request):
        serializer = IncidentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = incident_open(actor=request.user, **serializer.validated_data)
        return self._detail(incident, status.HTTP_201_CREATED)

    @extend_schema(request=IncidentUpdateSerializer, responses={200: IncidentDetailSerializer})
    def partial_update(self, request, pk=None):
        incident = self.get_object()
        serializer = IncidentUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._detail(incident_update(incident=incident, actor=request.user, **serializer.validated_data))

    @extend_schema(request=TransitionSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        incident = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        return self._detail(incident_transition(incident=incident, actor=request.user, to=d["status"], note=d["note"],
                                                root_cause=d["root_cause"], resolution=d["resolution"],
                                                root_cause_category=d["root_cause_category"]))

    @extend_schema(request=None, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """领取: an incident nobody owns becomes the caller's; 400 naming who already has it."""
        return self._detail(incident_claim(incident=self.get_object(), actor=request.user))

    @extend_schema(request=MergeSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """合并: this incident becomes a duplicate of `into`, closed with the link; answers with `into`."""
        incident = self.get_object()
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        return self._detail(incident_merge(duplicate=incident, into=d["into"], actor=request.user, note=d["note"]))

    @extend_schema(request=ReviewSerializer, responses={200: IncidentDetailSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        incident = self.get_object()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._detail(incident_review(incident=incident, actor=request.user, **serializer.validated_data))

    @extend_schema(request=NotifySerializer, responses={201: CommunicationSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        incident = self.get_object()
        serializer = NotifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comms = incident_notify_customers(incident=incident, actor=request.user, **serializer.validated_data)
        return Response(CommunicationSerializer(comms, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IncidentEventSerializer, responses={200: IncidentEventSerializer(many=True)})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def events(self, request, pk=None):
        incident = self.get_object()
        if request.method == "POST":
            serializer = IncidentEventSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            event = incident_note_add(incident=incident, actor=request.user, **serializer.validated_data)
            return Response(IncidentEventSerializer(event).data, status=status.HTTP_201_CREATED)
        events = incident.events.select_related("actor").order_by("at", "id")
        return Response(IncidentEventSerializer(events, many=True).data)


class CommunicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CommunicationSerializer
    filterset_class = CommunicationFilter

    def get_queryset(self):
        return communication_list(user=self.request.user)

    @extend_schema(request=CommunicationCreateSerializer, responses={201: CommunicationSerializer})
    def create(self, request):
        serializer = CommunicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        common = {k: d.get(k) for k in ("customer", "incident", "invoice")}
        if d.pop("send"):
            if d["channel"] != "email" or d["direction"] != "outbound":
                raise ValidationError({"send": _("Only an outbound email can be sent.")})
            comm = communication_send_email(actor=request.user, template=d.get("template"), subject=d["subject"],
                                            body=d["body"], to=d["contact"] or None, **common)
        else:
            comm = communication_log(actor=request.user, channel=d["channel"], direction=d["direction"],
                                     occurred_at=d.get("occurred_at"), contact=d["contact"], subject=d["subject"],
                                     body=d["body"], template=d.get("template"), callback_at=d.get("callback_at"),
                                     **common)
        comm.refresh_from_db()
        return Response(CommunicationSerializer(comm).data, status=status.HTTP_201_CREATED)


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter

    def get_queryset(self):
        return followup_list(user=self.request.user)

    def get_permissions(self):
        if self.action == "complete":
            return [require("incidents.change_followup")()]
        if self.action == "assign":
            return [require("incidents.assign_followup")()]
        return super().get_permissions()

    @extend_schema(request=FollowUpCreateSerializer, responses={201: FollowUpSerializer})
    def create(self, request):
        serializer = FollowUpCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = followup_create(actor=request.user, **serializer.validated_data)
        return Response(FollowUpSerializer(followup).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CompleteSerializer, responses={200: FollowUpSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = followup_complete(followup=self.get_object(), actor=request.user, **serializer.validated_data)
        return Response(FollowUpSerializer(followup).data)

    @extend_schema(request=AssignSerializer, responses={200: FollowUpSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = followup_assign(followup=self.get_object(), actor=request.user, **serializer.validated_data)
        return Response(FollowUpSerializer(followup).data)


class SatisfactionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The customers' survey answers (managers): rating 1–5, solved or not, comment, per incident."""
    serializer_class = SatisfactionSerializer

    def get_permissions(self):
        return [require("incidents.view_satisfactionanswer")()]

    def get_queryset(self):
        return satisfaction_list(user=self.request.user)
