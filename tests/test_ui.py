"""The Gradio UI driven as a user drives it: real index, real MiniLM, real server, real Chromium.

One server for the session, on an empty index in a temporary folder: starting it ingests the
bundled corpus, as a first start does. Screenshots go to test-artifacts/ui/.
"""

from __future__ import annotations

import re
import socket
import time
from datetime import date
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from llm_server import Reply, chat_messages

from assistant.config import load_settings
from assistant.feedback import AnswerLog
from assistant.followup import standalone
from assistant.search import SearchIndex, search_root
from assistant.store import open_store
from assistant.ui import exposure_warning
from assistant.ui_chat import ask_options
from assistant.ui_layout import backend_choices

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "ui"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NEW_ARTICLE = """Marrowick tidal bridge opens to traffic after six years of work
By Elena Sorvik
12 March 2024

The Marrowick tidal bridge in the harbour town of Quillmere opened to traffic on Monday, six years after construction began.
The 640-metre bridge was built by the Halvard Stenberg consortium at a cost of 212 million euros and carries two lanes of traffic and a cycle path across the Orrin estuary.
Mayor Ingrid Tollef said the crossing would cut the drive from Quillmere to the regional hospital from fifty minutes to twelve.
Engineers designed the bridge to rise with storm tides, the first crossing of its kind in northern Europe.
"""
BRIDGE_QUESTION = "Who built the Marrowick tidal bridge?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llm():
    from llm_server import ScriptedLLMServer

    with ScriptedLLMServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def settings(tmp_path_factory, llm):
    """An empty index in a temporary folder, and the scripted LLM as the openai backend."""
    index_dir = tmp_path_factory.mktemp("index")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASSISTANT_INDEX_DIR", str(index_dir))
        (index_dir / "empty-assistant.toml").write_text("")
        mp.setenv("ASSISTANT_CONFIG", str(index_dir / "empty-assistant.toml"))
        yield load_settings(corpus_dir=ROOT / "corpus", openai_base_url=llm.base_url, openai_timeout=20)


@pytest.fixture(scope="session")
def server(settings):
    from assistant import ui

    app = ui.launch(settings, host="127.0.0.1", port=free_port(), block=False)
    assert app.assistant_ui.ready.wait(300), app.assistant_ui.status
    assert app.assistant_ui.status.startswith("Ready: 5 articles"), app.assistant_ui.status
    yield app.local_url.rstrip("/")
    app.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server)
    page.locator("#status", has_text="Ready:").wait_for()
    yield page
    context.close()


DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def shot(page, name: str) -> None:
    """Screenshots at desktop and phone width (name.png, name-phone.png), then the test's own size."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for suffix, viewport in (("", DESKTOP), ("-phone", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size(size)


def open_options(page) -> None:
    """The search options are collapsed into a bar; open it."""
    if not page.locator("#outlets").is_visible():
        page.locator("#options button").first.click()
        page.locator("#outlets").wait_for()


def download_text(page) -> str:
    """One click on the answer's download button; the file's text."""
    with page.expect_download() as download:
        page.locator("#export-download").click()
    return Path(download.value.path()).read_text(encoding="utf-8")


def ask(page, question: str) -> str:
    """Type a question, wait for its finished answer, return the answer's text."""
    bots = page.locator("#chat [data-testid='bot']")
    before = bots.count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.locator("#chat [data-testid='user']", has_text=question).last.wait_for()
    # The textbox is handed back once the answer, its sources and its log entry are done.
    page.wait_for_function(
        """([n]) => {
            const bots = document.querySelectorAll("#chat [data-testid='bot']");
            const box = document.querySelector("#question textarea");
            return bots.length > n && box && !box.disabled;
        }""",
        arg=[before],
    )
    return bots.last.inner_text()


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def choose_outlet(page, name: str) -> None:
    """Open the search options and set the outlet filter to one outlet."""
    open_options(page)
    page.locator("#outlets input").click()
    page.get_by_role("option", name=name).click()
    page.keyboard.press("Escape")


def delete_article(page, typed: str, article_id: str) -> None:
    """Delete an article from the Corpus tab, confirmed, and wait for the message saying so."""
    page.locator("#delete-id input").fill(typed)
    page.get_by_role("option", name=re.compile(article_id)).click()
    page.locator("#delete").click()
    page.locator("#delete-yes").click()
    page.locator("#corpus-message", has_text=f"Deleted {article_id}").wait_for()


# Without a browser -----------------------------------------------------------------------


def test_follow_up_questions_carry_the_previous_topic():
    previous = ["What did Obama and Putin discuss on their call?"]
    assert standalone("and what did the Kremlin say?", previous) == "what did the Kremlin say? (Obama, Putin)"
    assert standalone("When did they speak?", previous) == "When did they speak? (Obama, Putin)"
    # The old topic's other words stay behind: only who it refers back to is carried.
    telegram = ["What did Putin write to Obama in his Independence Day telegram?"]
    assert standalone("and what did the White House propose?", telegram) == "what did the White House propose? (Putin, Obama, Independence Day)"
    assert standalone("what did they agree on?", ["What was agreed on the call?"]) == "what did they agree on? (agreed, call)"
    assert standalone("Where will Biden and Putin meet?", previous) == "Where will Biden and Putin meet?"
    assert standalone("and what did the Kremlin say?", []) == "and what did the Kremlin say?"
    chain = previous + ["and what did the Kremlin say?"]
    assert "Obama" in standalone("what about Syria?", chain)
    # A weekday or a title names no one: "he" still refers back.
    mayor = ["Why did Mayor Okafor close the Harlow bridge?"]
    assert standalone("What did he say on Tuesday?", mayor) == "What did he say on Tuesday? (Mayor Okafor, Harlow)"
    assert standalone("What did the President tell him?", mayor) == "What did the President tell him? (Mayor Okafor, Harlow)"


def test_bad_dates_get_a_clear_message():
    with pytest.raises(ValueError, match=r"'2021-13-01' is not a real calendar date"):
        ask_options("offline", 6, [], "2021-13-01", "")
    with pytest.raises(ValueError, match=r"'June 2021' is not in YYYY-MM-DD form"):
        ask_options("offline", 6, [], "", "June 2021")
    with pytest.raises(ValueError, match="after the until date"):
        ask_options("offline", 6, [], "2021-06-01", "2020-01-01")
    options = ask_options("openai", 4, ["RT"], "2016-01-01", "")
    assert (options.k, options.outlets, options.since.year, options.until) == (4, ("RT",), 2016, None)


