"""Cleaning scraped article text: keep every sentence of the body, drop the page around it.

Scraped pages put menus, icon lists, duplicated headlines, captions, sidebars ("Trending",
"Latest News", "More in Politics"), comment forms, newsletter prompts, author blurbs and
footers around the article. The cleaner finds the headline, the first body paragraph after
it and the first "end of article" marker after that, and keeps the prose in between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$|[”\"]$")
_WORD = re.compile(r"[\w’'-]+", re.UNICODE)

# Lines that are never article text, wherever they stand.
_JUNK_LINE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(connect with us|hi, what are you looking for\??|left menu|click to comment|written by|to top|give feedback|share( this)?( article| story)?:?|advertisement|skip to (main )?content|menu|search|home|log ?in|sign ?up|print|email)$",
        r"^\d{1,2}:\d{2}(:\d{2})?$",
        r"^(©|\(c\)|copyright\b)|\bcopyright ©|© ?copyright\b|all rights reserved",
        r"your email address will not be published|required fields are marked",
        r"^(email|phone|tel|fax):",
        r"^\w+( \| \w+)+$",
        r"\| (updated|created|published):",
        r"subscribe to our newsletter|sign up for our newsletter|follow us on (twitter|facebook)",
        r"^(development news edition|editions?|sectors|other links|other products|connect|videos)$",
    )
]

# Captions and credits: junk only on a short line, since prose can say "in the public domain".
_CAPTION = re.compile(
    r"\bimage credit\b|\bphoto credit\b|\bpublic domain\b|\bgetty images\b|^photo:|^image:|^video:|\(photo[: ]",
    re.IGNORECASE,
)
CAPTION_MAX_WORDS = 20

# Lines that end the article: everything after them is page furniture.
_END_MARKER = re.compile(
    r"^(leave a reply|leave a comment|\d+ comments?|comments|trending( now| stories)?|latest news|"
    r"more in [\w ]+|more from [\w ]+|related( articles| stories| news| posts)?:?|also read:?.*|read more:?.*|"
    r"recommended( for you)?|you may also like|popular( posts| stories)?|podcasts?|opinion / blog.*|"
    r"about [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}|written by|click to comment|share this( article| story)?:?|"
    r"tags?:.*|filed under:?.*|want to get updates.*)$",
    re.IGNORECASE,
)

_ICON_TOKEN = re.compile(r"icon", re.IGNORECASE)
_GLUED_ALT = re.compile(r"^([a-z]{3,})([A-Z][a-z]+ )")
_BYLINE = re.compile(r"^(by )?([A-Z][a-zA-Z.'-]+( [A-Z][a-zA-Z.'-]+){1,3})$")
#: A byline above the body: "By Anna Keller", "By Anna Keller | Baltic Wire Service | 29 January 2017".
_HEADER_BYLINE = re.compile(r"^by\s+(.+)$", re.IGNORECASE)
_NAME = re.compile(r"^[A-Z][\w.'’-]+(?: (?:[A-Z][\w.'’-]+|and|de|van|von|der|al|bin|da|di|la|le)){1,6}$")
_BYLINE_SEPARATORS = re.compile(r"\s+[|·•]\s+|\s+[–—]\s+")


@dataclass
class CleanedPage:
    """The body of a scraped page and what the page said about it."""

    body: str
    title: str | None = None
    header_lines: list[str] = field(default_factory=list)
    footer_lines: list[str] = field(default_factory=list)
    author: str | None = None
    outlet: str | None = None  # named on the byline line: "By Anna Keller | Baltic Wire Service"


def _words(line: str) -> int:
    return len(_WORD.findall(line))


def is_junk(line: str) -> bool:
    if any(p.search(line) for p in _JUNK_LINE):
        return True
    if _CAPTION.search(line) and _words(line) <= CAPTION_MAX_WORDS:
        return True
    tokens = line.split()
    return len(tokens) >= 5 and sum(bool(_ICON_TOKEN.search(t)) for t in tokens) / len(tokens) > 0.3


def is_end_marker(line: str) -> bool:
    return bool(_END_MARKER.match(line.strip()))


def is_prose(line: str) -> bool:
    """A paragraph of running text: enough words and a sentence ending."""
    n = _words(line)
    if n >= 25:
        return True
    return n >= 4 and bool(_SENTENCE_END.search(line))


def _is_headline_candidate(line: str) -> bool:
    n = _words(line)
    return 3 <= n <= 30 and not _SENTENCE_END.search(line.rstrip("’'\""))


def _find_title(lines: list[str], known_title: str | None) -> tuple[str | None, int]:
    """The headline and the index of its last copy near the top (-1 when none)."""
    if known_title:
        norm = known_title.strip().lower()
        hits = [i for i, line in enumerate(lines[:40]) if line.lower() == norm]
        return known_title.strip(), (hits[-1] if hits else -1)
    head = lines[: max(1, min(len(lines), 25))]
    first_prose = next((i for i, line in enumerate(head) if is_prose(line) and not is_junk(line)), len(head))
    candidates = [
        i for i, line in enumerate(head[:first_prose]) if _is_headline_candidate(line) and not is_junk(line)
    ]
    if not candidates:
        return None, -1
    counts: dict[str, int] = {}
    for i in candidates:
        counts[lines[i]] = counts.get(lines[i], 0) + 1
    repeated = [i for i in candidates if counts[lines[i]] > 1]
    chosen = lines[repeated[0]] if repeated else lines[candidates[0]]
    last = max(i for i in candidates if lines[i] == chosen)
    return chosen, last


def _author_near_end(tail: list[str]) -> str | None:
    """A byline from the lines after the body: "About Jane Doe", or a name before "Written By"."""
    for i, line in enumerate(tail[:8]):
        m = re.match(r"^about ([A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3})$", line, re.IGNORECASE)
        if m:
            return m.group(1)
        if line.lower() == "written by" and i > 0 and _BYLINE.match(tail[i - 1]):
            return _BYLINE.match(tail[i - 1]).group(2)
    return None


def header_byline(header: list[str]) -> tuple[str | None, str | None]:
    """The author and outlet of a byline line above the body: `By Anna Keller | Baltic Wire
    Service | 29 January 2017` is ("Anna Keller", "Baltic Wire Service"); its date is left to
    the date reader. Parts with a digit (dates, times) are not an outlet."""
    for line in header[:15]:
        m = _HEADER_BYLINE.match(line)
        if not m:
            continue
        name, *rest = _BYLINE_SEPARATORS.split(m.group(1).strip())
        if not _NAME.match(name.strip()):
            continue
        outlets = [p.strip() for p in rest if p.strip() and not re.search(r"\d", p) and p.strip()[0].isupper()]
        return name.strip(), (outlets[0] if outlets and len(outlets[0].split()) <= 6 else None)
    return None, None


def _unglue(line: str) -> str:
    """Drop image alt text glued to a paragraph's first word ("putinLast week" -> "Last week")."""
    m = _GLUED_ALT.match(line)
    return line[len(m.group(1)) :] if m else line


