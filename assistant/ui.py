"""The chat app for social workers (Gradio): cited answers, a sources panel, filters and briefings.

Everything shown from documents or questions is escaped here before it reaches the page.
Gradio is imported lazily so that `serve` can refuse an unsafe bind before loading anything heavy.
"""

import datetime as dt
import html
import ipaddress
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from assistant.models import Answer, Citation
from assistant.settings import Settings

if TYPE_CHECKING:
    import gradio as gr

    from assistant.pipeline import Assistant


NOTICE = ("Do not enter personal details of children or families; "
          "the assistant answers from published reform documents only.")
EXAMPLES = [
    "What is family help?",
    "What did the government say about social workers' workload?",
    "What was proposed for Independent Reviewing Officers?",
    "What is the early career framework for social workers?",
]
THINKING = "Searching the documents…"
CSS = """
.notice { border-left: 4px solid #b45309; padding: .5rem .75rem; background: #fff7ed; color: #1f2937; }
.answer p { margin: 0 0 .5rem 0; }
.answer .disagree, .sources .disagree { border-left: 4px solid #1d4ed8; padding: .25rem .5rem;
  background: #eff6ff; color: #111827; }
a.cite { font-weight: 600; text-decoration: underline; }
.sources ol { list-style: none; padding-left: 0; }
.sources li { margin: 0 0 1rem 0; padding: .5rem; border: 1px solid #d1d5db; border-radius: 6px; }
.sources li:target, .sources li:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.sources .ref, .sources .meta { display: block; margin: .15rem 0; }
.sources blockquote { margin: .25rem 0 0 0; padding-left: .5rem; border-left: 3px solid #9ca3af;
  white-space: pre-wrap; }
mark { background: #ffe066; color: #111; padding: 0 .1em; }
.status { margin: 0; }
.not-stated-label { margin: 0 0 0.25rem; color: #7c2d12; }
.status.error { color: #b91c1c; font-weight: 600; }
.catalogue table { border-collapse: collapse; width: 100%; }
.catalogue th, .catalogue td { border: 1px solid #d1d5db; padding: .25rem .5rem; text-align: left; }
"""
_CITE = re.compile(r"\[(\d{1,3})\]")
_CITED = re.compile(r"(.+?)\s*\[(\d{1,3})\]", re.S)
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


# -- serving ------------------------------------------------------------------------------------
def serve(settings: Settings) -> int:
    """Run the app until interrupted; refuse at once to listen beyond loopback without auth."""
    problem = bind_problem(settings)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from assistant.assembly import build_assistant

    bot = build_assistant(settings)
    app = build_app(bot, settings)
    app.launch(**launch_options(settings))
    return 0


def bind_problem(settings: Settings) -> str | None:
    """Why this host/auth combination must not be served, or None when it is fine."""
    if settings.auth is not None and parse_auth(settings.auth) is None:
        return "--auth must be user:password with both parts non-empty."
    if is_loopback(settings.host) or parse_auth(settings.auth):
        return None
    return (f"refusing to listen on {settings.host}: the app would be reachable from other machines "
            "without a password. Use the default --host 127.0.0.1, or set --auth user:password "
            "(or ASSISTANT_AUTH).")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """("user", "password") from "user:password"; None when absent or malformed."""
    user, sep, password = (auth or "").partition(":")
    return (user, password) if sep and user and password else None


def launch_options(settings: Settings) -> dict:
    """Keyword arguments for Blocks.launch(): local, private, no telemetry, no share link."""

    return dict(
        server_name=settings.host, server_port=settings.port, auth=parse_auth(settings.auth),
        share=False, inbrowser=False, show_error=False, quiet=False, footer_links=["api"],
        run_history=False, enable_monitoring=False, mcp_server=False, ssr_mode=False, pwa=False,
        theme=theme(), css=CSS,
    )


