#!/usr/bin/env python3
"""ONNX files for the import tool's tests (`cnngen import` / `cnngen check`).

Run by hand with Debian's python3-torch and python3-onnx:

    /usr/bin/python3 tools/make_onnx_fixtures.py tests/CnnGen.Tests/Fixtures/onnx

Writes NAME.onnx for every case below: networks exported from PyTorch with torch.onnx.export (what users meet), plus
graphs built node by node with onnx.helper for the attributes PyTorch never exports (auto_pad, asymmetric pads on the
Conv itself, Gemm with transB = 0, old-opset Clip/Pad attributes). Cases whose name starts with "bad_" must be refused
by the importer; the tests name the message each gives. Weights are random (seeded) and batch norms have non-trivial
running statistics, so a wrong mapping changes the outputs. The tests compare the imported network with ONNX Runtime
on the same file; nothing here computes expected outputs.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

torch.manual_seed(7)
rng = np.random.default_rng(7)


def randomize_bn(module):
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
            c = m.num_features
            m.weight.data = torch.rand(c) + 0.5
            m.bias.data = torch.randn(c) * 0.2
            m.running_mean = torch.randn(c) * 0.3
            m.running_var = torch.rand(c) + 0.5
    return module


def export(module, shape, path, opset=13, fold=True, dynamic_batch=False, dynamic_axes=None, unfused=False):
    """unfused: keep batch norms as BatchNormalization nodes. torch 1.13 folds them into the conv before them in EVAL
    mode even without constant folding; PRESERVE on a module in eval mode exports them as they are (training_mode 0)."""
    module = randomize_bn(module).eval()
    x = torch.randn(*shape)
    axes = dynamic_axes or ({"input": {0: "batch"}, "output": {0: "batch"}} if dynamic_batch else None)
    torch.onnx.export(module, x, path, input_names=["input"], output_names=["output"], opset_version=opset,
                      do_constant_folding=fold, dynamic_axes=axes,
                      training=torch.onnx.TrainingMode.PRESERVE if unfused else torch.onnx.TrainingMode.EVAL)


class Seq(nn.Module):
    def __init__(self, *layers, fn=None):
        super().__init__()
        self.layers = nn.Sequential(*layers)
        self.fn = fn

    def forward(self, x):
        x = self.layers(x)
        return self.fn(x) if self.fn else x


class Residual(nn.Module):
    """ResNet basic block with projection, BN unfused when exported without folding; residual Add; ReLU6 as Clip."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.shortcut = nn.Conv2d(4, 8, 1, stride=2, bias=False)
        self.bn3 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        y = F.relu6(y + self.bn3(self.shortcut(x)))
        y = F.adaptive_avg_pool2d(y, 1)
        return F.softmax(self.fc(torch.flatten(y, 1)), dim=1)


class Fire(nn.Module):
    """SqueezeNet fire module: channel Concat of two branches, ceil_mode max pool, view(N, -1) flatten."""

    def __init__(self):
        super().__init__()
        self.squeeze = nn.Conv2d(3, 4, 1)
        self.e1 = nn.Conv2d(4, 6, 1)
        self.e3 = nn.Conv2d(4, 6, 3, padding=1)
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.fc = nn.Linear(12 * 7 * 7, 7)

    def forward(self, x):
        s = F.relu(self.squeeze(x))
        y = torch.cat([F.relu(self.e1(s)), F.relu(self.e3(s))], 1)
        y = self.pool(y)
        return self.fc(y.view(y.size(0), -1))


class MatMulAdd(nn.Module):
    """x @ W + b exports as MatMul + Add; x @ W alone as MatMul; Dropout and Identity vanish in eval."""

    def __init__(self):
        super().__init__()
        self.w1 = nn.Parameter(torch.randn(20, 16) * 0.3)
        self.b1 = nn.Parameter(torch.randn(16) * 0.3)
        self.w2 = nn.Parameter(torch.randn(16, 6) * 0.3)
        self.drop = nn.Dropout(0.5)
        self.bn = nn.BatchNorm1d(16)

    def forward(self, x):
        y = self.drop(F.leaky_relu(self.bn(x @ self.w1 + self.b1), 0.2))
        return torch.tanh(nn.Identity()(y) @ self.w2)