def test_only_http_urls_become_links_in_the_sources_card():
    from assistant.records import Answer, Citation
    from assistant.ui_sources import sources_html

    def cited(url: str) -> Answer:
        c = Citation(
            key=1, article_id="a", title="Talks <b>in</b> Vienna", outlet="<script>alert(1)</script>", author=None,
            published=date(2021, 5, 19), url=url, passage="They met.", start=0, end=9, sentence="They met.",
            sentence_start=0, sentence_end=9,
        )
        return Answer(question="Q?", text="They met. [1]", citations=[c], refused=False, backend="offline")

    for url in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>"):
        shown = sources_html(cited(url))
        assert "<a " not in shown and "href" not in shown and "<script>" not in shown, shown
        assert "&lt;script&gt;" in shown and "Talks &lt;b&gt;in&lt;/b&gt; Vienna" in shown
    assert "<a href='https://example.org/a?x=1&amp;y=2'" in sources_html(cited("https://example.org/a?x=1&y=2"))


def test_public_binding_without_auth_warns_on_stderr(settings, server, capsys):
    from assistant import ui

    assert exposure_warning("127.0.0.1", None) is None
    assert exposure_warning("0.0.0.0", ("editor", "secret")) is None
    app = ui.launch(settings, host="0.0.0.0", port=free_port(), block=False)
    try:
        err = capsys.readouterr().err
        assert "without a password" in err and "0.0.0.0" in err
    finally:
        app.close()


def test_empty_credentials_are_refused_and_do_not_silence_the_warning(tmp_path):
    import os
    import subprocess
    import sys

    assert exposure_warning("0.0.0.0", ("", "")) is not None
    assert exposure_warning("0.0.0.0", ("editor", "")) is not None
    with socket.socket() as busy:  # were the credentials accepted, the busy port would stop it
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for auth in (":", "editor:", ":secret", ""):
            proc = subprocess.run(
                [sys.executable, "-m", "assistant.cli", "ui", "--host", "127.0.0.1", "--port", str(port), "--auth", auth],
                capture_output=True, text=True, cwd=ROOT, timeout=120,
                env={**os.environ, "ASSISTANT_INDEX_DIR": str(tmp_path / "index")},
            )
            assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
            assert "--auth" in proc.stderr and "in use" not in proc.stderr, (auth, proc.stderr)


def test_ten_concurrent_api_chats_all_answer_with_citations(server, settings):
    """Ten different questions at once through gradio_client: every one answers, cites and is
    logged. No timing here: `python -m bench.ui_latency` measures it (README, the chat UI)."""
    from gradio_client import Client

    from bench.ui_latency import QUESTIONS

    def one(question: str) -> tuple[str, dict]:
        client = Client(server, verbose=False)
        try:
            return client.predict(question=question, api_name="/ask")
        finally:
            client.close()

    assert len(set(QUESTIONS)) == 10
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(one, QUESTIONS))
    for question, (text, details) in zip(QUESTIONS, results):
        assert details["question"] == question and details["answer"] == text
        assert details["log_id"] > 0
        assert not details["refused"], (question, text)
        keys = {c["key"] for c in details["citations"]}
        assert keys and {int(k) for k in re.findall(r"\[(\d+)\]", text)} <= keys and "[1]" in text, (question, text)
    assert len({d["log_id"] for _, d in results}) == 10

    client = Client(server, verbose=False)
    with pytest.raises(Exception, match="not a real calendar date"):
        client.predict(question="Where will Biden and Putin meet?", since="2021-02-30", api_name="/ask")
    client.close()