def theme():
    """The default theme with system fonts (nothing fetched) and a primary colour with AA contrast."""
    import gradio as gr

    return gr.themes.Default(
        primary_hue="blue", font=[gr.themes.Font("system-ui"), "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), "monospace"],
    ).set(button_primary_background_fill="*primary_700", button_primary_background_fill_hover="*primary_800",
          button_primary_text_color="white", button_primary_background_fill_dark="*primary_700")


# -- the app ------------------------------------------------------------------------------------
def build_app(assistant: "Assistant", settings: Settings) -> "gr.Blocks":
    """The whole Gradio app for one loaded Assistant."""
    import gradio as gr

    with gr.Blocks(title="Children's social care reform assistant", analytics_enabled=False) as app:
        gr.Markdown("# Children's social care reform assistant")
        gr.HTML(f'<p class="notice" role="note"><strong>{html.escape(NOTICE)}</strong></p>',
                js_on_load=None)
        with gr.Tab("Ask"):
            _chat_tab(gr, assistant, settings)
        with gr.Tab("Briefing"):
            _briefing_tab(gr, assistant)
        with gr.Accordion("About these documents", open=False):
            gr.HTML(catalogue_html(assistant.catalogue(), assistant.index_info), js_on_load=None,
                    elem_id="about-documents")

        def ask(question: str) -> str:
            """Answer a question from the reform documents: the answer with its numbered references."""
            return assistant.ask(question).as_text()

        gr.api(ask, api_name="ask", concurrency_id="assistant")
    app.queue(default_concurrency_limit=1)
    return app


def _chat_tab(gr, assistant: "Assistant", settings: Settings) -> None:
    """Chat, filters, sources panel, copy box and feedback, wired to one session's state."""
    turns = gr.State([])
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="Conversation", height=460, buttons=[], feedback_options=None,
                                 latex_delimiters=[], elem_id="chat", layout="panel")
            question = gr.Textbox(label="Your question", placeholder="Ask about children's social care reform",
                                  max_lines=4, elem_id="question", autofocus=True)
            with gr.Row():
                send = gr.Button("Ask", variant="primary", elem_id="ask-button")
                new = gr.Button("New conversation", variant="secondary", elem_id="new-conversation")
            gr.Examples(EXAMPLES, inputs=[question], label="Example questions", api_visibility="private")
            status = gr.HTML("", js_on_load=None, elem_id="status")
            with gr.Accordion("Filters", open=False):
                publishers = gr.Dropdown(assistant.publishers(), multiselect=True, value=[],
                                         label="Publishers (none selected: all)", elem_id="publishers")
                with gr.Row():
                    date_from = gr.Textbox(label="Published from (YYYY-MM-DD or YYYY)", elem_id="date-from")
                    date_to = gr.Textbox(label="Published to (YYYY-MM-DD or YYYY)", elem_id="date-to")
            copy_box = gr.Textbox(label="Answer with references (plain text, to copy)", lines=6,
                                  interactive=False, buttons=["copy"], elem_id="copy-answer")
            _feedback(gr, settings, turns)
        with gr.Column(scale=2):
            sources = gr.HTML(sources_html([]), js_on_load=None, elem_id="sources",
                              label="Sources", max_height=900)

    def respond(text, state, chosen, start, end):
        yield from answer_turns(assistant, settings, text, state, chosen, start, end)

    outputs = [chatbot, turns, sources, copy_box, status, question]
    options = dict(fn=respond, inputs=[question, turns, publishers, date_from, date_to], outputs=outputs,
                   api_visibility="private", concurrency_id="assistant", show_progress="minimal")
    question.submit(**options)
    send.click(**options)
    def reset():
        return [], [], sources_html([]), "", "", ""

    new.click(reset, outputs=outputs, api_visibility="private", queue=False)
    chatbot.clear(reset, outputs=outputs, api_visibility="private", queue=False)


def _feedback(gr, settings: Settings, turns) -> None:
    """Helpful / not helpful with a comment, stored only when settings.feedback_path is set."""
    with gr.Accordion("Feedback on the last answer (optional)", open=False,
                      visible=settings.feedback_path is not None):
        rating = gr.Radio(["Helpful", "Not helpful"], label="Was the last answer helpful?", elem_id="rating")
        comment = gr.Textbox(label="Comment (optional; no personal details)", lines=2, elem_id="comment")
        send = gr.Button("Send feedback", elem_id="send-feedback")
        done = gr.HTML("", js_on_load=None)
    send.click(lambda r, c, s: record_feedback(settings, r, c, s), inputs=[rating, comment, turns],
               outputs=[done, comment], api_visibility="private")


