from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from .permissions import IsAuthenticatedUser
from .refusals import Refusal, refusal_body
from .selectors import client_get_for_user, client_list_for_user


class MeApi(APIView):
    """The caller: id, email, name and role."""

    permission_classes = [IsAuthenticatedUser]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        name = serializers.CharField(source="get_full_name")
        role = serializers.CharField()

    @extend_schema(responses=OutputSerializer, operation_id="me_retrieve")
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)


class ChannelOutputSerializer(serializers.Serializer):
    """Public channel fields only: credentials and webhook secrets never leave the server."""

    id = serializers.IntegerField()
    platform = serializers.CharField()
    name = serializers.CharField()
    external_id = serializers.CharField()
    is_active = serializers.BooleanField()


class ClientOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.SlugField()
    time_zone = serializers.CharField()
    federal_state = serializers.CharField()
    channels = ChannelOutputSerializer(many=True)


class ClientListApi(APIView):
    """The clients the caller may see (agents: their teams' clients; contacts: their own), with their channels."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(responses=ClientOutputSerializer(many=True), operation_id="clients_list")
    def get(self, request):
        clients = client_list_for_user(user=request.user)
        return Response(ClientOutputSerializer(clients, many=True).data)


class ClientDetailApi(APIView):
    """One client the caller may see, with its channels (credentials never leave the server)."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(responses=ClientOutputSerializer, operation_id="clients_retrieve")
    def get(self, request, client_id: int):
        client = client_get_for_user(user=request.user, client_id=client_id)
        return Response(ClientOutputSerializer(client).data)


def api_exception_handler(exc, context):
    """The one place a refusal becomes a response. A service's Refusal and DRF's own refusals (not
    logged in, not allowed, not found, throttled, a body that is not JSON) answer
    `{"code", "detail", "details"}` (communityops.refusals); invalid input keeps DRF's messages per
    field. A 404 says DRF's "Not found." in the request's language instead of Django's English
    "No Item matches the given query." (get_object_or_404's message)."""
    if isinstance(exc, Refusal):
        return Response(refusal_body(code=exc.code, detail=exc.message, details=exc.details), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, DjangoPermissionDenied):  # as DRF's handler converts it, keeping its message
        exc = PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException) and not isinstance(exc, ValidationError):
        response.data = refusal_body(code=exc.detail.code, detail=exc.detail)
    return response
