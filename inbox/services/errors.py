"""Refusals an agent can act on: the API answers them with 409/400, `code` and the message, the UI shows them."""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _

from communityops.refusals import Refusal


class InboxActionError(Refusal):
    """Base of every expected refusal of the inbox: 400 unless it is a conflict (409)."""

    code = "inbox_action_refused"


class ItemHeldByOther(InboxActionError):
    code = "item_held_by_other"
    status_code = HTTPStatus.CONFLICT
    default_message = _("Another agent holds this item.")


class LeaseNotHeld(InboxActionError):
    code = "lease_not_held"
    status_code = HTTPStatus.CONFLICT
    default_message = _("You no longer hold this item; claim it again.")


class ItemNotOpen(InboxActionError):
    code = "item_not_open"
    status_code = HTTPStatus.CONFLICT
    default_message = _("This item is no longer open.")


class ReplyConflict(InboxActionError):
    """Something new arrived in the conversation after the composer was loaded; details["changes"] lists it."""

    code = "reply_conflict"
    status_code = HTTPStatus.CONFLICT
    default_message = _("The conversation changed while you were writing. Read the new messages first.")


class UnknownConversationVersion(InboxActionError):
    """The reply names a conversation version newer than the item's: no composer showed it."""

    code = "unknown_conversation_version"
    default_message = _("This item's conversation has no such version. Load the item again and reply to what it shows.")


class ActionNotSupported(InboxActionError):
    code = "action_not_supported"
    default_message = _("This channel does not support that action.")


class InvalidAssignee(InboxActionError):
    code = "invalid_assignee"
    default_message = _("That colleague cannot serve this client.")


class AssigneeOffline(InboxActionError):
    code = "assignee_offline"
    default_message = _("That colleague is not online.")


class AuthorAlreadyErased(InboxActionError):
    code = "author_already_erased"
    default_message = _("This item's author was already erased.")


class ItemErased(InboxActionError):
    code = "item_erased"
    default_message = _(
        "The author's personal data on this item was erased on request: it can only be deleted on the platform."
    )


class ItemRemovedOnPlatform(InboxActionError):
    """The comment was removed on the platform (Item.removed_on_platform): nothing sent to it could reach it."""

    code = "item_removed_on_platform"
    status_code = HTTPStatus.CONFLICT
    default_message = _(
        "This comment was removed on the platform: neither a reply nor a moderation can reach it there. "
        "You can still close the item, add a note or tag it."
    )


class ReplyTooLong(InboxActionError):
    """The reply is longer than the channel's platform takes (connectors: reply_max_length)."""

    code = "reply_too_long"

    def __init__(self, *, length: int, limit: int, platform: str):
        super().__init__(
            message=_(
                "This reply has %(length)d characters, %(over)d more than the %(limit)d a reply may have "
                "here (%(platform)s). Shorten it."
            )
            % {"length": length, "limit": limit, "platform": platform, "over": length - limit},
            length=length,
            limit=limit,
            over=length - limit,
        )