def _briefing_tab(gr, assistant: "Assistant") -> None:
    """A topic in, the briefing markdown out with md/html/docx downloads; and the timeline."""
    topic = gr.Textbox(label="Briefing topic", placeholder="e.g. family help", elem_id="briefing-topic")
    with gr.Row():
        brief = gr.Button("Write briefing", variant="primary", elem_id="write-briefing")
        timeline = gr.Button("Timeline of events", elem_id="timeline")
    text = gr.Markdown(elem_id="briefing-text")
    files = gr.File(label="Download", file_count="multiple", interactive=False, elem_id="briefing-files")
    def write(chosen: str, progress=gr.Progress()):  # gradio fills progress in: a bar while it works
        return make_briefing(assistant, chosen, progress)

    brief.click(write, inputs=[topic], outputs=[text, files], api_visibility="private",
                concurrency_id="assistant", show_progress="full")
    topic.submit(write, inputs=[topic], outputs=[text, files], api_visibility="private",
                 concurrency_id="assistant", show_progress="full")
    timeline.click(lambda: make_timeline(assistant), outputs=[text, files], api_visibility="private",
                   concurrency_id="assistant")


# -- handlers (plain functions, testable without a browser) -----------------------------------------
def answer_turns(assistant: "Assistant", settings: Settings, text: str, turns: list, publishers, start, end
                 ) -> Iterator[tuple]:
    """Yield (chat, turns, sources, copy, status, question box) as the answer to text grows."""
    question = (text or "").strip()
    if not question:
        yield _view(turns, status_html("Type a question first.", error=True), keep=text)
        return
    try:
        filters = parse_filters(publishers, start, end)
    except ValueError as error:
        yield _view(turns, status_html(str(error), error=True), keep=text)
        return
    history = history_of(turns)
    pending = turns + [{"question": question, "answer": None}]
    yield _view(pending, status_html(THINKING))
    answer = None
    for answer in assistant.ask_stream(question, history, filters):
        pending[-1] = {"question": question, "answer": answer}
        yield _view(pending, "")
    log_chat(settings, question, answer)
    yield _view(pending, status_html(_done_message(answer, filters)))


def _view(turns: list, status: str, keep: str = "") -> tuple:
    latest = turns[-1]["answer"] if turns and turns[-1]["answer"] else None
    return (chat_messages(turns), turns, sources_html(turns), latest.as_text() if latest else "",
            status, keep)


def _done_message(answer: Answer | None, filters) -> str:
    if answer is not None and answer.reason == "not_stated":
        return "Not stated in the documents; the closest passage they have is cited."
    if answer is None or answer.status != "answered":
        return "No answer found in the documents" + (" with these filters." if _filtered(filters) else ".")
    return f"Answered with {len(answer.citations)} source(s); select a number like [1] to see the passage."


def _filtered(filters) -> bool:
    return bool(filters.publishers or filters.date_from or filters.date_to)


def history_of(turns: list) -> list[dict]:
    """The conversation so far as role/content messages for Assistant.ask_stream."""
    history = []
    for turn in turns:
        if turn.get("answer") is not None:
            history += [{"role": "user", "content": turn["question"]},
                        {"role": "assistant", "content": turn["answer"].answer}]
    return history


def parse_filters(publishers, start: str | None, end: str | None):
    """Filters from the controls; ValueError with a message a person understands on a bad date."""
    from assistant.retrieval.fusion import Filters

    date_from = parse_date(start, "Published from", last=False)
    date_to = parse_date(end, "Published to", last=True)
    if date_from and date_to and date_from > date_to:
        raise ValueError(f"The date range is empty: 'from' ({date_from}) is after 'to' ({date_to}).")
    return Filters(publishers=list(publishers or []), date_from=date_from, date_to=date_to)


