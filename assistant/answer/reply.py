"""Reading an LLM's reply: its citation keys, sentences and refusals.

Models write keys in many shapes ([1], [1, 2], [1-3], [^1], 【1†source】, "(2)" at a sentence's
end, [Passage 1]); they are rewritten as `[k]` keys of real passages, and keys that name no
passage are removed and counted. The reply is then split into sentences, each tied to the
passages its keys name; a reply that is the refusal phrase is a refusal.
"""

from __future__ import annotations

import re

from assistant.answer import REFUSAL, Draft, DraftSentence
from assistant.chunk import split_sentences
from assistant.records import Passage
from assistant.text import normalize

# A citation marker: [1], [1, 2], [1-3], [^1], [[1]], 【1】, 【1†source】, [Passage 1], [source 2; 3].
_LABEL = r"(?:\^|\#|(?:passages?|sources?|refs?|references?|documents?|docs?|articles?|citations?)\s*)?"
_MARKER = re.compile(
    rf"(?:\[\[|\[|【|［)\s*{_LABEL}(?P<body>\d+(?:\s*(?:,|;|-|–|—|and|&)\s*{_LABEL}\d+)*)\s*(?:†[^\]】］]*)?(?:\]\]|\]|】|］)",
    re.IGNORECASE,
)
# "(1)" is an enumeration as often as a key: only at a sentence's end, after a word, is it a key.
_PAREN_MARKER = re.compile(r"(?<=\w)\s*\((?P<body>\d{1,2}(?:\s*,\s*\d{1,2})*)\)(?=\s*(?:[.!?…]|$))", re.MULTILINE)
# Marker-shaped leftovers that carry no usable key: [^a], 【source】, [].
_JUNK_MARKER = re.compile(r"\[\^[^\]\s]*\]|【[^】]*】|\[\s*\]")
_KEY = re.compile(r"\[(\d+)\]")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def _marker_keys(body: str) -> list[int]:
    keys: list[int] = []
    for part in re.split(r"\s*(?:,|;|and|&)\s*", body.strip(), flags=re.IGNORECASE):
        nums = [int(n) for n in re.findall(r"\d+", part)]
        if len(nums) == 2 and re.search(r"[-–—]", part) and 0 < nums[1] - nums[0] <= 10:
            keys.extend(range(nums[0], nums[1] + 1))
        else:
            keys.extend(nums)
    return keys


def normalize_keys(text: str, n_passages: int) -> tuple[str, int]:
    """Every citation marker rewritten as `[k]` keys of real passages; the count of removed keys."""
    removed = 0

    def canonical(m: re.Match) -> str:
        nonlocal removed
        keys = _marker_keys(m.group("body"))
        good = [k for k in dict.fromkeys(keys) if 1 <= k <= n_passages]
        removed += len(keys) - len([k for k in keys if 1 <= k <= n_passages])
        return (" " + "".join(f"[{k}]" for k in good)) if good else ""

    text = _MARKER.sub(canonical, text)
    text = _PAREN_MARKER.sub(canonical, text)
    text = _JUNK_MARKER.sub("", text)
    # "ties.[1] Next" -> "ties. [1] Next", so that the sentence splitter sees the boundary.
    text = re.sub(r"([.!?…][\"'”’)]*)(\[\d)", r"\1 \2", text)
    return text, removed


def _clean(text: str) -> str:
    text = _BULLET.sub("", text)
    text = re.sub(r"\s+([.,;:!?…])", r"\1", text)
    return " ".join(text.split())


def split_cited(text: str) -> list[tuple[str, list[int]]]:
    """Sentences of a key-normalized reply, each with its keys (0-based passage indices)."""
    out: list[tuple[str, list[int]]] = []
    for s in split_sentences(text):
        body = s.text
        lead = re.match(r"^(?:\s*\[\d+\])+", body)
        if lead and out:
            out[-1][1].extend(int(k) - 1 for k in _KEY.findall(lead.group(0)))
            body = body[lead.end() :]
        keys = [int(k) - 1 for k in _KEY.findall(body)]
        sentence = _clean(_KEY.sub("", body))
        if not re.search(r"\w", sentence):
            if out:
                out[-1][1].extend(keys)
            continue
        out.append((sentence, keys))
    return [(t, list(dict.fromkeys(k))) for t, k in out]


def _is_refusal(text: str) -> bool:
    return normalize(text) == normalize(REFUSAL)


def parse_reply(raw: str, passages: list[Passage], prompt_hash: str | None = None) -> Draft:
    """A `Draft` from the model's reply: sentences tied to the passages their keys name."""
    text, removed = normalize_keys(raw, len(passages))
    cited = split_cited(text)
    answer = [(t, k) for t, k in cited if not _is_refusal(t)]
    refused = _is_refusal(_KEY.sub("", text)) or (len(answer) < len(cited) and not any(k for _, k in answer))
    if refused or not answer:
        return Draft(refused=True, text=REFUSAL, sentences=[], removed_keys=removed, prompt_hash=prompt_hash, raw=raw)
    sentences = [
        DraftSentence(text=t, passage_index=k[0] if k else None, extra_passages=tuple(k[1:])) for t, k in answer
    ]
    return Draft(
        refused=False,
        text=" ".join(t for t, _ in answer),
        sentences=sentences,
        removed_keys=removed,
        prompt_hash=prompt_hash,
        raw=raw,
        unsupported=[i for i, (_, k) in enumerate(answer) if not k],
    )
