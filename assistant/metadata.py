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
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlparse

from assistant.records import ArticleMeta

OVERRIDE_FILE = "metadata.toml"
FIELDS = ("title", "published", "outlet", "author", "url")

_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
#: Dates whose order is written out: ISO, "8 May 2020", "May 8, 2020".
_DATE_PATTERNS = [
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTHS})\.?,? (\d{{4}})\b"),
    re.compile(rf"\b({_MONTHS})\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b"),
]
#: All-numeric dates, 08/05/2020: day-first or month-first, which the date alone may not say.
_NUMERIC_DATE = re.compile(r"(?<!\d)(?<!\d[-/.])(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?!\d|[-/.]\d)")
#: A date in a URL's path: /2021/08/06/, 2021-08-06, 20210806.
_URL_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[/_-]?(\d{2})[/_-]?(\d{2})(?!\d)")
#: Where a numeric date is written month-first (region codes, as in a locale or a country domain).
MONTH_FIRST_REGIONS = {"us", "ph", "fm", "mh", "pw"}
#: Where it is written day-first. Others (Canada, where both are used; China, Japan or Korea,
#: where dates are written year-first) say nothing.
DAY_FIRST_REGIONS = {
    "uk", "gb", "ie", "au", "nz", "in", "pk", "bd", "lk", "za", "ng", "ke", "gh", "sg", "my", "hk",
    "fr", "de", "at", "ch", "be", "nl", "lu", "es", "pt", "it", "gr", "pl", "cz", "sk", "ro", "bg",
    "ru", "ua", "by", "tr", "il", "eg", "ae", "sa", "br", "ar", "mx", "cl", "co", "pe", "ve",
    "dk", "no", "se", "fi", "is", "ee", "lv", "lt", "hr", "si", "rs", "id", "vn", "th",
}
#: Languages written day-first wherever they are used (English is not: en-US is month-first).
DAY_FIRST_LANGUAGES = {"fr", "de", "es", "pt", "it", "nl", "ru", "uk", "pl", "tr", "el", "cs", "ro", "id", "vi"}
_COPYRIGHT = re.compile(r"(?:©|\(c\)|\bcopyright\b)", re.IGNORECASE)
_COPYRIGHT_NOISE = re.compile(r"©|\(c\)|\bcopyright\b|\b(19|20)\d{2}\b|[-–]|\ball rights reserved\b.*|\bby\b", re.IGNORECASE)
_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@([\w-]+)\.[\w.]+")
_AGENCY = re.compile(r"^(Reuters|AP|AFP|Associated Press|Agence France-Presse|PTI|ANI|IANS|Bloomberg)\s*\|")


class MetadataError(ValueError):
    """A metadata value that cannot be used, naming the field."""


@dataclass(frozen=True)
class FoundDate:
    """A date read from a page. `inferred` says why, where the date as written did not settle
    it (06/08/2021 is 6 August or 8 June): the evidence its reading was taken from."""

    value: date
    inferred: str | None = None


