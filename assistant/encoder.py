"""A NumPy forward pass of a BERT sentence-transformer, for embedding questions fast from cold.

Importing sentence-transformers (and torch) takes seconds; a question is a few dozen word
pieces, which NumPy embeds in a millisecond or two. Ingest keeps using sentence-transformers
(batched, torch); this module gives the same vectors for single texts: the tests check the
two agree to 1e-5. Only plain BERT models with mean pooling qualify; others fall back.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np


class UnsupportedModel(ValueError):
    """The model is not a BERT with mean pooling; use sentence-transformers instead."""


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7, vectorized."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU."""
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


class NumpyBertEncoder:
    def __init__(self, model_path: str | Path):
        from safetensors.numpy import load_file

        from assistant.chunk import _tokenizer

        path = Path(model_path)
        config = json.loads((path / "config.json").read_text())
        pooling_file = path / "1_Pooling" / "config.json"
        pooling = json.loads(pooling_file.read_text()) if pooling_file.exists() else {}
        modules = json.loads((path / "modules.json").read_text()) if (path / "modules.json").exists() else []
        if config.get("model_type") != "bert" or not pooling.get("pooling_mode_mean_tokens") or not (path / "model.safetensors").exists():
            raise UnsupportedModel(f"{path} is not a BERT model with mean pooling in safetensors")
        self.normalize = any(m.get("type", "").endswith("Normalize") for m in modules)
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config.get("layer_norm_eps", 1e-12)
        self.max_len = 256
        self.w = load_file(str(path / "model.safetensors"))
        # Linear weights are stored [out, in]; keep them transposed and contiguous once.
        self.w = {
            k.removeprefix("bert."): (np.ascontiguousarray(v.T) if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k else v)
            for k, v in self.w.items()
        }
        self.tok = _tokenizer(str(path))

    def _layer(self, x: np.ndarray, i: int) -> np.ndarray:
        w = self.w
        p = f"encoder.layer.{i}."
        n, d = x.shape
        hd = d // self.heads

        def lin(name: str, h: np.ndarray) -> np.ndarray:
            return h @ w[p + name + ".weight"] + w[p + name + ".bias"]

        q = lin("attention.self.query", x).reshape(n, self.heads, hd).transpose(1, 0, 2)
        k = lin("attention.self.key", x).reshape(n, self.heads, hd).transpose(1, 0, 2)
        v = lin("attention.self.value", x).reshape(n, self.heads, hd).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
        scores -= scores.max(-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(1, 0, 2).reshape(n, d)
        x = _layer_norm(lin("attention.output.dense", ctx) + x, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], self.eps)
        h = _gelu(lin("intermediate.dense", x))
        return _layer_norm(lin("output.dense", h) + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)

    def embed(self, text: str) -> np.ndarray:
        ids = self.tok.encode(text, add_special_tokens=True).ids
        if len(ids) > self.max_len:
            ids = ids[: self.max_len - 1] + ids[-1:]
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        for i in range(self.layers):
            x = self._layer(x, i)
        v = x.mean(0)
        if self.normalize:
            v = v / np.linalg.norm(v)
        return v.astype(np.float32)
