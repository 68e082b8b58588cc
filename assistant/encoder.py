"""The question encoder: the sentence-transformers model exported to ONNX, run by ONNX Runtime.

Importing sentence-transformers (and torch) takes seconds; ONNX Runtime embeds a 60-piece
question in ~13 ms on two cores. The first process to load a model on the CPU (an ingest, or
the first question) exports its whole pipeline (transformer, pooling, normalization) with
`torch.onnx.export` into the user's cache, named after the model folder and its files' sizes
and times, and checks it against sentence-transformers; later processes load only ONNX Runtime
and tokenizers. A model that cannot be exported gets a `.failed` note there, with the reason,
and its questions go to sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

EXPORT_VERSION = 2  # part of every export's name: bump it when `export` changes the graph (2: no SkipLayerNormalization)
# ONNX Runtime would fuse the Adds and LayerNormalizations that `_unfuse_skip_layer_norm` leaves
# back into SkipLayerNormalization when it loads the graph: the encoder's sessions turn that off.
UNFUSED = ["SkipLayerNormFusion"]


def max_seq_length(model_path: str | Path, default: int = 256) -> int:
    """The model's window in word pieces, as sentence-transformers reads it."""
    config = Path(model_path) / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length") or default)
    return default


def window(ids: list[int], size: int) -> list[int]:
    """Word-piece ids cut to the model's window the way sentence-transformers cuts them: the
    closing [SEP] is kept."""
    return ids if len(ids) <= size else ids[: size - 1] + ids[-1:]


def exported_file(model_path: str | Path, cache: Path | None = None) -> Path:
    """Where the export of the model in `model_path`, as its files are now, is kept."""
    path = Path(model_path).resolve()
    files = sorted((str(f.relative_to(path)), f.stat().st_size, f.stat().st_mtime_ns) for f in path.rglob("*") if f.is_file())
    folder = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    content = hashlib.sha256(repr((EXPORT_VERSION, files)).encode()).hexdigest()[:12]
    cache = cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "news-assistant" / "onnx"
    return cache / f"{path.name}-{folder}-{content}.onnx"


def export(model, model_path: str | Path, cache: Path | None = None) -> Path | None:
    """The checked export of a loaded SentenceTransformer (made now unless it is cached), or
    None when the model cannot be exported."""
    target = exported_file(model_path, cache)
    failed = target.with_suffix(".failed")
    if target.exists() or failed.exists():
        return target if target.exists() else None
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in target.parent.glob(target.name.rsplit("-", 1)[0] + "-*"):
            if not stale.name.startswith(target.stem):
                stale.unlink(missing_ok=True)
        _export(model, model_path, partial)
        os.replace(partial, target)
        return target
    except (ImportError, OSError):  # no onnxscript, or no room in the cache: tried again next time
        return None
    except Exception as exc:  # the exporter or the check rejects the model: torch answers it from now on
        failed.write_text(f"{type(exc).__name__}: {exc}\n")
        return None
    finally:
        partial.unlink(missing_ok=True)


def _export(model, model_path: str | Path, target: Path) -> None:
    import logging
    import warnings

    import torch
    from onnxscript.rewriter.ort_fusions import optimize_for_ort

    # Real text with padding: traced on all-ones ids and mask, the export was 0.22 off.
    texts = ["Where will Biden and Putin meet?", "Talks"]
    features = model.tokenizer(texts, padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in features]

    class Pipeline(torch.nn.Module):  # tensors in, the sentence vector out
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            return self.model(dict(zip(names, tensors)))["sentence_embedding"]

    dims = {0: torch.export.Dim.AUTO, 1: torch.export.Dim.AUTO}
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            Pipeline().eval(), tuple(features[n] for n in names), input_names=names,
            output_names=["sentence_embedding"], dynamic_shapes=((dims,) * len(names),), dynamo=True, verbose=False,
        )
    # ONNX Runtime's fused attention and GELU kernels: 12.0 ms a question, where the graph as
    # exported takes 13.2 ms (the eval questions, two cores); but not its SkipLayerNormalization.
    optimize_for_ort(program.model)
    _unfuse_skip_layer_norm(program.model)
    program.save(target, external_data=False)
    check = [texts[0] * 3, "ok"]  # not the example's lengths: a shape the export fixed shows here
    encoder = OnnxEncoder(target, model_path)
    gap = np.abs(np.array([encoder.embed(t) for t in check]) - model.encode(check, normalize_embeddings=True)).max()
    if gap > 1e-5:
        raise ValueError(f"the export differs from sentence-transformers by {gap:.2g}")


def _unfuse_skip_layer_norm(model) -> int:
    """Replace each SkipLayerNormalization that `optimize_for_ort` made with the Adds and the
    LayerNormalization it stands for (in torch's order: the Linear's bias, then the residual);
    returns how many were replaced.

    ONNX Runtime's CPU SkipLayerNormalization kernel (1.32) takes ~145 us on 60 x 384 floats,
    one or two threads, where Add, Add and LayerNormalization take ~45 (~57 vs ~25 us at 19
    pieces); twelve of them in MiniLM-L6. Undone, a question costs ~5% less CPU
    (bench.encoder_bench), and its vector is as close to sentence-transformers (<2e-7).
    """
    import onnx_ir as ir

    count = 0
    for node in list(model.graph):
        if node.op_type != "SkipLayerNormalization" or node.domain != "com.microsoft":
            continue
        outputs = list(node.outputs)
        if any(o.uses() or o.is_graph_output() for o in outputs[1:3]):  # its mean or deviation is read
            continue
        x, skip, gamma, beta, bias = (list(node.inputs) + [None] * 5)[:5]
        epsilon = node.attributes.get_float("epsilon", 1e-12)
        added = [ir.node("Add", [x, bias], name=f"{node.name}_bias")] if bias is not None else []
        added.append(ir.node("Add", [added[-1].outputs[0] if added else x, skip], name=f"{node.name}_add"))
        total = added[-1].outputs[0]
        norm = ir.node("LayerNormalization", [total, gamma, beta], {"axis": -1, "epsilon": epsilon}, name=f"{node.name}_norm")
        model.graph.insert_before(node, [*added, norm])
        ir.convenience.replace_all_uses_with(outputs[0], norm.outputs[0], replace_graph_outputs=True)
        if len(outputs) > 3:  # input + skip + bias, which the next layer adds to
            ir.convenience.replace_all_uses_with(outputs[3], total, replace_graph_outputs=True)
        model.graph.remove(node, safe=True)
        count += 1
    return count


class OnnxEncoder:
    """Normalized sentence vectors for single texts from an exported model."""

    def __init__(self, onnx_path: str | Path, model_path: str | Path, threads: int | None = None):
        from assistant.chunk import model_tokenizer

        self.session = _session(onnx_path, threads)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.tok = model_tokenizer(str(model_path))
        self.max_len = max_seq_length(model_path)

    def embed(self, text: str) -> np.ndarray:
        enc = self.tok.encode(text, add_special_tokens=True)
        ids = window(enc.ids, self.max_len)
        feed = {"input_ids": ids, "attention_mask": [1] * len(ids), "token_type_ids": window(enc.type_ids, self.max_len)}
        v = self.session.run(None, {n: np.array([feed[n]], dtype=np.int64) for n in self.inputs})[0][0]
        return (v / (np.linalg.norm(v) or 1.0)).astype(np.float32)


def _session(onnx_path: str | Path, threads: int | None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    # Two threads is as fast as more for a few dozen word pieces; idle threads must not spin,
    # or they take the cores BM25 and Chroma need between questions.
    options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"], disabled_optimizers=UNFUSED)
