"""The one-click commitment links of NAG emails (/r/<token>/): no login, one commitment, a GET
that never changes anything, a POST that acts once, and a clear page for a bad link."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from workplans.models import Channel, Commitment, CommitmentChange
from workplans.services import commitment_change
from workplans.tests.public_world import SENDER, PublicWorld, csrf_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Any) -> PublicWorld:
    return PublicWorld(personas)


def snapshot(c: Commitment) -> tuple[Any, ...]:
    c.refresh_from_db()
    return (c.status, c.due_date, c.progress_note, c.version, c.completed_at, c.changes.count())


def text_of(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.mark.parametrize("action", ["done", "need_help", "new_date"])
def test_opening_a_link_shows_only_that_commitment_and_changes_nothing(
    world: PublicWorld, client: Client, action: str
) -> None:
    before = [snapshot(c) for c in (world.c1, world.c2, world.b1)]

    response = client.get(world.link(world.c1, action))
    head = client.head(world.link(world.c1, action))

    assert response.status_code == 200
    assert head.status_code == 200
    page = text_of(response)
    assert "Hello Ana Diaz. This is what you committed to at the Early Learning meeting" in page
    assert "Book the library room for the family reading night" in page
    assert "Families asked for an evening event" in page
    assert "Table Early Learning" in page
    assert "Due Tuesday, April 7, 2026" in page
    assert "Status Open" in page
    # Only this one commitment: not Ana's other one, not Ben's.
    assert "Share the tutoring sign-up sheet" not in page
    assert "Bring the attendance figures" not in page
    assert "Ben Okafor" not in page
    assert response.content.decode().count('type="submit"') == 1
    assert [snapshot(c) for c in (world.c1, world.c2, world.b1)] == before
    assert response["Cache-Control"].startswith("max-age=0")
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_each_action_offers_its_own_button_and_fields(world: PublicWorld, client: Client) -> None:
    done = client.get(world.link(world.c1, "done")).content.decode()
    help_ = client.get(world.link(world.c1, "need_help")).content.decode()
    new_date = client.get(world.link(world.c1, "new_date")).content.decode()

    assert ">Mark as done</button>" in done
    assert "<textarea" not in done
    assert 'type="date"' not in done
    assert ">I need help</button>" in help_
    assert 'name="note"' in help_
    assert "What would help?" in help_
    assert ">Save the new date</button>" in new_date
    # The date field starts at the meeting's day in the initiative's zone.
    assert re.search(r'type="date" name="due_date"[^>]*min="2026-03-10"', new_date)
    for page in (done, help_, new_date):
        assert "blocked" not in page.lower().replace("chip--", "")
        assert "Drop" not in page


def test_done_is_recorded_once_by_the_person_through_the_email_link(
    world: PublicWorld, client: Client
) -> None:
    url = world.link(world.c1, "done")

    first = client.post(url)

    assert first.status_code == 200
    assert "Recorded: this commitment is done." in text_of(first)
    assert "Status Done" in text_of(first)
    world.c1.refresh_from_db()
    assert world.c1.status == Commitment.Status.DONE
    assert world.c1.version == 2
    assert world.c1.completed_at is not None
    change = CommitmentChange.objects.get(commitment=world.c1)
    assert change.channel == Channel.EMAIL_LINK
    assert change.by_person == world.ana
    assert change.by_user is None
    assert (change.old_status, change.new_status) == ("open", "done")
    assert (change.old_due_date, change.new_due_date, change.note) == (None, None, "")

    again = client.post(url)

    assert again.status_code == 200
    page = text_of(again)
    assert "Recorded:" not in page
    assert "This commitment is already marked as done. Nothing more to do" in page
    assert "Status Done" in page
    assert CommitmentChange.objects.filter(commitment=world.c1).count() == 1
    world.c1.refresh_from_db()
    assert world.c1.version == 2
    # Ana's other commitment and Ben's are untouched.
    assert world.c2.changes.count() == 0
    assert world.b1.changes.count() == 0


def test_asking_for_help_keeps_the_note_and_a_second_press_records_nothing(
    world: PublicWorld, client: Client
) -> None:
    url = world.link(world.c1, "need_help")

    first = client.post(url, {"note": "  The library wants a deposit; who can sign?  "})

    assert first.status_code == 200
    assert "Recorded: you asked for help with this commitment." in text_of(first)
    assert "The library wants a deposit; who can sign?" in text_of(first)
    world.c1.refresh_from_db()
    assert world.c1.status == Commitment.Status.NEED_HELP
    assert world.c1.progress_note == "The library wants a deposit; who can sign?"
    change = CommitmentChange.objects.get(commitment=world.c1)
    assert (change.channel, change.by_person_id, change.new_status, change.note) == (
        Channel.EMAIL_LINK,
        world.ana.pk,
        "need_help",
        "The library wants a deposit; who can sign?",
    )

    again = client.post(url, {"note": "Another note"})

    assert again.status_code == 200
    assert "You already asked for help with this commitment." in text_of(again)
    assert f"contact {SENDER}" in text_of(again)
    world.c1.refresh_from_db()
    assert world.c1.progress_note == "The library wants a deposit; who can sign?"
    assert world.c1.changes.count() == 1
    # Opening the link now shows the state, with no form.
    page = client.get(url).content.decode()
    assert "<form" not in page.split('<main id="main"')[1]


def test_asking_for_help_without_a_note_is_accepted(world: PublicWorld, client: Client) -> None:
    response = client.post(world.link(world.c2, "need_help"), {"note": ""})

    assert response.status_code == 200
    world.c2.refresh_from_db()
    assert (world.c2.status, world.c2.progress_note) == ("need_help", "")
    assert world.c2.changes.get().note == ""


def test_a_new_date_is_recorded_and_the_same_date_twice_records_nothing(
    world: PublicWorld, client: Client
) -> None:
    url = world.link(world.c1, "new_date")

    first = client.post(url, {"due_date": "2026-04-28"})

    assert first.status_code == 200
    assert "Recorded: the new date is Tuesday, April 28, 2026." in text_of(first)
    world.c1.refresh_from_db()
    assert (world.c1.status, world.c1.due_date) == ("open", date(2026, 4, 28))
    change = world.c1.changes.get()
    assert (change.channel, change.by_person_id) == (Channel.EMAIL_LINK, world.ana.pk)
    assert (change.old_due_date, change.new_due_date) == (date(2026, 4, 7), date(2026, 4, 28))
    assert (change.old_status, change.new_status) == ("", "")

    again = client.post(url, {"due_date": "2026-04-28"})

    assert again.status_code == 200
    assert "The date is already Tuesday, April 28, 2026. Nothing was changed." in text_of(again)
    assert world.c1.changes.count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-03-09", "The new date is before the meeting."),
        ("", "This field is required."),
        ("next week", "Enter a valid date."),
    ],
)
def test_a_bad_new_date_is_refused_with_a_message_and_nothing_changes(
    world: PublicWorld, client: Client, value: str, message: str
) -> None:
    before = snapshot(world.c1)

    response = client.post(world.link(world.c1, "new_date"), {"due_date": value})

    assert response.status_code == 400
    assert message in text_of(response)
    assert snapshot(world.c1) == before


def test_the_meeting_day_itself_is_an_acceptable_new_date(
    world: PublicWorld, client: Client
) -> None:
    response = client.post(world.link(world.c1, "new_date"), {"due_date": "2026-03-10"})

    assert response.status_code == 200
    world.c1.refresh_from_db()
    assert world.c1.due_date == date(2026, 3, 10)


@pytest.mark.parametrize("action", ["done", "need_help", "new_date"])
def test_links_leave_a_dropped_commitment_to_staff(
    world: PublicWorld, client: Client, personas: Any, action: str
) -> None:
    commitment_change(
        commitment=world.c1,
        channel=Channel.WEB,
        by_user=personas.staff,
        status=Commitment.Status.DROPPED,
        note="The library closed for renovation.",
    )
    before = snapshot(world.c1)

    shown = client.get(world.link(world.c1, action))
    posted = client.post(world.link(world.c1, action), {"due_date": "2026-05-05", "note": "x"})

    for response in (shown, posted):
        assert response.status_code == 200
        page = text_of(response)
        assert "This commitment was dropped, so this link has nothing more to do." in page
        assert f"contact {SENDER}" in page
        assert "Status Dropped" in page
    assert "<button" not in shown.content.decode().split('<main id="main"')[1]
    assert snapshot(world.c1) == before


def test_help_and_new_date_links_do_not_reopen_a_done_commitment(
    world: PublicWorld, client: Client
) -> None:
    client.post(world.link(world.c1, "done"))
    before = snapshot(world.c1)

    response = client.post(world.link(world.c1, "need_help"), {"note": "Actually not done"})

    assert response.status_code == 200
    assert "already marked as done, so this link has nothing more to do" in text_of(response)
    assert snapshot(world.c1) == before


def test_done_link_closes_a_commitment_that_needed_help(world: PublicWorld, client: Client) -> None:
    client.post(world.link(world.c1, "need_help"), {"note": "Need a key"})

    client.post(world.link(world.c1, "done"))

    world.c1.refresh_from_db()
    assert world.c1.status == "done"
    assert [(c.old_status, c.new_status) for c in world.c1.changes.all()] == [
        ("open", "need_help"),
        ("need_help", "done"),
    ]


def test_an_expired_link_says_so_and_who_to_ask(world: PublicWorld, client: Client) -> None:
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        url = world.link(world.c1, "done")
    before = snapshot(world.c1)

    with time_machine.travel(sent + timedelta(days=59), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(sent + timedelta(days=61), tick=False):
        shown = client.get(url)
        posted = client.post(url)

    for response in (shown, posted):
        assert response.status_code == 410
        page = text_of(response)
        assert "This link has expired" in page
        assert f"ask {SENDER} to update your commitment for you" in page
        assert "Book the library room" not in page
    assert snapshot(world.c1) == before


def test_the_link_lifetime_follows_the_setting(
    world: PublicWorld, client: Client, settings: Any
) -> None:
    settings.BACKBONE_NAG_LINK_DAYS = 7
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        url = world.link(world.c1, "done")
    with time_machine.travel(sent + timedelta(days=8), tick=False):
        assert client.post(url).status_code == 410
    assert snapshot(world.c1)[0] == "open"


def _tampered(world: PublicWorld) -> list[str]:
    token = world.link(world.c1, "done").split("/")[2]
    payload, stamp, signature = token.split(":")
    other = world.link(world.b1, "done").split("/")[2].split(":")[0]
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    return [
        f"/r/{payload}:{stamp}:{flipped}/",  # signature changed
        f"/r/{other}:{stamp}:{signature}/",  # payload swapped for Ben's commitment
        f"/r/{payload}:{stamp}/",  # cut off
        "/r/not-a-token/",
    ]


def test_a_tampered_link_gets_a_clear_page_and_changes_nothing(
    world: PublicWorld, client: Client
) -> None:
    before = [snapshot(c) for c in (world.c1, world.b1)]
    for url in _tampered(world):
        for response in (client.get(url), client.post(url, {"note": "x"})):
            assert response.status_code == 400, url
            page = text_of(response)
            assert "This link is not valid" in page
            assert "ask the organization that sent it" in page
            assert "Book the library room" not in page
            assert "Bring the attendance figures" not in page
    assert [snapshot(c) for c in (world.c1, world.b1)] == before


def test_a_link_naming_someone_elses_commitment_shows_and_changes_nothing(
    world: PublicWorld, client: Client
) -> None:
    # Signed by us, but for Ana and Ben's commitment (as if the commitment changed hands).
    url = world.link(world.b1, "done", person=world.ana)
    before = snapshot(world.b1)

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        page = text_of(response)
        assert "This link is not for this commitment" in page
        assert f"ask {SENDER}" in page
        assert "Bring the attendance figures" not in page
    assert snapshot(world.b1) == before


def test_a_link_to_a_removed_commitment_or_person_no_longer_works(
    world: PublicWorld, client: Client
) -> None:
    gone = world.link(world.c2, "done")
    world.c2.delete()
    response = client.post(gone)
    assert response.status_code == 410
    assert "This link no longer works" in text_of(response)
    assert f"ask {SENDER}" in text_of(response)

    removed = world.link(world.c1, "done")
    world.ana.archived_at = timezone.now()
    world.ana.save()
    response = client.post(removed)
    assert response.status_code == 410
    world.c1.refresh_from_db()
    assert world.c1.status == "open"


def test_other_methods_are_refused(world: PublicWorld, client: Client) -> None:
    for method in (client.put, client.delete, client.patch):
        assert method(world.link(world.c1, "done")).status_code == 405
    assert snapshot(world.c1)[0] == "open"


def test_the_button_works_with_csrf_checks_and_a_forged_post_is_refused(
    world: PublicWorld,
) -> None:
    browser = csrf_client()
    url = world.link(world.c1, "done")

    forged = browser.post(url)
    assert forged.status_code == 403
    assert snapshot(world.c1)[0] == "open"

    page = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = browser.post(url, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 200
    assert snapshot(world.c1)[0] == "done"


def test_a_logged_in_outsider_gets_the_same_page_as_anyone(
    world: PublicWorld, personas: Any, login: Any
) -> None:
    # The token, not a login, is the authority; another organization's staff is no one special.
    client = login(personas.outsider)
    assert client.get(world.link(world.c1, "done")).status_code == 200
    bad = world.link(world.c1, "done")[:-5] + "xxxx/"
    assert client.post(bad).status_code == 400
    assert snapshot(world.c1)[0] == "open"


def test_reading_a_token_checks_its_signature() -> None:
    # The links module is what the pages trust: a token from another salt is refused.
    forged = signing.TimestampSigner(salt="something.else").sign_object(
        {"p": 1, "c": 1, "a": "done"}
    )
    client = Client()
    assert client.get(f"/r/{forged}/").status_code == 400
