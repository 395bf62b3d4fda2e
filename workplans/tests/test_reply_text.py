"""The person's own words out of a reply: every client's way of quoting the NAG email, in
English and Spanish, signatures and phone footers, inline answers, HTML-only mail and charsets
that lie. Messages are real RFC 822 bytes parsed by the standard library."""

from __future__ import annotations

import email
import email.policy
from email.message import Message

import pytest

from workplans.reply_text import body_text, visible_reply

TOKEN = "k3v9q0w2e8r7t6y5u4i1"
REPLY_TO = f"reply+{TOKEN}@reply.example.org"
SITE = "https://backbone.example.org"

NAG_EN = f"""Hello Ana Pérez,

Here is what you committed to at the last meeting. How is it going, and do you need any help or support? Just reply to this email.

Your commitments:
1. Send the report to the board — by Dec 4
   Done: {SITE}/r/aaaaaaaa/
   I need help: {SITE}/r/bbbbbbbb/
   New date: {SITE}/r/cccccccc/
2. Book the venue for the forum — by Dec 8
   Done: {SITE}/r/dddddddd/
   I need help: {SITE}/r/eeeeeeee/
   New date: {SITE}/r/ffffffff/
3. Call the mayor's office — by Dec 10
   Done: {SITE}/r/gggggggg/
   I need help: {SITE}/r/hhhhhhhh/
   New date: {SITE}/r/iiiiiiii/

You can also simply reply, for example “1 done, 2 need help with the venue”.

— Eastside Coalition

Stop these reminders for this initiative: {SITE}/u/zzzzzzzz/
"""  # noqa: E501

NAG_ES = f"""Hola Ana Pérez,

Esto es lo que se comprometió a hacer en la última reunión. ¿Cómo va? ¿Necesita ayuda o apoyo? Simplemente responda a este correo.

Sus compromisos:
1. Enviar el informe a la junta — para el 4 dic
   Listo: {SITE}/r/aaaaaaaa/
   Necesito ayuda: {SITE}/r/bbbbbbbb/
   Nueva fecha: {SITE}/r/cccccccc/
2. Reservar el local del foro — para el 8 dic
   Listo: {SITE}/r/dddddddd/
   Necesito ayuda: {SITE}/r/eeeeeeee/
   Nueva fecha: {SITE}/r/ffffffff/

También puede simplemente responder, por ejemplo: «1 listo, 2 necesito ayuda con el local».

— Coalición del Este

Dejar de recibir estos recordatorios de esta iniciativa: {SITE}/u/zzzzzzzz/
"""  # noqa: E501


def quote(text: str, mark: str = "> ") -> str:
    return "\n".join((mark + line).rstrip() for line in text.split("\n"))


GMAIL_ON = f"On Mon, Nov 16, 2026 at 9:00 AM Eastside Coalition <{REPLY_TO}> wrote:"
GMAIL_ON_WRAPPED = f"On Mon, Nov 16, 2026 at 9:00 AM Eastside Coalition <\n{REPLY_TO}> wrote:"
GMAIL_EL = f"El lun, 16 nov 2026 a las 9:00, Coalición del Este (<{REPLY_TO}>) escribió:"
GMAIL_EL_WRAPPED = f"El lun, 16 nov 2026 a las 9:00, Coalición del Este (<\n{REPLY_TO}>) escribió:"
APPLE_ON = f"On Nov 16, 2026, at 9:00 AM, Eastside Coalition <{REPLY_TO}> wrote:"
APPLE_EL = f"El 16 nov 2026, a las 9:00, Coalición del Este <{REPLY_TO}> escribió:"
THUNDERBIRD = "On 11/16/26 9:00 AM, Eastside Coalition wrote:"
YAHOO = (
    f"    On Monday, November 16, 2026, 09:00:00 AM CST, Eastside Coalition <{REPLY_TO}> wrote:  "
)
OUTLOOK_EN = f"""From: Eastside Coalition <{REPLY_TO}>
Sent: Monday, November 16, 2026 9:00 AM
To: Ana Pérez <ana@partner.example.org>
Subject: How is it going? Your commitments for Housing"""
OUTLOOK_ES = f"""De: Coalición del Este <{REPLY_TO}>
Enviado: lunes, 16 de noviembre de 2026 9:00
Para: Ana Pérez <ana@partner.example.org>
Asunto: ¿Cómo va todo? Sus compromisos con Vivienda"""
OUTLOOK_MAC = f"""From: Eastside Coalition <{REPLY_TO}>
Date: Monday, November 16, 2026 at 9:00 AM
To: Ana Pérez <ana@partner.example.org>
Subject: How is it going? Your commitments for Housing"""
BOLD_OUTLOOK = f"""*From:* Eastside Coalition <{REPLY_TO}>
*Sent:* Monday, November 16, 2026 9:00 AM
*To:* Ana Pérez
*Subject:* How is it going?"""
RULE = "________________________________"