def clean_text(raw: str, known_title: str | None = None) -> CleanedPage:
    """Split a scraped text page into body, headline and the lines around the body."""
    lines = [line.strip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    title, title_at = _find_title(lines, known_title)

    start = None
    for i in range(title_at + 1, len(lines)):
        line = lines[i]
        if is_junk(line) or is_end_marker(line) or (title and line == title):
            continue
        if is_prose(line):
            start = i
            break
    if start is None:
        kept = [line for line in lines[title_at + 1 :] if not is_junk(line) and line != title]
        return CleanedPage(body="\n".join(kept), title=title, header_lines=lines[: title_at + 1])

    end = len(lines)
    for i in range(start + 1, len(lines)):
        if is_end_marker(lines[i]):
            end = i
            break
    body_lines: list[str] = []
    last = start
    for i in range(start, end):
        line = _unglue(lines[i])
        # Short lines inside the body span (a caption, a byline) are not body.
        if is_junk(line) or line == title or not is_prose(line):
            continue
        body_lines.append(line)
        last = i
    author, outlet = header_byline(lines[:start])
    return CleanedPage(body="\n".join(body_lines), title=title, header_lines=lines[:start], footer_lines=lines[last + 1 :],
                       author=author or _author_near_end(lines[last + 1 :]), outlet=outlet)
