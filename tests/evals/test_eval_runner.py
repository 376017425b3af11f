"""Unit tests of the runner and report with a fake assistant: history, scoring, diagnosis, outputs."""

import json

import pytest

from assistant.models import Answer, Citation, Passage
from evals import runner
from evals.report import comparison_table, write_report

pytestmark = pytest.mark.unit

ITEMS = [
    {"id": "num-a", "kind": "number", "question": "How much?", "facts": [["£2bn"], ["four years"]],
     "evidence": "£2bn over four years"},
    {"id": "name-b", "kind": "name", "question": "Who?", "facts": [["Daby"]], "evidence": "Janet Daby said"},
    {"id": "oos-c", "kind": "out_of_scope", "question": "Recipe?", "facts": [], "evidence": ""},
    {"id": "fu-d", "kind": "followup", "turns": ["What is family help?", "Who backed it?"], "facts": [["Daby"]],
     "evidence": "Janet Daby said"},
    {"id": "brief-e", "kind": "briefing", "topic": "family help", "facts": [["£2bn"], ["10 areas"]], "evidence": "x"},
]
PASSAGES = {"£2bn over four years was promised.": "c1", "Minister Janet Daby said it was central.": "c2"}


class FakeBot:
    """Answers from a fixed table; records the history it was given."""

    def __init__(self, with_brief=True):
        self.histories = []
        if with_brief:
            self.brief = lambda topic: type("B", (), {"markdown": "- £2bn [1]\n- no marker\n## References\n[1] 10 areas"})()

    def ask(self, question, history=None):
        self.histories.append(history)
        passages = [Passage(cid, text, {}) for text, cid in PASSAGES.items()]
        if question == "Recipe?":
            return Answer("not_found", "The documents do not cover this.", query=question, passages=passages[:1])
        if question == "Who?":
            return Answer("not_found", "Not covered.", query=question)  # false refusal, no passages
        text = {"How much?": "£2bn was promised [1].", "What is family help?": "Help for families [1]."}.get(
            question, "Janet Daby backed it [1].")
        cited = passages[1] if "Daby" in text else passages[0]
        return Answer("answered", text, [Citation(1, "s", "t", "p", "u", "", cited.text, cited.chunk_id)],
                      query=f"standalone: {question}", passages=passages)

    def retrieve(self, query, k=None):
        return [Passage(cid, text, {}) for text, cid in reversed(PASSAGES.items())][: k or 5]


def test_followup_history_grows_with_previous_answers():
    bot = FakeBot()
    record = runner.score(ITEMS[3], runner.run_item(bot, ITEMS[3]))
    assert bot.histories == [[], [{"role": "user", "content": "What is family help?"},
                                  {"role": "assistant", "content": "Help for families [1]."}]]
    assert record["query"] == "standalone: Who backed it?"
    assert record["fact_recall"] == 1.0 and record["reasons"] == []


def test_scores_and_diagnosis():
    records = runner.run_system(FakeBot(), ITEMS)
    by_id = {r["id"]: r for r in records}
    assert by_id["num-a"]["fact_recall"] == 0.5 and by_id["num-a"]["hit_at_5"] is True
    assert by_id["num-a"]["reasons"] == ["answer missed ['four years']"]
    assert by_id["name-b"]["status"] == "not_found"
    assert by_id["name-b"]["evidence_rank"] == 1  # measured on retrieve() because the refusal had no passages
    assert by_id["name-b"]["reasons"] == ["false refusal"]
    assert by_id["oos-c"]["reasons"] == []
    assert by_id["brief-e"]["fact_recall"] == 0.5 and by_id["brief-e"]["uncited"] == ["- no marker"]
    assert "passage_texts" not in by_id["num-a"]
    json.dumps(records)  # every record is JSON-able


def test_missing_brief_is_skipped_with_a_reason():
    record = runner.run_system(FakeBot(with_brief=False), ITEMS[4:])[0]
    assert record["status"] == "skipped" and record["reasons"] == ["briefing not measured"]
    assert runner.summarise([record])["overall"]["briefing_coverage"] is None


def test_errors_are_recorded_not_raised():
    class Broken(FakeBot):
        def ask(self, question, history=None):
            raise RuntimeError("boom")

    record = runner.run_system(Broken(), ITEMS[:1])[0]
    assert record["status"] == "error" and record["reasons"] == ["error: RuntimeError: boom"]


def test_summarise_uses_gate_names():
    overall = runner.summarise(runner.run_system(FakeBot(), ITEMS))["overall"]
    assert overall["fact_recall"] == pytest.approx(0.25)  # num 0.5, name 0 (refused)
    assert overall["oos_refusal"] == 1.0
    assert overall["false_refusal"] == pytest.approx(1 / 3)
    assert overall["followup"] == 1.0 and overall["briefing_coverage"] == 0.5 and overall["uncited_bullets"] == 1
    assert overall["citation_support"] == 1.0


