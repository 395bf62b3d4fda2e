"""Properties of the reply parser over generated input (hypothesis): it never raises, whatever
the bytes, text or message; it never reads "done" from words that do not say done; and every
"done" it reads comes from text that says so."""

from __future__ import annotations

import email
import email.policy
import re
import unicodedata
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workplans.reply_intent import Action, Listed, Reading, read_reply
from workplans.reply_text import body_text, visible_reply

FAST = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TODAY = date(2026, 11, 20)
LISTED = (
    Listed(1, 101, "Send the report to the board", date(2026, 12, 4)),
    Listed(2, 102, "Book the venue for the forum", date(2026, 12, 8)),
    Listed(3, 103, "Call the mayor's office", date(2026, 12, 10)),
)

# Words and phrases that say done, in either language (accents folded). A DONE intent is only
# ever read from a text holding one of them.
DONE_WORDS = re.compile(
    r"\b(?:done|finished|completed?|did (?:it|that|this|them)|sent (?:it|them|that|this)|"
    r"submitted|delivered|taken care of|took care of|wrapped up|list[oa]s?|terminad[oa]s?|"
    r"termine|terminamos|completad[oa]s?|completamos|finalizad[oa]s?|finalice|finalizamos|"
    r"hice|hicimos|ya esta|ya quedo|envie|enviad[oa]|entregad[oa]s?|entregue|cumplid[oa]s?|"
    r"hech[oa]s?)\b"
)

# Generated replies are made of these: no word here says done.
NEUTRAL = [
    "the", "report", "venue", "mayor", "board", "is", "it", "we", "I", "need", "help", "with",
    "blocked", "stuck", "on", "track", "progress", "working", "started", "waiting", "for",
    "drop", "cancel", "please", "thanks", "hello", "Ana", "next", "week", "Friday", "by",
    "Dec", "4", "December", "12/4", "2026-12-04", "end", "of", "month", "in", "two", "weeks",
    "and", "but", "also", "item", "#2", "1", "2", "3", "7", "15", "100", "el", "la", "local",
    "informe", "necesito", "ayuda", "con", "bloqueado", "viernes", "próximo", "fin", "de",
    "mes", "diciembre", "dic", "semana", "vamos", "bien", "todavía", "aún", "casi", "para",
    "hasta", "nueva", "fecha", "gracias", "hola", "sí", "no", "not", "yet", "almost", "will",
    "be", "soon", "maybe", "today", "tomorrow", "mañana", "all", "both", "todos", "?", "!",
    ".", ",", ":", "-", "—", "\n", "\n> quoted done\n", "https://x.org/r/done/", "undone",
    "donation", "listen", "complex", "finish", "finishing", "terminar", "termino", "completar",
    "enviar", "hacer", "hago", "deliver", "send", "sending", "submit", "complement",
]  # fmt: skip
NEGATED = [
    "not done yet", "almost done", "nearly finished", "isn't complete", "will be done",
    "should be completed", "hope to finish", "not finished", "no está listo", "no está hecho",
    "todavía no lo termino", "casi listo", "aún no está terminado", "va a estar listo",
    "estará terminado", "cuando esté listo", "is it done?", "done yet?", "not yet done",
    "haven't finished", "won't be done", "no lo he terminado", "todavía no está hecho",
]  # fmt: skip


def folded(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )


def read(text: str, language: str = "en", listed: tuple[Listed, ...] = LISTED) -> Reading:
    return read_reply(text, listed, today=TODAY, language=language)


def done_intents(reading: Reading) -> list[int]:
    return [i.number for i in reading.intents if i.action == Action.DONE]


languages = st.sampled_from(["en", "es", ""])
listings = st.sampled_from([LISTED, LISTED[:1], LISTED[1:2], ()])


@FAST
@given(st.binary(max_size=3000))
def test_body_text_never_raises_on_bytes(raw: bytes) -> None:
    for policy in (email.policy.compat32, email.policy.default):
        message = email.message_from_bytes(raw, policy=policy)
        assert isinstance(body_text(message), str)


HEADER_LINES = st.sampled_from(
    [
        b"Content-Type: text/plain; charset=utf-8\r\n",
        b"Content-Type: text/plain; charset=x-unknown-8\r\n",
        b'Content-Type: text/plain; charset="rot13"\r\n',
        b"Content-Type: text/html; charset=iso-8859-1\r\n",
        b"Content-Type: text/plain; format=flowed; delsp=yes\r\n",
        b'Content-Type: multipart/alternative; boundary="b"\r\n',
        b'Content-Type: multipart/mixed; boundary="b"\r\n',
        b"Content-Type: message/rfc822\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Transfer-Encoding: x-uuencode\r\n",
        b"Content-Disposition: attachment\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"\r\n",
    ]
)