INLINE_EN = f"""{GMAIL_ON}

> Your commitments:
> 1. Send the report to the board — by Dec 4
>    Done: {SITE}/r/aaaaaaaa/
>    I need help: {SITE}/r/bbbbbbbb/
>    New date: {SITE}/r/cccccccc/

Done, sent it on Tuesday.

> 2. Book the venue for the forum — by Dec 8
>    Done: {SITE}/r/dddddddd/

Still looking.
Need help with the caterer.

> 3. Call the mayor's office — by Dec 10
>    Done: {SITE}/r/gggggggg/
>
> You can also simply reply, for example “1 done, 2 need help with the venue”.
>
> — Eastside Coalition

Thanks,
Ana
"""

INLINE_ES = f"""{GMAIL_EL}

> Sus compromisos:
> 1. Enviar el informe a la junta — para el 4 dic
>    Listo: {SITE}/r/aaaaaaaa/
listo
> 2. Reservar el local del foro — para el 8 dic
>    Listo: {SITE}/r/dddddddd/
todavía no, lo tendré el 15 de diciembre
>
> — Coalición del Este
"""

# A trimmed quote: the person kept only the commitment they answer.
INLINE_TRIMMED = """> 2. Book the venue for the forum — by Dec 8

Blocked: the city has not answered about the permit.
"""

# Bottom-posted under the whole NAG: no commitment is "just above" the answer.
BOTTOM_POSTED = f"""{GMAIL_ON}
{quote(NAG_EN)}

1 done, 2 need help with the venue
"""

# "1 done" with a bullet dash must survive email-reply-parser's "-Name" signature rule.
DASH_BULLETS = "Hi,\n\n-1 done\n-2 need help\n\n" + GMAIL_ON + "\n" + quote(NAG_EN)


