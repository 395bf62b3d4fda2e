"""What a partner wrote in an email reply, and only that.

`body_text` takes the person's text out of a received message (the plain part, else the HTML
part made readable), whatever its charset. `visible_reply` removes what the person did not
write in this reply: the quoted NAG email and older history in every client's format (Gmail,
Outlook desktop and web, Apple Mail and iOS, Android, Thunderbird, Yahoo, the Spanish versions
of all of them), signatures and mobile footers. The generic part of that is email-reply-parser;
the client formats are recognised here, line by line.

Inline replies (the person's own lines typed between the quoted lines of the NAG) keep the
person's lines, each prefixed with the number of the commitment quoted just above it
("1: done"), so that the intent reader knows which commitment a line answers.

Neither function raises: a reply that cannot be read gives an empty text, which the intent
reader treats as unclear.
"""

from __future__ import annotations

import codecs
import email.message
import re
from collections.abc import Iterator
from html.parser import HTMLParser

from email_reply_parser import EmailReplyParser


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A reply is short; a pasted novel is cut (the raw message stays stored for staff).
MAX_CHARS = 100_000
# email-reply-parser has a quadratic pattern; it only sees the person's own (short) text.
LIBRARY_MAX_CHARS = 20_000

# --- body_text ---------------------------------------------------------------------------------

# Charsets mail clients declare that Python does not know by that name.
_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "x-user-defined": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
    "gb2312": "gbk",
    "x-gbk": "gbk",
    "x-sjis": "shift_jis",
    "unicode-1-1-utf-7": "utf-7",
    "ansi_x3.4-1968": "ascii",
}
# Single-byte charsets that decode any bytes, so a wrong declaration never fails: when the bytes
# are valid UTF-8 with non-ASCII characters, the message was UTF-8 mislabelled.
_LENIENT = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}


def _decode(payload: bytes, charset: str | None) -> str:
    """Declared charset, then UTF-8, then Windows-1252 with replacement characters."""
    if charset:
        name = charset.strip().strip("\"'").lower()
        name = _CHARSET_ALIASES.get(name, name)
        try:
            codec = codecs.lookup(name).name
        except (LookupError, ValueError):
            codec = ""
        if codec:
            if codec in _LENIENT and not payload.isascii():
                try:
                    return payload.decode("utf-8")
                except UnicodeDecodeError:
                    pass
            try:
                return payload.decode(codec)
            except Exception:  # noqa: S110 - a wrong declaration: try the usual charsets
                pass
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def _leaf_parts(part: email.message.Message, depth: int = 0) -> Iterator[email.message.Message]:
    """Body parts in order; attachments and attached messages (a forward) are not the body."""
    if depth > 30:
        return
    if part.is_multipart():
        if part.get_content_type() == "message/rfc822":
            return
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, email.message.Message):
                    yield from _leaf_parts(sub, depth + 1)
        return
    if part.get_content_disposition() == "attachment":
        return
    yield part


