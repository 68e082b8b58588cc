"""Offline answers: cited, verbatim, filtered, refused when the corpus has no answer; CLI output."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.answer import REFUSAL
from assistant.config import load_settings
from assistant.pipeline import Assistant, AskOptions
from assistant.text import normalize

ROOT = Path(__file__).resolve().parent.parent
EVAL = [json.loads(line) for line in (ROOT / "evals" / "news.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def assistant(built_index):
    return Assistant(load_settings(index_dir=built_index))


def test_answer_cites_the_article_and_passage(assistant):
    answer = assistant.ask("Where will Biden and Putin hold their summit?")
    assert not answer.refused
    assert "Geneva" in answer.text and "[" in answer.text
    geneva = [c for c in answer.citations if "Geneva" in (c.sentence or "")]
    assert geneva and geneva[0].article_id == "004_3d57db88cf4c69a1"
    c = geneva[0]
    assert c.outlet == "The Truth International" and c.author == "Palwasha Khattak" and c.published == date(2021, 6, 15)
    article = assistant.retriever.store.article_text(c.article_id)
    assert article[c.start : c.end] == c.passage
    assert article[c.sentence_start : c.sentence_end] == c.sentence


def test_every_answer_sentence_is_a_cited_corpus_sentence(assistant):
    for q in EVAL[:20]:
        answer = assistant.ask(q["question"])
        for s in answer.statements:
            assert s.keys, s
            cited = [c for c in answer.citations if c.key in s.keys]
            quotes = re.findall(r"“([^”]+)”", s.text)
            if s.text.startswith(tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) and quotes and ": “" in s.text:
                # A rendered quote: its words appear exactly in the cited passage.
                assert all(any(q in c.passage for c in cited) for q in quotes), s
            else:
                assert any(s.text in c.passage for c in cited), s


def test_unanswerable_question_is_refused_with_the_shared_phrase(assistant):
    answer = assistant.ask("Who won the 2018 World Cup?")
    assert answer.refused and answer.text == REFUSAL and answer.citations == []


def test_quote_is_verbatim_with_speaker(assistant):
    answer = assistant.ask("What did Putin write in his holiday missive about the history of US-Russian relations?")
    assert "Putin wrote: “The history of US-Russian relations proves" in answer.text
    corpus = " ".join(assistant.retriever.store.article_text(c.article_id) for c in answer.citations)
    for quoted in re.findall(r"“([^”]+)”", answer.text):
        assert quoted in corpus


def test_quote_with_pronoun_and_quote_before_attribution(assistant):
    answer = assistant.ask("What did Putin say his and Trump's countries could do?")
    assert "Putin said: “Our countries could do a lot to ensure international security and stability”" in answer.text
    analyst = assistant.ask("What did Tatyana Stanovaya say about the summit?")
    assert "“Perhaps the most important thing for Moscow is to make the relations pragmatic." in analyst.text
    assert analyst.citations[0].outlet == "The Truth International"


def test_filters_restrict_the_evidence(assistant):
    options = AskOptions(since=date(2020, 1, 1))
    answer = assistant.ask("Which leaders did Putin send telegrams to?", options)
    assert answer.citations and all(c.published >= date(2020, 1, 1) for c in answer.citations)
    rt_only = assistant.ask("What did Putin send to Obama?", AskOptions(outlets=("rt",)))
    assert {c.outlet for c in rt_only.citations} == {"RT"}
    before = assistant.ask("Where will Biden and Putin meet?", AskOptions(until=date(2019, 12, 31)))
    assert all(c.published <= date(2019, 12, 31) for c in before.citations)


def test_one_article_cannot_fill_every_slot(assistant):
    result = assistant.retrieve("Geneva summit Biden Putin expectations", AskOptions(k=6))
    per_article = {}
    for p in result.passages:
        per_article[p.chunk.article_id] = per_article.get(p.chunk.article_id, 0) + 1
    assert max(per_article.values()) <= assistant.settings.max_chunks_per_article


def test_bundled_eval_accuracy_floor(assistant):
    """A floor under today's figures: a change that breaks answering fails here."""
    answerable = [q for q in EVAL if q["answerable"]]
    first = contains = 0
    for q in answerable:
        a = assistant.ask(q["question"])
        first += bool(a.citations) and a.citations[0].article_id in q["gold_articles"]
        contains += any(normalize(g) in normalize(a.text) for g in q["gold_answers"])
    unanswerable = [q for q in EVAL if not q["answerable"]]
    refused = sum(assistant.ask(q["question"]).refused for q in unanswerable)
    assert first / len(answerable) >= 0.93
    assert contains / len(answerable) >= 0.88
    assert refused / len(unanswerable) >= 0.8


