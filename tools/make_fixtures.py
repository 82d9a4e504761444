#!/usr/bin/python3
"""Writes tests/CnnGen.Tests/Fixtures/torch_cases.json: PyTorch's results for a set of small networks.

Each case lists its layers in CnnGen's terms; this script computes them with
torch.nn.functional (conv2d, max_pool2d, linear, relu) on seeded random data and stores the
input, the parameters (state_dict order: each layer's weight then bias), every layer's input and
output, and the final output. The C# tests declare the same networks with CnnGen attributes and
compare. Run by hand (Debian: apt-get install python3-torch), then commit the JSON:

    /usr/bin/python3 tools/make_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)

ROUND = {"Exact": False, "Floor": False, "Ceil": True}

CASES = [
    # LeNet-5's feature extractor on RGB input, with a narrower classifier to keep the file small.
    ("lenet5_rgb", (32, 32, 3), [
        dict(kind="conv", filters=6, size=5), dict(kind="relu"), dict(kind="pool", size=2),
        dict(kind="conv", filters=16, size=5), dict(kind="relu"), dict(kind="pool", size=2),
        dict(kind="fc", outputs=24), dict(kind="relu"), dict(kind="fc", outputs=16), dict(kind="relu"),
        dict(kind="fc", outputs=10)]),
    ("conv_strided_padded", (11, 9, 2), [dict(kind="conv", filters=4, size=3, stride=2, padding=1)]),
    ("conv_1x1", (7, 5, 6), [dict(kind="conv", filters=3, size=1)]),
    ("conv_floor", (10, 10, 3), [dict(kind="conv", filters=5, size=3, stride=2, rounding="Floor")]),
    ("pool_3s2_floor", (9, 8, 3), [dict(kind="pool", size=3, stride=2, rounding="Floor")]),
    ("pool_ceil_padded", (8, 7, 2), [dict(kind="pool", size=3, stride=2, padding=1, rounding="Ceil")]),
    ("pool_ceil_overhang", (5, 6, 2), [dict(kind="pool", size=2, stride=2, rounding="Ceil")]),
    ("pool_padding_all_negative", (5, 5, 2), [dict(kind="pool", size=2, stride=2, padding=1, rounding="Floor")], "negative"),
    ("pool_nan", (6, 4, 2), [dict(kind="pool", size=2)], "nan"),
    ("output_1x1", (5, 5, 3), [dict(kind="conv", filters=4, size=5), dict(kind="fc", outputs=3)]),
    ("depth_1", (6, 6, 1), [
        dict(kind="conv", filters=2, size=3, padding=1), dict(kind="relu"), dict(kind="pool", size=2),
        dict(kind="fc", outputs=5)]),
    ("relu_everywhere", (4, 4, 2), [
        dict(kind="relu"), dict(kind="pool", size=2), dict(kind="relu"), dict(kind="fc", outputs=3), dict(kind="relu")]),
    ("conv_over_unroll_budget", (6, 6, 40), [dict(kind="conv", filters=3, size=3, padding=1)]),
    ("nan_through_conv_relu", (5, 5, 2), [dict(kind="conv", filters=2, size=2), dict(kind="relu"), dict(kind="fc", outputs=2)], "nan"),
    ("strided_padded_pool_after_conv", (12, 10, 3), [
        dict(kind="conv", filters=4, size=3, stride=1, padding=2), dict(kind="relu"),
        dict(kind="pool", size=3, stride=2, padding=1, rounding="Floor"), dict(kind="conv", filters=2, size=2, stride=2, rounding="Floor")]),
]


def flat(t):
    out = []
    for v in t.detach().reshape(-1).tolist():
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        else:
            out.append(float("%.9g" % v))  # 9 significant digits round-trip a float32
    return out


def run(name, shape, layers, data="normal"):
    w, h, d = shape
    x = torch.randn(1, d, h, w)
    if data == "negative":
        x = -x.abs() - 0.5
    elif data == "nan":
        x.view(-1)[::7] = float("nan")
    params = []
    steps = []
    cur = x
    for layer in layers:
        kind = layer["kind"]
        if kind == "conv":
            k, f = layer["filters"], layer["size"]
            s, p = layer.get("stride", 1), layer.get("padding", 0)
            cin = cur.shape[1]
            weight = torch.randn(k, cin, f, f) / math.sqrt(cin * f * f)
            bias = torch.randn(k) * 0.1
            params += [weight, bias]
            # PyTorch's conv2d always floors, as CnnGen's Floor (Exact shapes floor to the same).
            out = F.conv2d(cur, weight, bias, stride=s, padding=p)
        elif kind == "pool":
            f = layer["size"]
            s = layer.get("stride", 0) or f
            p = layer.get("padding", 0)
            out = F.max_pool2d(cur, f, stride=s, padding=p, ceil_mode=ROUND[layer.get("rounding", "Exact")])
        elif kind == "fc":
            n_in = cur.numel()
            weight = torch.randn(layer["outputs"], n_in) / math.sqrt(n_in)
            bias = torch.randn(layer["outputs"]) * 0.1
            params += [weight, bias]
            out = F.linear(cur.reshape(1, -1), weight, bias)
        else:
            out = F.relu(cur)
        steps.append(flat(out))  # the input of a step is the previous output (or x)
        cur = out
    return dict(
        name=name,
        input=[w, h, d],
        layers=layers,
        x=flat(x),
        parameters=flat(torch.cat([t.reshape(-1) for t in params])) if params else [],
        steps=steps,
        y=flat(cur),
    )


def main():
    cases = [run(*case) for case in CASES]
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "tests", "CnnGen.Tests", "Fixtures", "torch_cases.json")
    with open(target, "w") as f:
        json.dump(dict(torch=torch.__version__, cases=cases), f, separators=(",", ":"))
    print("wrote %d cases to %s (torch %s)" % (len(cases), os.path.relpath(target), torch.__version__))


if __name__ == "__main__":
    main()