class Activations(nn.Module):
    """Hard swish, SiLU, sigmoid, leaky ReLU on a conv net with a global max pool."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=2)
        self.c3 = nn.Conv2d(8, 16, 3, padding=1, groups=8)
        self.c4 = nn.Conv2d(16, 6, 1)

    def forward(self, x):
        y = F.hardswish(self.c1(x))
        y = F.silu(self.c2(y))
        y = torch.sigmoid(self.c3(y))
        y = F.leaky_relu(self.c4(y), 0.1)
        return torch.flatten(F.adaptive_max_pool2d(y, 1), 1)


def node_graph(name, nodes, input_shape, output_shape, initializers, opset=13):
    graph = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, input_shape)],
                              [helper.make_tensor_value_info("output", TensorProto.FLOAT, output_shape)],
                              initializer=[numpy_helper.from_array(v.astype(np.float32) if v.dtype == np.float64 else v, k) for k, v in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="onnx.helper")
    model.ir_version = 7
    # Shape inference checks every node (strict) and fills in the output's shape.
    return onnx.shape_inference.infer_shapes(model, strict_mode=True)


def w(*shape):
    return rng.standard_normal(shape) * 0.4


def helper_cases():
    cases = {}
    # auto_pad SAME_UPPER / SAME_LOWER / VALID, asymmetric pads on Conv itself, stride > window, count_include_pad both ways.
    cases["auto_pad"] = node_graph("auto_pad", [
        helper.make_node("Conv", ["input", "c1.weight", "c1.bias"], ["a"], kernel_shape=[3, 2], strides=[2, 2], auto_pad="SAME_UPPER", name="same_upper"),
        helper.make_node("Relu", ["a"], ["b"]),
        helper.make_node("Conv", ["b", "c2.weight"], ["c"], kernel_shape=[2, 3], strides=[1, 2], auto_pad="SAME_LOWER", name="same_lower"),
        helper.make_node("MaxPool", ["c"], ["d"], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER", name="pool_same"),
        helper.make_node("Conv", ["d", "c3.weight", "c3.bias"], ["e"], kernel_shape=[1, 1], strides=[3, 3], auto_pad="VALID", name="stride_over_window"),
        helper.make_node("Conv", ["e", "c4.weight", "c4.bias"], ["f"], pads=[0, 1, 2, 1], name="asymmetric"),
        helper.make_node("AveragePool", ["f"], ["g"], kernel_shape=[2, 2], strides=[1, 1], pads=[1, 0, 0, 1], count_include_pad=0, name="avg_exclude"),
        helper.make_node("AveragePool", ["g"], ["output"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1, ceil_mode=1, name="avg_include_ceil"),
    ], [1, 3, 17, 14], None, {"c1.weight": w(6, 3, 3, 2), "c1.bias": w(6), "c2.weight": w(5, 6, 2, 3),
                               "c3.weight": w(8, 5, 1, 1), "c3.bias": w(8), "c4.weight": w(4, 8, 3, 3), "c4.bias": w(4)})
    # Gemm transB 0 and 1, bias as [1, out] and scalar, Flatten of a volume, Clip with attributes (opset 10).
    cases["gemm_opset10"] = node_graph("gemm_opset10", [
        helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["a"], kernel_shape=[3, 3], name="conv"),
        helper.make_node("Clip", ["a"], ["b"], min=0.0, max=6.0, name="relu6"),
        helper.make_node("Flatten", ["b"], ["c"], axis=1),
        helper.make_node("Gemm", ["c", "fc1.weight", "fc1.bias"], ["d"], transB=0, name="gemm_transB0"),
        helper.make_node("Clip", ["d"], ["e"], min=0.0, name="relu"),
        helper.make_node("Gemm", ["e", "fc2.weight", "fc2.bias"], ["output"], transB=1, name="gemm_transB1"),
    ], [1, 2, 6, 5], None, {"conv.weight": w(3, 2, 3, 3), "conv.bias": w(3), "fc1.weight": w(36, 10), "fc1.bias": w(1, 10),
                             "fc2.weight": w(4, 10), "fc2.bias": w(1)}, opset=10)
    # Old-opset Pad (attributes) before a MaxPool (-inf) and a Conv (zeros); Softmax over channels at opset 13.
    cases["pad_opset13"] = node_graph("pad_opset13", [
        helper.make_node("Pad", ["input", "pads1"], ["a"], mode="constant", name="pad_zero"),
        helper.make_node("Conv", ["a", "c.weight"], ["b"], kernel_shape=[3, 3], name="conv_after_pad"),
        helper.make_node("Pad", ["b", "pads2", "neg_inf"], ["c"], mode="constant", name="pad_neg_inf"),
        helper.make_node("MaxPool", ["c"], ["d"], kernel_shape=[2, 2], strides=[2, 2], name="pool_after_pad"),
        helper.make_node("Softmax", ["d"], ["output"], axis=1, name="softmax_channels"),
    ], [1, 2, 7, 6], None, {"pads1": np.array([0, 0, 1, 0, 0, 0, 0, 2], dtype=np.int64), "c.weight": w(5, 2, 3, 3),
                             "pads2": np.array([0, 0, 0, 1, 0, 0, 1, 0], dtype=np.int64), "neg_inf": np.array(-np.inf, dtype=np.float32)})
    # HardSigmoid + Mul as hard swish (alpha 1/6, beta 0.5), Sigmoid + Mul as SiLU with the operands swapped.
    cases["gates"] = node_graph("gates", [
        helper.make_node("Conv", ["input", "c.weight", "c.bias"], ["a"], kernel_shape=[1, 1], pads=[0, 0, 0, 0]),
        helper.make_node("HardSigmoid", ["a"], ["g"], alpha=1.0 / 6, beta=0.5),
        helper.make_node("Mul", ["a", "g"], ["b"]),
        helper.make_node("Sigmoid", ["b"], ["s"]),
        helper.make_node("Mul", ["s", "b"], ["output"]),
    ], [1, 3, 4, 4], None, {"c.weight": w(4, 3, 1, 1), "c.bias": w(4)})
    # ReduceMean/ReduceMax over H and W (TensorFlow exports' global pools), keepdims both ways; Squeeze and Unsqueeze.
    cases["reduce_squeeze"] = node_graph("reduce_squeeze", [
        helper.make_node("Conv", ["input", "c.weight", "c.bias"], ["a"], kernel_shape=[3, 3], name="conv"),
        helper.make_node("ReduceMean", ["a"], ["b"], axes=[2, 3], keepdims=1, name="mean_hw"),
        helper.make_node("Squeeze", ["b", "axes"], ["c"], name="squeeze"),
        helper.make_node("Gemm", ["c", "fc.weight", "fc.bias"], ["d"], transB=1, name="fc"),
        helper.make_node("Unsqueeze", ["d", "axes"], ["e"], name="unsqueeze"),
        helper.make_node("Softmax", ["e"], ["output"], axis=1, name="softmax"),
    ], [1, 3, 7, 9], None, {"c.weight": w(4, 3, 3, 3), "c.bias": w(4), "axes": np.array([2, 3], dtype=np.int64),
                             "fc.weight": w(6, 4) * 4, "fc.bias": w(6)})
    cases["reduce_max"] = node_graph("reduce_max", [
        helper.make_node("Conv", ["input", "c.weight"], ["a"], kernel_shape=[2, 2], strides=[2, 2], name="conv"),
        helper.make_node("ReduceMax", ["a"], ["b"], axes=[-1, -2], keepdims=0, name="max_hw"),
        helper.make_node("Gemm", ["b", "fc.weight"], ["output"], transB=1, name="fc"),
    ], [1, 2, 8, 6], None, {"c.weight": w(5, 2, 2, 2), "fc.weight": w(3, 5)})
    # A MatMul whose bias comes from a Constant node placed after it.
    cases["late_constant_bias"] = node_graph("late_constant_bias", [
        helper.make_node("MatMul", ["input", "w"], ["a"], name="matmul"),
        helper.make_node("Add", ["a", "b"], ["output"], name="add_bias"),
        helper.make_node("Constant", [], ["b"], value=numpy_helper.from_array(w(3).astype(np.float32), "b"), name="bias_constant"),
    ], [1, 5], None, {"w": w(5, 3)})
    # Refused, from the review of the importer: a Pad read by a ceil-mode pool where ONNX's last-window rule and a merged
    # padding differ; a stride past 32 bits; a bias of shape [out, 1] (broadcasts to a matrix); a slope of infinity;
    # a shape computation of 400 million elements.
    cases["bad_pad_ceil"] = node_graph("bad_pad_ceil", [
        helper.make_node("Pad", ["input", "pads", "neg_inf"], ["a"], mode="constant", name="pad"),
        helper.make_node("MaxPool", ["a"], ["output"], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1, name="pool_ceil"),
    ], [1, 1, 4, 4], None, {"pads": np.array([0, 0, 0, 0, 0, 0, 1, 1], dtype=np.int64), "neg_inf": np.array(-np.inf, dtype=np.float32)})
    big = node_graph("bad_stride_wrap", [
        helper.make_node("Conv", ["input", "c.weight"], ["output"], kernel_shape=[3, 3], strides=[1, 1], name="conv_huge_stride"),
    ], [1, 1, 8, 8], None, {"c.weight": w(1, 1, 3, 3)})
    big.graph.node[0].attribute[1].ints[:] = [4294967297, 4294967297]  # after shape inference, which would reject it
    cases["bad_stride_wrap"] = big
    cases["bad_column_bias"] = node_graph("bad_column_bias", [
        helper.make_node("MatMul", ["input", "w"], ["a"], name="matmul"),
        helper.make_node("Add", ["a", "b"], ["output"], name="add_column"),
    ], [1, 4], None, {"w": w(4, 4), "b": w(4, 1)})
    cases["bad_leaky_inf"] = node_graph("bad_leaky_inf", [
        helper.make_node("LeakyRelu", ["input"], ["output"], alpha=float("inf"), name="leaky"),
    ], [1, 2, 2, 2], None, {})
    cases["bad_huge_fold"] = node_graph("bad_huge_fold", [
        helper.make_node("ConstantOfShape", ["shape"], ["z"], name="zeros"),
        helper.make_node("Shape", ["z"], ["s"], name="shape_of_zeros"),
        helper.make_node("Sub", ["s", "s"], ["nothing"], name="nothing"),
        helper.make_node("Add", ["flat", "nothing"], ["shape2"], name="same_shape"),
        helper.make_node("Reshape", ["input", "shape2"], ["output"], name="reshape"),
    ], [1, 2, 2, 2], None, {"shape": np.array([20000, 20000], dtype=np.int64), "flat": np.array([1, 8], dtype=np.int64)})
    # Refused: a Gemm with alpha != 1; a Conv whose weight is computed; a Resize.
    cases["bad_gemm_alpha"] = node_graph("bad_gemm_alpha", [
        helper.make_node("Gemm", ["input", "fc.weight"], ["output"], alpha=0.5, transB=1, name="scaled_gemm"),
    ], [1, 8], None, {"fc.weight": w(3, 8)})
    cases["bad_computed_weight"] = node_graph("bad_computed_weight", [
        helper.make_node("Relu", ["input"], ["r"], name="relu"),
        helper.make_node("Conv", ["input", "r"], ["output"], kernel_shape=[2, 2], name="conv_computed_weight"),
    ], [1, 2, 2, 2], None, {})
    cases["bad_resize"] = node_graph("bad_resize", [
        helper.make_node("Conv", ["input", "c.weight"], ["a"], kernel_shape=[1, 1], name="conv"),
        helper.make_node("Resize", ["a", "", "scales"], ["output"], mode="nearest", name="upsample"),
    ], [1, 2, 4, 4], None, {"c.weight": w(2, 2, 1, 1), "scales": np.array([1, 1, 2, 2], dtype=np.float32)})
    return cases


class SqueezeExcitation(nn.Module):
    """Two squeeze-and-excitation gates in a row (MobileNetV3's hard sigmoid, EfficientNet's sigmoid): both refused."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1)
        self.se1 = nn.Conv2d(8, 8, 1)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1)
        self.se2 = nn.Conv2d(8, 8, 1)

    def forward(self, x):
        y = F.relu(self.c1(x))
        y = y * F.hardsigmoid(self.se1(F.adaptive_avg_pool2d(y, 1)))
        y = F.relu(self.c2(y))
        return y * torch.sigmoid(self.se2(F.adaptive_avg_pool2d(y, 1)))