def parse_date(value: object, url: str | None = None, locale: str | None = None) -> FoundDate | None:
    """A date from a date, datetime or string (ISO 8601 or a common written form). A numeric
    date that reads two ways is settled by the URL or locale given, or refused."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return FoundDate(value.date())
    if isinstance(value, date):
        return FoundDate(value)
    text = str(value).strip()
    try:
        return FoundDate(date.fromisoformat(text[:10]))
    except ValueError:
        pass
    found = read_date(text, url=url, locale=locale)
    if found is None:
        if ambiguous := _ambiguous(text):
            raise MetadataError(f"published: {ambiguous}; write it as YYYY-MM-DD")
        raise MetadataError(f"published: cannot read a date from {text!r}; use YYYY-MM-DD")
    return found


def read_date(text: str, context: str = "", url: str | None = None, locale: str | None = None) -> FoundDate | None:
    """The first full date written in the text: one whose order is written out (2021-08-06,
    6 August 2021) first, else a numeric one.

    A numeric date that reads two ways (06/08/2021) is never guessed: it is read in the order
    that the article's other numeric dates show (25/08/2021 elsewhere in `text` or `context`,
    the whole page, is day-first), else the one the URL's date confirms, else the convention
    of the `locale` or the URL's country; the date is then marked inferred, with that reason.
    With none of these, that date is passed over for the next.
    """
    from dateutil import parser as dateparser

    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        try:
            return FoundDate(dateparser.parse(m.group(0)).date())
        except (ValueError, OverflowError):
            continue
    for m in _NUMERIC_DATE.finditer(text):
        readings = _readings(m)
        if len(set(readings.values())) == 1:
            return FoundDate(next(iter(readings.values())))  # one valid order, or day == month
        if readings and (settled := _settle(m.group(0), readings, f"{text}\n{context}", url, locale)):
            return settled
    return None


def _readings(m: re.Match) -> dict[str, date]:
    """The valid dates a numeric date can be, by order ("day-first", "month-first")."""
    a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    out = {}
    for order, (day, month) in (("day-first", (a, b)), ("month-first", (b, a))):
        try:
            out[order] = date(year, month, day)
        except ValueError:
            pass
    return out


def _settle(written: str, readings: dict[str, date], page: str, url: str | None, locale: str | None) -> FoundDate | None:
    """One reading of an ambiguous numeric date, from evidence, with the reason; else None."""
    shown: dict[str, str] = {}  # each order the page's other numeric dates show, with an example
    for m in _NUMERIC_DATE.finditer(page):
        if order := _order_of(m):
            shown.setdefault(order, m.group(0))
    if len(shown) == 1:
        order, example = next(iter(shown.items()))
        return FoundDate(readings[order], f"{written} read {order}, as {example} elsewhere in the article is written")
    if url and (m := _URL_DATE.search(urlparse(url).path)):
        try:
            in_url = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            in_url = None
        matching = [order for order, d in readings.items() if d == in_url]
        if len(matching) == 1:
            return FoundDate(in_url, f"{written} read {matching[0]}, matching the date in the URL {url}")
    order, where = _convention(url, locale)
    if order in readings:
        return FoundDate(readings[order], f"{written} read {order}, the convention of {where}")
    return None


def _order_of(m: re.Match) -> str | None:
    """The order a numeric date shows by itself: a first part over 12 is a day, a second one is."""
    a, b = int(m.group(1)), int(m.group(3))
    if a > 12 >= b >= 1:
        return "day-first"
    if b > 12 >= a >= 1:
        return "month-first"
    return None


def _convention(url: str | None, locale: str | None) -> tuple[str | None, str]:
    """The numeric date order of a locale ("en-GB", "fr") or else of a URL's country domain."""
    if locale:
        language, _, region = str(locale).replace("_", "-").lower().partition("-")
        region = region.split("-")[-1]
        if region in MONTH_FIRST_REGIONS:
            return "month-first", f"the locale {locale}"
        if region in DAY_FIRST_REGIONS or (not region and language in DAY_FIRST_LANGUAGES):
            return "day-first", f"the locale {locale}"
    host = urlparse(url).hostname if url else None
    tld = host.rsplit(".", 1)[-1] if host and "." in host else ""
    if tld in MONTH_FIRST_REGIONS:
        return "month-first", f"the URL's country (.{tld})"
    if tld in DAY_FIRST_REGIONS:
        return "day-first", f"the URL's country (.{tld})"
    return None, ""


