"""The API's refusals, documented once for every operation (drf-spectacular's AutoSchema).

Every refusal is JSON with a reason a person can read, in the request's language (Accept-Language):
`{"detail": "..."}` (not logged in, not allowed, not found, rate limited, a state that does not
allow it, a body that is not JSON), or, for invalid input, the messages per field
(`{"field": ["..."], "non_field_errors": ["..."]}`, nested as the input is). The inbox's refusals
add a stable `code` and `details` (inbox.apis.RefusalSerializer).
"""

import uritemplate
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_object_type
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class CommunityOpsSessionScheme(SessionScheme):
    """The session scheme for communityops.authentication.SessionAuthentication (drf-spectacular's
    matches DRF's class only, not its subclasses)."""

    target_class = "communityops.authentication.SessionAuthentication"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why, in the request's language.")


ERROR_REF = {"$ref": "#/components/schemas/Error"}  # ErrorSerializer's component


INVALID_INPUT = ResolvedComponent(
    name="InvalidInput",
    type=ResolvedComponent.SCHEMA,
    object="InvalidInput",
    schema=build_object_type(
        description="Invalid input: the messages per field, in the request's language; `non_field_errors` for "
        "the input as a whole. A nested field (a list of windows, ...) nests its messages the same way.",
        properties={},
        additionalProperties={"oneOf": [{"type": "array", "items": {}}, {"type": "object"}]},
    ),
)

# The refusals any operation of its kind can answer with (see CommunityOpsAutoSchema._refusal_codes).
GENERIC_REFUSALS = {
    "400": "Invalid input (messages per field), or a body that is not JSON or a request the current state "
    "does not allow (detail).",
    "403": "Not logged in (no valid session or token), or your role may not do this.",
    "404": "Not found among the objects you may see.",
    "429": "Too many requests: try again after Retry-After seconds.",
}


class CommunityOpsAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema; each operation also lists the refusals it can answer with, with
    their shape: 400 when it takes input, 403 unless it is public, 404 when its path names an object,
    429 when it is rate limited. An operation that documents one of them keeps its own description
    (and shape, where it gives one)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        # Registered for every schema: operations name them by reference too (inbox.apis REFUSALS).
        self.registry.register_on_missing(INVALID_INPUT)
        self.resolve_serializer(ErrorSerializer, "response")
        responses = operation["responses"]
        for status_code in self._refusal_codes(operation):
            documented = responses.setdefault(status_code, {"description": GENERIC_REFUSALS[status_code]})
            if "content" not in documented:
                documented["content"] = {
                    media_type: {"schema": self._refusal_schema(status_code)}
                    for media_type in self.map_renderers("media_type")
                }
            if status_code == "429":
                documented["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
                }
        return operation

    def _refusal_codes(self, operation) -> list[str]:
        codes = []
        takes_input = "requestBody" in operation or any(
            parameter["in"] in ("query", "header") for parameter in operation.get("parameters", [])
        )
        if takes_input:
            codes.append("400")
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            codes.append("403")
        if uritemplate.variables(self.path):
            codes.append("404")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _refusal_schema(self, status_code: str) -> dict:
        return {"oneOf": [INVALID_INPUT.ref, ERROR_REF]} if status_code == "400" else ERROR_REF
