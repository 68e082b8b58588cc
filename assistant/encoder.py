"""The question encoder: a BERT sentence-transformer run by ONNX Runtime, without torch.

Importing sentence-transformers (and torch) takes seconds. A question is a few dozen word
pieces, and ONNX Runtime embeds a 60-piece question in ~13 ms on two cores, where a NumPy
forward pass took ~21 ms and torch ~20: its matrix kernels pack each weight matrix once, when
the session starts, instead of on every call. The graph is built here from the model's
safetensors (nothing is exported or downloaded); ingest keeps using sentence-transformers
(batched, torch), and the tests check that the two give the same vectors to 1e-5. Only plain
BERT models with mean pooling qualify; others fall back to sentence-transformers.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np


class UnsupportedModel(ValueError):
    """The model is not a BERT with mean pooling; use sentence-transformers instead."""


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


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


class BertEncoder:
    """Mean-pooled, normalized BERT vectors for single texts."""

    def __init__(self, model_path: str | Path, threads: int | None = None):
        from safetensors.numpy import load_file

        from assistant.chunk import model_tokenizer

        path = Path(model_path)
        config = json.loads((path / "config.json").read_text())
        pooling_file = path / "1_Pooling" / "config.json"
        pooling = json.loads(pooling_file.read_text()) if pooling_file.exists() else {}
        modules = json.loads((path / "modules.json").read_text()) if (path / "modules.json").exists() else []
        if config.get("model_type") != "bert" or not pooling.get("pooling_mode_mean_tokens") or not (path / "model.safetensors").exists():
            raise UnsupportedModel(f"{path} is not a BERT model with mean pooling in safetensors")
        self.normalize = any(m.get("type", "").endswith("Normalize") for m in modules)
        self.eps = config.get("layer_norm_eps", 1e-12)
        self.max_len = max_seq_length(path)
        weights = {k.removeprefix("bert."): v for k, v in load_file(str(path / "model.safetensors")).items()}
        self.embeddings = {k: v for k, v in weights.items() if k.startswith("embeddings.")}
        self.session = _session(_graph(weights, config), threads)
        self.tok = model_tokenizer(str(path))

    def embed(self, text: str) -> np.ndarray:
        ids = window(self.tok.encode(text, add_special_tokens=True).ids, self.max_len)
        e = self.embeddings
        x = (
            e["embeddings.word_embeddings.weight"][ids]
            + e["embeddings.position_embeddings.weight"][: len(ids)]
            + e["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, e["embeddings.LayerNorm.weight"], e["embeddings.LayerNorm.bias"], self.eps)
        v = self.session.run(None, {"x": x.astype(np.float32)})[0]
        if self.normalize:
            v = v / np.linalg.norm(v)
        return v.astype(np.float32)


def _graph(w: dict[str, np.ndarray], config: dict):
    """The encoder layers as an ONNX graph: x [n, d] (embedded, normalized tokens) -> mean [d]."""
    from onnx import TensorProto, helper, numpy_helper

    d, heads, eps = config["hidden_size"], config["num_attention_heads"], config.get("layer_norm_eps", 1e-12)
    hd = d // heads
    nodes, inits = [], []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def linear(x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        # torch stores [out, in]; MatMul wants [in, out].
        h = node("MatMul", [x, const(name + ".w", weight.T)], name + ".mm")
        return node("Add", [h, const(name + ".b", bias)], name)

    split_heads = const("split_heads", np.array([-1, 3, heads, hd], dtype=np.int64))
    merge_heads = const("merge_heads", np.array([-1, d], dtype=np.int64))
    scale = const("scale", np.array(1 / math.sqrt(hd), dtype=np.float32))
    x = "x"
    for i in range(config["num_hidden_layers"]):
        p, n = f"encoder.layer.{i}.", f"l{i}"
        qkv_w = np.concatenate([w[p + f"attention.self.{m}.weight"] for m in ("query", "key", "value")])
        qkv_b = np.concatenate([w[p + f"attention.self.{m}.bias"] for m in ("query", "key", "value")])
        qkv = node("Reshape", [linear(x, qkv_w, qkv_b, n + ".qkv"), split_heads], n + ".qkv4")
        qkv = node("Transpose", [qkv], n + ".qkvT", perm=[1, 2, 0, 3])  # [3, heads, n, hd]
        q, k, v = (f"{n}.{m}" for m in "qkv")  # each [1, heads, n, hd]
        nodes.append(helper.make_node("Split", [qkv], [q, k, v], axis=0, num_outputs=3))
        scores = node("Mul", [node("MatMul", [q, node("Transpose", [k], n + ".kT", perm=[0, 1, 3, 2])], n + ".qk"), scale], n + ".s")
        ctx = node("MatMul", [node("Softmax", [scores], n + ".p", axis=-1), v], n + ".ctx")
        ctx = node("Reshape", [node("Transpose", [ctx], n + ".ctxT", perm=[0, 2, 1, 3]), merge_heads], n + ".ctx2")
        a = node("Add", [linear(ctx, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"], n + ".ao"), x], n + ".res1")
        x = node("LayerNormalization", [a, const(n + ".ln1.g", w[p + "attention.output.LayerNorm.weight"]), const(n + ".ln1.b", w[p + "attention.output.LayerNorm.bias"])], n + ".ln1", epsilon=eps, axis=-1)
        h = node("Gelu", [linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"], n + ".in")], n + ".gelu")
        o = node("Add", [linear(h, w[p + "output.dense.weight"], w[p + "output.dense.bias"], n + ".out"), x], n + ".res2")
        x = node("LayerNormalization", [o, const(n + ".ln2.g", w[p + "output.LayerNorm.weight"]), const(n + ".ln2.b", w[p + "output.LayerNorm.bias"])], n + ".ln2", epsilon=eps, axis=-1)
    node("ReduceMean", [x, const("axes", np.array([0], dtype=np.int64))], "mean", keepdims=0)
    graph = helper.make_graph(
        nodes, "bert-mean", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", d])],
        [helper.make_tensor_value_info("mean", TensorProto.FLOAT, [d])], inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], ir_version=9)


def _session(model, threads: int | None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    # Two threads is as fast as more for a few dozen word pieces; idle threads must not spin,
    # or they take the cores BM25 and Chroma need between questions.
    options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