def _cli(*args, index: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index)}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT)


def test_cli_ask_json(built_index):
    proc = _cli("ask", "What did the White House call the Trump-Putin phone conversation?", "--json", index=built_index)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= {"question", "answer", "refused", "backend", "citations", "timings_ms"}
    assert data["backend"] == "offline" and not data["refused"]
    assert "good start" in data["answer"]
    c = data["citations"][0]
    assert set(c) >= {"key", "article_id", "title", "outlet", "author", "published", "url", "passage", "start", "end"}


def test_cli_ask_human_and_markdown(built_index):
    human = _cli("ask", "Where will Biden and Putin meet?", index=built_index)
    assert human.returncode == 0, human.stderr
    assert '[1] The Truth International, "Its Complicated' in human.stdout and "15 Jun 2021" in human.stdout
    md = _cli("ask", "Where will Biden and Putin meet?", "--format", "markdown", index=built_index)
    assert "[^1]:" in md.stdout and "[^1]" in md.stdout.split("[^1]:")[0]


def test_cli_questions_file_and_bad_options(built_index, tmp_path):
    qs = tmp_path / "qs.jsonl"
    qs.write_text('{"question": "Where will Biden and Putin meet?"}\n{"question": "Who won the 2018 World Cup?"}\n')
    proc = _cli("ask", "--questions", str(qs), index=built_index)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["refused"] for line in lines] == [False, True]
    bad = _cli("ask", "anything", "--since", "last tuesday", index=built_index)
    assert bad.returncode == 2 and "--since" in bad.stderr


def test_cli_sources_and_check(built_index, tmp_path):
    proc = _cli("sources", "--json", index=built_index)
    rows = json.loads(proc.stdout)
    assert {r["id"] for r in rows} == {p.stem for p in (ROOT / "corpus").glob("*.txt")}
    rt = next(r for r in rows if r["id"].startswith("000"))
    assert rt["outlet"] == "RT" and rt["published"] == "2016-07-04"
    check = _cli("check", index=built_index)
    assert check.returncode == 0 and "loads offline" in check.stdout and "offline" in check.stdout
    broken = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "check"], capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "ASSISTANT_INDEX_DIR": str(tmp_path), "ASSISTANT_EMBEDDING_MODEL": str(tmp_path / "nope")},
    )
    assert broken.returncode == 1 and "FAIL" in broken.stdout


def test_timeline_orders_dated_evidence_across_articles(assistant):
    answer = assistant.timeline("Putin's contacts with US presidents")
    dates = [c.published for c in answer.citations]
    assert len(set(c.article_id for c in answer.citations)) == len(dates) >= 4
    assert dates == sorted(dates)
    for s, c in zip(answer.statements, answer.citations):
        assert s.text == c.sentence


def test_timeline_of_a_year_keeps_to_what_was_published_then(assistant):
    answer = assistant.timeline("Putin and the US president in 2016")
    assert [c.published.year for c in answer.citations] == [2016, 2016]
    assert assistant.timeline("Putin and the US president in 2016", AskOptions(since=date(2020, 1, 1))).citations[0].published.year >= 2020
    since = [c.published.year for c in assistant.timeline("Putin and the US president since 2017").citations]
    assert since and min(since) >= 2017 and max(since) >= 2021
    nothing = assistant.timeline("Putin and the US president in 2030")
    assert nothing.refused and nothing.text == REFUSAL