VISIBLE = [
    # Gmail, English and Spanish, attribution on one line and wrapped.
    ("gmail", f"1 is done, 2 I need help with the venue\n\n{GMAIL_ON}\n{quote(NAG_EN)}",
     "1 is done, 2 I need help with the venue"),
    ("gmail wrapped", f"Done!\n\n{GMAIL_ON_WRAPPED}\n\n{quote(NAG_EN)}", "Done!"),
    ("gmail es", f"1 listo, 2 necesito ayuda con el local\n\n{GMAIL_EL}\n\n{quote(NAG_ES)}",
     "1 listo, 2 necesito ayuda con el local"),
    ("gmail es wrapped", f"Hecho.\n\n{GMAIL_EL_WRAPPED}\n{quote(NAG_ES)}", "Hecho."),
    ("gmail two paragraphs", f"1 done.\n\n2 is on track.\n\n{GMAIL_ON}\n{quote(NAG_EN)}",
     "1 done.\n\n2 is on track."),
    ("gmail nested quotes", f"ok 3 done\n\n{GMAIL_ON}\n> older\n> > {GMAIL_ON}\n> > > 1 done",
     "ok 3 done"),
    # Outlook desktop and web, English and Spanish.
    ("outlook web", f"2 is blocked\n\n{RULE}\n{OUTLOOK_EN}\n\n{NAG_EN}", "2 is blocked"),
    ("outlook desktop", f"Done.\n\n{OUTLOOK_EN}\n\n{NAG_EN}", "Done."),
    ("outlook es", f"El 2 está bloqueado.\n\n{RULE}\n{OUTLOOK_ES}\n\n{NAG_ES}",
     "El 2 está bloqueado."),
    ("outlook mac", f"3 done\n\n{OUTLOOK_MAC}\n\n{NAG_EN}", "3 done"),
    ("outlook bold from html", f"need help\n\n{BOLD_OUTLOOK}\n\n{NAG_EN}", "need help"),
    ("original message", f"2 done\n\n-----Original Message-----\n{OUTLOOK_EN}\n\n{NAG_EN}",
     "2 done"),
    ("mensaje original", f"2 listo\n\n-----Mensaje original-----\n{OUTLOOK_ES}\n\n{NAG_ES}",
     "2 listo"),
    # Apple Mail and iOS: the footer, then the quoted attribution.
    ("iphone", f"Done!\n\nSent from my iPhone\n\n> {APPLE_ON}\n>\n{quote(NAG_EN)}", "Done!"),
    ("iphone es", f"Listo\n\nEnviado desde mi iPhone\n\n> {APPLE_EL}\n>\n{quote(NAG_ES)}",
     "Listo"),
    ("apple mail", f"1 done, 3 next Friday\n\n{APPLE_ON}\n\n{quote(NAG_EN)}",
     "1 done, 3 next Friday"),
    # Android: Samsung's "Original message" block, Outlook for Android, Spanish phones.
    ("galaxy",
     f"On track\n\nSent from my Galaxy\n\n\n-------- Original message --------\n"
     f"From: Eastside Coalition <{REPLY_TO}>\nDate: 11/16/26 9:00 AM (GMT-06:00)\n"
     f"To: ana@partner.example.org\nSubject: How is it going?\n\n{NAG_EN}",
     "On track"),
    ("outlook android",
     f"1 done\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>\n{RULE}\n{OUTLOOK_EN}\n\n{NAG_EN}",
     "1 done"),
    ("telefono es",
     f"Necesito ayuda con el 2\n\nEnviado desde mi teléfono Huawei\n\n"
     f"-------- Mensaje original --------\nDe: Coalición del Este <{REPLY_TO}>\n"
     f"Fecha: 16/11/26 9:00\nPara: ana@partner.example.org\nAsunto: Sus compromisos\n\n{NAG_ES}",
     "Necesito ayuda con el 2"),
    ("samsung es", f"Todo listo\n\nEnviado desde mi smartphone Samsung Galaxy.\n\n{GMAIL_EL}\n"
     f"{quote(NAG_ES)}", "Todo listo"),
    # Thunderbird and Yahoo (whose history is not quoted with ">").
    ("thunderbird", f"1 done\n\n{THUNDERBIRD}\n{quote(NAG_EN)}", "1 done"),
    ("yahoo", f"2 need help finding chairs\n\n{YAHOO}\n \n \n{NAG_EN}",
     "2 need help finding chairs"),
    # Signatures: "-- ", sign-offs with a name, phone numbers in the signature.
    ("sig delimiter",
     f"1 done\n\n-- \nAna Pérez\nDirector, Eastside Housing\n(555) 123-4567\n\n{GMAIL_ON}\n"
     f"{quote(NAG_EN)}",
     "1 done"),
    ("sign-off", f"2 blocked by the city permit\n\nThanks,\nAna\n\n{GMAIL_ON}\n{quote(NAG_EN)}",
     "2 blocked by the city permit"),
    ("sign-off es", f"1 listo\n\nSaludos,\nAna Pérez\nCoalición\n\n{GMAIL_EL}\n{quote(NAG_ES)}",
     "1 listo"),
    ("thanks in the sentence is kept", "Thanks, 1 done", "Thanks, 1 done"),
    ("a thanks line first is kept", "Thanks,\n1 done", "Thanks,\n1 done"),
    # Signatures with no "-- " line: a name, a title, an organization, a phone, an address.
    ("sign-off with a full signature",
     "1 done\n\nThanks,\nMaria Lopez\nProgram Director\nLakeshore YMCA\n(312) 555-0142\n"
     f"maria.lopez@partners.example.org\n\n{GMAIL_ON}\n{quote(NAG_EN)}",
     "1 done"),
    ("signature without a sign-off",
     f"Item 2 is complete.\n\nMaria Lopez\nProgram Director | Lakeshore YMCA\n(312) 555-0142"
     f"\n\n{OUTLOOK_EN}\n\n{NAG_EN}",
     "Item 2 is complete."),
    ("firma sin despedida",
     "Necesito ayuda con el local.\n\nLucía Fernández\nCoordinadora de Programas | Fundación "
     f"Horizonte\nTel. (312) 555-0199\n\n{OUTLOOK_ES}\n\n{NAG_ES}",
     "Necesito ayuda con el local."),
    ("international phone", "2 blocked by the permit\nAna Pérez\n+44 (0) 20 7946 0958",
     "2 blocked by the permit"),
    ("a name set apart", "Done.\n\nMaria", "Done."),
    ("a name under the answer", "1 done\nAna", "1 done"),
    ("answer lines are not a signature", "1 done\n\n2 Blocked\nVenue: Need Help",
     "1 done\n\n2 Blocked\nVenue: Need Help"),
    ("only a name is kept", "Maria Lopez", "Maria Lopez"),
    # Answer lines just above the attribution are the person's, not part of it.
    ("answers above the attribution",
     f"1 done, 2 need help\n3 blocked\n1 done again\n{GMAIL_ON}\n{quote(NAG_EN)}",
     "1 done, 2 need help\n3 blocked\n1 done again"),
    ("attribution opening with a date",
     f"1 done\n\n16/11/2026 9:00, Coalición <{REPLY_TO}> escribió:\n{quote(NAG_ES)}", "1 done"),
    # Inline answers carry the number of the commitment quoted above them.
    ("inline en", INLINE_EN,
     "1: Done, sent it on Tuesday.\n\n2: Still looking.\n2: Need help with the caterer."),
    ("inline es", INLINE_ES, "1: listo\n2: todavía no, lo tendré el 15 de diciembre"),
    ("inline trimmed quote", INLINE_TRIMMED,
     "2: Blocked: the city has not answered about the permit."),
    ("inline already numbered", "> 1. Send the report — by Dec 4\n2 done, 1 blocked",
     "2 done, 1 blocked"),
    ("bottom posted", BOTTOM_POSTED, "1 done, 2 need help with the venue"),
    ("dash bullets", DASH_BULLETS, "Hi,\n\n- 1 done\n- 2 need help"),
    # The NAG's own lines never count if a client forgot to quote them.
    ("unquoted nag lines",
     f"1 done\nDone: {SITE}/r/aaaaaaaa/\nYou can also simply reply, for example “1 done”.",
     "1 done"),
    ("crlf and nbsp",
     "1\u00a0done\r\n\r\nOn Mon, Nov 16, 2026 at 9:00 AM X <x@y.org> wrote:\r\n> q",
     "1 done"),
    ("only quoted", f"{GMAIL_ON}\n{quote(NAG_EN)}", ""),
    ("empty", "", ""),
    ("plain words", "Need help with the venue please", "Need help with the venue please"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in VISIBLE], ids=[c[0] for c in VISIBLE]
)
def test_visible_reply(text: str, expected: str) -> None:
    assert visible_reply(text) == expected


