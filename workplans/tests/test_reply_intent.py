"""What a reply says about the commitments its NAG email listed: exact intents, notes and dates
for English and Spanish replies, and exactly when the reading is unclear (and why)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from workplans.reply_intent import Action, Intent, Listed, Reading, read_reply

TODAY = date(2026, 11, 20)  # a Friday
REPORT = Listed(1, 101, "Send the report to the board", date(2026, 12, 4))
VENUE = Listed(2, 102, "Book the venue for the forum", date(2026, 12, 8))
MAYOR = Listed(3, 103, "Call the mayor's office", date(2026, 12, 10))
THREE = (REPORT, VENUE, MAYOR)
ONE = (REPORT,)
ES_ONE = (Listed(1, 201, "Enviar el informe a la junta", date(2026, 12, 4)),)
ES_TWO = (*ES_ONE, Listed(2, 202, "Reservar el local del foro", date(2026, 12, 8)))

D, P, H, B, N, X = (
    Action.DONE,
    Action.IN_PROGRESS,
    Action.NEED_HELP,
    Action.BLOCKED,
    Action.NEW_DATE,
    Action.DROP,
)


def read(text: str, listed: tuple[Listed, ...], language: str = "en") -> Reading:
    with translation.override("en"):
        return read_reply(text, listed, today=TODAY, language=language)


def simple(reading: Reading) -> list[tuple[int, str, str, str | None]]:
    return [
        (i.number, str(i.action), i.note, i.new_date.isoformat() if i.new_date else None)
        for i in reading.intents
    ]


# (text, listed, language, intents as (number, action, note, new date), unclear)
CLEAR = [
    # Addressing by number, the NAG's own example and its variants.
    ("1 is done, 2 I need help with the venue", THREE, "en",
     [(1, D, "", None), (2, H, "I need help with the venue", None)]),
    ("1 done, 2 need help with the venue", THREE, "en",
     [(1, D, "", None), (2, H, "need help with the venue", None)]),
    ("1 done, 2 need help, 3 blocked by the city", THREE, "en",
     [(1, D, "", None), (2, H, "need help", None), (3, B, "blocked by the city", None)]),
    ("#2 done", THREE, "en", [(2, D, "", None)]),
    ("item 3 done", THREE, "en", [(3, D, "", None)]),
    ("1) done 2) on track", THREE, "en", [(1, D, "", None), (2, P, "on track", None)]),
    ("Done with 1 and 2", THREE, "en", [(1, D, "", None), (2, D, "", None)]),
    ("1 and 2 are done, 3 is blocked", THREE, "en",
     [(1, D, "", None), (2, D, "", None), (3, B, "is blocked", None)]),
    ("1, 2 and 3 finished", THREE, "en", [(1, D, "", None), (2, D, "", None), (3, D, "", None)]),
    ("the first one is done", THREE, "en", [(1, D, "", None)]),
    ("The last one is complete", THREE, "en", [(3, D, "", None)]),
    ("Completed #1. I finished 3 as well", THREE, "en", [(1, D, "", None), (3, D, "", None)]),
    ("All done!", THREE, "en", [(1, D, "", None), (2, D, "", None), (3, D, "", None)]),
    ("Both are done", THREE[:2], "en", [(1, D, "", None), (2, D, "", None)]),
    # Inline answers as visible_reply gives them ("N: …").
    ("1: Done, sent it on Tuesday.\n\n2: Still looking.\n2: Need help with the caterer.",
     THREE, "en",
     [(1, D, "", None), (2, H, "Still looking Need help with the caterer", None)]),
    ("2: Blocked: the city has not answered about the permit.", THREE, "en",
     [(2, B, "Blocked: the city has not answered about the permit", None)]),
    ("1: done\n2: still working on it, need more time until 12/20", THREE, "en",
     [(1, D, "", None), (2, P, "still working on it", None), (2, N, "", "2026-12-20")]),
    # Addressing by a word of the title.
    ("venue is done", THREE, "en", [(2, D, "", None)]),
    ("Need help with the venue", THREE, "en", [(2, H, "Need help with the venue", None)]),
    ("The report is finished", THREE, "en", [(1, D, "", None)]),
    ("1 done, need help with the venue", THREE, "en",
     [(1, D, "", None), (2, H, "need help with the venue", None)]),
    ("Stuck on the mayor's office, nobody picks up", THREE, "en",
     [(3, B, "Stuck on the mayor's office, nobody picks up", None)]),
    # One commitment listed: a bare intent is about it.
    ("Done!", ONE, "en", [(1, D, "", None)]),
    ("Finished it yesterday.", ONE, "en", [(1, D, "", None)]),
    ("Sent it this morning", ONE, "en", [(1, D, "", None)]),
    ("It's complete", ONE, "en", [(1, D, "", None)]),
    ("On track", ONE, "en", [(1, P, "On track", None)]),
    ("Working on it, should be fine", ONE, "en", [(1, P, "Working on it, should be fine", None)]),
    ("I need some help with the data", ONE, "en", [(1, H, "I need some help with the data", None)]),
    ("Can someone help me reach the board chair?", ONE, "en",
     [(1, H, "Can someone help me reach the board chair", None)]),
    ("I'm blocked, the printer broke", ONE, "en", [(1, B, "I'm blocked, the printer broke", None)]),
    # Waiting is work under way, not blocked (a false "blocked" alerts the co-chairs).
    ("We are waiting on the city to approve it", ONE, "en",
     [(1, P, "We are waiting on the city to approve it", None)]),
    ("Please drop it, the board dissolved", ONE, "en",
     [(1, X, "Please drop it, the board dissolved", None)]),
    ("Please drop 3, the mayor is not available anymore", THREE, "en",
     [(3, X, "Please drop 3, the mayor is not available anymore", None)]),
    ("This is no longer needed", ONE, "en", [(1, X, "This is no longer needed", None)]),
    # Not done: negations, hopes, futures. Still open, so "in progress" with the words.
    ("not done yet", ONE, "en", [(1, P, "not done yet", None)]),
    ("almost done", ONE, "en", [(1, P, "almost done", None)]),
    ("Nearly finished", ONE, "en", [(1, P, "Nearly finished", None)]),
    ("It isn't done", ONE, "en", [(1, P, "It isn't done", None)]),
    ("I haven't finished", ONE, "en", [(1, P, "I haven't finished", None)]),
    ("Hope to be done soon", ONE, "en", [(1, P, "Hope to be done soon", None)]),
    ("not done yet, need help", ONE, "en", [(1, H, "not done yet, need help", None)]),
    # New dates in English.
    ("will be done by Friday", ONE, "en",
     [(1, P, "will be done by Friday", None), (1, N, "", "2026-11-27")]),
    ("I'll have it by Dec 15", ONE, "en", [(1, N, "", "2026-12-15")]),
    ("December 15th", ONE, "en", [(1, N, "", "2026-12-15")]),
    ("by the 15th of December", ONE, "en", [(1, N, "", "2026-12-15")]),
    ("12/15", ONE, "en", [(1, N, "", "2026-12-15")]),
    ("new date 12/15/2026", ONE, "en", [(1, N, "", "2026-12-15")]),
    ("next Friday", ONE, "en", [(1, N, "", "2026-11-27")]),
    ("Friday", ONE, "en", [(1, N, "", "2026-11-27")]),
    ("by Wednesday", ONE, "en", [(1, N, "", "2026-11-25")]),
    ("end of the month", ONE, "en", [(1, N, "", "2026-11-30")]),
    ("end of next week", ONE, "en", [(1, N, "", "2026-11-27")]),
    ("in two weeks", (VENUE,), "en", [(2, N, "", "2026-12-04")]),
    ("in 3 weeks", ONE, "en", [(1, N, "", "2026-12-11")]),
    ("2026-12-20", ONE, "en", [(1, N, "", "2026-12-20")]),
    ("end of December", ONE, "en", [(1, N, "", "2026-12-31")]),
    ("by Feb 3", ONE, "en", [(1, N, "", "2027-02-03")]),
    ("2 by Dec 20, 3 done", THREE, "en", [(2, N, "", "2026-12-20"), (3, D, "", None)]),
    ("need help, and can we push it to Jan 15?", ONE, "en",
     [(1, H, "need help", None), (1, N, "", "2027-01-15")]),
    # Spanish.
    ("Listo", ONE, "es", [(1, D, "", None)]),
    ("Hecho", ES_ONE, "es", [(1, D, "", None)]),
    ("Ya lo hice", ES_ONE, "es", [(1, D, "", None)]),
    ("Ya está terminado", ES_ONE, "es", [(1, D, "", None)]),
    ("1 listo, 2 necesito ayuda con el local", ES_TWO, "es",
     [(1, D, "", None), (2, H, "necesito ayuda con el local", None)]),
    ("el 2 está listo", THREE, "es", [(2, D, "", None)]),
    ("Terminé el 3", THREE, "es", [(3, D, "", None)]),
    ("Hecho el 1. El 2 está bloqueado porque no hay presupuesto", ES_TWO, "es",
     [(1, D, "", None), (2, B, "está bloqueado porque no hay presupuesto", None)]),
    ("Todos listos", ES_TWO, "es", [(1, D, "", None), (2, D, "", None)]),
    ("Necesito ayuda con el local", ES_TWO, "es",
     [(2, H, "Necesito ayuda con el local", None)]),
    ("Vamos bien", ES_ONE, "es", [(1, P, "Vamos bien", None)]),
    ("No necesito ayuda, va bien", ES_ONE, "es", [(1, P, "va bien", None)]),
    ("Estoy atascada con el informe", ES_ONE, "es",
     [(1, B, "Estoy atascada con el informe", None)]),
    ("Cancelado, ya no es necesario", ES_ONE, "es",
     [(1, X, "Cancelado, ya no es necesario", None)]),
    ("no está hecho", ES_ONE, "es", [(1, P, "no está hecho", None)]),
    ("todavía no lo termino", ES_ONE, "es", [(1, P, "todavía no lo termino", None)]),
    ("Casi listo", ES_ONE, "es", [(1, P, "Casi listo", None)]),
    ("Aún no está terminado", ES_ONE, "es", [(1, P, "Aún no está terminado", None)]),
    ("Va a estar listo el viernes", ES_ONE, "es",
     [(1, P, "Va a estar listo el viernes", None), (1, N, "", "2026-11-27")]),
    ("el 15 de diciembre", ES_ONE, "es", [(1, N, "", "2026-12-15")]),
    ("15/12", ES_ONE, "es", [(1, N, "", "2026-12-15")]),
    ("el próximo viernes", ES_ONE, "es", [(1, N, "", "2026-11-27")]),
    ("a fin de mes", ES_ONE, "es", [(1, N, "", "2026-11-30")]),
    ("en dos semanas", ES_TWO[1:], "es", [(2, N, "", "2026-12-04")]),
    ("El 2 para el 18 de diciembre", ES_TWO, "es", [(2, N, "", "2026-12-18")]),
    # Greetings and pleasantries around a clear answer change nothing.
    ("Hi Maria,\n\n1 done, thanks for the reminder!\n\nBest", THREE, "en", [(1, D, "", None)]),
    ("1 done, no help needed", THREE, "en", [(1, D, "", None)]),
    ("1 is done. The venue, not sure: need help", THREE, "en",
     [(1, D, "", None), (2, H, "need help", None)]),
    ("Nueva fecha: 15 dic", ES_ONE, "es", [(1, N, "", "2026-12-15")]),
    # Waiting is work under way: "blocked" needs words that say so.
    ("Still in progress, waiting for the hall's answer.", ONE, "en",
     [(1, P, "Still in progress, waiting for the hall's answer", None)]),
    ("I'll need until next Friday for this one, waiting on the deposit check.", ONE, "en",
     [(1, P, "waiting on the deposit check", None), (1, N, "", "2026-11-27")]),
    ("Moving this to the end of the month, we're waiting on the insurance certificate.", ONE,
     "en", [(1, P, "we're waiting on the insurance certificate", None), (1, N, "", "2026-11-30")]),
    ("Lo paso a fin de mes, estamos esperando el seguro.", ES_ONE, "es",
     [(1, P, "estamos esperando el seguro", None), (1, N, "", "2026-11-30")]),
    ("Estamos esperando la respuesta del ayuntamiento", ES_ONE, "es",
     [(1, P, "Estamos esperando la respuesta del ayuntamiento", None)]),
    ("Stuck, can't move forward until the board signs", ONE, "en",
     [(1, B, "Stuck, can't move forward until the board signs", None)]),
    ("No puedo avanzar hasta que firme la junta", ES_ONE, "es",
     [(1, B, "No puedo avanzar hasta que firme la junta", None)]),
    # A date that is not about finishing the commitment is part of the note, not a new date.
    ("On track. The contract arrives Monday and I'll sign it right away.", ONE, "en",
     [(1, P, "On track. The contract arrives Monday and I'll sign it right away", None)]),
    ("Dec 10 works", ONE, "en", [(1, N, "", "2026-12-10")]),
    ("I'll have it ready Monday", ONE, "en", [(1, N, "", "2026-11-23")]),
    ("I'll finish it on Dec 10", ONE, "en", [(1, N, "", "2026-12-10")]),
    ("Lo termino el lunes", ES_ONE, "es", [(1, N, "", "2026-11-23")]),
    # Future forms of done are a new date, never done.
    ("Lo tendré listo el próximo viernes.", ES_ONE, "es",
     [(1, P, "Lo tendré listo el próximo viernes", None), (1, N, "", "2026-11-27")]),
    ("Estará listo el 10 de diciembre", ES_ONE, "es",
     [(1, P, "Estará listo el 10 de diciembre", None), (1, N, "", "2026-12-10")]),
    ("It will be finished by Dec 10", ONE, "en",
     [(1, P, "It will be finished by Dec 10", None), (1, N, "", "2026-12-10")]),
    ("Should be finished next Friday", ONE, "en",
     [(1, P, "Should be finished next Friday", None), (1, N, "", "2026-11-27")]),
    # Numbers inside a sentence are quantities, not commitments.
    ("Still working on it, two halls left to call.", ONE, "en",
     [(1, P, "Still working on it, two halls left to call", None)]),
    ("I need help finding a venue for 200 people. The library hall only takes 80.", ONE, "en",
     [(1, H, "I need help finding a venue for 200 people. The library hall only takes 80",
       None)]),
    ("2 done\n(312) 555-0147", THREE, "en", [(2, D, "", None)]),
    ("Done with the first one", THREE, "en", [(1, D, "", None)]),
    ("The district wants the first draft. Done.", ONE, "en", [(1, D, "", None)]),
    ("two done, three in progress", THREE, "en",
     [(2, D, "", None), (3, P, "in progress", None)]),
    # The reason stays with the answer, in the person's words, sentences after it included.
    ("Blocked - the insurance company needs a certificate from the district first. Their "
     "letter is attached.", ONE, "en",
     [(1, B, "Blocked - the insurance company needs a certificate from the district first. "
       "Their letter is attached", None)]),
    ("Please drop this one. The board cancelled the report.", ONE, "en",
     [(1, X, "Please drop this one. The board cancelled the report", None)]),
    ("2 is blocked. I have to ask my director.", THREE, "en",
     [(2, B, "is blocked. I have to ask my director", None)]),
    # Spanish ways to drop.
    ("Por favor descarten el 2: ya no hace falta.", ES_TWO, "es",
     [(2, X, "Por favor descarten el 2: ya no hace falta", None)]),
    ("Descartar el 1, ya no lo haremos", ES_TWO, "es",
     [(1, X, "Descartar el 1, ya no lo haremos", None)]),
    ("Cancelen el 2 por favor", ES_TWO, "es", [(2, X, "Cancelen el 2 por favor", None)]),
    ("Quítenlo, ya no lo haremos", ES_ONE, "es", [(1, X, "Quítenlo, ya no lo haremos", None)]),
    # Greetings, thanks and names around the answers say nothing.
    ("Hi Dana,\n\n1 done, 2 on track.\n\nThanks so much for the reminder! Have a good "
     "weekend.\nMaria", THREE[:2], "en", [(1, D, "", None), (2, P, "on track", None)]),
    ("Hola Ana:\n1 listo, 2 en progreso.\nGracias por el recordatorio. Saludos,\nLucía", ES_TWO,
     "es", [(1, D, "", None), (2, P, "en progreso", None)]),
    ("Sorry for the delay! 1 done. 👍", ONE, "en", [(1, D, "", None)]),
    ("1 done\n2 done\nLet me know if you need anything else.", THREE, "en",
     [(1, D, "", None), (2, D, "", None)]),
    ("¡Buenas noticias! El 1 está listo. Cualquier cosa me avisas.", ES_TWO, "es",
     [(1, D, "", None)]),
    # A date that does not say the work moves gives way to "done".
    ("Terminado. El salón quedó reservado para el 18.", ES_ONE, "es", [(1, D, "", None)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "listed", "language", "expected"),
    CLEAR,
    ids=[f"{n:02d} {c[0][:40]}" for n, c in enumerate(CLEAR)],
)
def test_clear_replies(
    text: str, listed: tuple[Listed, ...], language: str, expected: list[tuple[object, ...]]
) -> None:
    reading = read(text, listed, language)
    assert simple(reading) == [(n, str(a), note, d) for n, a, note, d in expected]
    assert reading.unclear is False
    assert reading.reason == ""


# (text, listed, language, intents still read, exact reason)
UNCLEAR = [
    ("Done!", THREE, "en", [],
     "Says “done” but the email listed 3 commitments: which one?"),
    ("Listo", ES_TWO, "es", [], "Says “listo” but the email listed 2 commitments: which one?"),
    ("need help", THREE, "en", [],
     "Says “need help” but the email listed 3 commitments: which one?"),
    ("5 done", THREE, "en", [], "Mentions number 5 but the email listed 3 commitment(s)."),
    ("1 done, 4 blocked", THREE, "en", [(1, D, "", None)],
     "Mentions number 4 but the email listed 3 commitment(s)."),
    ("1 done. 2 not sure", THREE, "en", [(1, D, "", None)],
     "Mentions commitment 2 without saying what about it."),
    ("1 done and 1 need help", THREE, "en", [],
     "Says different things about commitment 1."),
    ("2 done, need help with the board and the venue", THREE, "en", [(2, D, "", None)],
     "“need help with the board and the venue” could be about more than one commitment."),
    ("Thanks!", ONE, "en", [], "Could not tell what the reply says about the commitments."),
    ("", ONE, "en", [], "Could not tell what the reply says about the commitments."),
    ("1 done", (), "en", [], "Mentions number 1 but the email listed 0 commitment(s)."),
    ("Can we move it to Nov 10, 2026?", ONE, "en", [],
     "The new date 2026-11-10 for commitment 1 is not in the future."),
    ("by 2026-11-20", ONE, "en", [],
     "The new date 2026-11-20 for commitment 1 is not in the future."),
    ("1 done, 2 by 2/30", THREE, "en", [(1, D, "", None)],
     "A date in the reply could not be read."),
    ("I need more time", ONE, "en", [],
     "Asks for a new date for commitment 1 but gives none that could be read."),
    ("Dec 4 works", ONE, "en", [], "The date given for commitment 1 is already its due date."),
    ("Not on track", ONE, "en", [], "Could not tell what “Not on track” means."),
    # Words with no answer in them, while commitments are left unanswered: not understood.
    ("1 done. Also, I'm moving to a new job in spring.", THREE, "en", [(1, D, "", None)],
     "Could not tell what “Also, I'm moving to a new job in spring” means."),
    ("1 done. And about the other thing, I have to ask my director.", THREE[:2], "en",
     [(1, D, "", None)],
     "Could not tell what “about the other thing, I have to ask my director” means."),
    ("1 done, and about the other thing I have to ask my director", THREE[:2], "en",
     [(1, D, "", None)],
     "Could not tell what “about the other thing I have to ask my director” means."),
    ("1 done. I have to ask my director.", THREE[:2], "en", [(1, D, "", None)],
     "Could not tell what “I have to ask my director” means."),
    ("1 done. About the venue, I have to ask my director.", THREE, "en", [(1, D, "", None)],
     "Could not tell what “About the venue, I have to ask my director” means."),
    ("Thanks for the reminder! Let's talk about it at the meeting.", ONE, "en", [],
     "Could not tell what “Let's talk about it at the meeting” means."),
    ("The contract arrives Monday.", ONE, "en", [],
     "Could not tell what “The contract arrives Monday” means."),
    ("1 done, 3 the contract arrives Monday", THREE, "en", [(1, D, "", None)],
    "Mentions commitment 3 without saying what about it."),
    ("1 done. Let me know if you can help with the venue.", THREE, "en", [(1, D, "", None)],
     "Could not tell what “Let me know if you can help with the venue” means."),
    ("Done, new date Dec 15", ONE, "en", [], "Says different things about commitment 1."),
    ("Listo, lo paso al 15 de diciembre", ES_ONE, "es", [],
     "Says different things about commitment 1."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "listed", "language", "expected", "reason"),
    UNCLEAR,
    ids=[f"{n:02d} {c[0][:40]}" for n, c in enumerate(UNCLEAR)],
)
def test_unclear_replies(
    text: str,
    listed: tuple[Listed, ...],
    language: str,
    expected: list[tuple[object, ...]],
    reason: str,
) -> None:
    reading = read(text, listed, language)
    assert simple(reading) == [(n, str(a), note, d) for n, a, note, d in expected]
    assert reading.unclear is True
    assert reading.reason == reason


# Negations, futures and hopes never say done, whatever is listed.
NOT_DONE = [
    "not done yet", "almost done", "nearly done", "not finished", "isn't complete",
    "will be done by Friday", "should be completed next week", "hope to finish it soon",
    "going to get it done", "once it's done I'll tell you", "is it done?", "done yet?",
    "I have done half of it", "completed 50%", "not yet", "no está hecho", "no está listo",
    "todavía no lo termino", "todavía no", "aún no está terminado", "casi listo",
    "va a estar listo pronto", "estará terminado el viernes", "cuando esté listo le aviso",
    "listo para revisar", "he hecho la mitad", "el hecho es que no pude",
    "lo tendré listo el próximo viernes", "lo tendremos terminado el lunes",
    "estará listo el 10 de diciembre", "va a estar listo el viernes", "should be finished soon",
    "I'll have it done Monday", "it'll be complete by Dec 10", "we will be done next week",
    "I will have it finished on Friday",
]  # fmt: skip


@pytest.mark.parametrize("text", NOT_DONE)
@pytest.mark.parametrize("listed", [ONE, THREE], ids=["one", "three"])
def test_never_done(text: str, listed: tuple[Listed, ...]) -> None:
    reading = read(text, listed, "es" if "é" in text or " no " in f" {text} " else "en")
    assert [i for i in reading.intents if i.action == Action.DONE] == []


# Which commitments the part not understood may be about (ids; () means any unanswered one).
CONCERNED = [
    ("1 done. About the venue, I have to ask my director.", THREE, (102,)),
    ("1 done. 2 not sure", THREE, (102,)),
    ("1 done and 1 need help", THREE, (101,)),
    ("1 done. I have to ask my director.", THREE, ()),
    ("1 done. And about the other thing, I have to ask my director.", THREE, ()),
    ("Done!", THREE, ()),
    ("5 done", THREE, ()),
    ("2 done. 3 not sure. Also the venue hmm.", THREE, (102, 103)),
    ("1 done, 3 not sure. The report hmm.", THREE, (103,)),
    ("1 done", THREE, ()),
]  # fmt: skip


@pytest.mark.parametrize(("text", "listed", "concerned"), CONCERNED)
def test_concerned(text: str, listed: tuple[Listed, ...], concerned: tuple[int, ...]) -> None:
    reading = read(text, listed)
    assert reading.concerned == concerned
    assert reading.unclear is (text != "1 done")


def test_concerned_defaults_to_none_named() -> None:
    assert Reading((), True, "why").concerned == ()


def test_intent_identity() -> None:
    reading = read("2 done", THREE)
    assert reading.intents == (Intent(2, 102, Action.DONE, "", None),)
    assert Action.DONE == "done"
    assert str(Action.NEED_HELP.label) == "need help"


def test_never_raises_on_odd_input() -> None:
    odd = ["\x00\x01", "9" * 5000, "1" + " and 1" * 2000, "ǅ İ ﬁ ẞ" * 50, "> done", "\ud800"]
    for text in odd:
        reading = read(text, THREE)
        assert isinstance(reading, Reading)
    assert read("> 1 done", THREE).intents == ()
