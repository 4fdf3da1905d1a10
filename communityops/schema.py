"""The API's refusals, documented once for every operation (drf-spectacular's AutoSchema).

Every refusal is JSON with a reason a person can read, in the request's language (Accept-Language):
`{"code": "...", "detail": "...", "details": {...}}` (not logged in, not allowed, not found, rate
limited, a state that does not allow it, a body that is not JSON; communityops.refusals), or, for
invalid input, the messages per field (`{"field": ["..."], "non_field_errors": ["..."]}`, nested
as the input is).
"""

import uritemplate
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_object_type
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class CommunityOpsSessionScheme(SessionScheme):
    """The session scheme for communityops.authentication.SessionAuthentication (drf-spectacular's
    matches DRF's class only, not its subclasses)."""

    target_class = "communityops.authentication.SessionAuthentication"


# DRF's own refusals, by their code (communityops.apis.api_exception_handler); the services' codes
# are listed by the operations that can answer with them.
GENERIC_CODES = (
    "not_authenticated",
    "authentication_failed",
    "permission_denied",
    "csrf_failed",
    "mfa_required",
    "not_found",
    "nul_character",
    "parse_error",
    "method_not_allowed",
    "unsupported_media_type",
    "throttled",
)


@extend_schema_serializer(component_name="Refusal")
class RefusalSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable, for programs: " + ", ".join(f"`{code}`" for code in GENERIC_CODES) + ", or the code "
        "of a refusal by the rules the operation lists."
    )
    detail = serializers.CharField(help_text="Why, in the request's language; for people.")
    details = serializers.DictField(help_text="More for programs, where the code has any (else empty).")


REFUSAL_REF = {"$ref": "#/components/schemas/Refusal"}  # RefusalSerializer's component


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

# A 400 is invalid input (messages per field) or a refusal (a body that is not JSON, a rule).
REFUSAL_OR_INVALID_INPUT = {"oneOf": [REFUSAL_REF, INVALID_INPUT.ref]}

# The refusals any operation of its kind can answer with (see CommunityOpsAutoSchema._refusal_codes).
GENERIC_REFUSALS = {
    "400": "Invalid input (messages per field), or a body that is not JSON (`parse_error`) or a NUL character "
    "in the query (`nul_character`).",
    "401": "Not logged in: no session and no token (`not_authenticated`), or a token that is not valid "
    "(`authentication_failed`). WWW-Authenticate names the token scheme.",
    "403": "Your role may not do this (`permission_denied`), agency staff without two-factor authentication "
    "(`mfa_required`), or a browser session's change without its CSRF token (`csrf_failed`).",
    "404": "Not found among the objects you may see.",
    "429": "Too many requests: try again after Retry-After seconds.",
}


class CommunityOpsAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema; each operation also lists the refusals it can answer with, with
    their shape: 400 when it takes input, 401 and 403 unless it is public, 404 when its path names an
    object, 429 when it is rate limited. An operation that documents one of them (or another refusal,
    such as 409) keeps its own description (and shape, where it gives one)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return operation
        # Registered for every schema: operations name them by reference too (inbox.apis REFUSALS).
        self.registry.register_on_missing(INVALID_INPUT)
        self.resolve_serializer(RefusalSerializer, "response")
        responses = operation["responses"]
        for status_code in self._refusal_codes(operation):
            responses.setdefault(status_code, {"description": GENERIC_REFUSALS[status_code]})
        for status_code, documented in responses.items():
            if status_code.startswith("4") and "content" not in documented:
                documented["content"] = {
                    media_type: {"schema": REFUSAL_OR_INVALID_INPUT if status_code == "400" else REFUSAL_REF}
                    for media_type in self.map_renderers("media_type")
                }
        if "401" in responses:
            responses["401"]["headers"] = {
                "WWW-Authenticate": {"schema": {"type": "string"}, "description": "The scheme to log in with: Token."}
            }
        if "429" in responses:
            responses["429"]["headers"] = {
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
            codes += ["401", "403"]
        if uritemplate.variables(self.path):
            codes.append("404")
        if self.view.get_throttles():
            codes.append("429")
        return codes
