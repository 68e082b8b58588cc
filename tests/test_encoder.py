"""The question encoder: an ONNX export of the model that gives the same vectors as
sentence-transformers, made once per model and redone when the model's files change."""

from __future__ import annotations

import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from assistant.config import load_settings
from assistant.embed import SentenceTransformerEmbedder
from assistant.encoder import UNFUSED, OnnxEncoder, _unfuse_skip_layer_norm, exported_file


def test_question_encoder_matches_sentence_transformers(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    settings = load_settings()
    exported = exported_file(settings.model_path())
    earlier = exported.with_name(exported.stem[:-12] + "0" * 12 + ".onnx")
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(b"an export of the model's files as they were")
    long = " ".join(f"Sanctions on Moscow, round {i}, were debated in Washington." for i in range(60))
    texts = ["Where will Biden and Putin meet?", "Ceasefire in Syria — what did the Kremlin say on 28th January 2017?", "ok", long]
    embedder = SentenceTransformerEmbedder(settings)
    reference = embedder.embed_documents(texts)  # loading the model exports it
    assert exported.exists() and not earlier.exists()
    encoder = OnnxEncoder(exported, settings.model_path())
    ops = [n.op_type for n in onnx.load(exported).graph.node]  # LayerNormalization: ONNX Runtime's Skip- is slower
    assert "SkipLayerNormalization" not in ops and ops.count("LayerNormalization") == 13 and "Attention" in ops
    assert len(encoder.tok.encode(long).ids) > 256  # cut to the model's window the same way
    for text, ref in zip(texts, reference):
        assert np.abs(encoder.embed(text) - ref).max() < 1e-5
        assert abs(float(np.dot(encoder.embed(text), ref)) - 1.0) < 1e-5
    assert np.abs(embedder.embed_query(texts[0]) - reference[0]).max() < 1e-5 and embedder._query_encoder
    # The same question again (a filtered refusal looks wider) is not encoded twice, and what
    # a caller does to the vector it got does not reach the next one.
    calls = []
    real = embedder._query_encoder.embed
    monkeypatch.setattr(embedder._query_encoder, "embed", lambda text: calls.append(text) or real(text))
    first = embedder.embed_query(texts[1])
    first[:] = 0
    again = embedder.embed_query(texts[1])
    assert calls == [texts[1]] and np.abs(again - reference[1]).max() < 1e-5


def test_export_is_named_after_the_model_files(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    first = exported_file(model, tmp_path)
    assert exported_file(model, tmp_path) == first
    os.utime(model / "config.json", ns=(0, 0))
    assert exported_file(model, tmp_path) != first


def test_a_model_that_cannot_be_exported_is_asked_through_sentence_transformers(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    settings = load_settings()
    exported = exported_file(settings.model_path())
    exported.parent.mkdir(parents=True)
    exported.with_suffix(".failed").write_text("the exporter rejected it\n")
    embedder = SentenceTransformerEmbedder(settings)
    vector = embedder.embed_query("Where will Biden and Putin meet?")
    assert embedder._query_encoder is False and not exported.exists()
    assert np.abs(vector - embedder.embed_documents(["Where will Biden and Putin meet?"])[0]).max() < 1e-6


def test_cli_does_not_import_torch_to_answer(built_index):
    import subprocess
    import sys

    code = (
        "import sys; from assistant.config import load_settings; from assistant.pipeline import Assistant; "
        f"a = Assistant(load_settings(index_dir={str(built_index)!r})); "
        "print(a.ask('Where will Biden and Putin hold their summit?').citations[0].article_id); "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules, 'llama_index' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True).stdout.split()
    assert out == ["004_3d57db88cf4c69a1", "False", "False", "False"]


@pytest.mark.parametrize("bias", [True, False])
def test_skip_layer_norm_is_undone_into_add_and_layer_norm(tmp_path, bias):
    """The rewrite gives what ONNX Runtime's fused kernel gives, its sum output included (the
    next layer's residual), on a graph of one SkipLayerNormalization."""
    import onnx_ir as ir
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    consts = {"gamma": rng.random(8), "beta": rng.random(8), "bias": rng.random(8)}
    inputs = ["x", "skip", "gamma", "beta"] + (["bias"] if bias else [])
    nodes = [
        helper.make_node("SkipLayerNormalization", inputs, ["y", "", "", "sum"], domain="com.microsoft", epsilon=1e-5),
        helper.make_node("Mul", ["sum", "y"], ["out"]),  # both outputs read downstream
    ]
    value = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 3, 8])  # noqa: E731
    graph = helper.make_graph(nodes, "g", [value("x"), value("skip")], [value("out"), value("y")],
                              [numpy_helper.from_array(v.astype(np.float32), k) for k, v in consts.items() if k in inputs])
    fused = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20), helper.make_opsetid("com.microsoft", 1)])
    model = ir.from_proto(fused)
    assert _unfuse_skip_layer_norm(model) == 1
    ir.save(model, tmp_path / "unfused.onnx")
    assert "SkipLayerNormalization" not in [n.op_type for n in onnx.load(tmp_path / "unfused.onnx").graph.node]
    feed = {"x": rng.standard_normal((1, 3, 8)).astype(np.float32), "skip": rng.standard_normal((1, 3, 8)).astype(np.float32)}
    want = ort.InferenceSession(fused.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feed)
    got = ort.InferenceSession(str(tmp_path / "unfused.onnx"), providers=["CPUExecutionProvider"], disabled_optimizers=UNFUSED).run(None, feed)
    for w, g in zip(want, got):
        assert np.abs(w - g).max() < 1e-5
