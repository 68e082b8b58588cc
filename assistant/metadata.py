"""Article metadata: extracted from the page where it can be, overridden where it cannot.

Overrides come from front matter (Markdown), the fields of a JSONL record, or a
`metadata.toml` file beside the articles, keyed by file name:

    ["001_71228e5b8b7cf2af.txt"]
    outlet = "Example News"
    published = 2016-04-19
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlparse

from assistant.records import ArticleMeta

OVERRIDE_FILE = "metadata.toml"
FIELDS = ("title", "published", "outlet", "author", "url")

_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_DATE_PATTERNS = [
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTHS})\.?,? (\d{{4}})\b"),
    re.compile(rf"\b({_MONTHS})\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b"),
    re.compile(r"\b(\d{2})[-/.](\d{2})[-/.](\d{4})\b"),
]
_COPYRIGHT = re.compile(r"(?:©|\(c\)|\bcopyright\b)", re.IGNORECASE)
_COPYRIGHT_NOISE = re.compile(r"©|\(c\)|\bcopyright\b|\b(19|20)\d{2}\b|[-–]|\ball rights reserved\b.*|\bby\b", re.IGNORECASE)
_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@([\w-]+)\.[\w.]+")
_AGENCY = re.compile(r"^(Reuters|AP|AFP|Associated Press|Agence France-Presse|PTI|ANI|IANS|Bloomberg)\s*\|")


class MetadataError(ValueError):
    """A metadata value that cannot be used, naming the field."""


def parse_date(value: object) -> date | None:
    """An ISO date from a date, datetime or string (ISO 8601 or a common written form)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    found = find_date(text)
    if found is None:
        raise MetadataError(f"published: cannot read a date from {text!r}; use YYYY-MM-DD")
    return found


def find_date(text: str) -> date | None:
    """The first full date (day, month and year) written in the text."""
    from dateutil import parser as dateparser

    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        try:
            if pattern is _DATE_PATTERNS[3]:
                return dateparser.parse(m.group(0), dayfirst=True).date()
            return dateparser.parse(m.group(0)).date()
        except (ValueError, OverflowError):
            continue
    return None


def outlet_from(header: list[str], footer: list[str], url: str | None = None) -> str | None:
    """The outlet's name from a copyright line, a footer line naming the site's domain, or the URL."""
    for line in footer + header:
        if _COPYRIGHT.search(line):
            name = _COPYRIGHT_NOISE.sub(" ", line.split("|")[0]).strip(" .,")
            if name and name[0].isupper() and len(name.split()) <= 6:
                return " ".join(name.split())
    domains = {d.lower() for line in footer for d in _EMAIL_DOMAIN.findall(line)}
    for line in footer:
        if line.lower().replace(" ", "") in domains:
            return line.strip()
    if url:
        host = urlparse(url).netloc.lower().removeprefix("www.")
        return host or None
    return None


def agency_from(header: list[str]) -> str | None:
    for line in header:
        m = _AGENCY.match(line)
        if m:
            return m.group(1)
    return None


def load_overrides(folder: Path) -> dict[str, dict]:
    """The metadata.toml of a folder, keyed by file name; empty when there is none."""
    path = folder / OVERRIDE_FILE
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MetadataError(f"{path}: cannot read it ({exc.strerror}); check its permissions") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{path}: not valid TOML ({exc}); fix or remove it") from exc
    out = {str(k): v for k, v in data.items() if isinstance(v, dict)}
    for name, fields in out.items():
        unknown = set(fields) - set(FIELDS) - set(ALIASES) - OTHER_KEYS
        if unknown:
            raise MetadataError(
                f"{path}: [{name!r}] has unknown field(s) {sorted(unknown)}; allowed: {', '.join(FIELDS)}"
            )
    return out


#: Other names for the fields, as front matter and news datasets write them.
ALIASES = {
    "date": "published", "published_at": "published", "pubdate": "published",
    "source": "outlet", "sitename": "outlet", "site_name": "outlet", "publisher": "outlet",
    "link": "url", "byline": "author", "authors": "author", "headline": "title",
}
#: Keys an override may carry besides the fields and their aliases.
OTHER_KEYS = {"id", "note", "agency", "text", "clean"}


def canonical(override: dict) -> dict:
    """Aliases renamed to their field (an explicit field wins); other keys kept as they are."""
    out = {k: v for k, v in override.items() if k not in ALIASES}
    for alias, field in ALIASES.items():
        if alias in override and out.get(field) in (None, ""):
            value = override[alias]
            out[field] = ", ".join(map(str, value)) if isinstance(value, list) else value
    return out


def merge(extracted: dict, override: dict, fallback_title: str) -> ArticleMeta:
    """Extracted values, with every non-empty override winning; the title is never empty.

    Keys that are no field (front matter `tags`, a dataset's `category`) are ignored.
    """
    override = canonical(override)
    values = {k: extracted.get(k) for k in FIELDS + ("agency",)}
    values.update({k: v for k, v in override.items() if k in FIELDS + ("agency",) and v not in (None, "")})
    title = str(values["title"] or fallback_title).strip()
    return ArticleMeta(
        title=title,
        published=parse_date(values["published"]),
        outlet=str(values["outlet"]).strip() if values["outlet"] else None,
        author=str(values["author"]).strip() if values["author"] else None,
        url=str(values["url"]).strip() if values["url"] else None,
        agency=str(values["agency"]).strip() if values["agency"] else None,
    )