class Shuffle(nn.Module):
    """ShuffleNet's channel split and shuffle: refused, each Slice and Transpose named."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        a, b = x.chunk(2, dim=1)
        y = torch.cat([a, F.relu(self.c(b))], 1)
        n, c, h, w = y.shape
        return y.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)


class Lstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 3)

    def forward(self, x):
        return self.lstm(x.view(1, 1, 4))[0].view(1, 3)


def main(out):
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name + ".onnx")
    # BN left unfused (no constant folding) and fused (folding: onnx::Conv_N names), dynamic batch.
    export(Residual(), (1, 4, 9, 9), p("residual_bn_unfused"), fold=False, unfused=True)
    export(Residual(), (1, 4, 9, 9), p("residual_bn_fused"), fold=True, dynamic_batch=True)
    export(Fire(), (1, 3, 14, 14), p("fire_concat_ceil"))
    export(MatMulAdd(), (1, 20), p("matmul_add"), fold=False, unfused=True)
    export(Activations(), (1, 3, 10, 11), p("activations_groups"), opset=13)
    export(Activations(), (1, 3, 10, 11), p("activations_opset14"), opset=14)
    # Average pools: count_include_pad both ways, ceil_mode, and F.pad (exported as a Pad the pool reads).
    export(Seq(nn.Conv2d(2, 4, 3), nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
               nn.AvgPool2d(2, 1, 1, count_include_pad=True), nn.ReLU(),
               fn=lambda x: F.avg_pool2d(F.pad(x, (1, 0, 0, 1)), 2)), (1, 2, 13, 12), p("avg_pools"))
    # Keras-style asymmetric 'same' through F.pad, a 10x4 stride-2 stem, max pool with dilation and padding.
    export(Seq(nn.Conv2d(1, 6, (10, 4), stride=2), nn.ReLU(), nn.MaxPool2d(3, 1, 1, dilation=2), nn.Flatten(), nn.Linear(6 * 18 * 2, 3),
               ), (1, 1, 49, 10), p("maxpool_dilated"), opset=11)
    export(Seq(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, 2, 1), nn.Sigmoid()), (1, 1, 8, 8), p("opset9"), opset=9)
    for name, model in helper_cases().items():
        onnx.save(model, p(name))
    # Refused, from PyTorch: an LSTM, an upsampling, a dynamic spatial size, a batch of 4.
    export(Lstm(), (1, 4), p("bad_lstm"))
    export(SqueezeExcitation(), (1, 3, 6, 6), p("bad_squeeze_excitation"))
    export(Shuffle(), (1, 16, 4, 4), p("bad_shuffle"))
    export(Seq(nn.Conv2d(1, 2, 3), fn=lambda x: F.interpolate(x, scale_factor=2.0)), (1, 1, 6, 6), p("bad_interpolate"))
    export(Seq(nn.Conv2d(1, 2, 3)), (1, 1, 6, 6), p("bad_dynamic_size"), dynamic_axes={"input": {0: "batch", 2: "height"}})
    export(Seq(nn.Conv2d(1, 2, 3)), (4, 1, 6, 6), p("bad_batch4"))
    for f in sorted(os.listdir(out)):
        print(f, os.path.getsize(os.path.join(out, f)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/CnnGen.Tests/Fixtures/onnx")
