"""The sentence embedder: the real int8 MiniLM model, run with onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest

from trialatlas.index.embedding import DIM, Embedder, embedder, load_tokenizer, shipped_embedder
from trialatlas.index.embedding_model import FAST_SUFFIX

KNEE_STEM = "knee osteoarthritis stem cell injection"
KNEE_MARROW = "bone marrow mesenchymal cells for knee arthritis"
SMOKING = "smoking cessation app"


@pytest.fixture(scope="module")
def model() -> Embedder:
    return embedder()


def test_similar_texts_are_closer_than_unrelated_ones(model: Embedder) -> None:
    stem, marrow, smoking = model.encode([KNEE_STEM, KNEE_MARROW, SMOKING])
    assert float(stem @ marrow) > float(stem @ smoking) + 0.2
    assert float(marrow @ stem) > float(marrow @ smoking) + 0.2


def test_vectors_are_unit_float32_rows(model: Embedder) -> None:
    out = model.encode([KNEE_STEM, SMOKING, ""])
    assert out.shape == (3, DIM)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_batched_encoding_keeps_the_input_order(model: Embedder) -> None:
    texts = [
        SMOKING,
        "A randomized phase 3 trial of pembrolizumab versus chemotherapy in advanced "
        "non-small cell lung cancer with PD-L1 expression",
        KNEE_STEM,
        "insulin",
        KNEE_MARROW,
    ]
    together = model.encode(texts, batch_size=2)
    alone = np.vstack([model.encode([t]) for t in texts])
    # activations are quantized per batch, so a text's vector moves a hair with its batch
    cosines = (together * alone).sum(axis=1)
    assert cosines.min() > 0.99
    # and each row is its own text's, not a neighbour's
    assert np.array_equal(np.argmax(together @ alone.T, axis=1), np.arange(len(texts)))


def test_empty_input_gives_an_empty_matrix(model: Embedder) -> None:
    out = model.encode([])
    assert out.shape == (0, DIM)


def test_long_texts_are_cut_at_max_tokens() -> None:
    tokenizer = load_tokenizer(32)
    assert len(tokenizer.encode("word " * 500).ids) == 32


def test_fast_graph_agrees_with_the_shipped_graph(model: Embedder) -> None:
    if not model.model.model_id.endswith(FAST_SUFFIX):
        pytest.skip("the fast graph could not be built here (onnx missing?)")
    texts = [KNEE_STEM, KNEE_MARROW, SMOKING, "metformin for type 2 diabetes in adolescents"]
    fast = model.encode(texts)
    shipped = shipped_embedder().encode(texts)
    assert ((fast * shipped).sum(axis=1)).min() > 0.97


def test_fast_graph_runs_each_layers_attention_as_one_node(model: Embedder) -> None:
    if not model.model.model_id.endswith(FAST_SUFFIX):
        pytest.skip("the fast graph could not be built here (onnx missing?)")
    import onnx

    ops = [node.op_type for node in onnx.load(str(model.model.path)).graph.node]
    assert ops.count("QAttention") == 6  # one per layer of MiniLM-L6
    assert "Softmax" not in ops and "Transpose" not in ops  # the spelled-out attention is gone
    assert "SkipLayerNormalization" not in ops  # slower on CPU than Add + LayerNormalization


def test_a_short_text_padded_beside_long_ones_keeps_its_vector(model: Embedder) -> None:
    long_texts = [f"{KNEE_MARROW} " * 6, "pembrolizumab in advanced lung cancer " * 4]
    together = model.encode([*long_texts, "insulin"], batch_size=3)
    alone = model.encode(["insulin"])
    # padding let into attention gives ~0.77; activations quantized per batch move a
    # text's vector a hair (~0.99)
    assert float(together[2] @ alone[0]) > 0.97
