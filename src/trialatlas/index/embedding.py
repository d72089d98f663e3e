"""Sentence vectors with all-MiniLM-L6-v2 (int8 ONNX, onnxruntime, no torch).

Texts are tokenized with the model's own WordPiece tokenizer (vendored in
``data/embedding/tokenizer.json.gz``), cut at :data:`MAX_TOKENS`, run in batches of
similar length (less padding), mean-pooled over the attention mask and L2-normalised,
so the inner product of two vectors is their cosine similarity.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Sequence
from importlib import resources

import numpy as np
import onnxruntime as ort
from tokenizers import Encoding, Tokenizer

from trialatlas.index.embedding_model import (
    SESSION_DISABLED_FUSIONS,
    ModelFile,
    fast_model,
    shipped_model,
)

DIM = 384
# Tokens per text (with [CLS] and [SEP]). Run time grows faster than linearly with it
# (at 96 tokens about 1.7× the time of 64, at 128 about 2.5×). 64 keeps the title,
# conditions, interventions and the first sentence of the summary: related-trial recall
# (bench/related.py) is the same as at 128, and 600k studies take ~25 minutes on 2 cores
# (~400 texts/s, bench/related_build.py).
MAX_TOKENS = 64
# Tokens of a query (a patient's note: one text per request, so the cost is small). Cut
# at 64 like the studies, matching lost up to half its gain over BM25 on some benchmarks;
# 256 reads most notes whole (bench/matching.py: NDCG@10 at 256 ≥ at 128 on every set).
QUERY_MAX_TOKENS = 256
# Texts per run of the model. Small batches keep a layer's activations (16 × 64 tokens
# × 384 floats) in the CPU caches: on this 2-core machine 16 ran ~1.6× faster than 64.
BATCH = 16


class Embedder:
    """Encodes texts to unit vectors of :data:`DIM` float32. Thread-safe (one run at a time)."""

    def __init__(
        self,
        model: ModelFile | None = None,
        *,
        max_tokens: int = MAX_TOKENS,
        query_max_tokens: int = QUERY_MAX_TOKENS,
        threads: int | None = None,
    ) -> None:
        self.model = model if model is not None else fast_model()
        # vectors carry the graph and the cut: changing either re-embeds every study
        self.model_id = f"{self.model.model_id}/{max_tokens}"
        self.max_tokens = max_tokens
        self._tokenizer = load_tokenizer(max_tokens)
        self._query_tokenizer = load_tokenizer(max(query_max_tokens, max_tokens))
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or 0  # 0: one per core
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(self.model.path),
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=SESSION_DISABLED_FUSIONS,
        )
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = BATCH) -> np.ndarray:
        """Unit vectors ``(len(texts), DIM)`` float32, in the order of ``texts``."""
        return self._encode(self._tokenizer, texts, batch_size)

    def encode_queries(self, texts: Sequence[str], batch_size: int = BATCH) -> np.ndarray:
        """Like :meth:`encode`, for search queries: cut at ``query_max_tokens`` (a
        patient's note needs more words than a study's text)."""
        return self._encode(self._query_tokenizer, texts, batch_size)

    def _encode(self, tokenizer: Tokenizer, texts: Sequence[str], batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._run([encodings[i] for i in rows])
        return out

    def _run(self, batch: list[Encoding]) -> np.ndarray:
        width = max(len(e.ids) for e in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, enc in enumerate(batch):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:
            (hidden,) = self._session.run(["last_hidden_state"], feed)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def load_tokenizer(max_tokens: int = MAX_TOKENS) -> Tokenizer:
    """The model's tokenizer: truncation at ``max_tokens``, no padding (batches pad themselves)."""
    blob = (resources.files("trialatlas") / "data" / "embedding" / "tokenizer.json.gz").read_bytes()
    tokenizer = Tokenizer.from_str(gzip.decompress(blob).decode("utf-8"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


_lock = threading.Lock()
_instance: Embedder | None = None


def embedder() -> Embedder:
    """The process's embedder, built on first call (never at import)."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = Embedder()
    return _instance


def shipped_embedder() -> Embedder:
    """An embedder on the graph exactly as shipped (a reference for tests and benches)."""
    return Embedder(shipped_model())


__all__ = [
    "DIM",
    "MAX_TOKENS",
    "QUERY_MAX_TOKENS",
    "Embedder",
    "embedder",
    "load_tokenizer",
    "shipped_embedder",
]