def test_cli_eval_gate_takes_several_thresholds(built_index, tmp_path):
    passing = _cli("eval", "--limit", "4", "--out", str(tmp_path / "a"), "--fail-under", "hit@5=0.1", "--fail-under", "false_refusal_rate=1", index=built_index)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    failing = _cli("eval", "--limit", "4", "--out", str(tmp_path / "b"), "--fail-under", "hit@5=0.1", "--fail-under", "hit@1=1.01", index=built_index)
    # Both the dev and the held-out test set are run, each reported in a folder of its own.
    assert failing.returncode == 1 and "FAIL news.jsonl: hit@1" in failing.stdout and "FAIL test.jsonl: hit@1" in failing.stdout
    assert (tmp_path / "b" / "news" / "report.html").is_file() and (tmp_path / "b" / "test" / "report.html").is_file()
    one = _cli("eval", "--dataset", "evals/test.jsonl", "--limit", "4", "--out", str(tmp_path / "c"), index=built_index)
    assert one.returncode == 0 and "Eval of test.jsonl" in one.stdout and (tmp_path / "c" / "report.html").is_file()


def test_latest_asks_for_the_newest_evidence(assistant):
    """"Latest" prefers the newest of the retrieved articles (the corpus's newest is 15 June 2021)."""
    answer = assistant.ask("What is the latest news on US-Russia relations?")
    assert not answer.refused and answer.citations
    assert {c.published for c in answer.citations} == {date(2021, 6, 15)}, [(c.published, s.text) for c, s in zip(answer.citations, answer.statements)]


def test_an_attribution_line_never_stands_without_what_was_said(assistant):
    """"Tatyana Stanovaya, a scholar at the Carnegie Moscow Center, told CBS News." says who
    spoke; an answer that uses it gives the quotation it closes, before it."""
    answer = assistant.ask("What about Tatyana Stanovaya of the Carnegie Moscow Center?")
    texts = [s.text for s in answer.statements]
    assert texts[-1].startswith("Tatyana Stanovaya") and texts[0].startswith("“Perhaps the most important thing for Moscow"), texts
    assert "told CBS News" not in assistant.ask("What is the latest news on US-Russia relations?").text


def test_what_happened_in_a_year_is_answered_by_that_years_articles(assistant):
    """No words to match, only a time: the ledes of the articles published then, oldest first."""
    answer = assistant.ask("What happened in 2016?")
    assert not answer.refused
    dates = [c.published for c in answer.citations]
    assert len(dates) == 2 and dates == sorted(dates) and all(d.year == 2016 for d in dates)
    assert assistant.ask("What happened in 2030?").refused
    # A question with a year keeps other articles' sentences to that year.
    assert {c.published.year for c in assistant.ask("What was new in US-Russia relations in 2020?").citations} == {2020}


def test_which_think_tank_or_broadcaster_is_answered_by_a_name_of_that_kind(assistant):
    """"Which American broadcaster ...?" shares no word with "..., told CBS News." but is
    answered by it; a "which think tank" or "which spokesman" the corpus never names is refused,
    however well the rest of the question matches."""
    answer = assistant.ask("Which American broadcaster interviewed the analyst quoted in the Geneva preview?")
    assert not answer.refused and "CBS News" in answer.text
    assert answer.citations[0].article_id == "004_3d57db88cf4c69a1"
    answer = assistant.ask("Which think tank employs the analyst quoted about the 2021 Geneva meeting?")
    assert not answer.refused and "Carnegie Moscow Center" in answer.text
    for question in (
        "Which think tank did the Kremlin's readout of the Johnson call cite?",
        "Which White House spokesman described the Trump-Putin call as a good start?",
        "Which Kremlin spokesman commented on the Biden-Putin summit in Geneva?",
    ):
        assert assistant.ask(question).refused, question


