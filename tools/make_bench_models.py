#!/usr/bin/python3
"""Builds the ONNX models of the benchmark cases (bench/models/*.onnx) and the same weights as
.safetensors for CnnGen (bench/models/*.safetensors), seeded, so both runtimes compute the same thing.

    apt-get install python3-onnx python3-numpy
    /usr/bin/python3 tools/make_bench_models.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from safetensors_file import save_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "models")
rng = np.random.default_rng(20261128)

# name: (input CHW, layers); layers as in the C# declarations of bench/CnnGen.Benchmarks/Cases.cs
CASES = {
    "A": ((3, 32, 32), [("conv", 6, 5, 1, 0)]),
    "B": ((6, 14, 14), [("conv", 16, 5, 1, 0)]),
    "C": ((3, 32, 32), [("conv", 32, 3, 1, 1)]),
    "D": ((64, 56, 56), [("conv", 64, 3, 1, 1)]),
    "E": ((64, 28, 28), [("conv", 128, 1, 1, 0)]),
    "F": ((32, 32, 32), [("conv", 64, 3, 2, 1)]),
    "P1": ((6, 28, 28), [("pool", 2, 2)]),
    "P2": ((64, 56, 56), [("pool", 2, 2)]),
    "P3": ((64, 56, 56), [("pool", 3, 2)]),
    "N1": ((1, 32, 32), "lenet"),
    "N3": ((3, 32, 32), "lenet"),
    # Issue 10: ("convx", filters, (Fy, Fx), (Sy, Sx), pads (top, left, bottom, right) or "SAME_UPPER", dilation, groups)
    "G1": ((64, 56, 56), [("convx", 64, (3, 3), (1, 1), (1, 1, 1, 1), 1, 64)]),
    "G2": ((32, 112, 112), [("convx", 32, (3, 3), (2, 2), "SAME_UPPER", 1, 32)]),
    "G3": ((32, 32, 32), [("convx", 32, (3, 3), (1, 1), (2, 2, 2, 2), 2, 1)]),
    "G4": ((1, 49, 10), [("convx", 64, (10, 4), (2, 2), "SAME_UPPER", 1, 1)]),
    "G5": ((64, 28, 28), [("convx", 64, (3, 3), (1, 1), (1, 1, 1, 1), 1, 4)]),
}


def lenet(channels):
    return [("conv", 6, 5, 1, 0), ("relu",), ("pool", 2, 2), ("conv", 16, 5, 1, 0), ("relu",), ("pool", 2, 2),
            ("fc", 120), ("relu",), ("fc", 84), ("relu",), ("fc", 10)]


def build(name, shape, layers):
    if layers == "lenet":
        layers = lenet(shape[0])
    c, h, w = shape
    nodes, inits, tensors = [], [], []
    current = "input"
    counts = {"conv": 0, "pool": 0, "fc": 0}
    flat = False
    for i, layer in enumerate(layers):
        kind = layer[0]
        out = "t%d" % i
        if kind == "conv":
            counts["conv"] += 1
            _, k, f, s, p = layer
            weight = (rng.standard_normal((k, c, f, f)) / np.sqrt(c * f * f)).astype(np.float32)
            bias = (rng.standard_normal(k) * 0.1).astype(np.float32)
            wn, bn = "conv%d.weight" % counts["conv"], "conv%d.bias" % counts["conv"]
            inits += [numpy_helper.from_array(weight, wn), numpy_helper.from_array(bias, bn)]
            tensors += [(wn, weight), (bn, bias)]
            nodes.append(helper.make_node("Conv", [current, wn, bn], [out], kernel_shape=[f, f], strides=[s, s], pads=[p, p, p, p]))
            h, w, c = (h - f + 2 * p) // s + 1, (w - f + 2 * p) // s + 1, k
        elif kind == "convx":
            counts["conv"] += 1
            _, k, (fy, fx), (sy, sx), pads, dil, groups = layer
            cin = c // groups
            weight = (rng.standard_normal((k, cin, fy, fx)) / np.sqrt(cin * fy * fx)).astype(np.float32)
            bias = (rng.standard_normal(k) * 0.1).astype(np.float32)
            wn, bn = "conv%d.weight" % counts["conv"], "conv%d.bias" % counts["conv"]
            inits += [numpy_helper.from_array(weight, wn), numpy_helper.from_array(bias, bn)]
            tensors += [(wn, weight), (bn, bias)]
            attrs = dict(kernel_shape=[fy, fx], strides=[sy, sx], dilations=[dil, dil], group=groups)
            if pads == "SAME_UPPER":
                attrs["auto_pad"] = "SAME_UPPER"
                h, w = -(-h // sy), -(-w // sx)
            else:
                attrs["pads"] = list(pads)
                h = (h + pads[0] + pads[2] - (dil * (fy - 1) + 1)) // sy + 1
                w = (w + pads[1] + pads[3] - (dil * (fx - 1) + 1)) // sx + 1
            nodes.append(helper.make_node("Conv", [current, wn, bn], [out], **attrs))
            c = k
        elif kind == "pool":
            _, f, s = layer
            nodes.append(helper.make_node("MaxPool", [current], [out], kernel_shape=[f, f], strides=[s, s]))
            h, w = (h - f) // s + 1, (w - f) // s + 1
        elif kind == "relu":
            nodes.append(helper.make_node("Relu", [current], [out]))
        else:
            counts["fc"] += 1
            if not flat:
                nodes.append(helper.make_node("Flatten", [current], ["flat%d" % i], axis=1))
                current = "flat%d" % i
                flat = True
            n_in = c * h * w
            weight = (rng.standard_normal((layer[1], n_in)) / np.sqrt(n_in)).astype(np.float32)
            bias = (rng.standard_normal(layer[1]) * 0.1).astype(np.float32)
            wn, bn = "fc%d.weight" % counts["fc"], "fc%d.bias" % counts["fc"]
            inits += [numpy_helper.from_array(weight, wn), numpy_helper.from_array(bias, bn)]
            tensors += [(wn, weight), (bn, bias)]
            nodes.append(helper.make_node("Gemm", [current, wn, bn], [out], transB=1))
            c, h, w = layer[1], 1, 1
        current = out
    output_shape = [1, c * h * w] if flat else [1, c, h, w]
    graph = helper.make_graph(
        nodes, "case_" + name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1] + list(shape))],
        [helper.make_tensor_value_info(current, TensorProto.FLOAT, output_shape)],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="cnngen-bench")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    save_safetensors(tensors, os.path.join(OUT, name + ".safetensors"))


def main():
    os.makedirs(OUT, exist_ok=True)
    # One generator, cases in order: adding a case at the end leaves the earlier models' weights as they were.
    for name, (shape, layers) in CASES.items():
        build(name, shape, layers)
    print("wrote %d models to %s" % (len(CASES), os.path.relpath(OUT)))


if __name__ == "__main__":
    main()