def parse_date(value: str | None, label: str, last: bool) -> str | None:
    """ISO date from 'YYYY-MM-DD' or 'YYYY' (first or last day of the year); None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}", value):
        return f"{value}-12-31" if last else f"{value}-01-01"
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{label}: '{value}' is not a date. Use YYYY-MM-DD (e.g. 2016-07-13) or a year (e.g. 2016).")


def record_feedback(settings: Settings, rating: str | None, comment: str | None, turns: list) -> tuple:
    """Append one feedback line to settings.feedback_path; returns (message html, cleared comment)."""
    if settings.feedback_path is None:
        return status_html("Feedback is not being collected."), comment
    answered = [turn for turn in turns if turn.get("answer") is not None]
    if not answered or not rating:
        return status_html("Ask a question and choose Helpful or Not helpful first.", error=True), comment
    last = answered[-1]
    _append_jsonl(settings.feedback_path, {
        "time": _now(), "rating": rating, "comment": (comment or "").strip(), "question": last["question"],
        "status": last["answer"].status, "answer": last["answer"].as_text()})
    return status_html("Thank you: your feedback was saved."), ""


def log_chat(settings: Settings, question: str, answer: Answer | None) -> None:
    """Append the exchange to settings.chat_log_path; nothing is written when it is unset."""
    if settings.chat_log_path is None or answer is None:
        return
    _append_jsonl(settings.chat_log_path, {
        "time": _now(), "question": question, "status": answer.status, "answer": answer.answer,
        "references": [citation.reference() for citation in answer.citations]})


def _append_jsonl(path: Path, record: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def make_briefing(assistant: "Assistant", topic: str, progress=None) -> tuple[str, list[str]]:
    """(markdown, [md, html, docx paths]) for a topic; a plain message when briefings are missing.
    progress(share, desc=…) is told each step (the Briefing tab passes gradio's progress bar)."""
    progress = progress or (lambda share, desc="": None)
    topic = (topic or "").strip()
    if not topic:
        return "Type a topic first.", []
    try:
        from assistant.briefing.export import render
    except ImportError:
        return "Briefings are not available in this version yet.", []
    progress(0.1, desc="Finding what the documents say on the topic")
    briefing = assistant.brief(topic)
    progress(0.8, desc="Preparing the downloads (md, html, docx)")
    folder = Path(tempfile.mkdtemp(prefix="reform-briefing-"))
    paths = []
    for fmt in ("md", "html", "docx"):
        data = render(briefing, fmt)
        path = folder / f"briefing-{_slug(topic)}.{fmt}"
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        paths.append(str(path))
    return safe_markdown(briefing.markdown), paths


def make_timeline(assistant: "Assistant") -> tuple[str, list[str]]:
    """(markdown, [md path]) of every dated event; a plain message when the timeline is missing."""
    try:
        from assistant.briefing.timeline import build_timeline
    except ImportError:
        return "The timeline is not available in this version yet.", []
    text = build_timeline(assistant, assistant.settings.scoring.briefing).markdown
    path = Path(tempfile.mkdtemp(prefix="reform-timeline-")) / "timeline.md"
    path.write_text(text, encoding="utf-8")
    return safe_markdown(text), [str(path)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "topic"


def safe_markdown(text: str) -> str:
    """Markdown with raw HTML neutralised, so document text shows as text (gr.Markdown also sanitises)."""
    return text.replace("<", "&lt;")


# -- HTML (every piece of document or user text goes through html.escape) ---------------------------
def chat_messages(turns: list) -> list[dict]:
    """Chatbot messages: the escaped question, then the answer as HTML with [n] linked to its source."""
    messages = []
    for index, turn in enumerate(turns, start=1):
        messages.append({"role": "user", "content": _html_block(f"<p>{html.escape(turn['question'])}</p>")})
        body = answer_html(turn["answer"], index) if turn["answer"] else f"<p>{THINKING}</p>"
        messages.append({"role": "assistant", "content": _html_block(body)})
    return messages


def _html_block(inner: str) -> str:
    # One raw HTML block with no blank line inside, so markdown leaves the escaped text alone.
    return f'<div class="answer">{inner}</div>'.replace("\n", " ")


def answer_html(answer: Answer, turn: int) -> str:
    """The answer's paragraphs, escaped, with each [n] a link to #src-<turn>-<n>."""
    known = {citation.n for citation in answer.citations}
    paragraphs = []
    for paragraph in (part.strip() for part in answer.answer.split("\n\n")):
        if not paragraph:
            continue
        linked = _CITE.sub(lambda m: _cite_link(m, turn, known), html.escape(paragraph))
        css = ' class="disagree"' if paragraph.startswith("Sources differ") else ""
        paragraphs.append(f"<p{css}>{linked}</p>")
    if answer.reason == "not_stated":  # its own state: the documents come close but do not say
        return f'<p class="not-stated-label"><strong>Not stated in the documents</strong></p>{"".join(paragraphs)}'
    return "".join(paragraphs)


def _cite_link(match: re.Match, turn: int, known: set[int]) -> str:
    n = int(match.group(1))
    if n not in known:
        return match.group(0)
    return f'<a class="cite" href="#src-{turn}-{n}" aria-label="Source {n}">[{n}]</a>'


def sources_html(turns: list) -> str:
    """The sources panel: for each answer (latest first) its citations with the passage highlighted."""
    parts = ['<section class="sources" aria-labelledby="sources-heading">',
             '<h2 id="sources-heading">Sources</h2>']
    answered = [(i, t) for i, t in enumerate(turns, start=1) if t.get("answer") and t["answer"].citations]
    if not answered:
        parts.append("<p>Sources for each answer appear here: title, publisher, date, a link to the original "
                     "and the passage, with the supporting sentence highlighted.</p>")
    for index, turn in reversed(answered):
        parts.append(_turn_sources(index, turn["question"], turn["answer"]))
    parts.append("</section>")
    return "".join(parts)


def _turn_sources(index: int, question: str, answer: Answer) -> str:
    notes = "".join(f'<p class="disagree" role="note">{html.escape(note)}</p>' for note in answer.disagreements)
    cited = cited_sentences(answer)
    items = "".join(citation_html(citation, index, cited.get(citation.n, [])) for citation in answer.citations)
    return (f'<div class="turn" id="turn-{index}"><h3>Question {index}: {html.escape(question)}</h3>'
            f"{notes}<ol>{items}</ol></div>")


def cited_sentences(answer: Answer) -> dict[int, list[str]]:
    """n -> the answer sentences that cite [n] (to highlight them all in the passage)."""
    found: dict[int, list[str]] = {}
    for paragraph in answer.answer.split("\n\n"):
        for match in _CITED.finditer(paragraph):
            if match.group(1).strip():
                found.setdefault(int(match.group(2)), []).append(match.group(1).strip())
    return found


def citation_html(citation: Citation, turn: int, sentences: list[str] | None = None) -> str:
    """One source: number, title linked to the original, publisher, date, page or section, passage with <mark>."""
    title = _link(citation.title or "Untitled", citation.url)
    parts = [citation.publisher or "Unknown publisher", citation.published or "undated", citation.locator]
    meta = " · ".join(html.escape(part) for part in parts if part)
    return (f'<li id="src-{turn}-{citation.n}" tabindex="-1"><div class="ref"><strong>[{citation.n}]</strong> '
            f'{title}</div><div class="meta">{meta}</div>'
            f"<blockquote>{highlight(citation, sentences)}</blockquote></li>")


def highlight(citation: Citation, sentences: list[str] | None = None) -> str:
    """The passage, escaped, with the supporting sentence(s) wrapped in <mark>."""
    text = citation.text or ""
    spans = [(citation.start, citation.end)] if 0 <= citation.start < citation.end <= len(text) else []
    for sentence in [citation.sentence, *(sentences or [])]:
        found = text.find(sentence) if sentence else -1
        if found >= 0:
            spans.append((found, found + len(sentence)))
    out, cursor = [], 0
    for start, end in _merged(spans):
        out += [html.escape(text[cursor:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        cursor = end
    return "".join(out) + html.escape(text[cursor:])


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def status_html(message: str, error: bool = False) -> str:
    """A short status line announced to screen readers."""
    if not message:
        return ""
    css = "status error" if error else "status"
    role = "alert" if error else "status"
    return f'<p class="{css}" role="{role}">{html.escape(message)}</p>'


def catalogue_html(catalogue: list[dict], index_info: dict) -> str:
    """Every source with its date and chunk count, and when the index was built."""
    stats = index_info.get("stats") or {}
    rows = "".join(
        f"<tr><td>{_link(s.get('title') or 'Untitled', s.get('url'))}</td><td>{html.escape(s.get('publisher') or '')}"
        f"</td><td>{html.escape(s.get('published') or 'undated')}</td><td>{int(s.get('chunks') or 0)}</td></tr>"
        for s in catalogue)
    built = html.escape(str(index_info.get("built_at") or "unknown"))
    version = html.escape(str(index_info.get("corpus_version") or "unknown"))
    summary = (f"<p>Index built at {built} (corpus version {version}): {len(catalogue)} documents, "
               f"{int(stats.get('chunks') or sum(int(s.get('chunks') or 0) for s in catalogue))} chunks.</p>")
    return (f'<div class="catalogue">{summary}<table><caption>Documents the assistant answers from</caption>'
            "<thead><tr><th scope=\"col\">Title</th><th scope=\"col\">Publisher</th><th scope=\"col\">Published"
            f"</th><th scope=\"col\">Chunks</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _link(text: str, url: str | None) -> str:
    label = html.escape(text)
    if url and re.match(r"https?://", url, re.I):
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{label}</a>'
    return label