# The right event or an honest refusal ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # It was Trump who ordered the Pentagon's plan; Putin wrote to Obama, not to Biden.
        ("What did Obama order the Pentagon to present within 30 days?", "no mention of Obama"),
        ("What did Putin write to Biden on Independence Day?", "no mention of Biden"),
        # Putin's Independence Day message to Obama, asked as if Obama had sent it.
        ("What did Obama say to Putin in his Independence Day message?", "Putin, not Obama"),
    ],
)
def test_a_question_about_another_event_is_refused_with_the_nearest_report(assistant, question, missing):
    answer = assistant.ask(question)
    assert answer.refused and answer.text.startswith(REFUSAL)
    assert answer.nearest is not None and missing in answer.nearest.misses
    # The nearest report is cited, marked as no answer, and not counted as a citation of one.
    (c,) = answer.citations
    assert c.sentence == answer.nearest.sentence and f"not an answer ({answer.nearest.misses})" in answer.text
    data = answer.to_dict()
    assert data["refused"] is True and data["nearest"]["misses"] == answer.nearest.misses


def test_the_matched_questions_are_still_answered(assistant):
    order = assistant.ask("What did Trump order the Pentagon to present within 30 days?")
    assert not order.refused and "plan" in order.text and order.citations[0].article_id == "002_d0187ede492b4fe4"
    telegram = assistant.ask("What did Putin write to Obama on Independence Day?")
    assert not telegram.refused and telegram.citations[0].article_id == "000_c7b117bfbdb9e8ac"


def test_a_refusal_under_filters_says_an_article_outside_them_answers(assistant):
    options = AskOptions(since=date(2020, 1, 1), until=date(2021, 12, 31))
    answer = assistant.ask("What did Putin write to Obama on Independence Day?", options)
    assert answer.refused
    assert answer.filter_note == "No article dated 2020–2021 answers this; one from RT (2016) does: clear the date filter to see it."
    assert answer.filter_note in answer.text
    # Unfiltered, or where nothing outside the filters answers either, there is no such note.
    assert assistant.ask("What did Putin write to Obama on Independence Day?").filter_note is None
    assert assistant.ask("How much does Bitcoin cost?", options).filter_note is None


def test_a_quotation_is_given_whole_with_its_speaker(assistant):
    answer = assistant.ask("What did the White House say Obama stressed about the Syrian regime?")
    for s in answer.statements:
        assert s.text.count("“") == s.text.count("”") and s.text.count('"') % 2 == 0, s.text
    assert answer.statements[0].text.startswith("The White House said: “President Obama stressed")


def test_cli_json_and_markdown_show_the_nearest_report(built_index):
    proc = _cli("ask", "What did Putin write to Biden on Independence Day?", "--json", index=built_index)
    data = json.loads(proc.stdout)
    assert data["refused"] is True and data["nearest"]["key"] == 1 and data["citations"][0]["article_id"] == "000_c7b117bfbdb9e8ac"
    md = _cli("ask", "What did Putin write to Biden on Independence Day?", "--format", "markdown", index=built_index)
    assert "not an answer (no mention of Biden)" in md.stdout and "[^1]:" in md.stdout


def test_cli_questions_file_reports_each_bad_line_and_answers_the_rest(built_index, tmp_path):
    qs = tmp_path / "qs.jsonl"
    qs.write_text(
        '{"question": 42}\n["not", "an", "object"]\n{not json\n{"asked": "Where?"}\n'
        '{"question": "Where will Biden and Putin meet?"}\n'
    )
    proc = _cli("ask", "--questions", str(qs), index=built_index)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 5
    errors, answer = lines[:4], lines[4]
    assert [e["line"] for e in errors] == [1, 2, 3, 4]
    assert errors[0]["field"] == "question" and "string" in errors[0]["error"] and "42" in errors[0]["error"]
    assert "object" in errors[1]["error"] and "JSON" in errors[2]["error"]
    assert errors[3]["field"] == "question" and "'question'" in errors[3]["error"]
    assert answer["refused"] is False and "Geneva" in answer["answer"]
    assert proc.returncode == 1  # something was not answered, as ingest says something failed
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"question": "Caf\xe9?"}\n'.encode("latin-1"))
    bad = _cli("ask", "--questions", str(latin), index=built_index)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert str(latin) in bad.stderr and "UTF-8" in bad.stderr