def message(raw: bytes, policy: str = "compat32") -> Message:
    if policy == "default":
        return email.message_from_bytes(raw, policy=email.policy.default)
    return email.message_from_bytes(raw)


HEAD = (
    b"From: Ana <ana@partner.example.org>\r\nTo: " + REPLY_TO.encode() + b"\r\n"
    b"Subject: Re: How is it going?\r\nMessage-ID: <m1@partner.example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
)


def single(ctype: bytes, body: bytes, cte: bytes = b"8bit") -> bytes:
    return (
        HEAD
        + b"Content-Type: "
        + ctype
        + b"\r\nContent-Transfer-Encoding: "
        + cte
        + (b"\r\n\r\n" + body)
    )


ALTERNATIVE = HEAD + (
    b'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
    b"--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: "
    b"quoted-printable\r\n\r\n1 est=C3=A1 listo\r\n\r\n"
    b"--b1\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>ignored html</p>\r\n--b1--\r\n"
)
HTML_GMAIL = (
    '<div dir="ltr">1 done<br>2 need help with the <b>venue</b></div><br>'
    '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
    f"On Mon, Nov 16, 2026 at 9:00 AM Eastside Coalition &lt;{REPLY_TO}&gt; wrote:<br></div>"
    '<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">'
    "<p>Hello Ana,</p><p><strong>1.</strong> Send the report — by Dec 4</p>"
    '<a href="https://x/r/a/">Done</a></blockquote></div>'
)
HTML_OUTLOOK = (
    "<html><head><style>p{margin:0}</style></head><body>"
    "<div>El 2 est&aacute; bloqueado&nbsp;por el permiso</div>"
    '<div class="gmail_signature">Ana P&eacute;rez<br>Directora</div>'
    '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg">'
    "<b>De:</b> Coalici&oacute;n &lt;x@y.org&gt;<br><b>Enviado:</b> lunes, 16 de noviembre<br>"
    "<b>Para:</b> Ana<br><b>Asunto:</b> Sus compromisos</div><div>Hola Ana, 1. Enviar…</div>"
    "<script>alert('listo')</script></body></html>"
)
HTML_YAHOO = (
    "<html><body><div>3 done</div>"
    '<div class="yahoo_quoted"><div>On Monday, November 16, 2026, 09:00:00 AM CST, X '
    "&lt;x@y.org&gt; wrote:</div><div>1. Done: send</div></div></body></html>"
)
MIXED_WITH_ATTACHMENT = HEAD + (
    b'Content-Type: multipart/mixed; boundary="m1"\r\n\r\n'
    b"--m1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n2 done, report attached\r\n"
    b"--m1\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; "
    b"filename=notes.txt\r\n\r\n1 done 2 done 3 done\r\n"
    b"--m1\r\nContent-Type: message/rfc822\r\n\r\nSubject: old\r\n\r\nall done\r\n--m1--\r\n"
)
ONLY_ATTACHMENT = HEAD + (
    b'Content-Type: multipart/mixed; boundary="m2"\r\n\r\n'
    b"--m2\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
    b"filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--m2--\r\n"
)
FLOWED = single(
    b"text/plain; charset=utf-8; format=flowed",
    b"1 done, and 2 needs help with the \r\nvenue because the hall \r\nclosed.\r\n-- \r\nAna\r\n",
)

