"""The transformers backend: the cache of the converted model, settings, and the real Gemma 3 270M run
in-process (the same model the llm tests use; conversion happens once, in ~/.cache/reform-assistant)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from assistant.assembly import build_llm as build_backend
from assistant.llm.backends import BackendError
from assistant.llm.transformers_backend import (END_OF_TURN, START_OF_TURN, TransformersBackend, converted_dir,
                                                gemma_prompt, is_converted, load_model, packaged_gguf,
                                                prepared_gguf)
from assistant.settings import Settings
from tests.conftest import REPO


@pytest.mark.unit
def test_prompt_is_one_user_turn_then_the_model_turn():
    prompt = gemma_prompt("Rules.", "Question?")
    assert prompt.startswith(f"{START_OF_TURN}user\nRules.\n\nQuestion?{END_OF_TURN}\n")
    assert prompt.endswith(f"{START_OF_TURN}model\n") and prompt.count(START_OF_TURN) == 2
    assert gemma_prompt("", "Question?") == f"{START_OF_TURN}user\nQuestion?{END_OF_TURN}\n{START_OF_TURN}model\n"


@pytest.mark.unit
def test_converted_dir_is_named_after_the_file_and_its_size(tmp_path):
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"x" * 10)
    first = converted_dir(gguf, tmp_path / "cache")
    gguf.write_bytes(b"x" * 11)  # a new release under the same name is converted afresh
    assert first == tmp_path / "cache" / "model-10" and converted_dir(gguf, tmp_path / "cache") != first


@pytest.mark.unit
def test_processes_preparing_the_model_together_convert_it_once(tmp_path, monkeypatch):
    """Two preparations at once (as two test workers on a fresh machine): the second waits for the first's
    conversion and keeps it. The conversion here is a stand-in that writes the files a real one leaves."""
    import assistant.llm.transformers_backend as backend

    conversions = []

    def slow_convert(gguf, target):
        conversions.append(target)
        time.sleep(0.5)
        target.mkdir(parents=True)
        for name in ("config.json", "tokenizer_config.json", "model.safetensors"):
            (target / name).write_text("{}")
        return target

    monkeypatch.setattr(backend, "convert", slow_convert)
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"x" * 10)
    settings = Settings(transformers_gguf_path=gguf, transformers_cache_dir=tmp_path / "cache")
    results = []
    workers = [threading.Thread(target=lambda: results.append(prepared_gguf(settings))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert results == [gguf, gguf]
    assert conversions == [converted_dir(gguf, tmp_path / "cache")]
    assert is_converted(conversions[0])


@pytest.mark.unit
def test_a_half_written_conversion_does_not_count(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    assert not is_converted(tmp_path)
    (tmp_path / "tokenizer_config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"")
    assert is_converted(tmp_path)


@pytest.mark.unit
def test_a_missing_gguf_file_says_which_setting_to_set(tmp_path):
    settings = Settings(llm_backend="transformers", transformers_gguf_path=tmp_path / "nope.gguf")
    with pytest.raises(FileNotFoundError, match="ASSISTANT_TRANSFORMERS_GGUF_PATH"):
        build_backend(settings)


@pytest.fixture(scope="module")
def real_backend(tmp_path_factory) -> TransformersBackend:
    settings = Settings(llm_backend="transformers", llm_max_tokens=24)
    return build_backend(settings)


@pytest.mark.llm
def test_the_conversion_is_cached_and_loads_in_seconds(real_backend):
    settings = Settings()
    path = converted_dir(packaged_gguf(), settings.transformers_cache_dir.expanduser())
    assert is_converted(path)
    saved = {file.name: file.stat().st_mtime_ns for file in path.iterdir()}
    # A fresh process loads the saved conversion and converts nothing (a conversion took minutes here).
    code = ("import time; t = time.perf_counter(); from assistant.llm.transformers_backend import load_model, "
            f"packaged_gguf; load_model(packaged_gguf(), __import__('pathlib').Path({str(path.parent)!r})); "
            "print(time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seconds = float(done.stdout.strip().splitlines()[-1])
    print(f"\nconverted model loaded in {seconds:.1f}s")
    assert {file.name: file.stat().st_mtime_ns for file in path.iterdir()} == saved
    assert seconds < 150  # 26-31 s measured with a load average of 7 to 8 on 2 cores; a conversion, 6.7 min


@pytest.mark.llm
def test_the_tokenizer_reads_as_transformers_own_loader_reads_it(real_backend):
    """load_tokenizer (tokenizer.json read once) gives the ids, special tokens and text AutoTokenizer gives."""
    from transformers import AutoTokenizer

    path = converted_dir(packaged_gguf(), Settings().transformers_cache_dir.expanduser())
    ours, theirs = real_backend.tokenizer, AutoTokenizer.from_pretrained(path)
    for name in ("bos", "eos", "pad", "unk"):
        assert getattr(ours, f"{name}_token_id") == getattr(theirs, f"{name}_token_id") is not None
    assert ours.convert_tokens_to_ids(END_OF_TURN) == theirs.convert_tokens_to_ids(END_OF_TURN) != ours.unk_token_id
    for text in (gemma_prompt("Cite [1].", "What is £2.5bn over 4 years, in 152 councils? Don’t guess — café."),
                 "Ünïcödé, emoji 🙂, tabs\tand\nnew lines", ""):
        for special in (True, False):
            ids = ours(text, add_special_tokens=special)["input_ids"]
            assert ids == theirs(text, add_special_tokens=special)["input_ids"]
            assert ours.decode(ids, skip_special_tokens=True) == theirs.decode(ids, skip_special_tokens=True)


@pytest.mark.llm
def test_the_model_is_loaded_once_per_process(real_backend):
    again = build_backend(Settings(llm_backend="transformers"))
    assert again.model is real_backend.model and again.tokenizer is real_backend.tokenizer
    assert load_model.cache_info().currsize >= 1
    assert real_backend.threads == 1 and build_backend(Settings(llm_backend="transformers",
                                                                transformers_threads=2)).threads == 2


@pytest.mark.llm
def test_the_reply_is_text_without_turn_markers(real_backend):
    reply = real_backend.complete("Answer in one short sentence.", "What colour is the sky?")
    assert reply.strip() and START_OF_TURN not in reply and END_OF_TURN not in reply
    assert len(real_backend.tokenizer(reply)["input_ids"]) <= real_backend.max_tokens + 2


@pytest.mark.llm
def test_a_reader_that_stops_early_stops_the_generation(real_backend):
    stream = real_backend.stream("Count to one hundred.", "Go.")
    next(stream)
    started = time.perf_counter()
    stream.close()  # the condenser reads one line, then closes the stream
    assert time.perf_counter() - started < 30
    assert real_backend._lock.acquire(timeout=1)  # the generation ended: the model is free again
    real_backend._lock.release()
    assert real_backend.complete("Reply in one word.", "Say yes.").strip()


@pytest.mark.llm
def test_a_generation_failure_is_a_backend_error(real_backend):
    broken = TransformersBackend(real_backend.model, real_backend.tokenizer, max_tokens=-5)
    with pytest.raises(BackendError):
        broken.complete("s", "u")
