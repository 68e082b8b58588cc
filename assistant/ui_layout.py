"""The UI's page: the Chat and Corpus tabs, the article reader over them, and which handler
each control calls; its style (APP_CSS) and the backends it offers.
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from assistant.config import Settings
from assistant.ui_chat import EMPTY_CONVERSATION, options_label
from assistant.ui_corpus import TABLE_HEADERS
from assistant.ui_sources import SOURCES_CSS, SOURCES_JS, sources_html
from assistant.ui_state import AssistantUI

#: Answers computed at once; the rest wait in gradio's queue (the model shares 2 cores well).
ANSWER_CONCURRENCY = 4
PLACEHOLDER = (
    "**Ask about the indexed news articles.** Every sentence of an answer cites its source, "
    "e.g. *Where will Biden and Putin meet?* Follow-up questions keep the conversation's topic."
)
#: Where the browser keeps the conversation, so that a reload does not lose it.
CONVERSATION_KEY = "news-assistant-conversation"
#: The page's own layout; gradio's defaults are kept for everything else.
APP_CSS = """
#app-header { align-items: baseline; gap: 1rem; }
#app-header h1 { margin: 0; font-size: 1.6rem; }
#status p, #chat-hint p { margin: 0; color: var(--body-text-color-subdued); }
#chat-hint p { font-size: .85em; }
#options-error p { margin: 0; color: #b91c1c; font-weight: 600; }
#delete-confirm { border: 1px solid #dc2626; border-radius: 8px; padding: .6rem; background: #fef2f2; }
#chat .placeholder-content { padding: 1rem 1.5rem; }
#chat button[aria-label='Clear'] { display: none; }  /* "New conversation" does it, below the chat */
#chat .cite-key { text-decoration: none; font-weight: 600; border-radius: 4px; padding: 0 .1em; }
#chat .cite-key:hover { background: #fde68a; }
#reader-request { display: none !important; }
#articles tbody td { cursor: pointer; }
@media (max-width: 700px) {
  #chat { height: 55vh !important; }
  /* The article table keeps readable columns and scrolls sideways, rather than squeezing a
     date to a character a line (gradio sets each column's width from column_widths, inline). */
  #articles table, #articles .virtual-body, #articles .virtual-row { width: 760px !important; min-width: 760px !important; max-width: none !important; }
  #articles th:nth-child(1), #articles .body-cell:nth-child(1) { width: 140px !important; min-width: 140px !important; max-width: 140px !important; }
  #articles th:nth-child(2), #articles .body-cell:nth-child(2) { width: 250px !important; min-width: 250px !important; max-width: 250px !important; }
  #articles th:nth-child(3), #articles .body-cell:nth-child(3), #articles th:nth-child(4), #articles .body-cell:nth-child(4) { width: 110px !important; min-width: 110px !important; max-width: 110px !important; }
  #articles th:nth-child(5), #articles .body-cell:nth-child(5) { width: 100px !important; min-width: 100px !important; max-width: 100px !important; }
  #articles th:nth-child(6), #articles .body-cell:nth-child(6) { width: 50px !important; min-width: 50px !important; max-width: 50px !important; }
  #app-header { flex-direction: column; gap: .2rem; }
}
"""


def backend_choices(settings: Settings) -> list[str]:
    """"openai" only where an endpoint is configured, "local" only where llama.cpp's server and
    a model are installed: offered without them they can only fall back."""
    from assistant.answer.local import LocalUnavailable, model_path, server_installed

    choices = ["offline"] + (["openai"] if settings.llm_base_url else [])
    try:
        if server_installed() and model_path(settings):
            choices.append("local")
    except LocalUnavailable:
        pass
    return choices


def build_app(settings: Settings, echo: Callable[[str], None] | None = None) -> gr.Blocks:
    """The whole UI; the first ingest (when the index is empty) starts now, in the background.

    Its page style is APP_CSS, which `launch` passes to gradio (gradio 6 takes it at launch)."""
    ui = AssistantUI(settings, echo)
    backends = backend_choices(settings)
    with gr.Blocks(title="News assistant", analytics_enabled=False) as app:
        with gr.Row(elem_id="app-header"):
            gr.Markdown("# News assistant", elem_id="app-title")
            status = gr.Markdown(ui.status, elem_id="status")
        timer = gr.Timer(1.0)
        saved = gr.BrowserState(dict(EMPTY_CONVERSATION), storage_key=CONVERSATION_KEY)
        with gr.Tab("Chat", id="chat-tab"):
            last_answer = gr.State(None)
            log_ids = gr.State({})
            pending = gr.State(None)
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    chatbot = gr.Chatbot(elem_id="chat", height=520, show_label=False, placeholder=PLACEHOLDER,
                                         buttons=[], feedback_options=("Like", "Dislike"))
                    options_error = gr.Markdown(visible=False, elem_id="options-error")
                    question = gr.Textbox(placeholder="Ask about the articles…",
                                          elem_id="question", show_label=False, lines=1, max_lines=6,
                                          submit_btn=True, autofocus=True)
                    with gr.Accordion("Search options: all outlets, any date", open=False, elem_id="options") as options:
                        with gr.Row():
                            outlets = gr.Dropdown([], multiselect=True, label="Outlets (none = all)", elem_id="outlets",
                                                  scale=2)
                            since = gr.Textbox(label="Since", placeholder="YYYY-MM-DD", elem_id="since", min_width=120)
                            until = gr.Textbox(label="Until", placeholder="YYYY-MM-DD", elem_id="until", min_width=120)
                        with gr.Row():
                            top_k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages to retrieve (top-k)")
                            backend = gr.Radio(backends, value=settings.backend if settings.backend in backends else "offline",
                                               label="Backend", visible=len(backends) > 1, elem_id="backend")
                    with gr.Row():
                        gr.Markdown("Enter asks, Shift+Enter adds a line; a key such as [1] jumps to its source, where "
                                    "*Read in article* opens the whole article at that passage.",
                                    elem_id="chat-hint")
                        new_chat = gr.Button("New conversation", size="sm", variant="secondary", elem_id="new-chat",
                                             scale=0, min_width=160)
                with gr.Column(scale=2, min_width=300, elem_id="sources-column"):
                    gr.Markdown("### Sources")
                    sources = gr.HTML(sources_html(None), css_template=SOURCES_CSS, js_on_load=SOURCES_JS,
                                      elem_id="sources")
                    download = gr.DownloadButton("Download answer (Markdown)", visible=False, elem_id="export-download",
                                                 size="md")
        with gr.Tab("Corpus", id="corpus-tab"):
            articles = gr.Dataframe(headers=TABLE_HEADERS, interactive=False, wrap=True, elem_id="articles",
                                    label="Indexed articles", column_widths=["19%", "37%", "14%", "14%", "10%", "6%"])
            with gr.Row():
                with gr.Column():
                    files = gr.File(file_count="multiple", label="Upload articles (.txt, .md, .html, .jsonl)",
                                    elem_id="upload")
                    add_btn = gr.Button("Add to index", variant="primary", elem_id="add")
                with gr.Column():
                    delete_id = gr.Dropdown([], label="Article to delete", elem_id="delete-id")
                    delete_btn = gr.Button("Delete article…", variant="stop", elem_id="delete")
                    with gr.Column(visible=False, elem_id="delete-confirm") as confirm_row:
                        confirm_text = gr.Markdown()
                        with gr.Row():
                            confirm_btn = gr.Button("Yes, delete it", variant="stop", size="sm", elem_id="delete-yes")
                            cancel_btn = gr.Button("Cancel", size="sm", elem_id="delete-cancel")
            corpus_msg = gr.Markdown(elem_id="corpus-message")
            with gr.Accordion("Correct an article's metadata", open=False, elem_id="correct"):
                gr.Markdown("A correction is kept in the index: new answers, footnotes, attributions and the outlet "
                            "filter show it at once, and it stays when the article's file is ingested again (the "
                            "fields you leave as they are follow the file). Click a row above to choose its article.",
                            elem_id="correct-hint")
                correct_id = gr.Dropdown([], label="Article to correct", elem_id="correct-id")
                with gr.Row():
                    fix_title = gr.Textbox(label="Title", elem_id="correct-title", scale=3)
                    fix_url = gr.Textbox(label="URL", placeholder="https://…", elem_id="correct-url", scale=2)
                with gr.Row():
                    fix_outlet = gr.Textbox(label="Outlet", elem_id="correct-outlet")
                    fix_author = gr.Textbox(label="Author", elem_id="correct-author")
                    fix_date = gr.Textbox(label="Date", placeholder="YYYY-MM-DD", elem_id="correct-date")
                    fix_inferred = gr.Checkbox(label="Date not stated in the article (inferred)", elem_id="correct-inferred")
                save_fix = gr.Button("Save corrections", variant="primary", elem_id="correct-save")
                fix_msg = gr.Markdown(elem_id="correct-message")
        # The article reader, over either tab: a card's title or a Corpus row opens it.
        reader_request = gr.Textbox(elem_id="reader-request", show_label=False, container=False)  # hidden by APP_CSS
        reader = gr.HTML("", elem_id="reader")

        views = [articles, delete_id, outlets, correct_id]
        fix_fields = [fix_title, fix_outlet, fix_author, fix_date, fix_inferred, fix_url]
        timer.tick(ui.tick, None, [status, timer, *views], api_visibility="private", show_progress="hidden")
        app.load(lambda: (ui.status, *ui.corpus_views()), None, [status, *views], api_visibility="private")
        app.load(ui.restore, [saved], [chatbot, log_ids, sources], api_visibility="private")

        asked = question.submit(
            ui.begin, [question, chatbot, backend, top_k, outlets, since, until],
            [question, chatbot, pending, options_error, options, download],
            api_visibility="private", queue=False, show_progress="hidden",
        )
        asked.then(
            ui.chat, [pending, chatbot, log_ids], [chatbot, sources, last_answer, log_ids, download, question, saved],
            api_visibility="private", concurrency_limit=ANSWER_CONCURRENCY, show_progress="minimal",
            show_progress_on=[chatbot],
        )
        for box in (since, until):
            box.change(ui.check_dates, [since, until], [options_error], api_visibility="private",
                       queue=False, show_progress="hidden")
        for control in (outlets, since, until):
            control.change(options_label, [outlets, since, until], [options], api_visibility="private",
                           queue=False, show_progress="hidden")
        new_chat.click(ui.new_conversation, None,
                       [chatbot, sources, last_answer, log_ids, download, saved, options_error],
                       api_visibility="private", queue=False)
        chatbot.like(ui.on_like, [log_ids], None, api_visibility="private")
        add_btn.click(ui.add_files, [files], [corpus_msg, files, status, *views], api_visibility="private",
                      show_progress_on=[corpus_msg])
        delete_btn.click(ui.ask_delete, [delete_id], [corpus_msg, confirm_row, confirm_text], api_visibility="private",
                         queue=False)
        confirm_btn.click(ui.delete, [delete_id], [corpus_msg, status, confirm_row, *views], api_visibility="private",
                          show_progress_on=[corpus_msg])
        cancel_btn.click(lambda: gr.Column(visible=False), None, [confirm_row], api_visibility="private", queue=False)
        reader_request.change(ui.open_reader, [reader_request], [reader], api_visibility="private", queue=False,
                             show_progress="hidden")
        articles.select(ui.open_row, [articles], [reader, correct_id], api_visibility="private", queue=False,
                        show_progress="hidden")
        correct_id.change(ui.load_correction, [correct_id], [*fix_fields, fix_msg], api_visibility="private",
                          queue=False, show_progress="hidden")
        save_fix.click(ui.save_correction, [correct_id, *fix_fields], [fix_msg, status, *views],
                       api_visibility="private", show_progress_on=[fix_msg])
        gr.api(ui.api_ask, api_name="ask", concurrency_limit=ANSWER_CONCURRENCY)
    app.assistant_ui = ui  # the handlers' shared state, for tests and for embedding the app
    return app
