"""Sources that disagree are shown side by side: other numbers, or one of them negated.

A small real index (MiniLM, embedded Chroma) of four reports of one phone call: two agree on
its length, one gives another, one reports an earlier call between other people.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cite import render_markdown, render_text
from assistant.config import load_settings
from assistant.disagree import _conflict, _Raw, _Sentence
from assistant.ingest import ingest
from assistant.pipeline import Assistant
from assistant.ui_sources import sources_html

ROOT = Path(__file__).resolve().parent.parent

REPORTS = [
    {
        "id": "kremlin-wire", "title": "Putin and Trump hold first call", "outlet": "Kremlin Wire", "published": "2017-01-29",
        "text": "Vladimir Putin and Donald Trump spoke by telephone on Saturday.\n"
        "The phone call between Putin and Trump lasted 45 minutes, the Kremlin said.\n"
        "Putin and Trump discussed sanctions during the call, according to the Kremlin.",
    },
    {
        "id": "capitol-daily", "title": "Trump calls Putin from the Oval Office", "outlet": "Capitol Daily", "published": "2017-01-29",
        "text": "Donald Trump called Vladimir Putin from the Oval Office on Saturday.\n"
        "The phone call between Putin and Trump lasted 50 minutes, the White House said.\n"
        "Putin and Trump did not discuss sanctions during the call, according to the White House.",
    },
    {
        "id": "harbour-gazette", "title": "Leaders talk by phone", "outlet": "Harbour Gazette", "published": "2017-01-30",
        "text": "The leaders of Russia and the United States talked on Saturday.\n"
        "The phone call between Putin and Trump lasted 45 minutes, officials said.",
    },
    {
        "id": "older-call", "title": "Obama and Putin speak", "outlet": "Old Times", "published": "2016-02-15",
        "text": "Barack Obama and Vladimir Putin spoke about Syria.\n"
        "The phone call between Putin and Obama lasted 90 minutes, the Kremlin said.",
    },
]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("disagree")
    (root / "reports.jsonl").write_text("".join(json.dumps(r) + "\n" for r in REPORTS), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    (root / "empty.toml").write_text("")
    mp.setenv("ASSISTANT_CONFIG", str(root / "empty.toml"))
    settings = load_settings(index_dir=root / "index")
    report = ingest(settings, paths=[root / "reports.jsonl"])
    assert report.ok and len(report.added) == 4, report.to_dict()
    yield Assistant(settings)
    mp.undo()


def test_other_numbers_for_one_statement_are_shown_side_by_side(assistant):
    answer = assistant.ask("How long did the phone call between Putin and Trump last?")
    assert not answer.refused and "minutes" in answer.text
    # One disagreement: the 50-minute report beside both 45-minute ones.
    assert [d.about for d in answer.disagreements] == ["numbers"], answer.to_dict()
    d = answer.disagreements[0]
    assert sorted(c.outlet for c in d.claims) == ["Capitol Daily", "Harbour Gazette", "Kremlin Wire"]
    assert sorted(d.detail.split(" / ")) == ["45 minutes", "50 minutes"]
    # A call between other people is another event, not a disagreement.
    assert all(c.outlet != "Old Times" for x in answer.disagreements for c in x.claims)
    for c in d.claims:  # each side points at its article's exact sentence
        text = assistant.retriever.store.article_text(c.article_id)
        assert text[c.start : c.end] == c.sentence and "lasted" in c.sentence
    cited = {c.article_id: c.key for c in answer.citations}
    assert [c.key is not None for c in d.claims] == [True, True, False]  # cited first
    assert all(c.key == cited[c.article_id] for c in d.claims[:2])

    shown = render_text(answer)
    assert "≠ Sources differ (" in shown and "Capitol Daily" in shown and "lasted 50 minutes" in shown
    assert "**Sources differ (" in render_markdown(answer)
    assert "class='differ'" in sources_html(answer) and "lasted 50 minutes" in sources_html(answer)
    claim = json.loads(json.dumps(answer.to_dict()))["disagreements"][0]["claims"][0]
    assert claim["sentence"] and claim["outlet"] and claim["published"] in ("2017-01-29", "2017-01-30")


def test_a_negated_report_is_shown_side_by_side(assistant):
    answer = assistant.ask("Did Putin and Trump discuss sanctions during the call?")
    negations = [d for d in answer.disagreements if d.about == "negation"]
    assert negations, answer.to_dict()
    sentences = {c.sentence for c in negations[0].claims}
    assert any("did not discuss" in s for s in sentences) and any("discussed sanctions" in s for s in sentences)


def test_reports_of_different_events_are_not_disagreements(built_index):
    """The bundled articles report five different events, with many different numbers and
    similar wording: none of the eval questions' answers may show a disagreement."""
    bundled = Assistant(load_settings(index_dir=built_index))
    questions = [json.loads(line)["question"] for line in (ROOT / "evals" / "news.jsonl").read_text(encoding="utf-8").splitlines()]
    shown = {q: bundled.ask(q).disagreements for q in questions}
    assert len(shown) > 60 and not any(shown.values()), {q: d for q, d in shown.items() if d}


@pytest.mark.parametrize(
    "a, b, about",
    [
        ("The phone call lasted 45 minutes, the Kremlin said.", "The phone call lasted 50 minutes, the White House said.", "numbers"),
        ("Putin and Trump discussed sanctions during the call.", "Putin and Trump did not discuss sanctions during the call.", "negation"),
        # Other years, other events: two elections, not one counted twice.
        ("Putin won 77 percent of the vote in the 2018 election.", "Putin won 63 percent of the vote in the 2012 election.", None),
        # Numbers that count different things, or nothing: a date, a year, "first".
        ("Putin and Trump met in Helsinki on July 16.", "Putin and Trump met in Helsinki in 2018.", None),
        # Other months, other events; a sentence opener names no one.
        ("The Lakeview ferry took 40 minutes in March, the operator said.", "The Lakeview ferry took 55 minutes in June, the operator said.", None),
        ("However, the Lakeview ferry carried 300 passengers, the operator said.", "The Lakeview ferry carried 340 passengers, the operator said.", "numbers"),
        ("Putin and Trump held their first meeting in Helsinki.", "Putin and Trump held a two-hour meeting in Helsinki.", None),
        # Rewordings of one polarity.
        ("The Kremlin cannot accept the offer from Washington.", "The Kremlin could not accept the offer from Washington.", None),
        ("Neither Putin nor Trump commented on the report.", "Putin and Trump did not comment on the report.", None),
        ("The Kremlin denied the report about the call.", "The Kremlin did not comment on the report about the call.", None),
    ],
)
def test_what_counts_as_a_disagreement(a, b, about):
    read = [_Sentence.read(_Raw(None, text, 0, len(text), None)) for text in (a, b)]
    assert _conflict(*read) == about
