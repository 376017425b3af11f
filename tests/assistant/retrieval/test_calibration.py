"""The refusal threshold derived from each index at ingest, stored with it and used by the assistant."""

import pytest

from assistant.models import Passage
from assistant.retrieval.calibration import calibrate, calibration_version, off_topic_probes
from assistant.scoring import RefusalWeights

pytestmark = pytest.mark.unit


def test_probes_are_packaged_questions():
    probes = off_topic_probes()
    assert len(probes) >= 30 and all(probe.endswith("?") for probe in probes)


def test_threshold_is_the_best_probe_support_plus_the_margin():
    strong = [Passage("a#0", "cake recipe baking", {}, dense=0.4)]
    weak = [Passage("b#0", "family help", {}, dense=0.1)]
    idf = {"cake": 3.0, "recip": 3.0, "bake": 3.0, "famili": 1.0, "help": 1.0}
    result = calibrate(lambda q: strong if "cake" in q else weak, idf, ["Give me a cake recipe?", "Who won?"])
    assert result.probe_max == pytest.approx(0.4 + 0.5 * 1.0, abs=1e-3)  # cosine + half the coverage
    assert result.min_support == pytest.approx(result.probe_max + RefusalWeights().calibration_margin, abs=1e-3)
    assert result.probes == 2


def test_the_margin_and_the_support_weights_come_from_the_scoring_config():
    passages = [Passage("a#0", "cake recipe", {}, dense=0.4)]
    idf = {"cake": 1.0, "recip": 1.0}
    wider = RefusalWeights(calibration_margin=0.3, coverage=1.0)
    result = calibrate(lambda q: passages, idf, ["A cake recipe?"], weights=wider)
    assert result.probe_max == pytest.approx(0.4 + 1.0 * 1.0, abs=1e-3)
    assert result.min_support == pytest.approx(result.probe_max + 0.3, abs=1e-3) and result.margin == 0.3
    assert calibration_version(wider) != calibration_version()  # a changed weight recalibrates the index


@pytest.mark.integration
def test_ingest_stores_the_threshold_and_the_assistant_uses_it(bot):
    info = bot.index_info
    assert 0.2 < float(info["min_support"]) < 0.9
    assert bot.min_support == pytest.approx(float(info["min_support"]))
    calibration = info["stats"]["calibration"]
    assert calibration["probes"] == len(off_topic_probes())
    assert calibration["min_support"] == pytest.approx(calibration["probe_max"] + calibration["margin"], abs=1e-3)