def _part_text(part: email.message.Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    text = _decode(payload, part.get_content_charset())
    if str(part.get_param("format") or "").lower() == "flowed":
        delsp = str(part.get_param("delsp") or "").lower() == "yes"
        text = _unflow(text, delsp=delsp)
    return text


_FLOW_QUOTE = re.compile(r"^>+")


def _unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676: a line ending in a space continues on the next line of the same quote depth."""
    out: list[str] = []
    depth_of_open = -1
    for raw in text.replace("\r\n", "\n").split("\n"):
        match = _FLOW_QUOTE.match(raw)
        depth = len(match.group(0)) if match else 0
        line = raw[depth:]
        if line.startswith(" "):  # space-stuffing
            line = line[1:]
        if depth_of_open == depth and out:
            out[-1] += line
        else:
            out.append((">" * depth + " " if depth else "") + line)
        if line.endswith(" ") and line != "-- ":
            depth_of_open = depth
            if delsp:
                out[-1] = out[-1][:-1]
        else:
            depth_of_open = -1
    return "\n".join(out)


def body_text(message: email.message.Message) -> str:
    """The person's text: the plain part, else the HTML part as readable text ("" if none)."""
    try:
        plain: str | None = None
        html: str | None = None
        for part in _leaf_parts(message):
            ctype = part.get_content_type()
            if ctype == "text/plain" and plain is None:
                text = _part_text(part)
                if text.strip():
                    plain = text
            elif ctype == "text/html" and html is None:
                html = _part_text(part)
            if plain is not None:
                break
        if plain is not None:
            return _normalize(plain)
        if html is not None:
            return _normalize(html_to_text(html))
        return ""
    except Exception:
        return ""


class _HTMLText(HTMLParser):
    """HTML to lines of text: block elements break lines; blockquotes (and Yahoo's quoted
    div) become "> " lines; scripts, styles and webmail signature blocks are dropped."""

    BLOCK = _words(
        "p div tr li ul ol table h1 h2 h3 h4 h5 h6 hr section article header "
        "footer pre dd dt dl center address tbody thead form"
    )
    SKIP = _words("script style head title template noscript object")
    QUOTE_CLASSES = ("yahoo_quoted", "gmail_quote_container")
    SIGNATURE_MARKS = ("gmail_signature", "moz-signature", "signature")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.quote = 0
        self.skip = 0
        self.pre = 0
        # For each open <div>/<blockquote>: (adds a quote level, starts a skipped subtree).
        self.stack: list[tuple[bool, bool]] = []

    def _flush(self, *, force: bool = False) -> None:
        if self.skip:
            return
        text = "".join(self.buf)
        self.buf = []
        if not self.pre:
            text = " ".join(text.split())
        if text or force:
            self.lines.append("> " * self.quote + text if text else ">" * self.quote)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
            return
        if tag in ("div", "blockquote"):
            attr = dict(attrs)
            marks = " ".join((attr.get("class") or "", attr.get("id") or "")).lower()
            quotes = tag == "blockquote" or any(c in marks for c in self.QUOTE_CLASSES)
            skips = any(s in marks for s in self.SIGNATURE_MARKS)
            self._flush()
            self.stack.append((quotes, skips))
            self.quote += quotes
            self.skip += skips
            return
        if tag == "br":
            self._flush(force=True)
        elif tag in self.BLOCK:
            self._flush()
            if tag == "pre":
                self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("div", "blockquote"):
            self._flush()
            if self.stack:
                quotes, skips = self.stack.pop()
                self.quote = max(0, self.quote - quotes)
                self.skip = max(0, self.skip - skips)
            return
        if tag in self.BLOCK:
            self._flush()
            if tag == "p":
                self._flush(force=True)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buf.append(data)


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(html[: MAX_CHARS * 5])
        parser.close()
    except Exception:  # noqa: S110 - html.parser is tolerant; keep what was read
        pass
    parser._flush()
    return "\n".join(parser.lines)


_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile("[\u00a0\u2007\u202f\t]")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _normalize(text: str) -> str:
    text = text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text)).replace("\x00", "")
    return _BLANK_RUNS.sub("\n\n", text)


# --- visible_reply -----------------------------------------------------------------------------

