"""assistant.ui without a server: escaping, highlighting, filters, logs, the bind guard, the API surface."""

import json
import sys
from pathlib import Path

import pytest

from assistant import ui
from assistant.models import Answer, Citation
from assistant.settings import Settings

pytestmark = pytest.mark.unit
PAYLOAD = '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1">'


def citation(n=1, text=f"Family help is local. {PAYLOAD} It starts early.", sentence="Family help is local.",
             title="Title <b>bold</b>", url="https://example.org/a?b=1&c=2", start=0, end=21) -> Citation:
    return Citation(n=n, source_id=f"s{n}", title=title, publisher="Pub <i>", url=url, published="2024-10-14",
                    text=text, sentence=sentence, start=start, end=end)


def answer(text="Family help is local. [1]", citations=None, status="answered", disagreements=None) -> Answer:
    return Answer(status=status, answer=text, citations=[citation()] if citations is None else citations,
                  disagreements=disagreements or [])


class FakeAssistant:
    """Streams two partial answers then the final one; records what it was asked."""

    def __init__(self):
        self.calls = []

    def ask_stream(self, question, history=None, filters=None):
        self.calls.append((question, history, filters))
        yield answer("Family help is local. [1]")
        yield answer(f"Family help is local. [1] {PAYLOAD} [1]")

    def ask(self, question, history=None, filters=None):
        return answer()

    def publishers(self):
        return ["Community Care", "UNISON"]

    def catalogue(self):
        return [{"title": "A <script>", "publisher": "P", "published": "2016-01-01", "url": "javascript:x",
                 "chunks": 3}]

    index_info = {"built_at": "2026-01-01T00:00:00+00:00", "corpus_version": "abc123", "stats": {"chunks": 3}}


def test_chat_messages_escape_questions_and_answers_and_link_citations():
    messages = ui.chat_messages([{"question": PAYLOAD, "answer": answer(f"{PAYLOAD} says so. [1]")}])
    joined = "".join(message["content"] for message in messages)
    assert "<script" not in joined and "<img" not in joined
    assert "&lt;script&gt;" in joined
    assert '<a class="cite" href="#src-1-1"' in joined


def test_unknown_citation_numbers_are_not_linked():
    assert "href" not in ui.answer_html(answer("Something. [7]"), 1)


def test_sources_panel_escapes_everything_and_marks_the_sentence():
    panel = ui.sources_html([{"question": "q <b>", "answer": answer()}])
    assert "<script" not in panel and "<img" not in panel and "<b>" not in panel and "<i>" not in panel
    assert '<li id="src-1-1"' in panel
    assert "<mark>Family help is local.</mark>" in panel
    assert 'href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer"' in panel


def test_non_http_urls_are_not_links():
    assert "href" not in ui.citation_html(citation(url="javascript:alert(1)"), 1)


def test_highlight_falls_back_to_finding_the_sentence_and_marks_every_cited_sentence():
    cite = citation(start=500, end=600)
    marked = ui.highlight(cite, ["It starts early."])
    assert marked.count("<mark>") == 2
    assert "<mark>It starts early.</mark>" in marked


def test_disagreements_show_in_answer_and_panel():
    note = "Sources differ on the number: A gives “50” [1]; B gives “60” [2]."
    both = [citation(1), citation(2, sentence="It starts early.")]
    reply = answer("Family help is local. [1]\n\n" + note, citations=both, disagreements=[note])
    assert 'class="disagree"' in ui.answer_html(reply, 1)
    panel = ui.sources_html([{"question": "q", "answer": reply}])
    assert "Sources differ" in panel and 'id="src-1-1"' in panel and 'id="src-1-2"' in panel


def test_catalogue_lists_sources_with_dates_chunks_and_build_time():
    html = ui.catalogue_html(FakeAssistant().catalogue(), FakeAssistant.index_info)
    assert "2016-01-01" in html and "<td>3</td>" in html and "abc123" in html and "2026-01-01" in html
    assert "<script" not in html and "javascript:" not in html


@pytest.mark.parametrize("value, last, expected", [
    ("", False, None), ("2016", False, "2016-01-01"), ("2016", True, "2016-12-31"),
    (" 2016-07-13 ", False, "2016-07-13")])
def test_parse_date(value, last, expected):
    assert ui.parse_date(value, "From", last) == expected


@pytest.mark.parametrize("start, end, message", [
    ("2016-13-45", "", "is not a date"), ("13/07/2016", "", "YYYY-MM-DD"), ("2020", "2016", "is after")])
def test_bad_dates_give_a_clear_message(start, end, message):
    with pytest.raises(ValueError, match=message):
        ui.parse_filters([], start, end)


def test_answer_turns_streams_progressively_with_history_and_filters(tmp_path):
    bot = FakeAssistant()
    settings = Settings(store_dir=tmp_path)
    earlier = [{"question": "Before?", "answer": answer()}]
    steps = list(ui.answer_turns(bot, settings, " What is family help? ", earlier, ["UNISON"], "2016", ""))
    assert len(steps) == 4  # thinking, two partial answers, final status
    assert ui.THINKING in steps[0][0][-1]["content"]
    chat, turns, sources, copy, status, box = steps[-1]
    assert len(chat) == 4 and len(turns) == 2 and box == ""
    assert copy.startswith("Family help is local. [1]") and "\nReferences\n[1] " in copy
    assert "Answered" in status and 'id="src-2-1"' in sources
    question, history, filters = bot.calls[0]
    assert question == "What is family help?"
    assert history == [{"role": "user", "content": "Before?"},
                       {"role": "assistant", "content": "Family help is local. [1]"}]
    assert filters.publishers == ["UNISON"] and filters.date_from == "2016-01-01"