BODIES = [
    ("utf-8 declared", single(b"text/plain; charset=utf-8", "1 está listo".encode()),
     "1 está listo"),
    ("latin-1 declared",
     single(b"text/plain; charset=iso-8859-1", "2 está hecho".encode("latin-1")),
     "2 está hecho"),
    ("utf-8 mislabelled latin-1",
     single(b"text/plain; charset=iso-8859-1", "1 está listo".encode()),
     "1 está listo"),
    ("cp1252 mislabelled utf-8", single(b"text/plain; charset=utf-8", "1 – listo".encode("cp1252")),
     "1 – listo"),
    ("unknown charset", single(b"text/plain; charset=x-klingon", "1 está listo".encode()),
     "1 está listo"),
    ("no charset, 8-bit", single(b"text/plain", "2 está hecho".encode("cp1252")), "2 está hecho"),
    ("outlook korean alias", single(b"text/plain; charset=ks_c_5601-1987", b"1 done"), "1 done"),
    ("not a text codec", single(b"text/plain; charset=rot13", b"1 done"), "1 done"),
    ("base64", single(b"text/plain; charset=utf-8", b"MSBkb25lLCAyIG5lZWQgaGVscA==", b"base64"),
     "1 done, 2 need help"),
    ("broken base64", single(b"text/plain; charset=utf-8", b"MSBkb25l!!!", b"base64"), "1 done"),
    ("quoted-printable alternative", ALTERNATIVE, "1 está listo\n"),
    ("html only gmail", single(b"text/html; charset=utf-8", HTML_GMAIL.encode()),
     "1 done\n2 need help with the venue\n\n"
     f"On Mon, Nov 16, 2026 at 9:00 AM Eastside Coalition <{REPLY_TO}> wrote:\n"
     "> Hello Ana,\n>\n> 1. Send the report — by Dec 4\n>\n> Done"),
    ("html only outlook", single(b"text/html; charset=windows-1252", HTML_OUTLOOK.encode("cp1252")),
     "El 2 está bloqueado por el permiso\nDe: Coalición <x@y.org>\nEnviado: lunes, 16 de "
     "noviembre\nPara: Ana\nAsunto: Sus compromisos\nHola Ana, 1. Enviar…"),
    ("html only yahoo", single(b"text/html; charset=utf-8", HTML_YAHOO.encode()),
     "3 done\n> On Monday, November 16, 2026, 09:00:00 AM CST, X <x@y.org> wrote:\n"
     "> 1. Done: send"),
    ("attachments ignored", MIXED_WITH_ATTACHMENT, "2 done, report attached"),
    ("only an attachment", ONLY_ATTACHMENT, ""),
    ("format flowed", FLOWED,
     "1 done, and 2 needs help with the venue because the hall closed.\n-- \nAna\n"),
]  # fmt: skip


