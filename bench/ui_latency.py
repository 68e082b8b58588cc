"""The chat UI's speed as a writer sees it: time to first visible answer text in a real browser,
and ten concurrent chats through gradio_client.

    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.ui_latency            # ~2 min on 2 cores
    HF_HUB_OFFLINE=1 .venv/bin/python -m bench.ui_latency --rounds 2 --concurrent 10

It starts the UI on an empty index in a temporary folder (the first start ingests the bundled
corpus), opens it in headless Debian Chromium (Playwright, /usr/bin/chromium), asks one
warm-up question (not measured) and then each question below, each in a new conversation.
"First visible text" runs from the Enter key's keydown to the first animation frame after the
answer's message shows answer text (not the "…" placeholder, not only "Searching for: ..."),
both read from the page's own clock (performance.now). Then `--concurrent` gradio_client
clients ask /ask at once; each one's wall time and the whole batch's are printed.
Timings only: tests/test_ui.py checks that the answers are right.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Where will Biden and Putin meet?",
    "What did Obama and Putin discuss on their call?",
    "What did Putin write to Obama on Independence Day?",
    "Which organisation did Trump and Putin agree to fight?",
    "Who did Putin send telegrams to in May 2020?",
    "When will the Geneva summit take place?",
    "What did the Kremlin say about the call with Obama?",
    "What do Russia and the US hope to achieve in Geneva?",
    "What did Trump and Putin discuss on their phone call?",
    "Why did Putin send telegrams to Trump and Johnson?",
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

#: Installed before each question: notes when Enter is pressed and the first frame after the
#: new answer message shows answer text.
WATCH = """() => {
  const box = document.querySelector('#question textarea');
  const n = document.querySelectorAll("#chat [data-testid='bot']").length;
  window.__t = {};
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) window.__t.sent = performance.now();
  }, {capture: true, once: true});
  const shown = () => {
    const bots = document.querySelectorAll("#chat [data-testid='bot']");
    if (bots.length <= n) return false;
    const text = bots[bots.length - 1].innerText.replace(/Searching for:[^\\n]*/, '').replace(/…/g, '').trim();
    return text.length > 0;
  };
  const obs = new MutationObserver(() => {
    if (window.__t.seen || !shown()) return;
    window.__t.seen = true;
    obs.disconnect();
    requestAnimationFrame(() => { window.__t.first = performance.now(); });
  });
  obs.observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
}"""
DONE = """([n]) => {
  const bots = document.querySelectorAll("#chat [data-testid='bot']");
  const box = document.querySelector('#question textarea');
  return bots.length > n && box && !box.disabled && window.__t.first;
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index_dir: Path):
    os.environ["ASSISTANT_INDEX_DIR"] = str(index_dir)
    config = index_dir / "empty-assistant.toml"
    config.write_text("")
    os.environ["ASSISTANT_CONFIG"] = str(config)
    from assistant import ui
    from assistant.config import load_settings

    settings = load_settings(corpus_dir=ROOT / "corpus", backend="offline")
    app = ui.launch(settings, host="127.0.0.1", port=free_port(), block=False)
    if not app.assistant_ui.ready.wait(600):
        raise SystemExit(f"the first ingest did not finish: {app.assistant_ui.status}")
    return app


def first_text_ms(url: str, questions: list[str], rounds: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.set_default_timeout(120_000)
        page.goto(url)
        page.locator("#status", has_text="Ready:").wait_for()
        for i, question in enumerate(["Where will Biden and Putin meet?"] + questions * rounds):
            page.locator("#new-chat").click()
            page.wait_for_function("() => document.querySelectorAll(\"#chat [data-testid='bot']\").length === 0")
            page.evaluate(WATCH)
            box = page.locator("#question textarea")
            box.fill(question)
            box.press("Enter")
            page.wait_for_function(DONE, arg=[0])
            ms = page.evaluate("() => window.__t.first - window.__t.sent")
            if i:  # the first is the warm-up
                times.append(ms)
                print(f"  {ms:7.0f} ms  {question}", flush=True)
        browser.close()
    return times


def concurrent_chats(url: str, n: int) -> tuple[list[float], float, int]:
    from gradio_client import Client

    def one(question: str) -> tuple[float, bool]:
        client = Client(url, verbose=False)
        try:
            started = time.perf_counter()
            text, details = client.predict(question=question, api_name="/ask")
            return time.perf_counter() - started, bool(details["citations"]) and "[1]" in text
        finally:
            client.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(one, (QUESTIONS * (n // len(QUESTIONS) + 1))[:n]))
    return [s for s, _ in results], time.perf_counter() - started, sum(ok for _, ok in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1, help="times each of the 10 questions is asked (default 1)")
    parser.add_argument("--concurrent", type=int, default=10, help="concurrent gradio_client chats (0: none)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="ui-latency-") as tmp:
        app = start_server(Path(tmp))
        url = app.local_url.rstrip("/")
        try:
            print(f"First visible answer text in Chromium (offline backend, bundled corpus, {os.cpu_count()} cores, "
                  f"load average {os.getloadavg()[0]:.1f}):", flush=True)
            times = first_text_ms(url, QUESTIONS, args.rounds)
            print(f"first visible text: median {statistics.median(times):.0f} ms, min {min(times):.0f}, "
                  f"max {max(times):.0f} (n={len(times)})")
            if args.concurrent:
                walls, total, cited = concurrent_chats(url, args.concurrent)
                print(f"{args.concurrent} concurrent gradio_client chats: {cited}/{args.concurrent} answered with citations; "
                      f"each took median {statistics.median(walls):.2f} s, max {max(walls):.2f} s; "
                      f"all done in {total:.2f} s")
        finally:
            app.close()


if __name__ == "__main__":
    main()