def test_cli_refuses_dates_in_the_wrong_order_and_bad_counts(built_index, tmp_path):
    for verb in (("ask", "Where will Biden and Putin meet?"), ("timeline", "Putin and US presidents")):
        proc = _cli(*verb, "--since", "2021-06-01", "--until", "2020-01-01", index=built_index)
        assert proc.returncode == 2 and "--since" in proc.stderr and "--until" in proc.stderr, proc
    log = _cli("log", "-n", "-5", index=tmp_path / "index")
    assert log.returncode == 2 and "-n" in log.stderr and "No answers logged" not in log.stdout


def test_cli_ui_names_a_bad_or_busy_port(tmp_path):
    bad = _cli("ui", "--port", "99999", index=tmp_path / "index")
    assert bad.returncode == 2 and "99999" in bad.stderr and "Traceback" not in bad.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _cli("ui", "--port", str(port), index=tmp_path / "index")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"port {port}" in proc.stderr and "in use" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_a_follow_up_finds_what_it_asks_not_the_old_topic(assistant):
    """"and what did the White House propose?" after the telegram question: the proposal, not
    the telegram again."""
    from assistant.followup import standalone

    question = standalone("and what did the White House propose?", ["What did Putin write to Obama on Independence Day?"])
    answer = assistant.ask(question)
    assert "proposed closer collaboration" in answer.text
    assert not any("wrote Putin" in s.text or "telegram" in s.text for s in answer.statements)


def _assistant_on(tmp_path: Path, articles: dict[str, str]):
    """An assistant over a small corpus of articles from no corpus of ours, ingested for real."""
    from assistant.config import load_settings
    from assistant.ingest import ingest
    from assistant.pipeline import Assistant

    corpus = tmp_path / "articles"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text)
    settings = load_settings(index_dir=tmp_path / "index", corpus_dir=corpus, log_path=tmp_path / "answers.sqlite")
    assert ingest(settings).ok
    return Assistant(settings)


def test_other_news_amounts_and_fillers(tmp_path):
    """On articles that are not the bundled corpus: an amount is answered by the sentence that
    states it, though the lede matches the question's words better; and where the best match is
    someone else's offer, the weaker sentences of the same story that name the right person are
    no answer: the question is refused with the nearest report."""
    assistant = _assistant_on(tmp_path, {
        "pool.md":
        "---\ntitle: Lorva council approves new harbour pool\noutlet: Harbour Gazette\npublished: 2023-05-10\n---\n"
        "LORVA — The town council voted 6-1 on Monday to build a new public pool at the harbour, ending three years "
        "of debate over the fate of the old lido.\n\nThe new pool is expected to cost £3.4 million. A regional sports "
        "grant will cover £2 million, and the council will borrow the rest.\n\nCouncillor Mira Dunn voted against the "
        "plan, saying the old lido could be repaired. Work will start in September.\n",
        "halvern.md":
        "---\ntitle: Halvern Foods second-quarter revenue rises 7%\noutlet: Harbour Gazette\npublished: 2023-07-28\n---\n"
        "LORVA — Halvern Foods said on Thursday that revenue rose 7 percent in the second quarter, as demand for its "
        "frozen fish held up.\n\nRevenue for the three months to June 30 reached €88.3 million, up from €82.5 million "
        "a year earlier. The company kept its forecast for the year.\n",
        "quay.md":
        "---\ntitle: Mayor offers fishermen a lease on the old quay\noutlet: Harbour Gazette\npublished: 2023-06-02\n---\n"
        "On Tuesday Mayor Tess Arlen offered the Lorva fishing cooperative a ten-year lease on the old quay, to keep "
        "its boats in the harbour.\n\nThe cooperative has fished from the quay since 1952. Its chair, Owen Pike, has "
        "led talks with the council over the quay's future since 2019.\n\nThe council will vote on the lease in July.\n",
    })
    cost = assistant.ask("How much will Lorva's new harbour pool cost?")
    assert not cost.refused and "£3.4 million" in cost.text
    revenue = assistant.ask("What revenue did Halvern Foods report for the second quarter?")
    assert not revenue.refused and "€88.3 million" in revenue.text
    offer = assistant.ask("What did Owen Pike offer the fishing cooperative to keep its boats in the harbour?")
    assert offer.refused and offer.nearest is not None and "Arlen" in offer.nearest.sentence