def test_bad_filter_stops_before_asking_and_keeps_the_question(tmp_path):
    bot = FakeAssistant()
    steps = list(ui.answer_turns(bot, Settings(store_dir=tmp_path), "Q?", [], [], "nonsense", ""))
    assert len(steps) == 1 and not bot.calls
    assert 'role="alert"' in steps[0][4] and steps[0][5] == "Q?"


def test_chat_log_only_when_configured(tmp_path):
    quiet = Settings(store_dir=tmp_path)
    list(ui.answer_turns(FakeAssistant(), quiet, "Q?", [], [], "", ""))
    assert list(tmp_path.iterdir()) == []
    logged = Settings(store_dir=tmp_path, chat_log_path=tmp_path / "chat.jsonl")
    list(ui.answer_turns(FakeAssistant(), logged, "Q?", [], [], "", ""))
    record = json.loads((tmp_path / "chat.jsonl").read_text())
    assert record["question"] == "Q?" and record["status"] == "answered" and record["references"]


def test_feedback_written_only_when_configured(tmp_path):
    turns = [{"question": "Q?", "answer": answer()}]
    message, _ = ui.record_feedback(Settings(store_dir=tmp_path), "Helpful", "ok", turns)
    assert "not being collected" in message and list(tmp_path.iterdir()) == []
    settings = Settings(store_dir=tmp_path, feedback_path=tmp_path / "fb.jsonl")
    message, cleared = ui.record_feedback(settings, "Not helpful", " too short ", turns)
    record = json.loads((tmp_path / "fb.jsonl").read_text())
    assert record["rating"] == "Not helpful" and record["comment"] == "too short" and cleared == ""


@pytest.mark.parametrize("host, auth, refused", [
    ("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False), ("127.0.0.2", None, False),
    ("0.0.0.0", None, True), ("192.168.1.5", None, True), ("0.0.0.0", "user:", True),
    ("0.0.0.0", "user:secret", False)])
def test_bind_guard(host, auth, refused):
    assert (ui.bind_problem(Settings(host=host, auth=auth)) is not None) is refused


def test_serve_refuses_public_bind_without_auth(capsys):
    assert ui.serve(Settings(host="0.0.0.0")) != 0
    assert "refusing to listen on 0.0.0.0" in capsys.readouterr().err


def test_launch_options_are_private():
    options = ui.launch_options(Settings(host="127.0.0.1", port=7999, auth="a:b"))
    assert options["share"] is False and options["auth"] == ("a", "b")
    assert options["mcp_server"] is False and options["enable_monitoring"] is False
    assert options["run_history"] is False
    fonts = json.dumps([str(font) for font in options["theme"]._font])
    assert "googleapis" not in fonts


def test_app_exposes_only_ask(tmp_path):
    app = ui.build_app(FakeAssistant(), Settings(store_dir=tmp_path))
    info = app.get_api_info()
    assert set(info["named_endpoints"]) == {"/ask"}
    assert not app.analytics_enabled


def test_briefing_without_the_module_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "assistant.briefing.export", None)
    monkeypatch.setitem(sys.modules, "assistant.briefing.timeline", None)
    assert "not available" in ui.make_briefing(FakeAssistant(), "family help")[0]
    assert "not available" in ui.make_timeline(FakeAssistant())[0]


def test_safe_markdown_neutralises_html():
    assert "<script" not in ui.safe_markdown(f"# Brief\n\n{PAYLOAD}")


def test_briefing_reports_its_progress_and_writes_three_downloads():
    from assistant.briefing.model import Briefing

    class Briefer:
        def brief(self, topic):
            return Briefing(title=f"Briefing: {topic}", topic=topic, generated="2026-01-01", corpus_version="v")

    steps = []
    markdown, paths = ui.make_briefing(Briefer(), "family help", lambda share, desc="": steps.append((share, desc)))
    assert markdown.startswith("# Briefing: family help")
    assert [Path(path).suffix for path in paths] == [".md", ".html", ".docx"]
    assert len(steps) >= 2 and [share for share, _ in steps] == sorted(share for share, _ in steps)
    assert all(desc for _, desc in steps)


def test_a_not_stated_answer_is_shown_as_its_own_state():
    citation = Citation(1, "s", "A report", "A publisher", "https://example.org", "2024-01-01", "It costs £5m a year.",
                        "s#0", "It costs £5m a year.", 0, 20)
    answer = Answer("not_found", "The documents don't state an amount per week; the closest they have is: It costs "
                                 "£5m a year. [1]", [citation], reason="not_stated")
    html_text = ui.answer_html(answer, 1)
    assert html_text.startswith('<p class="not-stated-label"><strong>Not stated in the documents</strong></p>')
    assert 'href="#src-1-1"' in html_text
    assert "closest passage" in ui._done_message(answer, None)
    plain = Answer("not_found", "The documents I have don't answer this.")
    assert "not-stated-label" not in ui.answer_html(plain, 1)
