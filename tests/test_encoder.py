"""The ONNX Runtime question encoder gives the same vectors as sentence-transformers."""

from __future__ import annotations

import numpy as np

from assistant.config import load_settings
from assistant.embed import get_embedder
from assistant.encoder import BertEncoder


def test_question_encoder_matches_sentence_transformers():
    settings = load_settings()
    encoder = BertEncoder(settings.model_path())
    long = " ".join(f"Sanctions on Moscow, round {i}, were debated in Washington." for i in range(60))
    assert len(encoder.tok.encode(long).ids) > 256  # cut to the model's window the same way
    texts = ["Where will Biden and Putin meet?", "Ceasefire in Syria — what did the Kremlin say on 28th January 2017?", "ok", long]
    reference = get_embedder(settings).embed_documents(texts)
    for text, ref in zip(texts, reference):
        assert np.abs(encoder.embed(text) - ref).max() < 1e-5
        assert abs(float(np.dot(encoder.embed(text), ref)) - 1.0) < 1e-5


def test_cli_does_not_import_torch_to_answer(built_index):
    import os
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