def test_other_news_event_times_and_the_sentence_that_goes_on(tmp_path):
    """On articles that are not the bundled corpus: where the article says when the asked event
    was and the question gives another day, a sentence that only names that day ("were jailed
    on Friday") is no answer; and where the best match only sets the scene, the sentence going
    on about the same person with the words asked joins the answer."""
    assistant = _assistant_on(tmp_path, {
        "court.md":
        "---\ntitle: Hospice nurses jailed for stealing drugs\noutlet: Harwick Courier\npublished: 2024-03-09\n---\n"
        "HARWICK — Two nurses, Ada Mole and Joan Pell, who stole painkillers from the Harwick hospice where they "
        "worked were jailed on Friday at Harwick Crown Court.\n\nA jury convicted both women of theft on Tuesday, "
        "March 5, after a week-long trial.\n\nNeither woman had any previous convictions, the court heard.\n\n"
        "The hospice has since changed the way it stores drugs.\n",
        "cup.md":
        "---\ntitle: Rovers win county cup without their manager\noutlet: Harwick Courier\npublished: 2024-05-06\n---\n"
        "DORLEY — Dorley Rovers won the county cup final on Saturday without their manager, Neil Strand, who was sent "
        "to the stands in the first half for arguing with the referee about a penalty.\n\nHis assistant, Pia Lund, "
        "took charge of the team.\n\nRovers beat Ashby Town 2-1 at the Mill Ground in front of 4,000 fans.\n",
    })
    friday = assistant.ask("Of what did a jury convict Ada Mole and Joan Pell on Friday?")
    assert friday.refused and friday.nearest is not None and "convicted" in friday.nearest.sentence
    tuesday = assistant.ask("Of what did a jury convict Ada Mole and Joan Pell on Tuesday?")
    assert not tuesday.refused and "theft" in tuesday.text
    charge = assistant.ask("Who took charge of Dorley Rovers after their manager was sent to the stands for arguing with the referee?")
    assert not charge.refused and "Pia Lund" in charge.text


def test_other_news_a_quote_below_another_speakers_report_of_it(tmp_path):
    """Where the best match is another person's report that names the one asked ("the director
    said ... among them the poet Jonah Pell"), the asked one's own quotation below it answers;
    a question about someone who said nothing there is still refused."""
    assistant = _assistant_on(tmp_path, {
        "festival.md":
        "---\ntitle: Book festival drops coal sponsor\noutlet: Arts Wire\npublished: 2025-05-20\n---\n"
        "TARNLEY — The Tarnley book festival has dropped its sponsor, a coal company, after authors threatened to stay away.\n\n"
        "The festival's acting director, Ruth Amberley, said on Wednesday that 64 authors had written to say they would "
        "not appear if the deal went ahead, among them the poet Jonah Pell, who was due to give the opening lecture.\n\n"
        "Pell had written to the festival in April. \"I'm not going to stand under a banner paid for by coal and talk "
        "about the weather,\" he said at the time.\n\nThe festival will look for new sponsors over the summer.\n",
    })
    said = assistant.ask("What did Jonah Pell say he was not going to stand under?")
    assert not said.refused and "banner paid for by coal" in said.text
    other = assistant.ask("What did Ada Crane say she was not going to stand under?")
    assert other.refused