@FAST
@given(st.lists(st.one_of(HEADER_LINES, st.binary(max_size=200)), max_size=25))
def test_body_text_never_raises_on_mime_shaped_bytes(chunks: list[bytes]) -> None:
    raw = b"From: a@b.c\r\nMIME-Version: 1.0\r\n" + b"".join(chunks)
    for policy in (email.policy.compat32, email.policy.default):
        text = body_text(email.message_from_bytes(raw, policy=policy))
        assert isinstance(text, str)
        assert isinstance(visible_reply(text), str)


@FAST
@given(st.text(max_size=3000))
def test_visible_reply_never_raises(text: str) -> None:
    visible = visible_reply(text)
    assert isinstance(visible, str)
    # Nothing quoted survives.
    assert not any(line.lstrip().startswith(">") for line in visible.split("\n"))


@FAST
@given(st.text(max_size=2000), languages, listings)
def test_read_reply_never_raises(text: str, language: str, listed: tuple[Listed, ...]) -> None:
    reading = read(text, language, listed)
    assert isinstance(reading, Reading)
    assert reading.unclear or reading.intents
    if not reading.intents:
        assert reading.unclear
        assert reading.reason
    numbers = {item.number for item in listed}
    assert all(i.number in numbers for i in reading.intents)


@FAST
@given(
    st.text(
        alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz0123456789 ,.:;!?/-#\n>áéíóúñ")),
        max_size=400,
    ),
    languages,
)
def test_done_only_from_done_words_in_random_text(text: str, language: str) -> None:
    reading = read(text, language)
    if done_intents(reading):
        assert DONE_WORDS.search(folded(text))


@FAST
@given(st.lists(st.sampled_from(NEUTRAL), max_size=40), languages, listings)
def test_never_done_without_a_done_word(
    words: list[str], language: str, listed: tuple[Listed, ...]
) -> None:
    text = " ".join(words)
    assert DONE_WORDS.search(folded(re.sub(r"^\s*>.*$|https?://\S+", "", text, flags=re.M))) is None
    assert done_intents(read(text, language, listed)) == []


@FAST
@given(
    st.lists(
        st.one_of(st.sampled_from(NEUTRAL), st.sampled_from(NEGATED)), min_size=1, max_size=25
    ),
    st.sampled_from(NEGATED),
    languages,
)
def test_negated_done_is_never_done(words: list[str], negated: str, language: str) -> None:
    # Every done-word in the text is inside a negated, hoped-for or future phrase.
    words = [w for w in words if w not in ("all", "both", "todos")]
    text = " ".join([*words, negated])
    for listed in (LISTED, LISTED[:1]):
        assert done_intents(read(text, language, listed)) == []


@FAST
@given(
    st.integers(min_value=1, max_value=3),
    st.sampled_from(["done", "finished", "completed", "listo", "terminado", "hecho"]),
    st.sampled_from(["", "!", ".", "\n\nThanks,\nAna", "\n\nGracias"]),
)
def test_a_numbered_done_is_read(number: int, word: str, end: str) -> None:
    reading = read(f"{number} {word}{end}", "en")
    assert [(i.number, i.action) for i in reading.intents] == [(number, Action.DONE)]
    assert reading.unclear is False


@FAST
@given(st.dates(min_value=TODAY + timedelta(days=1), max_value=TODAY + timedelta(days=700)))
def test_a_future_iso_date_is_the_new_date(new: date) -> None:
    reading = read(f"new date {new.isoformat()}", "en", LISTED[:1])
    if new == LISTED[0].due_date:
        assert reading.intents == ()
    else:
        assert [(i.action, i.new_date) for i in reading.intents] == [(Action.NEW_DATE, new)]


@FAST
@given(st.dates(min_value=date(2000, 1, 1), max_value=TODAY))
def test_a_date_not_after_today_is_never_applied(old: date) -> None:
    reading = read(f"new date {old.isoformat()}", "en", LISTED[:1])
    assert reading.intents == ()
    assert reading.unclear is True


# Words about waiting and work under way: none says blocked. A false "blocked" opens a help
# request and emails the co-chairs, so waiting is read as in progress.
WAITING = [
    "waiting", "on", "for", "the", "city", "we're", "still", "awaiting", "answer", "in",
    "progress", "next", "Friday", "end", "of", "month", "esperando", "estamos", "en", "espera",
    "a", "la", "respuesta", "del", "seguro", "lo", "paso", "fin", "de", "mes", "1", "2", ",",
    ".", "\n", "working", "it", "deposit", "check", "contract", "arrives", "Monday",
]  # fmt: skip


@FAST
@given(st.lists(st.sampled_from(WAITING), max_size=30), languages, listings)
def test_waiting_is_never_blocked(
    words: list[str], language: str, listed: tuple[Listed, ...]
) -> None:
    reading = read(" ".join(words), language, listed)
    assert [i for i in reading.intents if i.action == Action.BLOCKED] == []