@pytest.mark.parametrize("policy", ["compat32", "default"])
@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in BODIES], ids=[c[0] for c in BODIES])
def test_body_text(raw: bytes, expected: str, policy: str) -> None:
    assert body_text(message(raw, policy)) == expected


VISIBLE_FROM_BODY = [
    ("html gmail", single(b"text/html; charset=utf-8", HTML_GMAIL.encode()),
     "1 done\n2 need help with the venue"),
    ("html outlook", single(b"text/html; charset=windows-1252", HTML_OUTLOOK.encode("cp1252")),
     "El 2 está bloqueado por el permiso"),
    ("html yahoo", single(b"text/html; charset=utf-8", HTML_YAHOO.encode()), "3 done"),
    ("flowed with signature", FLOWED,
     "1 done, and 2 needs help with the venue because the hall closed."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"), [c[1:] for c in VISIBLE_FROM_BODY], ids=[c[0] for c in VISIBLE_FROM_BODY]
)
def test_visible_reply_of_a_received_message(raw: bytes, expected: str) -> None:
    assert visible_reply(body_text(message(raw))) == expected


def test_a_long_reply_with_much_history_keeps_only_the_answer() -> None:
    # No timing here (speed is shown by `make bench`): a long quoted history is read through.
    text = ("1 done, 2 need help with the venue\n" * 3) + GMAIL_ON + "\n" + quote(NAG_EN * 20)
    assert visible_reply(text) == "\n".join(["1 done, 2 need help with the venue"] * 3)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 20_000,
        "> " * 5_000,
        "On " + "x " * 3_000 + "wrote:",
        "-" * 10_000,
        "1 done\n" * 2_000,
        "Maria Lopez\n" * 500,
        "(312) 555-0142 " * 1_000,
        "@" * 5_000 + "." * 5_000,
    ],
    ids=["letters", "quote marks", "endless attribution", "dashes", "answers", "names",
         "phones", "at signs"],
)  # fmt: skip
def test_pathological_text_is_read_through(text: str) -> None:
    # No timing (speed is shown by `make bench`): these only have to come back.
    assert isinstance(visible_reply(text), str)