def _ambiguous(text: str) -> str | None:
    """Why a numeric date in the text cannot be read alone: "06/08/2021 could be ..."."""
    for m in _NUMERIC_DATE.finditer(text):
        readings = _readings(m)
        if len(set(readings.values())) == 2:
            a, b = readings["day-first"], readings["month-first"]
            return f"{m.group(0)} could be {a.day} {a:%B} or {b.day} {b:%B} {a.year} (day-first or month-first)"
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
    return next((m.group(1) for line in header if (m := _AGENCY.match(line))), None)


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
#: `locale` ("en-GB", "fr") says how the page writes numeric dates; `published_inferred` says
#: why a given date is inferred, not read from the page.
OTHER_KEYS = {"id", "note", "agency", "text", "clean", "locale", "published_inferred"}


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

    Keys that are no field (front matter `tags`, a dataset's `category`) are ignored. A date
    is inferred where the page's (`extracted["published_inferred"]`) was, or where an override
    says so (`published_inferred = "why"`, as metadata.toml notes its inferred dates).
    """
    override = canonical(override)
    values = {k: extracted.get(k) for k in FIELDS + ("agency",)}
    values.update({k: v for k, v in override.items() if k in FIELDS + ("agency",) and v not in (None, "")})
    title = str(values["title"] or fallback_title).strip()
    overridden = override.get("published") not in (None, "")
    found = parse_date(values["published"], url=str(values["url"] or "") or None, locale=override.get("locale"))
    inferred = override.get("published_inferred") if overridden else extracted.get("published_inferred")
    inferred = inferred or (found.inferred if found else None)
    return ArticleMeta(
        title=title,
        published=found.value if found else None,
        published_inferred=str(inferred).strip() if found and inferred else None,
        **{k: str(values[k]).strip() if values[k] else None for k in ("outlet", "author", "url", "agency")},
    )


# A writer's corrections ----------------------------------------------------------------------

#: The fields a writer corrects, as the Corpus tab labels them (its errors name them so).
CORRECTABLE = {"title": "Title", "outlet": "Outlet", "author": "Author", "published": "Date", "url": "URL"}
#: Why a date is inferred where a writer marked it so without saying why.
WRITER_INFERRED = "marked by a writer as not stated in the article"


def check_correction(values: dict[str, str | None], inferred: bool, meta: ArticleMeta) -> dict[str, str]:
    """A writer's corrections of `meta`: each field whose value differs from it, as stored
    ("" for not stated); `published_inferred` is why the date is inferred ("" for a date the
    article states). MetadataError names the field, as the form labels it, and the fix."""
    out: dict[str, str] = {}
    for name, label in CORRECTABLE.items():
        value = " ".join(str(values.get(name) or "").split())
        if name == "title" and not value:
            raise MetadataError(f"{label}: an article needs a headline; write one, or leave the one it had.")
        if name == "published" and value:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise MetadataError(f"{label}: '{value}' is not in YYYY-MM-DD form; write it as, for example, 2016-07-04.")
            try:
                date.fromisoformat(value)
            except ValueError:
                raise MetadataError(f"{label}: '{value}' is not a real calendar date; write it as YYYY-MM-DD.") from None
        if name == "url" and value and not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", value, re.IGNORECASE):
            raise MetadataError(f"{label}: '{value}' is not a web address; it starts with http:// or https://.")
        if len(value) > 500:
            raise MetadataError(f"{label}: over 500 characters; shorten it.")
        now = getattr(meta, name)
        if value != (now.isoformat() if isinstance(now, date) else now or ""):
            out[name] = value
    day = out.get("published", meta.published.isoformat() if meta.published else "")
    if inferred and not day:
        raise MetadataError("Date: a date marked as not stated in the article needs the date; write it, or untick the box.")
    reason = (meta.published_inferred if "published" not in out else None) or WRITER_INFERRED
    if bool(inferred) != bool(meta.published_inferred and day) or (inferred and "published" in out):
        out["published_inferred"] = reason if inferred else ""
    return out


def corrected(meta: ArticleMeta, corrections: dict[str, str]) -> ArticleMeta:
    """`meta` with a writer's corrections applied: they win over what the file says."""
    if not corrections:
        return meta
    fields = {k: (v or None) for k, v in corrections.items() if k in CORRECTABLE and k != "published"}
    if "published" in corrections:
        fields["published"] = date.fromisoformat(corrections["published"]) if corrections["published"] else None
    if "published_inferred" in corrections:
        fields["published_inferred"] = corrections["published_inferred"] or None
    fields["title"] = fields.get("title") or meta.title
    out = replace(meta, **fields)
    return out if out.published else replace(out, published_inferred=None)