def test_api_filters_by_outlet_and_date(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    try:
        _, rt = client.predict(question="What did Putin write to Obama?", outlets=["RT"], api_name="/ask")
        assert rt["citations"] and {c["outlet"] for c in rt["citations"]} == {"RT"}
        _, recent = client.predict(question="What did Putin and Trump discuss?", since="2020-01-01", api_name="/ask")
        assert all(c["published"] >= "2020-01-01" for c in recent["citations"])
        _, old = client.predict(question="Where will Biden and Putin meet?", until="2016-12-31", api_name="/ask")
        assert all(c["published"] <= "2016-12-31" for c in old["citations"])
        _, follow = client.predict(
            question="and what did the Kremlin say?",
            previous_questions=["What did Obama and Putin discuss on their call?"],
            api_name="/ask",
        )
        assert follow["rewritten_question"] == "what did the Kremlin say? (Obama, Putin)"
    finally:
        client.close()


# In the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_answer_is_cited_and_its_source_highlighted(page):
    answer = ask(page, "Where will Biden and Putin meet?")
    assert "[1]" in answer and "Biden" in answer
    card = page.locator("#sources .card").first
    card.wait_for()
    assert card.locator("mark").count() >= 1
    assert "The Truth International" in card.inner_text()
    assert "Evidence dated 15 June 2021" in page.locator("#sources").inner_text()
    assert "according to" in page.locator("#sources .copy-attr").first.get_attribute("data-copy")
    shot(page, "answer")


@pytest.mark.browser
def test_only_the_cited_sentences_are_highlighted_not_the_text_between_them(page):
    ask(page, "Where will Biden and Putin meet?")
    quote = page.locator("#sources blockquote#source-1")
    marks = [m.strip() for m in quote.locator("mark").all_inner_texts()]
    assert len(marks) == 2 and marks[0].startswith("Presidents Joe Biden") and "Geneva" in marks[1], marks
    between = "Both Presidents are completely aware of the tension"
    assert between in quote.inner_text() and not any(between in m for m in marks)
    shot(page, "cited-sentences")
    page.locator("#sources .read-at[data-key='1']").click()
    page.locator("#reader .reader-overlay:not(.closed)").wait_for()
    cited = page.locator("#reader mark.cited").all_inner_texts()
    assert len(cited) == 2 and not any(between in c for c in cited)
    assert between in page.locator("#reader .passage").first.inner_text() or any(
        between in t for t in page.locator("#reader .passage").all_inner_texts())
    page.keyboard.press("Escape")


@pytest.mark.browser
def test_follow_up_is_rewritten_and_cited(page, settings):
    first = ask(page, "What did Obama and Putin discuss on their call?")
    assert "[1]" in first
    follow = ask(page, "and what did the Kremlin say?")
    assert "Searching for: what did the Kremlin say? (Obama, Putin)" in follow
    assert "[1]" in follow and "Kremlin" in follow
    assert page.locator("#sources .card mark").count() >= 1
    shot(page, "follow-up")

    logged = AnswerLog(settings.answer_log).recent(1)[0]
    assert logged["question"] == "and what did the Kremlin say?"
    assert logged["rewritten_question"] == "what did the Kremlin say? (Obama, Putin)"

    page.locator("#chat button[aria-label='Like']").last.click()
    deadline = time.monotonic() + 10
    while AnswerLog(settings.answer_log).recent(1)[0]["feedback"] != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert AnswerLog(settings.answer_log).recent(1)[0]["feedback"] == 1


@pytest.mark.browser
def test_export_markdown_has_footnotes(page):
    ask(page, "What did Putin write to Obama on Independence Day?")
    text = download_text(page)
    shot(page, "export")
    assert text.startswith("**Q:** What did Putin write to Obama on Independence Day?")
    assert "[^1]" in text.split("\n\n")[1]
    assert re.search(r'^\[\^1\]: RT, ".+", 4 Jul 2016\. Passage: ".+"$', text, re.MULTILINE)


#: Counts, every 20 ms while an upload is ingested, what shows its progress and whether the
#: article table still lists the indexed articles.
WATCH_UPLOAD = """() => {
    const shown = (sel) => [...document.querySelectorAll(sel)].some((e) => !e.classList.contains('hide') && e.offsetParent !== null);
    window.__upload = {message: 0, table: 0, upload: 0, blank: 0};
    window.__watch = setInterval(() => {
        const seen = window.__upload;
        if (shown("#corpus-message [data-testid='status-tracker']")) seen.message++;
        if (shown("#articles [data-testid='status-tracker']")) seen.table++;
        if (shown("#upload [data-testid='status-tracker']")) seen.upload++;
        if (!document.querySelector('#articles').innerText.includes('004_3d57db88cf4c69a1')) seen.blank++;
    }, 20);
}"""


@pytest.mark.browser
def test_upload_ask_then_delete(page, tmp_path, settings):
    path = tmp_path / "marrowick-bridge.txt"
    path.write_text(NEW_ARTICLE, encoding="utf-8")
    open_tab(page, "Corpus")
    page.locator("#articles", has_text="004_3d57db88cf4c69a1").wait_for()
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.evaluate(WATCH_UPLOAD)
    page.locator("#add").click()
    message = page.locator("#corpus-message", has_text="marrowick-bridge")
    message.wait_for()
    seen = page.evaluate("() => { clearInterval(window.__watch); return window.__upload; }")
    # The progress shows where the outcome will, once; the table and the upload box stay as they are.
    assert seen["message"] > 0 and seen["table"] == 0 and seen["upload"] == 0 and seen["blank"] == 0, seen
    assert "Added 1 article: marrowick-bridge" in message.inner_text()
    page.locator("#articles", has_text="Marrowick tidal bridge opens").wait_for()
    shot(page, "corpus-upload")

    open_tab(page, "Chat")
    answer = ask(page, BRIDGE_QUESTION)
    assert "Halvard Stenberg" in answer and "[1]" in answer
    assert "Marrowick tidal bridge opens" in page.locator("#sources").inner_text()
    shot(page, "answer-upload")

    open_tab(page, "Corpus")
    dropdown = page.locator("#delete-id input")
    dropdown.click()
    dropdown.fill("marrowick")
    page.get_by_role("option", name=re.compile("marrowick-bridge")).click()
    page.locator("#delete").click()
    page.locator("#delete-yes").click()
    page.locator("#corpus-message", has_text="Deleted marrowick-bridge").wait_for()
    page.wait_for_function("() => !document.querySelector('#articles').innerText.includes('Marrowick')")
    index = SearchIndex.load(search_root(settings))
    live = index.vectors.ids[index.vectors.alive]
    assert not any(cid.startswith("marrowick-bridge::") for cid in live) and not index.keyword.search("Marrowick", 10)
    assert len(live) == index.keyword.count == len(list(open_store(settings).iter_chunks()))

    open_tab(page, "Chat")
    answer = ask(page, BRIDGE_QUESTION)
    assert "Halvard Stenberg" not in answer
    assert "Marrowick" not in page.locator("#sources").inner_text()


@pytest.mark.browser
def test_bad_uploads_are_named_and_nothing_is_lost(page, tmp_path, settings):
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"%PDF-1.7\x00\x01\x02\x00" * 200)
    empty = tmp_path / "draft.md"
    empty.write_text("   \n", encoding="utf-8")
    wrong = tmp_path / "photo.png"
    wrong.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    huge = tmp_path / "archive.txt"
    huge.write_text("The summit was postponed again. " * int(settings.max_file_mb * 1.2e6 / 32), encoding="utf-8")
    open_tab(page, "Corpus")
    page.locator("#upload input[type=file]").set_input_files([str(binary), str(empty), str(wrong), str(huge)])
    page.locator("#add").click()
    message = page.locator("#corpus-message", has_text="scan.txt")
    message.wait_for()
    text = message.inner_text()
    assert re.search(r"scan\.txt: binary file", text)
    assert re.search(r"draft\.md: empty file", text)
    assert re.search(r"photo\.png: unsupported file type '\.png'", text)
    assert re.search(r"archive\.txt: file is 12\.\d+ MB, over the 10 MB limit", text)
    assert "4 files could not be added" in text and "still there" in text
    shot(page, "bad-upload")
    assert not any((settings.index_dir / "uploads" / f.name).exists() for f in (binary, empty, wrong, huge))
    assert page.locator("#articles", has_text="004_3d57db88cf4c69a1").count() == 1

    open_tab(page, "Chat")
    answer = ask(page, "Where will Biden and Putin meet?")
    assert "[1]" in answer
    assert page.locator("#sources .card mark").count() >= 1


@pytest.mark.browser
def test_llm_answer_streams_and_unsupported_sentences_are_flagged(page, llm):
    llm.script(
        Reply(
            content="The two presidents will meet in Geneva [1]. They also plan to open a joint base on the Moon [1].",
            stream_delay=0.01,
        )
    )
    open_options(page)
    page.get_by_label("openai").check()
    answer = ask(page, "Where will Biden and Putin meet?")
    assert "Geneva" in answer and "[1]" in answer
    flags = page.locator("#sources .flags")
    assert "Not supported by the cited passage" in flags.inner_text()
    assert "joint base on the Moon" in flags.inner_text()
    assert "Geneva" not in flags.inner_text()
    card = page.locator("#sources .card").first
    assert card.locator("mark").count() == 1 and "summit in Geneva" in card.inner_text()
    shot(page, "llm-flags")
    assert "Where will Biden and Putin meet?" in chat_messages(llm.requests[-1])


