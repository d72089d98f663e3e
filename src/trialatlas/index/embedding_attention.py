"""Fuse each self-attention block of the MiniLM graph into one ``Attention`` node.

The shipped graph spells attention out as the exporter wrote it: three projections,
reshapes, transposes, two scalings, a mask built from ``attention_mask`` by a dozen
shape operations, a softmax and two batched products, per layer. onnxruntime's own
BERT fusion does not recognise that pattern (it expects the classic export), so this
module rewrites it: the query, key and value weights of a layer are packed into one
``(hidden, 3 × hidden)`` matrix with their biases, and a ``com.microsoft.Attention``
node (raw 2-D mask, default scale ``1/sqrt(head size)``, the scaled dot product the
graph computes) feeds the layer's output projection. Dynamic quantization then turns
it into ``QAttention``: one int8 product instead of three, no transposes. The
outputs are the same as the spelled-out graph's (tests/index/test_embedding.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MASK_INT32 = "attention_mask_int32"
_PARTS = ("query", "key", "value")


def fuse_attention(model: Any, num_heads: int) -> int:
    """Rewrite every layer of ``model`` (an ``onnx.ModelProto`` after onnxruntime's BERT
    optimizer) in place; returns how many layers were fused (0: pattern not found,
    graph unchanged). The dead nodes are left for the caller to prune."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    added: list[Any] = []
    layer = 0
    while True:
        prefix = f"inner.encoder.layer.{layer}.attention."
        plan = _layer_plan(graph, producer, initializers, prefix)
        if plan is None:
            break
        hidden_input, weights, biases, output_product = plan
        weight_name, bias_name = f"attention{layer}.qkv.weight", f"attention{layer}.qkv.bias"
        packed_w = np.concatenate([numpy_helper.to_array(initializers[w]) for w in weights], 1)
        packed_b = np.concatenate([numpy_helper.to_array(initializers[b]) for b in biases])
        graph.initializer.extend([
            numpy_helper.from_array(packed_w.astype(np.float32), weight_name),
            numpy_helper.from_array(packed_b.astype(np.float32), bias_name),
        ])  # fmt: skip
        fused = f"attention{layer}.output"
        added.append(
            helper.make_node(
                "Attention",
                [hidden_input, weight_name, bias_name, MASK_INT32],
                [fused],
                name=f"Attention_{layer}",
                domain="com.microsoft",
                num_heads=num_heads,
            )
        )
        output_product.input[0] = fused
        layer += 1
    if layer:
        cast = helper.make_node(
            "Cast",
            ["attention_mask"],
            [MASK_INT32],
            name="AttentionMaskInt32",
            to=TensorProto.INT32,
        )
        graph.node.extend([cast, *added])
        if not any(o.domain == "com.microsoft" for o in model.opset_import):
            model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return layer


def _layer_plan(
    graph: Any, producer: dict[str, Any], initializers: dict[str, Any], prefix: str
) -> tuple[str, list[str], list[str], Any] | None:
    """(the layer's input, its q/k/v weight and bias names, the output projection node),
    or None when the layer is not there or not in the expected shape."""
    adds = {}
    for part in _PARTS:
        bias = prefix + f"self.{part}.bias"
        adds[part] = next(
            (
                n
                for n in graph.node
                if n.op_type == "Add" and len(n.input) == 2 and n.input[1] == bias
            ),
            None,
        )
    if any(a is None for a in adds.values()):
        return None
    products = [producer.get(adds[part].input[0]) for part in _PARTS]
    if any(p is None or p.op_type != "MatMul" for p in products):
        return None
    hidden_input = products[0].input[0]
    if any(p.input[0] != hidden_input or p.input[1] not in initializers for p in products):
        return None
    output_bias = prefix + "output.dense.bias"
    output_add = next(
        (
            n
            for n in graph.node
            if output_bias in n.input and n.op_type in ("Add", "SkipLayerNormalization")
        ),
        None,
    )
    if output_add is None:
        return None
    output_product = next(
        (producer.get(i) for i in output_add.input if i != output_bias and producer.get(i) is not None
         and producer[i].op_type == "MatMul" and producer[i].input[1] in initializers),
        None,
    )  # fmt: skip
    if output_product is None:
        return None
    return (
        hidden_input,
        [p.input[1] for p in products],
        [adds[part].input[1] for part in _PARTS],
        output_product,
    )