_QUOTED = re.compile(r"^\s*>")
_QUOTE_MARKS = re.compile(r"^(?:\s*>)+\s?")
# "On Mon, Nov 16, 2026 at 9:00 AM Backbone <reply+…> wrote:" and its translations; the line
# that opens it may also be wrapped over two or three lines.
_ATTRIBUTION_END = re.compile(
    r"(?:wrote|writes|escribió|escribio|escribe|a écrit|a ecrit|schrieb|escreveu|ha scritto|"
    r"schreef|skrev)\s*:\s*$|<[^<>\s]+@[^<>\s]+>\)?\s*:\s*$",
    re.IGNORECASE,
)
# A digit only opens an attribution as a date ("16/11/2026 9:00, Ana escribió:", "16 nov 2026
# …"): "1 done" on the line above a "… wrote:" line is the person's answer.
_ATTRIBUTION_START = re.compile(
    r"^\s*(?:(?:on|el|le|am|em|il|op|den|en|mon|tue|wed|thu|fri|sat|sun|lun|mar|mi[eé]|jue|"
    r"vie|s[aá]b|dom)\b|\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}\.?\s+(?:de\s+)?(?:jan|feb|mar|"
    r"apr|may|jun|jul|aug|sep|oct|nov|dec|ene|abr|ago|dic)[a-z]*\.?\s+(?:de\s+)?\d{4})",
    re.IGNORECASE,
)
_DIGIT_OR_AT = re.compile(r"[\d@]")
# "-----Original Message-----", "-------- Mensaje original --------", forwarded-message lines.
_ORIGINAL = re.compile(
    r"^\s*[-_=*]{2,}\s*(?:original message|mensaje original|message d'origine|"
    r"urspr[üu]ngliche nachricht|mensagem original|forwarded message|mensaje reenviado|"
    r"message transf[ée]r[ée]|reply message|mensaje de respuesta)\s*[-_=*]{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD_INTRO = re.compile(
    r"^\s*(?:begin forwarded message|inicio del mensaje reenviado|comienzo del mensaje "
    r"reenviado)\s*:\s*$",
    re.IGNORECASE,
)
# Outlook's header block: "From: / Sent: / To: / Subject:" (and "De: / Enviado: / Para: /
# Asunto:"), bold when it came from HTML.
_HEADER = re.compile(
    r"^\s*\*{0,2}(from|de|von|da|sent|enviado|enviado el|date|fecha|to|para|subject|asunto|cc|"
    r"cco|bcc|reply-to|responder a|gesendet|an|betreff|objet|envoy[ée]|envoy[ée] le|[àa]|data|"
    r"assunto|sent on|received|recibido)\s*:\*{0,2}(.*)$",
    re.IGNORECASE,
)
_HEADER_FROM = frozenset({"from", "de", "von", "da"})
_HEADER_OTHER = frozenset(
    {
        "sent",
        "enviado",
        "enviado el",
        "date",
        "fecha",
        "to",
        "para",
        "subject",
        "asunto",
        "gesendet",
        "betreff",
        "objet",
        "envoyé",
        "envoye",
        "envoyé le",
        "envoye le",
        "assunto",
        "data",
        "sent on",
    }
)
_SEPARATOR = re.compile(r"^\s*[_\-=*]{8,}\s*$")
_SIG_DELIMITER = re.compile(r"^(?:--|__)\s*$")
# Footers phones and webmail add at the end of the person's text.
_FOOTER = re.compile(
    r"^\s*(?:sent (?:from|with|via|using) (?:my |the |yahoo|outlook|mail |gmail|samsung|android|"
    r"iphone|ipad|windows|bluemail|proton|aol|blackberry)|sent from \S+ (?:for|on) "
    r"(?:ios|android|iphone|windows)|get outlook for|enviado (?:desde|con|por|a trav[eé]s de) "
    r"(?:mi |el |la |yahoo|outlook|correo|gmail|samsung|android|iphone|ipad|windows)|"
    r"obt[eé]n(?:er)? outlook para|descarga(?:r)? outlook para|envoy[ée] (?:de|depuis) mon|"
    r"von meinem \S+ gesendet|enviado do meu|inviato da)[^\n]{0,80}$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks?(?: you)?(?: so much| again| all)?|thx|ty|many thanks|"
    r"best(?: regards| wishes)?|kind regards|warm regards|warmly|regards|cheers|sincerely|"
    r"all the best|take care|cordially|"
    r"respectfully|gracias|muchas gracias|mil gracias|saludos(?: cordiales)?|un saludo|"
    r"un abrazo|abrazos?|atentamente|cordialmente|besos|slds|bye|ciao|chao|hasta pronto|"
    r"quedo atent[oa]|merci|cumprimentos|obrigad[oa])[\s,.!]*$",
    re.IGNORECASE,
)
# Lines of the NAG email itself, defensively removed if a client did not quote them.
_NAG_LINE = re.compile(
    r"^\s*(?:(?:done|i need help|new date|listo|necesito ayuda|nueva fecha)\s*:?\s*<?https?://"
    r"\S+>?|.*(?:you can also simply reply|tambi[eé]n puede simplemente responder|"
    r"stop these reminders for this initiative|dejar de recibir estos recordatorios).*)\s*$",
    re.IGNORECASE,
)
# In the quoted NAG: "1. Book the venue — by Dec 4" (bold markers from HTML allowed).
_NUMBERED = re.compile(r"^\s*\**(\d{1,2})[.)]\**\s+\S")
_LINK_LINE = re.compile(
    r"https?://|^\s*(?:done|i need help|new date|listo|necesito ayuda|nueva fecha)\b",
    re.IGNORECASE,
)
# An own line that already says which commitment it is about ("2 done", "#2: …").
_ADDRESSED = re.compile(
    r"^\s*(?:#\s*|item\s+|n[º°o]\.?\s*)?\d{1,2}(?![\d/:.,-]\d|\s+de\s)(?:\s*[:.)\-–]|\s|$)",
    re.IGNORECASE,
)
_DASH_BULLET = re.compile(r"^(\s*)-(?=[^\s-])")