def test_report_and_history(tmp_path):
    records = runner.run_system(FakeBot(), ITEMS)
    summary = runner.summarise(records)
    result = {"created": "now", "backend": "none", "corpus_version": "v", "notes": ["a note"], "gates": {},
              "systems": {"project": summary, "bm25": summary}, "gate_failures": ["x 0 < 1"],
              "failing_items": {r["id"]: r["reasons"] for r in records if r["reasons"]}}
    history = tmp_path / "history.jsonl"
    runner.append_history(history, result)
    runner.append_history(history, result)
    assert len(runner.load_history(history)) == 2
    path = write_report(tmp_path, result, {"project": records}, runner.load_history(history))
    text = path.read_text()
    assert "BM25 only" in text and "FAIL x 0 < 1" in text and "`name-b`: false refusal" in text
    for png in ("per_kind.png", "latency.png", "baselines.png", "trend.png"):
        assert (tmp_path / png).stat().st_size > 0
    assert comparison_table(result["systems"]).count("\n") == 3


@pytest.mark.parametrize("kinds, limit, expected", [
    (None, None, ["num-a", "name-b", "oos-c", "fu-d", "brief-e"]),
    (["number", "out_of_scope"], None, ["num-a", "oos-c"]),
    (None, 3, ["num-a", "name-b", "oos-c"]),
    (["followup", "number"], 1, ["num-a"]),
    (None, 99, ["num-a", "name-b", "oos-c", "fu-d", "brief-e"]),
])
def test_select_takes_kinds_in_turn_in_file_order(kinds, limit, expected):
    assert [item["id"] for item in runner.select(ITEMS, kinds, limit)] == expected


def test_select_round_robin_over_kinds():
    items = [{"id": f"n{i}", "kind": "number"} for i in range(3)] + [{"id": "o0", "kind": "out_of_scope"}]
    assert [item["id"] for item in runner.select(items, limit=3)] == ["n0", "n1", "o0"]


class FakeLLMBot(FakeBot):
    """FakeBot's answers labelled as an LLM backend's would be: £2bn kept from the LLM, the rest fallbacks."""

    def ask(self, question, history=None):
        answer = super().ask(question, history)
        if answer.status == "answered":
            kept = "£2bn" in answer.answer
            answer.backend = "openai" if kept else "extractive (fallback)"
            answer.notes = ["guard: kept 1 of 1 sentences"] if kept else ["guard: kept 0 of 5 sentences"]
        if history:
            answer.notes.insert(0, "condense: LLM rewrote the follow-up as: who backed family help?")
        return answer


def test_backends_side_by_side_in_metrics_and_report(tmp_path):
    from evals.report import BACKEND_ROWS, backend_table

    records = {"project": runner.run_system(FakeBot(), ITEMS), "openai": runner.run_system(FakeLLMBot(), ITEMS)}
    systems = {name: runner.summarise(rows) for name, rows in records.items()}
    llm = systems["openai"]["overall"]
    assert (llm["llm_answers"], llm["fallbacks"], llm["fallback_rate"]) == (1, 1, 0.5)  # name-b, oos-c refused
    assert (llm["guard_kept"], llm["guard_dropped"], llm["condensed_by_llm"]) == (1, 5, 1)
    assert systems["project"]["overall"]["fallback_rate"] is None
    backends = runner.backends_side_by_side(systems, "openai")
    assert list(backends) == ["extractive", "openai"] and set(backends["openai"]) == {k for k, _ in BACKEND_ROWS}
    info = {"backend": "openai", "model": "tiny", "base_url": "http://127.0.0.1:1/v1", "max_tokens": 64}
    table = backend_table(backends, info)
    assert table.splitlines()[0] == "| metric | extractive | openai (tiny) |"
    assert "| fallback rate | n/a | 0.500 |" in table
    result = {"created": "now", "backend": "openai", "llm": info, "corpus_version": "v", "notes": [], "gates": {},
              "systems": systems, "gate_failures": [], "subset": True, "subset_gate_gaps": ["followup not measured"],
              "failing_items": {}, "backends": backends}
    text = write_report(tmp_path, result, records, []).read_text()
    assert "## Backends side by side" in text and table in text
    assert "| `num-a` | number | answered | 0.50 | answered | 0.50 | openai | 1/1 |" in text
    assert "- below gate: followup not measured" in text and "All gates pass." not in text


def test_cli_accepts_a_subset_and_a_backend():
    from evals.__main__ import parse_args

    args = parse_args(["run", "--backend", "openai", "--kinds", "number, out_of_scope", "--limit", "6"])
    assert (args.backend, args.kinds, args.limit) == ("openai", ["number", "out_of_scope"], 6)
