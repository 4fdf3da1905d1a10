from datetime import timedelta

import pytest

from inbox.models import ItemEvent, ItemNote
from inbox.services.moderation import item_tags_change
from inbox.services.notes import NOTE_REPEAT_WINDOW, item_note_add
from tests.threads import held_open, in_thread, wait_until_waiting_on_a_lock


def _notes_added(item) -> int:
    return item.events.filter(kind=ItemEvent.Kind.NOTE_ADDED).count()


def test_the_same_note_sent_twice_is_stored_once(channel_factory, open_item_factory, agent_for):
    item = open_item_factory(channel=channel_factory())
    agent = agent_for(item.client)

    first = item_note_add(acting_user=agent, item_id=item.pk, text="Kunde hat schon angerufen")
    again = item_note_add(acting_user=agent, item_id=item.pk, text="  Kunde hat schon angerufen ")

    assert again.pk == first.pk
    assert list(ItemNote.objects.values_list("text", flat=True)) == ["Kunde hat schon angerufen"]
    assert _notes_added(item) == 1


def test_a_different_text_another_author_or_the_same_text_later_is_a_new_note(
    channel_factory, open_item_factory, agent_for
):
    item = open_item_factory(channel=channel_factory())
    other_item = open_item_factory(channel=item.channel)
    anna, ben = agent_for(item.client), agent_for(item.client)
    first = item_note_add(acting_user=anna, item_id=item.pk, text="Rückruf vereinbart")

    item_note_add(acting_user=anna, item_id=item.pk, text="Rückruf vereinbart für Montag")
    item_note_add(acting_user=ben, item_id=item.pk, text="Rückruf vereinbart")
    item_note_add(acting_user=anna, item_id=other_item.pk, text="Rückruf vereinbart")
    later = item_note_add(
        acting_user=anna, item_id=item.pk, text="Rückruf vereinbart", now=first.created_at + NOTE_REPEAT_WINDOW
    )

    assert later.pk != first.pk
    assert ItemNote.objects.filter(item=item).count() == 4
    assert _notes_added(item) == 4
    assert _notes_added(other_item) == 1


def test_a_repeat_just_inside_the_window_is_still_the_same_note(channel_factory, open_item_factory, agent_for):
    item = open_item_factory(channel=channel_factory())
    agent = agent_for(item.client)
    first = item_note_add(acting_user=agent, item_id=item.pk, text="Bitte Rechnung prüfen")

    again = item_note_add(
        acting_user=agent,
        item_id=item.pk,
        text="Bitte Rechnung prüfen",
        now=first.created_at + NOTE_REPEAT_WINDOW - timedelta(seconds=1),
    )

    assert again.pk == first.pk
    assert _notes_added(item) == 1


@pytest.mark.django_db(transaction=True)
def test_a_note_submitted_twice_at_once_is_stored_once(channel_factory, open_item_factory, agent_for):
    # Given a colleague holds the item's row while the agent's two submits of one note arrive
    item = open_item_factory(channel=channel_factory())
    agent, colleague = agent_for(item.client, with_mfa=False), agent_for(item.client, with_mfa=False)
    errors: list[BaseException] = []
    returned: list[ItemNote] = []

    def submit():
        returned.append(item_note_add(acting_user=agent, item_id=item.pk, text="Kunde droht mit Anwalt"))

    with held_open(lambda: item_tags_change(acting_user=colleague, item_id=item.pk, add=["anwalt"]), errors):
        submits = [in_thread(submit, errors), in_thread(submit, errors)]
        wait_until_waiting_on_a_lock(2)
    for thread in submits:
        thread.join()

    # Then one note is stored, and both submits were answered with it
    assert errors == []
    [note] = ItemNote.objects.all()
    assert [stored.pk for stored in returned] == [note.pk, note.pk]
    assert _notes_added(item) == 1