def _attribution_at(lines: list[str], i: int) -> int:
    """How many lines (1-3) the attribution line starting at i spans, or 0."""
    first = lines[i].strip()
    if not (_ATTRIBUTION_START.match(first) or "@" in first):
        return 0
    joined = first
    for span in range(1, 4):
        if len(joined) > 400:
            return 0
        if _ATTRIBUTION_END.search(joined) and _DIGIT_OR_AT.search(joined):
            return span
        nxt = i + span
        if nxt >= len(lines) or not lines[nxt].strip() or _QUOTED.match(lines[nxt]):
            return 0
        joined = f"{joined} {lines[nxt].strip()}"
    return 0


def _header_block_at(lines: list[str], i: int) -> bool:
    match = _HEADER.match(lines[i])
    if not match or not match.group(2).strip():
        return False
    keys = [match.group(1).lower()]
    for line in lines[i + 1 : i + 7]:
        found = _HEADER.match(line)
        if found:
            keys.append(found.group(1).lower())
        elif not line.strip() and len(keys) >= 2:
            break
    has_from = any(k in _HEADER_FROM for k in keys)
    return has_from and any(k in _HEADER_OTHER for k in keys) and len(keys) >= 2


def _next_nonblank(lines: list[str], i: int) -> int | None:
    for j in range(i, len(lines)):
        if lines[j].strip():
            return j
    return None


def _history_start(lines: list[str], i: int) -> bool:
    stripped = lines[i].strip()
    if _ORIGINAL.match(stripped) or _FORWARD_INTRO.match(stripped):
        return True
    if _SEPARATOR.match(stripped):
        j = _next_nonblank(lines, i + 1)
        return j is not None and _header_block_at(lines, j)
    return _header_block_at(lines, i)


# Signature lines: a phone number, an address, a web site, "Title | Organization".
_SIG_PHONE = re.compile(
    r"^\s*(?:(?:tel[eé]?f?(?:ono)?|phone|cell|mobile|m[oó]vil|celular|office|oficina|fax|"
    r"whatsapp|direct|[tmfcpo])\.?\s*:?\s*)?[+(]?\d[\d\s().\-/]{5,}\d"
    r"(?:\s*(?:ext|x|int)\.?\s*\d{1,5})?\s*$",
    re.IGNORECASE,
)
_SIG_ADDRESS = re.compile(
    r"^[^\s@]*\s*:?\s*<?[\w.+-]+@[\w-]+\.[\w.-]+>?\s*$|^\s*<?(?:https?://|www\.)\S+\s*$"
)
_SIG_BAR = re.compile(r"\S\s+[|•·]\s+\S")
# A name or title line: capitalised words (and the small words between them), no digits.
_NAME_WORD = re.compile(
    r"^(?:[A-ZÁÉÍÓÚÑÜ][\w'’.\-]*|[A-Z]\.|de|del|la|las|los|y|e|of|the|and|for|para|en|at|&)$"
)
# Words a person's answer uses; a line holding one is never taken for a name or a title.
_ANSWER_WORDS = _words(
    "done finished complete completed blocked stuck help need needs track progress working "
    "drop cancel cancelled canceled date yes no ok okay not yet sent listo lista listos hecho "
    "hecha terminado terminada completado completada bloqueado bloqueada ayuda necesito "
    "progreso proceso fecha cancelar cancelado descartar sí si todavía aún gracias thanks"
)


def _name_like(line: str) -> bool:
    text = line.strip().lstrip("-–—~ ").rstrip(",")
    words = text.replace(",", " ").split()
    if not 1 <= len(words) <= 6 or len(text) > 60 or any(c.isdigit() for c in text):
        return False
    if text.endswith(("!", "?", ":")) or (text.endswith(".") and not re.search(r"\b\w\.$", text)):
        return False
    if any(word.lower().strip(".") in _ANSWER_WORDS for word in words):
        return False
    return all(_NAME_WORD.match(word) for word in words) and words[0][:1].isupper()


def _strong_signature(line: str) -> bool:
    text = line.strip()
    if len(text) > 90:
        return False
    if _SIG_PHONE.match(text) or _SIG_ADDRESS.match(text):
        return True
    words = {w.lower() for w in re.findall(r"\w+", text)}
    return bool(_SIG_BAR.search(text)) and not words & _ANSWER_WORDS


