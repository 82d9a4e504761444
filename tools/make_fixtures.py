#!/usr/bin/python3
"""Writes tests/CnnGen.Tests/Fixtures/torch_cases.json: PyTorch's results for a set of small networks.

Each case lists its layers in CnnGen's terms; this script computes them with
torch.nn.functional (conv2d, max_pool2d, avg_pool2d, linear, relu) on seeded random data and
stores the input, the parameters (state_dict order: each layer's weight then bias), every
layer's output, and the final output.

Contract v2 layers (geometry per axis, dilation, one-sided and Same padding, groups, no bias,
average pools) also store the attribute properties that declare them ("props") and the window
PyTorch ran ("window": Fx, Fy, Sx, Sy, left, right, top, bottom, Dx, Dy). PyTorch has no
one-sided padding: those run as F.pad (zeros for conv and average pool, -inf for max pool)
followed by the unpadded op; an average pool that leaves the padding out of its divisor is
sum / count of two padded pools. Same padding is computed here, TensorFlow's rule, independently
of CnnGen. The C# tests declare the same networks with CnnGen attributes and
compare. Run by hand (Debian: apt-get install python3-torch), then commit the JSON:

    /usr/bin/python3 tools/make_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

from safetensors_file import save_safetensors

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


def win(kind, fx, fy=None, sx=None, sy=None, pads=0, dil=1, same=None, rounding=None, **extra):
    """A v2 window layer; pads is p, (px, py) or (left, right, top, bottom); dil is d or (dx, dy)."""
    fy = fy or fx
    if sx is None:
        sx = fx if kind != "conv" else 1
        sy = fy if kind != "conv" else 1
    sy = sy or sx
    if isinstance(pads, int):
        pads = (pads, pads, pads, pads)
    elif len(pads) == 2:
        pads = (pads[0], pads[0], pads[1], pads[1])
    dx, dy = (dil, dil) if isinstance(dil, int) else dil
    layer = dict(kind=kind, fx=fx, fy=fy, sx=sx, sy=sy, pads=list(pads), dx=dx, dy=dy, **extra)
    if same:
        layer["same"] = same
    if rounding:
        layer["rounding"] = rounding
    return layer


def conv(filters, fx, **kw):
    return win("conv", fx, filters=filters, **kw)


def spell(layer):
    """The attribute properties a person would write for the layer (size as the constructor's argument)."""
    p = []
    fx, fy, sx, sy, dx, dy = (layer[k] for k in ("fx", "fy", "sx", "sy", "dx", "dy"))
    if fy != fx:
        p.append("SizeY = %d" % fy)

    def pair(both, x, y, vx, vy, unset):
        if vx != vy:
            p.extend(["%s = %d" % (x, vx), "%s = %d" % (y, vy)])
        elif vx != unset:
            p.append("%s = %d" % (both, vx))
    if layer["kind"] == "conv":
        pair("Stride", "StrideX", "StrideY", sx, sy, 1)
    elif (sx, sy) != (fx, fy):
        pair("Stride", "StrideX", "StrideY", sx, sy, -1)
    pair("Dilation", "DilationX", "DilationY", dx, dy, 1)
    l, r, t, b = layer["pads"]
    if layer.get("same"):
        p.append("PaddingMode = PaddingMode." + layer["same"])
    elif l != r or t != b:
        p.extend(["PaddingLeft = %d" % l, "PaddingRight = %d" % r, "PaddingTop = %d" % t, "PaddingBottom = %d" % b])
    else:
        pair("Padding", "PaddingX", "PaddingY", l, t, 0)
    if layer.get("groups", 1) != 1:
        p.append("Groups = %d" % layer["groups"])
    if layer.get("bias", True) is False:
        p.append("Bias = false")
    if layer.get("count_include_pad", True) is False:
        p.append("CountIncludePadding = false")
    return ", ".join(p)


CASES += [
    # The keyword-spotting stem: a 10x4 window (10 down, 4 across) at stride 2 with Same padding, asymmetric at stride 2.
    ("kws_stem_same", (10, 49, 1), [conv(8, 4, fy=10, sx=2, same="Same"), dict(kind="relu")]),
    ("kws_stem_same_lower", (10, 49, 1), [conv(3, 4, fy=10, sx=2, same="SameLower")]),
    # Same at odd and even sizes for strides 1 to 3.
    ("same_s1_odd", (7, 9, 2), [conv(3, 3, same="Same")]),
    ("same_s1_even_window", (8, 6, 2), [conv(3, 4, fy=2, same="Same")]),
    ("same_s2_even", (8, 8, 2), [conv(3, 3, sx=2, same="Same")]),
    ("same_s2_odd", (9, 7, 2), [conv(3, 3, sx=2, same="Same")]),
    ("same_s3_mixed", (10, 11, 2), [conv(3, 3, sx=3, same="Same")]),
    ("same_lower_s2", (8, 9, 2), [conv(3, 4, sx=2, same="SameLower")]),
    ("same_window_1_stride_3", (5, 7, 2), [conv(2, 1, sx=3, same="Same")]),
    # Per-axis windows, strides larger than the window, dilation with padding.
    ("per_axis_window", (11, 9, 3), [conv(4, 3, fy=2, sx=2, sy=1, pads=(1, 0), rounding="Floor")]),
    ("stride_past_window", (11, 8, 2), [conv(3, 2, sx=3, rounding="Floor"), dict(kind="relu")]),
    ("dilated_padded", (9, 9, 3), [conv(4, 3, dil=2, pads=2)]),
    ("dilated_per_axis_one_sided", (12, 10, 2), [conv(3, 3, fy=2, dil=(1, 3), pads=(2, 0, 1, 3), sx=2, sy=1, rounding="Floor")]),
    ("one_sided_padding", (6, 7, 2), [conv(3, 3, pads=(0, 2, 1, 0))]),
    # Groups 2...D, depthwise with multiplier 1 and 2, no bias.
    ("groups_2", (7, 6, 6), [conv(4, 3, groups=2, pads=1)]),
    ("groups_3_no_bias", (6, 6, 6), [conv(6, 3, groups=3, bias=False)]),
    ("depthwise_m1", (20, 17, 8), [conv(8, 3, groups=8, pads=1), dict(kind="relu")]),
    ("depthwise_m2", (9, 9, 4), [conv(8, 3, groups=4, pads=1, bias=False)]),
    ("depthwise_s2_same", (16, 16, 4), [conv(4, 3, sx=2, groups=4, same="Same")]),
    ("depthwise_dilated_wide", (24, 6, 3), [conv(3, 3, dil=2, pads=2, groups=3)]),
    ("depthwise_s2_wide_same", (113, 6, 3), [conv(3, 3, sx=2, groups=3, same="Same"), dict(kind="relu")]),
    ("depthwise_s2_wide_padded", (60, 5, 2), [conv(4, 5, fy=3, sx=2, sy=1, pads=(2, 1, 1, 1), groups=2, rounding="Floor")]),
    ("depthwise_separable", (12, 10, 4), [
        conv(4, 3, groups=4, pads=1, bias=False), dict(kind="relu"), conv(8, 1, bias=False), dict(kind="relu"),
        dict(kind="fc", outputs=3, bias=False)]),
    # Pools per axis, Ceil, dilation, Same, one-sided; average pools with and without the padding counted.
    ("max_per_axis_ceil", (9, 8, 2), [win("pool", 3, fy=2, sx=2, sy=1, pads=(1, 0), rounding="Ceil")]),
    ("max_dilated_padded", (10, 9, 2), [win("pool", 3, sx=1, pads=1, dil=2)]),
    ("max_same", (7, 6, 2), [win("pool", 3, sx=2, same="Same")]),
    ("max_one_sided", (6, 5, 2), [win("pool", 2, pads=(0, 1, 1, 0), rounding="Floor")], "negative"),
    ("avg_include_pad", (7, 7, 3), [win("avgpool", 3, sx=2, pads=1)]),
    ("avg_exclude_pad", (7, 7, 3), [win("avgpool", 3, sx=1, pads=1, count_include_pad=False)]),
    ("avg_ceil_include", (8, 7, 2), [win("avgpool", 3, sx=2, pads=1, rounding="Ceil")]),
    ("avg_ceil_exclude", (6, 9, 2), [win("avgpool", 2, fy=3, sx=2, sy=2, pads=(1, 1), rounding="Ceil", count_include_pad=False)]),
    ("avg_one_sided_exclude", (7, 6, 2), [win("avgpool", 3, sx=2, pads=(0, 2, 1, 0), count_include_pad=False)]),
    ("avg_same_exclude", (9, 9, 2), [win("avgpool", 3, sx=2, same="Same", count_include_pad=False)]),
]

# Networks whose Input sets the rounding for every layer (contract 7.1): a ResNet stem as PyTorch declares it.
INPUT_ROUNDING = {"resnet_stem_floor": "Floor"}
CASES += [
    ("resnet_stem_floor", (32, 32, 3), [
        dict(kind="conv", filters=4, size=7, stride=2, padding=3), dict(kind="relu"),
        dict(kind="pool", size=3, stride=2, padding=1), dict(kind="conv", filters=3, size=3, stride=2, padding=1)]),
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


def same_padding(size, f, s, d, lower):
    out = -(-size // s)
    total = max((out - 1) * s + (f - 1) * d + 1 - size, 0)
    small = total // 2
    return (total - small, small) if lower else (small, total - small)


def window_layer(cur, layer, params):
    """Runs a v2 window layer; fills in its props and resolved window."""
    kind = layer["kind"]
    fx, fy, sx, sy, dx, dy = (layer[k] for k in ("fx", "fy", "sx", "sy", "dx", "dy"))
    h, w = cur.shape[2], cur.shape[3]
    if layer.get("same"):
        lower = layer["same"] == "SameLower"
        l, r = same_padding(w, fx, sx, dx, lower)
        t, b = same_padding(h, fy, sy, dy, lower)
    else:
        l, r, t, b = layer["pads"]
    ceil = layer.get("rounding") == "Ceil"
    symmetric = l == r and t == b
    if kind == "conv":
        k, g = layer["filters"], layer.get("groups", 1)
        cin = cur.shape[1] // g
        weight = torch.randn(k, cin, fy, fx) / math.sqrt(cin * fx * fy)
        bias = torch.randn(k) * 0.1 if layer.get("bias", True) else None
        params += [weight] + ([bias] if bias is not None else [])
        out = F.conv2d(F.pad(cur, (l, r, t, b)), weight, bias, stride=(sy, sx), dilation=(dy, dx), groups=g)
    elif kind == "pool":
        if symmetric and l <= fx // 2 and t <= fy // 2:
            out = F.max_pool2d(cur, (fy, fx), stride=(sy, sx), padding=(t, l), dilation=(dy, dx), ceil_mode=ceil)
        else:
            assert not ceil
            out = F.max_pool2d(F.pad(cur, (l, r, t, b), value=-math.inf), (fy, fx), stride=(sy, sx), dilation=(dy, dx))
    else:
        include = layer.get("count_include_pad", True)
        if symmetric and l <= fx // 2 and t <= fy // 2:
            out = F.avg_pool2d(cur, (fy, fx), stride=(sy, sx), padding=(t, l), ceil_mode=ceil, count_include_pad=include)
        else:
            assert not ceil
            padded = F.pad(cur, (l, r, t, b))
            total = F.avg_pool2d(padded, (fy, fx), stride=(sy, sx)) * (fx * fy)
            if include:
                out = total / (fx * fy)
            else:
                ones = F.pad(torch.ones_like(cur[:, :1]), (l, r, t, b))
                out = total / (F.avg_pool2d(ones, (fy, fx), stride=(sy, sx)) * (fx * fy))
    record = dict(kind=kind, props=spell(layer), window=[fx, fy, sx, sy, l, r, t, b, dx, dy])
    for key in ("filters", "groups", "bias", "count_include_pad", "same", "rounding"):
        if key in layer:
            record[key] = layer[key]
    return out, record


def run(name, shape, layers, data="normal"):
    w, h, d = shape
    x = torch.randn(1, d, h, w)
    if data == "negative":
        x = -x.abs() - 0.5
    elif data == "nan":
        x.view(-1)[::7] = float("nan")
    network_rounding = INPUT_ROUNDING.get(name)
    params = []
    steps = []
    records = []
    cur = x
    for layer in layers:
        kind = layer["kind"]
        record = layer
        if "fx" in layer:
            out, record = window_layer(cur, layer, params)
        elif kind == "conv":
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
            rounding = layer.get("rounding", network_rounding or "Exact")
            out = F.max_pool2d(cur, f, stride=s, padding=p, ceil_mode=ROUND[rounding])
        elif kind == "fc":
            n_in = cur.numel()
            weight = torch.randn(layer["outputs"], n_in) / math.sqrt(n_in)
            bias = torch.randn(layer["outputs"]) * 0.1 if layer.get("bias", True) else None
            params += [weight] + ([bias] if bias is not None else [])
            out = F.linear(cur.reshape(1, -1), weight, bias)
        else:
            out = F.relu(cur)
        records.append(record)
        steps.append(flat(out))  # the input of a step is the previous output (or x)
        cur = out
    case = dict(
        name=name,
        input=[w, h, d],
        layers=records,
        x=flat(x),
        parameters=flat(torch.cat([t.reshape(-1) for t in params])) if params else [],
        steps=steps,
        y=flat(cur),
    )
    if network_rounding:
        case["rounding"] = network_rounding
    return case


def state_dict_case(directory):
    """A torch.nn model of v2 layers (no bias, depthwise, grouped, average pool): its state_dict as PyTorch names it,
    an input and the model's output in eval() mode. The C# test declares it with Key = "0", "2", ... and loads the file."""
    import torch.nn as nn
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.ReLU(),
        nn.Conv2d(8, 16, 1, groups=2, bias=False),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 5, bias=False)).eval()
    x = torch.randn(1, 3, 15, 15)
    with torch.no_grad():
        y = model(x)
    save_safetensors([(name, t.numpy()) for name, t in model.state_dict().items()], os.path.join(directory, "state_dict_v2.safetensors"))
    with open(os.path.join(directory, "state_dict_v2.json"), "w") as f:
        json.dump(dict(keys=list(model.state_dict().keys()), shapes=[list(t.shape) for t in model.state_dict().values()], x=flat(x), y=flat(y)), f, separators=(",", ":"))


def main():
    cases = [run(*case) for case in CASES]
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "tests", "CnnGen.Tests", "Fixtures", "torch_cases.json")
    with open(target, "w") as f:
        json.dump(dict(torch=torch.__version__, cases=cases), f, separators=(",", ":"))
    print("wrote %d cases to %s (torch %s)" % (len(cases), os.path.relpath(target), torch.__version__))
    state_dict_case(os.path.dirname(target))


if __name__ == "__main__":
    main()
