"""A BERT sentence encoder of the packaged kind, in plain torch for batches and in numpy for one query.

sentence-transformers builds the model through transformers, whose import alone takes most of a cold
start on a 2-core machine. For a model that is a BERT encoder followed by mean pooling and
normalisation (all-MiniLM-L6-v2 is), BertEncoder runs the same torch operations in the same order
on the same weights and tokenizer, so the stored vectors are bit-for-bit those of sentence-transformers;
tests/assistant/retrieval/test_dense.py checks that on the corpus and the evaluation questions.

A question is one short text, and importing torch was then the largest part of a cold start (2-3 s of
about 6.5). QueryEncoder runs the same forward pass in numpy on the same weights: within float32
rounding of the torch vectors (a few 1e-7), with the same ranking of the corpus for every evaluation
question (test_dense.py checks both), so answering a question never imports torch. Any other model goes
through sentence-transformers (see assistant.retrieval.dense).
"""

from __future__ import annotations

import json
from pathlib import Path

MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
           "sentence_transformers.models.Normalize"]
POOLING_MODES = ("cls_token", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken")


def supports(path: Path) -> bool:
    """Whether the model folder is a BERT + mean pooling + normalise model this encoder reproduces."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        pooling = json.loads((path / modules[1]["path"] / "config.json").read_text(encoding="utf-8"))
        sbert = json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexError, KeyError):
        return False
    return ([module.get("type") for module in modules] == MODULES and modules[0].get("path") == ""
            and config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and not config.get("is_decoder") and not config.get("add_cross_attention")
            and pooling.get("pooling_mode_mean_tokens") is True
            and not any(pooling.get(f"pooling_mode_{mode}") for mode in POOLING_MODES)
            and pooling.get("include_prompt", True) is True
            and not sbert.get("do_lower_case") and isinstance(sbert.get("max_seq_length"), int)
            and (path / "tokenizer.json").exists() and (path / "model.safetensors").exists())


def _config(path: Path) -> tuple[dict, int]:
    """(config.json, the window in tokens from sentence_bert_config.json)."""
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    return config, json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8"))["max_seq_length"]


def _tokenizer(path: Path, config: dict, max_length: int):
    """The model's tokenizer, cut at the window and padded to the longest text of a batch."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_truncation(max_length)
    pad_id = config.get("pad_token_id", 0)
    tokenizer.enable_padding(pad_id=pad_id, pad_token=tokenizer.id_to_token(pad_id))
    return tokenizer


def _weights(path: Path, load_file) -> dict:
    """The weights by BertModel's names (a leading "bert." dropped), read by safetensors' load_file."""
    weights = load_file(str(path / "model.safetensors"))
    prefix = "" if "embeddings.word_embeddings.weight" in weights else "bert."
    return {name.removeprefix(prefix): tensor for name, tensor in weights.items()}


class BertEncoder:
    """Normalised mean-pooled BERT vectors; encode() takes one batch (padded to its longest text)."""

    def __init__(self, path: Path):
        import torch
        from safetensors.torch import load_file

        self.config, max_length = _config(path)
        self.tokenizer = _tokenizer(path, self.config, max_length)
        self.weights = _weights(path, load_file)
        self.torch = torch

    def encode(self, texts: list[str]):
        """A (len(texts), hidden) float32 tensor of unit vectors."""
        torch = self.torch
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = torch.tensor([encoding.ids for encoding in encodings], dtype=torch.long)
        mask = torch.tensor([encoding.attention_mask for encoding in encodings], dtype=torch.long)
        with torch.inference_mode():
            tokens = self._forward(ids, mask)
            # sentence-transformers' Pooling (mean) and Normalize modules, then encode(normalize_embeddings=True).
            weights = mask.unsqueeze(-1).to(tokens.dtype)
            summed = (tokens * weights).sum(dim=1, dtype=torch.float32)
            counts = torch.clamp(weights.sum(dim=1, dtype=torch.float32), min=1e-9)
            vectors = torch.nn.functional.normalize(summed / counts, p=2, dim=-1)
            return torch.nn.functional.normalize(vectors, p=2, dim=1)

    def _forward(self, ids, mask):
        """transformers' BertModel (eval mode, sdpa attention): the last hidden state."""
        torch, functional = self.torch, self.torch.nn.functional
        batch, length = ids.shape
        hidden = functional.embedding(ids, self.weights["embeddings.word_embeddings.weight"])
        hidden = hidden + functional.embedding(torch.zeros_like(ids), self.weights["embeddings.token_type_embeddings.weight"])
        hidden = hidden + functional.embedding(torch.arange(length).unsqueeze(0),
                                               self.weights["embeddings.position_embeddings.weight"])
        hidden = self._norm(hidden, "embeddings.LayerNorm")
        # No mask at all when nothing is padded, as transformers does (it picks the same kernel).
        attention_mask = None if bool(mask.all()) else mask.bool()[:, None, None, :].expand(batch, 1, length, length)
        heads = self.config["num_attention_heads"]
        head_size = hidden.shape[-1] // heads
        for layer in range(self.config["num_hidden_layers"]):
            name = f"encoder.layer.{layer}."
            shape = (batch, length, -1, head_size)
            query, key, value = (self._linear(hidden, f"{name}attention.self.{part}").view(shape).transpose(1, 2)
                                 for part in ("query", "key", "value"))
            attended = functional.scaled_dot_product_attention(query, key, value, attn_mask=attention_mask,
                                                               dropout_p=0.0, is_causal=False, scale=head_size ** -0.5)
            attended = attended.transpose(1, 2).contiguous().reshape(batch, length, -1).contiguous()
            hidden = self._norm(self._linear(attended, f"{name}attention.output.dense") + hidden,
                                f"{name}attention.output.LayerNorm")
            inner = functional.gelu(self._linear(hidden, f"{name}intermediate.dense"))
            hidden = self._norm(self._linear(inner, f"{name}output.dense") + hidden, f"{name}output.LayerNorm")
        return hidden

    def _linear(self, tensor, name: str):
        return self.torch.nn.functional.linear(tensor, self.weights[f"{name}.weight"], self.weights[f"{name}.bias"])

    def _norm(self, tensor, name: str):
        return self.torch.nn.functional.layer_norm(tensor, (tensor.shape[-1],), self.weights[f"{name}.weight"],
                                                   self.weights[f"{name}.bias"], self.config["layer_norm_eps"])


class QueryEncoder:
    """BertEncoder's forward pass in numpy, for questions, on one BLAS thread: a question's few tokens gain
    little from a second thread on an idle machine and lose much when the machine is busy (the threads wait
    on each other). Only numpy, scipy, safetensors and tokenizers."""

    def __init__(self, path: Path):
        from safetensors.numpy import load_file
        from scipy.special import erf
        from threadpoolctl import ThreadpoolController

        self.config, max_length = _config(path)
        self.tokenizer = _tokenizer(path, self.config, max_length)
        self.weights = _weights(path, load_file)
        self.erf = erf
        self.blas = ThreadpoolController()

    def encode(self, text: str):
        """One text (never padded, so no mask): a (hidden,) float32 unit vector."""
        import numpy as np

        with self.blas.limit(limits=1, user_api="blas"):
            tokens = self._forward(np.asarray([self.tokenizer.encode(text).ids]), None)[0]
        return _unit(tokens.mean(axis=0))

    def encode_many(self, texts: list[str]):
        """Several texts at once, padded to the longest (the padding masked out of attention and pooling):
        a (len(texts), hidden) float32 array of unit vectors, each within float32 rounding of encode()'s. The
        weights are read once for the batch, not once per text (a calibration's few dozen questions)."""
        import numpy as np

        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.asarray([encoding.ids for encoding in encodings])
        mask = np.asarray([encoding.attention_mask for encoding in encodings], dtype=bool)
        with self.blas.limit(limits=1, user_api="blas"):
            tokens = self._forward(ids, None if mask.all() else mask)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return _unit((tokens * mask[..., None]).sum(axis=1) / counts)

    def _forward(self, ids, mask):
        """The last hidden state, (texts, tokens, hidden), as BertEncoder._forward computes it; a padded
        token (False in mask) is never attended to."""
        import numpy as np

        weights, (batch, length) = self.weights, ids.shape
        hidden = (weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.token_type_embeddings.weight"][0]
                  + weights["embeddings.position_embeddings.weight"][:length])
        hidden = self._norm(hidden, "embeddings.LayerNorm")
        heads = self.config["num_attention_heads"]
        head_size = hidden.shape[-1] // heads
        for layer in range(self.config["num_hidden_layers"]):
            name = f"encoder.layer.{layer}."
            query, key, value = (self._linear(hidden, f"{name}attention.self.{part}")
                                 .reshape(batch, length, heads, head_size).transpose(0, 2, 1, 3)
                                 for part in ("query", "key", "value"))
            scores = query @ key.transpose(0, 1, 3, 2) * head_size ** -0.5
            if mask is not None:
                scores = np.where(mask[:, None, None, :], scores, -np.inf)
            attended = (_softmax(scores) @ value).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            hidden = self._norm(self._linear(attended, f"{name}attention.output.dense") + hidden,
                                f"{name}attention.output.LayerNorm")
            inner = self._linear(hidden, f"{name}intermediate.dense")
            inner = 0.5 * inner * (1.0 + self.erf(inner * 2 ** -0.5))  # exact (erf) GELU, as config's "gelu"
            hidden = self._norm(self._linear(inner, f"{name}output.dense") + hidden, f"{name}output.LayerNorm")
        return hidden

    def _linear(self, array, name: str):
        """One matrix product over every token of the batch."""
        weight = self.weights[f"{name}.weight"]
        flat = array.reshape(-1, array.shape[-1]) @ weight.T + self.weights[f"{name}.bias"]
        return flat.reshape(*array.shape[:-1], weight.shape[0])

    def _norm(self, array, name: str):
        mean = array.mean(axis=-1, keepdims=True)
        variance = ((array - mean) ** 2).mean(axis=-1, keepdims=True)
        normalised = (array - mean) / (variance + self.config["layer_norm_eps"]) ** 0.5
        return normalised * self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]


def _unit(vectors):
    """Vectors (the last axis) scaled to length 1, as torch's normalize (a zero vector stays zero)."""
    import numpy as np

    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def _softmax(scores):
    """Softmax over the last axis."""
    import numpy as np

    exponent = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return exponent / exponent.sum(axis=-1, keepdims=True)