@pytest.mark.browser
def test_offline_answer_names_the_place(page):
    assert "Geneva" in ask(page, "Where will Biden and Putin meet?")


@pytest.mark.browser
def test_a_near_miss_shows_the_nearest_report_marked_as_no_answer(page):
    text = ask(page, "What did Putin write to Biden on Independence Day?")
    assert text.startswith("The indexed articles do not answer this question.") and "not an answer (no mention of Biden)" in text
    note = page.locator("#sources p.nearest")
    note.wait_for()
    assert "Not an answer." in note.inner_text() and "no mention of Biden" in note.inner_text()
    card = page.locator("#sources .card.nearest")
    assert card.count() == 1 and "Partnership of equals" in card.inner_text()
    assert page.locator("#sources .card.nearest mark").count() == 1  # the nearest sentence, highlighted
    # Nothing to copy as an attribution: the nearest report is not the answer.
    assert page.locator("#sources .copy-attr").count() == 0
    shot(page, "near-miss")


# The writer's desk (issue 16) ----------------------------------------------------------------

BYLINE_ARTICLE = """Baltic ports agree to share their ice-breaker fleet this winter
By Anna Keller | Baltic Wire Service | 29 January 2017

The ports of Riga, Tallinn and Klaipeda agreed on Friday to share their fleet of ice-breakers through the coming winter, the three port authorities said in a joint statement.
Under the deal any of the three ports can call on the others' ships when the Gulf of Riga freezes over, which happened twice in the past five winters.
The authorities said the arrangement would save each port about four million euros a year in charter fees.
"""


def upload(page, path, text: str, expect: str):
    """Write `text` to `path`, add it in the Corpus tab, and wait for the message naming it."""
    path.write_text(text, encoding="utf-8")
    open_tab(page, "Corpus")
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.locator("#add").click()
    message = page.locator("#corpus-message", has_text=expect)
    message.wait_for()
    return message


def field(page, elem_id: str):
    return page.locator(f"#{elem_id}").locator("textarea, input").first


def set_field(page, elem_id: str, value: str) -> None:
    """Fill an option field and leave it, so that the app has its value before the next question
    (a question typed at once, on a loaded machine, was asked under the old value)."""
    box = field(page, elem_id)
    box.fill(value)
    box.press("Tab")
    page.wait_for_timeout(300)


def test_openai_is_offered_only_with_an_endpoint(settings, tmp_path):
    # The test setup installs the local backend (llama.cpp's server and SmolLM2).
    assert backend_choices(settings) == ["offline", "openai", "local"]  # the scripted LLM's endpoint
    assert backend_choices(load_settings()) == ["offline", "local"]
    assert backend_choices(load_settings(local_model=str(tmp_path / "missing.gguf"))) == ["offline"]


@pytest.mark.browser
def test_download_offers_this_answers_file_in_one_click_with_the_searched_question(page):
    assert page.locator("#export").count() == 0  # one button, not an export and a download
    assert not page.locator("#export-download").is_visible()  # nothing to download yet
    ask(page, "What did Putin write to Obama on Independence Day?")
    first = download_text(page)
    assert first.startswith("**Q:** What did Putin write to Obama on Independence Day?\n")
    ask(page, "and what did the White House propose?")
    second = download_text(page)
    assert second.startswith("**Q:** what did the White House propose? (Putin, Obama, Independence Day)")
    assert "*Asked as a follow-up: and what did the White House propose?*" in second.split("\n\n")[0]
    assert "[^1]" in second.split("\n\n")[1] and second != first
    shot(page, "export-follow-up")