def _drop_signature_block(own: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A signature without a "-- " line: the last lines are a name, a title, an organization,
    a phone number or an address. Only dropped when something is left before it, and, when no
    line is clearly a signature (phone, address, "Title | Organization"), only a short block
    of names set apart by a blank line (or a lone name of three words at most)."""
    start = len(own)
    strong = False
    while start > 0:
        line = own[start - 1][1]
        if _strong_signature(line):
            strong = True
        elif not _name_like(line):
            break
        start -= 1
    if start == len(own) or start == 0 or len(own) - start > 6:
        return own
    if strong:
        return own[:start]
    apart = own[start][0] - own[start - 1][0] > 1  # a blank line before the block
    block = own[start:]
    if apart and len(block) <= 3:
        return own[:start]
    if len(block) == 1 and len(block[0][1].split()) <= 3:
        return own[:start]
    return own


def _drop_sign_off(own: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A sign-off ("Thanks,", "Saludos,") after the person's text, followed by a few short
    lines (a name, a title, an organization, a phone, an address), ends the person's text."""
    for k, (_, line) in enumerate(own):
        if k == 0 or not _SIGN_OFF.match(line):
            continue
        rest = [text for _, text in own[k + 1 :] if text.strip()]
        if len(rest) <= 6 and all(
            len(text.strip()) <= 80 and not _ADDRESSED.match(text) for text in rest
        ):
            return own[:k]
    return own


def _library_pass(text: str) -> str:
    """email-reply-parser's generic quote and signature removal, kept only when it leaves
    something (its header rule can hide a whole short reply)."""
    if not text.strip() or len(text) > LIBRARY_MAX_CHARS:
        return text
    # "-1 done" would look like a "-Name" signature to it: a bullet, not a signature.
    guarded = "\n".join(_DASH_BULLET.sub(r"\1- ", line) for line in text.split("\n"))
    parsed: str = EmailReplyParser.parse_reply(guarded)
    return parsed if parsed.strip() else text


def visible_reply(text: str) -> str:
    """Only what the person wrote in this reply (see the module docstring)."""
    try:
        return _visible(text)
    except Exception:
        return ""


def _visible(text: str) -> str:
    lines = _normalize(text).split("\n")
    count = len(lines)
    # Per line: "own", "quote", "blank" or "drop".
    kinds = ["drop"] * count
    in_signature = False
    end = count
    i = 0
    while i < count:
        line = lines[i]
        if _QUOTED.match(line):
            kinds[i] = "quote"
            in_signature = False
            i += 1
            continue
        stripped = line.strip()
        if not stripped:
            kinds[i] = "blank"
            i += 1
            continue
        if _history_start(lines, i):
            end = i
            break
        span = _attribution_at(lines, i)
        if span:
            after = _next_nonblank(lines, i + span)
            if after is None or not _QUOTED.match(lines[after]):
                # The history that follows is not quoted (Yahoo, Outlook, HTML without
                # blockquotes): everything from here on is history.
                end = i
                break
            i += span
            continue
        if _SIG_DELIMITER.match(line.rstrip()) or _FOOTER.match(stripped):
            in_signature = True
        elif not in_signature and not _NAG_LINE.match(stripped):
            kinds[i] = "own"
        i += 1

    own = [(k, lines[k].rstrip()) for k in range(end) if kinds[k] == "own"]
    own = _drop_signature_block(_drop_sign_off(own))
    keep = {k for k, _ in own}
    quoted = [k for k in range(end) if kinds[k] == "quote"]
    first_quote = quoted[0] if quoted else end

    out: list[str] = []
    current: int | None = None  # the commitment number whose quoted lines are just above
    in_title = False
    for k in range(end):
        kind = kinds[k]
        if kind == "quote":
            content = _QUOTE_MARKS.sub("", lines[k]).strip()
            numbered = _NUMBERED.match(content)
            if numbered:
                current, in_title = int(numbered.group(1)), True
            elif not content or _LINK_LINE.search(content):
                in_title = False
            elif not in_title:
                current = None
            continue
        if kind == "blank":
            if out and out[-1]:
                out.append("")
            continue
        if k not in keep:
            continue
        line = lines[k].rstrip()
        if k > first_quote and current is not None and not _ADDRESSED.match(line):
            line = f"{current}: {line.strip()}"
        out.append(line)
    result = "\n".join(out).strip()
    return _BLANK_RUNS.sub("\n\n", _library_pass(result)).strip()