@pytest.mark.browser
def test_each_citation_has_a_copy_ready_attribution_in_house_style(page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    ask(page, "What did Putin write to Obama on Independence Day?")
    buttons = page.locator("#sources .copy-attr")
    assert buttons.count() == page.locator("#sources blockquote[id^='source-']").count() >= 1
    text = buttons.first.get_attribute("data-copy")
    # One kind of quotation mark outside, single ones inside, nothing after the closing mark.
    assert re.fullmatch(r"according to a 4 July 2016 RT report, “[A-Z‘][^“”\"]+[.!?’]”", text), text
    # The answer rewords the first quote ("Putin wrote: ..."): the attribution quotes the article.
    assert "Putin wrote:" in page.locator("#chat [data-testid='bot']").last.inner_text()
    assert "as a whole,’ wrote Putin in his holiday missive. ‘The President said" in text, text
    assert text.count("‘") == text.count("’") - text.count("’s ")  # the inner marks pair (an apostrophe aside)
    buttons.first.click()
    page.locator("#sources .copy-attr", has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == text
    shot(page, "attribution")


@pytest.mark.browser
def test_articles_without_an_outlet_are_named_honestly_and_can_be_chosen(page):
    choose_outlet(page, "(no outlet stated)")
    ask(page, "What did Trump and Putin agree to fight?")
    sources = page.locator("#sources")
    assert "Unknown outlet" not in sources.inner_text() and "outlet not stated" in sources.inner_text()
    cards = page.locator("#sources .card")
    assert cards.count() >= 1
    assert {cards.nth(i).get_attribute("data-article") for i in range(cards.count())} <= {
        "001_71228e5b8b7cf2af", "002_d0187ede492b4fe4"}
    assert "(no outlet stated)" in page.locator("#options").inner_text()  # the closed bar says so too
    shot(page, "no-outlet")


#: Two reports of one flood that count its evacuees differently; the second names no outlet.
FLOOD_WITH_OUTLET = """Storm floods the fishing village of Veskaby
By Mira Holt | North Sea Courier | 14 October 2023

A storm flooded the fishing village of Veskaby on Saturday night.
The flood in Veskaby forced 120 residents from their homes, the coastguard said.
Volunteers filled sandbags through the night at the harbour wall.
"""
FLOOD_WITHOUT_OUTLET = """Veskaby villagers leave their homes as the sea breaks the harbour wall
By Tomas Brenn
15 October 2023

The sea broke through the harbour wall at Veskaby during Saturday's storm.
The flood in Veskaby forced 80 residents from their homes, the mayor said.
Most of them spent the night in the village school.
"""


@pytest.mark.browser
def test_an_article_without_an_outlet_is_named_honestly_in_the_disagreement_panel(page, tmp_path):
    upload(page, tmp_path / "veskaby-courier.txt", FLOOD_WITH_OUTLET, "Added 1 article: veskaby-courier")
    upload(page, tmp_path / "veskaby-brenn.txt", FLOOD_WITHOUT_OUTLET, "Added 1 article: veskaby-brenn")
    page.locator("#articles", has_text="Veskaby villagers leave").wait_for()
    try:
        open_tab(page, "Chat")
        ask(page, "How many residents did the flood in Veskaby force from their homes?")
        panel = page.locator("#sources .differ")
        assert panel.count() == 1, page.locator("#sources").inner_text()
        text = panel.inner_text()
        assert "120 residents / 80 residents" in text and "forced 80 residents" in text and "forced 120 residents" in text
        sides = panel.locator("li")
        assert sides.count() == 2
        named = {sides.nth(i).inner_text().split(": ", 1)[0]: sides.nth(i) for i in range(2)}
        # The side from the article without an outlet says so, in the cards' words and style.
        without = next(s for ref, s in named.items() if "Veskaby villagers leave" in ref)
        assert without.inner_text().startswith("outlet not stated, ") and "forced 80 residents" in without.inner_text()
        assert without.locator(".unstated", has_text="outlet not stated").count() == 1
        with_outlet = next(s for ref, s in named.items() if "Storm floods" in ref)
        assert "North Sea Courier" in with_outlet.inner_text() and with_outlet.locator(".unstated").count() == 0
        assert "Unknown outlet" not in page.locator("#sources").inner_text()
        # Where the article has a card, the card words it the same way.
        for card in page.locator("#sources .card").all():
            if "Veskaby villagers leave" in card.inner_text():
                assert "outlet not stated" in card.locator(".meta").inner_text()
        panel.scroll_into_view_if_needed()
        shot(page, "disagreement-no-outlet")
    finally:
        open_tab(page, "Corpus")
        delete_article(page, "veskaby-courier", "veskaby-courier")
        delete_article(page, "veskaby-brenn", "veskaby-brenn")


@pytest.mark.browser
def test_inferred_dates_are_marked_on_the_card_attribution_and_download(page):
    ask(page, "Where will Biden and Putin meet?")
    card = page.locator("#sources .card").first
    assert "15 Jun 2021 (date inferred)" in card.inner_text()
    assert "inferred: previews the Geneva summit" in card.locator(".inferred").get_attribute("title")
    attribution = page.locator("#sources .copy-attr").first.get_attribute("data-copy")
    assert "(publication date inferred: 15 June 2021)" in attribution and "a 15 June 2021" not in attribution
    assert "15 Jun 2021 (date inferred)" in download_text(page)
    assert "Evidence dated 15 June 2021 (date inferred)." in page.locator("#sources").inner_text()
    shot(page, "inferred-date")


def test_api_json_marks_inferred_dates(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    try:
        _, geneva = client.predict(question="Where will Biden and Putin meet?", api_name="/ask")
        _, telegram = client.predict(question="What did Putin write to Obama on Independence Day?", api_name="/ask")
    finally:
        client.close()
    assert geneva["citations"][0]["published_inferred"].startswith("previews the Geneva summit")
    assert telegram["citations"][0]["published_inferred"] is None  # RT's page states its date


@pytest.mark.browser
def test_a_byline_line_gives_an_uploaded_article_its_author_and_outlet(page, tmp_path, settings):
    upload(page, tmp_path / "baltic-ice.txt", BYLINE_ARTICLE, "Added 1 article: baltic-ice")
    table = page.locator("#articles", has_text="Baltic Wire Service")
    table.wait_for()
    assert "Anna Keller" in table.inner_text() and "2017-01-29" in table.inner_text()
    meta = open_store(settings).article_records()["baltic-ice"].meta
    assert (meta.title, meta.author, meta.outlet, meta.published.isoformat()) == (
        "Baltic ports agree to share their ice-breaker fleet this winter", "Anna Keller", "Baltic Wire Service", "2017-01-29")
    shot(page, "byline-upload")
    delete_article(page, "baltic", "baltic-ice")


@pytest.mark.browser
def test_a_refusal_under_filters_says_what_was_searched(page):
    open_options(page)
    set_field(page, "since", "2020-01-01")
    text = ask(page, "How many goals did Messi score in the World Cup final?")
    assert text.startswith("The indexed articles do not answer this question.")
    assert "Only articles dated 2020-01-01 or later were searched" in text
    assert "Only articles dated 2020-01-01 or later were searched" in page.locator("#sources").inner_text()
    assert "2020-01-01" in page.locator("#options").inner_text()
    shot(page, "filtered-refusal")


@pytest.mark.browser
def test_bad_dates_show_by_the_options_and_never_enter_the_chat(page):
    open_options(page)
    since = field(page, "since")
    assert since.get_attribute("placeholder") == "YYYY-MM-DD"  # a format, not a date that looks filled in
    since.fill("2021-13-01")
    error = page.locator("#options-error")
    error.wait_for()
    assert "not a real calendar date" in error.inner_text()
    box = page.locator("#question textarea")
    box.fill("Where will Biden and Putin meet?")
    box.press("Enter")
    page.wait_for_timeout(1500)
    assert page.locator("#chat [data-testid='user']").count() == 0
    assert page.locator("#chat [data-testid='bot']").count() == 0
    assert box.input_value() == "Where will Biden and Putin meet?"  # kept, to ask again once fixed
    shot(page, "bad-date")
    since.fill("2021-01-01")
    error.wait_for(state="hidden")
    assert "[1]" in ask(page, "Where will Biden and Putin meet?")
    assert page.locator("#chat [data-testid='user']").count() == 1


@pytest.mark.browser
def test_the_corpus_table_is_readable_on_a_phone(page):
    page.set_viewport_size(PHONE)
    open_tab(page, "Corpus")
    page.locator("#articles", has_text="004_3d57db88cf4c69a1").wait_for()
    date = page.locator("#articles .body-cell span", has_text="2016-07-04").first
    assert date.bounding_box()["height"] < 30  # one line, not a character a line
    rows = page.evaluate("""() => [...document.querySelectorAll('#articles .virtual-row')].filter(
        (r) => r.getBoundingClientRect().top < document.querySelector('#upload').getBoundingClientRect().top).length""")
    assert rows >= 4, rows  # most of the list shows before the upload box
    shot(page, "corpus-table")


@pytest.mark.browser
def test_delete_asks_for_confirmation(page):
    open_tab(page, "Corpus")
    page.locator("#articles", has_text="004_3d57db88cf4c69a1").wait_for()
    page.locator("#delete-id input").fill("004")
    page.get_by_role("option", name=re.compile("004_3d57db88cf4c69a1")).click()
    page.wait_for_timeout(1500)  # past the status timer's refresh, which must keep the choice
    assert page.locator("#delete-id input").input_value().startswith("004_3d57db88cf4c69a1")
    page.locator("#delete").click()
    confirm = page.locator("#delete-confirm")
    confirm.wait_for()
    assert "Delete 004_3d57db88cf4c69a1" in confirm.inner_text() and "Its Complicated" in confirm.inner_text()
    shot(page, "delete-confirm")
    page.locator("#delete-cancel").click()
    confirm.wait_for(state="hidden")
    page.wait_for_timeout(500)
    assert page.locator("#articles", has_text="004_3d57db88cf4c69a1").count() == 1
    assert "Deleted" not in page.locator("#corpus-message").inner_text()


@pytest.mark.browser
def test_layout_title_collapsed_options_keyboard_and_sources_after_the_answer_on_a_phone(page):
    assert page.title() == "News assistant"
    assert page.locator("h1", has_text="News assistant").is_visible()
    assert not page.locator("#outlets").is_visible() and "all outlets, any date" in page.locator("#options").inner_text()
    assert page.locator("#chat [data-testid='block-label']").count() == 0  # no floating label over the chat
    # The placeholder stands inside the box, not on its border.
    gap = page.evaluate("""() => {
        const text = document.querySelector('#chat .placeholder-content *');
        return text.getBoundingClientRect().left - document.querySelector('#chat').getBoundingClientRect().left;
    }""")
    assert gap >= 12, gap
    box = page.locator("#question textarea")
    box.fill("first line")
    box.press("Shift+Enter")
    box.type("second line")
    assert box.input_value() == "first line\nsecond line" and page.locator("#chat [data-testid='user']").count() == 0
    page.set_viewport_size(PHONE)
    ask(page, "Where will Biden and Putin meet?")
    top = page.evaluate("() => document.querySelector('#sources-column').getBoundingClientRect().top + window.scrollY")
    bottom = page.evaluate("() => document.querySelector('#chat').getBoundingClientRect().bottom + window.scrollY")
    assert bottom < top < 1000, (bottom, top)  # after the answer, not below every option
    shot(page, "layout")


@pytest.mark.browser
def test_keys_in_the_answer_jump_to_their_source(page):
    page.set_viewport_size(PHONE)  # the sources are below the answer: the key has to scroll there
    ask(page, "What did Putin write to Obama on Independence Day?")
    key = page.locator("#chat a.cite-key").first
    assert key.inner_text() == "[1]"
    url = page.url
    key.click()
    page.wait_for_function("() => document.querySelector('#source-1').classList.contains('flash')")
    page.wait_for_function("""() => {
        const r = document.querySelector('#source-1').getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight;
    }""")
    assert page.url == url and len(page.context.pages) == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # the smooth scroll settles
    page.screenshot(path=str(SHOTS / "key-jump-phone.png"))
    page.set_viewport_size(DESKTOP)
    page.locator("#chat a.cite-key").first.click()
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "key-jump.png"))
    # The passage the key jumped to opens its whole article there, that passage's sentence in view.
    cited = page.locator("#source-1 mark").first.inner_text().strip()
    page.locator("#sources .read-at[data-key='1']").click()
    page.locator("#reader .reader-overlay:not(.closed)").wait_for()
    page.wait_for_function("() => document.querySelector('#reader .reader-overlay').dataset.shown === '1'")
    focus = page.locator("#reader #reader-focus")
    assert focus.get_attribute("data-keys") == "1" and " ".join(focus.inner_text().split()) in " ".join(cited.split())
    for name, viewport in (("key-reader", DESKTOP), ("key-reader-phone", PHONE)):
        page.set_viewport_size(viewport)
        page.evaluate("() => document.querySelector('#reader #reader-focus').scrollIntoView({block: 'center'})")
        page.wait_for_timeout(300)
        assert reader_focus_in_view(page), name
        page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.keyboard.press("Escape")


@pytest.mark.browser
def test_the_conversation_survives_a_reload_and_a_new_one_starts_empty(page):
    ask(page, "Where will Biden and Putin meet?")
    page.reload()
    page.locator("#status", has_text="Ready:").wait_for()
    page.locator("#chat [data-testid='bot']").first.wait_for()
    assert "Where will Biden and Putin meet?" in page.locator("#chat [data-testid='user']").first.inner_text()
    assert "Geneva" in page.locator("#chat [data-testid='bot']").first.inner_text()
    assert page.locator("#sources .card").count() >= 1
    shot(page, "reloaded")
    page.locator("#new-chat").click()
    page.wait_for_function("() => document.querySelectorAll('#chat [data-testid=bot]').length === 0")
    assert "Sources of the answer appear here." in page.locator("#sources").inner_text()
    page.reload()
    page.locator("#status", has_text="Ready:").wait_for()
    page.wait_for_timeout(1000)
    assert page.locator("#chat [data-testid='bot']").count() == 0


# The article reader ---------------------------------------------------------------------------

SOURCED_ARTICLE = """---
title: Harbour council approves night ferry to the islands
outlet: Quillmere Courier
author: Tomas Lind
published: 2023-09-14
url: https://courier.example.org/news/night-ferry
---

The Quillmere harbour council approved a night ferry to the outer islands on Thursday.
The ferry will run three nights a week from November, the council's transport chair Maren Holt said.
Islanders had asked for a late crossing for a decade.
"""


def reader_focus_in_view(page) -> bool:
    return page.evaluate("""() => {
        const f = document.querySelector('#reader #reader-focus');
        const box = document.querySelector('#reader .reader-text');
        if (!f || !box) return false;
        const r = f.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
    }""")


@pytest.mark.browser
def test_a_card_title_opens_the_whole_article_with_the_cited_sentence_in_view(page, settings):
    ask(page, "Where will Biden and Putin meet?")
    card = page.locator("#sources .card").first
    article_id = card.get_attribute("data-article")
    cited = card.locator("blockquote mark").first.inner_text().strip()
    card.locator(".headline .open-reader").click()
    reader = page.locator("#reader .reader-overlay")
    reader.wait_for()
    text = open_store(settings).article_text(article_id)
    shown = page.locator("#reader .reader-text").inner_text()
    assert " ".join(shown.split()).replace("[1]", "") == " ".join(text.split())  # the whole cleaned article
    assert cited in page.locator("#reader #reader-focus").inner_text()
    page.wait_for_function("() => document.querySelector('#reader .reader-overlay').dataset.shown === '1'")
    assert reader_focus_in_view(page)
    meta = page.locator("#reader .reader-meta").inner_text()
    assert "The Truth International" in meta and "date inferred" in meta and article_id in meta
    assert page.locator("#reader a.reader-original").count() == 0  # no URL: no link
    for name, viewport in (("reader", DESKTOP), ("reader-phone", PHONE)):
        page.set_viewport_size(viewport)
        page.evaluate("() => document.querySelector('#reader #reader-focus').scrollIntoView({block: 'center'})")
        page.wait_for_timeout(300)
        assert reader_focus_in_view(page), name
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.locator("#reader .reader-close").click()
    reader.wait_for(state="hidden")
    card.locator(".headline .open-reader").click()  # opens again after closing
    page.locator("#reader .reader-overlay:not(.closed)").wait_for()
    page.keyboard.press("Escape")
    page.locator("#reader .reader-overlay").wait_for(state="hidden")


@pytest.mark.browser
def test_a_corpus_row_opens_the_article_with_a_link_to_the_original(page, tmp_path, settings):
    upload(page, tmp_path / "night-ferry.md", SOURCED_ARTICLE, "Added 1 article: night-ferry")
    page.locator("#articles").get_by_text("Harbour council approves night ferry").first.click()
    reader = page.locator("#reader .reader-overlay[data-article='night-ferry']")
    reader.wait_for()
    assert "three nights a week from November" in page.locator("#reader .reader-text").inner_text()
    link = page.locator("#reader a.reader-original")
    assert link.get_attribute("href") == "https://courier.example.org/news/night-ferry"
    assert link.get_attribute("target") == "_blank"
    meta = page.locator("#reader .reader-meta").inner_text()
    assert "Quillmere Courier" in meta and "Tomas Lind" in meta and "14 September 2023" in meta
    for name, viewport in (("reader-corpus", DESKTOP), ("reader-corpus-phone", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.locator("#reader .reader-close").click()
    reader.wait_for(state="hidden")
    delete_article(page, "night", "night-ferry")


# Notices (near miss, filters) ---------------------------------------------------------------


def visible_likes(page) -> int:
    return page.locator("#chat button[aria-label='Like']:visible").count()


@pytest.mark.browser
def test_near_miss_and_filter_notices_are_their_own_kind_of_message_without_thumbs(page):
    ask(page, "What did Putin write to Biden on Independence Day?")
    near = page.locator("#chat [data-testid='bot'] .chat-notice.notice-near-miss")
    assert near.count() == 1 and "no mention of Biden" in near.inner_text()
    label = page.evaluate("() => getComputedStyle(document.querySelector('#chat .chat-notice'), '::before').content")
    assert "Not an answer" in label, label
    assert visible_likes(page) == 0  # a notice is not an answer to rate

    open_options(page)
    set_field(page, "since", "2020-01-01")
    ask(page, "How many goals did Messi score in the World Cup final?")
    filtered = page.locator("#chat [data-testid='bot'] .chat-notice.notice-filter")
    assert filtered.count() == 1 and "Only articles dated 2020-01-01 or later were searched" in filtered.inner_text()
    assert visible_likes(page) == 0
    shot(page, "notices")

    set_field(page, "since", "")
    answer = ask(page, "Where will Biden and Putin meet?")
    assert "Geneva" in answer
    assert page.locator("#chat [data-testid='bot']").last.locator(".chat-notice").count() == 0
    assert visible_likes(page) == 1  # the answer, and only the answer, can be rated


def test_the_reader_marks_cited_spans_escapes_the_text_and_links_only_web_urls():
    from datetime import date

    from assistant.records import ArticleMeta
    from assistant.ui_reader import reader_html

    text = "First <b>line</b>.\nThey met in Vienna. Then they left.\nEnd."
    s = text.index("They met")
    meta = ArticleMeta(title="Talks <i>in</i> Vienna", published=date(2021, 5, 19), outlet=None,
                       url="javascript:alert(1)", published_inferred="reports the talks of 18 May")
    shown = reader_html("a1", meta, text, [(s, s + 35, s, s + 19, 2), (0, 999, 0, 5, 3)], focus=2)
    assert "<b>" not in shown and "&lt;b&gt;line&lt;/b&gt;" in shown and "Talks &lt;i&gt;in&lt;/i&gt; Vienna" in shown
    assert "<mark class='cited' data-keys='2' id='reader-focus'>They met in Vienna.</mark><span class='reader-key'>[2]</span>" in shown
    assert "<span class='passage'> Then they left.</span>" in shown
    assert "[3]" not in shown  # a span past the text's end is left out
    assert "href" not in shown and "outlet not stated" in shown and "date inferred: reports the talks of 18 May" in shown
    linked = reader_html("a1", ArticleMeta(title="T", url="https://example.org/a?x=1&y=2"), text)
    assert "<a class='reader-original' href='https://example.org/a?x=1&amp;y=2' target='_blank'" in linked
    assert "no longer in the index" in reader_html("gone", None, None)


def test_a_fallback_note_names_no_settings_a_writer_cannot_change():
    from assistant.ui_render import for_writers

    note = "The LLM at http://10.0.0.5/v1 did not finish its answer within 60 s (ASSISTANT_OPENAI_TOTAL_TIMEOUT); showing the offline answer."
    assert for_writers(note) == "The LLM at http://10.0.0.5/v1 did not finish its answer within 60 s; showing the offline answer."
    unset = "No LLM endpoint is configured (set ASSISTANT_OPENAI_BASE_URL, e.g. http://localhost:11434/v1 for Ollama); showing the offline answer."
    assert for_writers(unset) == "No LLM endpoint is configured; showing the offline answer."
    assert for_writers("The LLM at http://x/v1 answered HTTP 500 (boom); showing the offline answer.").endswith("(boom); showing the offline answer.")
    key = "The LLM at http://x/v1 answered HTTP 401 (Bad key; check ASSISTANT_OPENAI_API_KEY); showing the offline answer."
    assert for_writers(key) == "The LLM at http://x/v1 answered HTTP 401 (Bad key); showing the offline answer."
    model = "The LLM at http://x/v1 answered HTTP 404 (no such model; check the base URL and ASSISTANT_OPENAI_MODEL); showing"
    assert for_writers(model) == "The LLM at http://x/v1 answered HTTP 404 (no such model); showing"


# Correcting an article's metadata -------------------------------------------------------------

LIGHTHOUSE = """Lighthouse keepers return to Skerrow Point after its automated lamp fails
By Mira Holt
3 February 2022

The Skerrow Point lighthouse will be staffed again from April after its automated lamp failed four times last winter, the coastal authority said.
Two keepers will live at the station in shifts of three weeks.
"""


def correct_form(page, article: str) -> None:
    """Open the Corpus tab's correction form on this article, chosen from its list."""
    open_tab(page, "Corpus")
    if not page.locator("#correct-id").is_visible():
        page.locator("#correct button").first.click()
    page.locator("#correct-id input").fill(article)
    page.get_by_role("option", name=re.compile(article)).click()
    page.wait_for_function("() => document.querySelector('#correct-title textarea, #correct-title input').value !== ''")


@pytest.mark.browser
def test_a_writer_corrects_an_articles_metadata_and_it_shows_everywhere_and_sticks(page, tmp_path, settings):
    path = tmp_path / "skerrow-light.txt"
    upload(page, path, LIGHTHOUSE, "Added 1 article: skerrow-light")
    # A click on the article's row opens it, and chooses it in the correction form.
    page.locator("#articles").get_by_text("Lighthouse keepers return to Skerrow Point").first.click()
    page.locator("#reader .reader-overlay[data-article='skerrow-light']").wait_for()
    page.keyboard.press("Escape")
    page.locator("#correct button").first.click()
    page.wait_for_function("() => document.querySelector('#correct-title textarea, #correct-title input').value.startsWith('Lighthouse')")
    assert field(page, "correct-outlet").input_value() == "" and field(page, "correct-author").input_value() == "Mira Holt"
    assert field(page, "correct-date").input_value() == "2022-02-03"

    field(page, "correct-outlet").fill("Skerrow Gazette")
    field(page, "correct-date").fill("2022-02-30")
    page.locator("#correct-save").click()
    error = page.locator("#correct-message", has_text="Not saved")
    error.wait_for()
    assert "Date: '2022-02-30' is not a real calendar date" in error.inner_text()
    assert open_store(settings).article_records()["skerrow-light"].meta.outlet is None  # nothing changed
    shot(page, "correct-error")

    field(page, "correct-date").fill("2022-02-02")
    page.locator("#correct-inferred input").check()
    page.locator("#correct-save").click()
    saved = page.locator("#correct-message", has_text="Saved skerrow-light")
    saved.wait_for()
    assert "outlet: not stated → “Skerrow Gazette”" in saved.inner_text() and "date: “2022-02-03” → “2022-02-02”" in saved.inner_text()
    table = page.locator("#articles", has_text="Skerrow Gazette")
    table.wait_for()
    assert "2022-02-02 (inferred)" in table.inner_text()
    shot(page, "correct-saved")

    # The file is uploaded again, changed: its new sentence is taken, the corrections stay.
    upload(page, path, LIGHTHOUSE + "The authority will review the lamp's supplier.\n", "Updated 1 article: skerrow-light")
    record = open_store(settings).article_records()["skerrow-light"]
    assert (record.meta.outlet, record.meta.published.isoformat()) == ("Skerrow Gazette", "2022-02-02")
    assert "review the lamp" in open_store(settings).article_text("skerrow-light")

    # The outlet filter offers the corrected outlet; the card, attribution and footnote show it.
    open_tab(page, "Chat")
    choose_outlet(page, "Skerrow Gazette")
    ask(page, "When will the Skerrow Point lighthouse be staffed again?")
    card = page.locator("#sources .card[data-article='skerrow-light']")
    assert "Skerrow Gazette · Mira Holt · 2 Feb 2022 (date inferred)" in card.inner_text()
    attribution = card.locator(".copy-attr").first.get_attribute("data-copy")
    assert attribution.startswith("according to a Skerrow Gazette report by Mira Holt (publication date inferred: 2 February 2022), “")
    assert re.search(r'^\[\^1\]: Skerrow Gazette, "Lighthouse keepers .+", by Mira Holt, 2 Feb 2022 \(date inferred\)\.',
                     download_text(page), re.MULTILINE)
    shot(page, "correct-answer")
    card.locator(".headline .open-reader").click()
    meta = page.locator("#reader .reader-meta")
    meta.wait_for()
    assert "Corrected by a writer" in meta.inner_text() and "Outlet" in meta.inner_text()
    page.keyboard.press("Escape")

    page.locator("#outlets input").click()  # the filter is cleared for the tests that follow
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    open_tab(page, "Corpus")
    delete_article(page, "skerrow", "skerrow-light")


# Backends -------------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_failed_llm_falls_back_with_a_note_naming_no_settings(page, llm):
    llm.script(Reply(content="Incorrect API key provided", status=401))
    open_options(page)
    page.get_by_label("openai").check()
    answer = ask(page, "Where will Biden and Putin meet?")
    assert "Geneva" in answer and "[1]" in answer  # the offline answer follows
    assert "answered HTTP 401 (Incorrect API key provided); showing the offline answer." in answer, answer
    assert "ASSISTANT_" not in page.locator("#chat").inner_text() and "ASSISTANT_" not in page.locator("#sources").inner_text()
    shot(page, "fallback-note")


@pytest.mark.browser
def test_openai_is_not_offered_in_the_browser_without_an_endpoint(browser, server, settings):
    from assistant import ui

    bare = settings.model_copy(update={"openai_base_url": None})
    app = ui.launch(bare, host="127.0.0.1", port=free_port(), block=False)
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(app.local_url)
        page.locator("#status", has_text="Ready:").wait_for()
        open_options(page)
        # Offline alone is no choice, and then the radio is not shown at all.
        offered = [x.strip() for x in page.locator("#backend label").all_inner_texts()] if page.locator("#backend").is_visible() else []
        assert "openai" not in offered and "openai" not in page.locator("#options").inner_text(), offered
        assert offered in ([], ["offline", "local"]), offered
        shot(page, "backends-no-endpoint")
    finally:
        context.close()
        app.close()
