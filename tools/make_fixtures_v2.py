#!/usr/bin/python3
"""Writes tests/CnnGen.Tests/Fixtures/v2/: PyTorch's results for the contract v2 layers (BatchNorm, the activations,
Softmax, global pools, average pools, Add, Concat, From) alone and in small networks (ResNet basic blocks, a
MobileNetV2 inverted residual, a SqueezeNet fire module, a DS-CNN block, an autoencoder).

For each case it writes
  v2/NAME.safetensors  the state_dict() of a torch.nn module in eval() mode, renamed to CnnGen's tensor keys (the
                       layer's Name or default name with its first letter lower-cased, or its Key, then .weight, .bias,
                       .running_mean, .running_var, .num_batches_tracked), in declaration order (which each module's
                       state_dict order matches: checked). num_batches_tracked is an I64 scalar (shape []) set to 7;
                       every other tensor is F32. A case without parameters gets a file with no tensors.
and one entry of v2/v2_cases.json, {"torch": version, "cases": [...]}, each case holding
  name, declaration     the C# attribute list declaring the network, as a user writes it
  input                 the input volume, flat CHW (batch dimension dropped)
  output, output_shape  the module's output, flat CHW, and its volume [width, height, depth]
  tolerance_note        (some cases) what to mind when comparing
Floats are the float32 values written as the shortest decimal that reads back as the same double (so also the same
float); NaN, +inf and -inf are the strings "NaN", "Infinity" and "-Infinity" (System.Text.Json reads them with
JsonNumberHandling.AllowNamedFloatingPointLiterals).

Each torch module is written by hand, as torchvision writes such blocks. The script checks it against the declaration
without trusting either: it parses the declaration, derives from it (contract v2, 7.3 and 7.4) the tensor keys, their
order and shapes, writes the file, reads the file back (header JSON, dtypes, shapes, offsets, bytes), and recomputes the
output from the declaration alone with torch.nn.functional on the tensors read back; that must equal the module's
output (NaN where it has NaN). It also reads the JSON back. Each case seeds torch with the CRC-32 of its name, so adding
or reordering cases changes no other case. Float32 throughout. Run by hand (Debian: apt-get install python3-torch),
then commit the directory:

    /usr/bin/python3 tools/make_fixtures_v2.py
"""
import json
import math
import os
import re
import struct
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_file import save_safetensors

NAN, INF = float("nan"), float("inf")
HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "..", "tests", "CnnGen.Tests", "Fixtures", "v2")


# ----------------------------------------------------------------------------------------------------------------------
# The torch modules (torchvision's names where torchvision has the block).

class BasicBlock(nn.Module):
    """torchvision.models.resnet.BasicBlock."""

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


def projection(inplanes, planes, stride):
    return nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))


def stem(cin, cout, activation=nn.ReLU, eps=1e-5):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout, eps=eps), activation())


class ResNetBasic(nn.Module):
    """A stem, then a basic block without projection."""

    def __init__(self):
        super().__init__()
        self.stem = stem(3, 8)
        self.block = BasicBlock(8, 8)

    def forward(self, x):
        return self.block(self.stem(x))


class ResNetProjection(nn.Module):
    """The contract's example at a smaller size: a stem, a basic block with a 1x1 stride-2 projection, a classifier."""

    def __init__(self):
        super().__init__()
        self.stem = stem(3, 8)
        self.block = BasicBlock(8, 16, 2, projection(8, 16, 2))
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.block(self.stem(x))
        return F.softmax(self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)), dim=1)


class TinyResNet(nn.Module):
    """torchvision.models.ResNet with one basic block per stage, two stages, 8 and 16 channels: its state_dict keys."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(BasicBlock(8, 8))
        self.layer2 = nn.Sequential(BasicBlock(8, 16, 2, projection(8, 16, 2)))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class InvertedResidual(nn.Module):
    """torchvision.models.mobilenetv2.InvertedResidual, stride 1, input depth = output depth (so with the residual)."""

    def __init__(self, inp, expand_ratio, eps):
        super().__init__()
        hidden = inp * expand_ratio
        self.conv = nn.Sequential(
            nn.Conv2d(inp, hidden, 1, bias=False), nn.BatchNorm2d(hidden, eps=eps), nn.ReLU6(),
            nn.Conv2d(hidden, hidden, 3, 1, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden, eps=eps), nn.ReLU6(),
            nn.Conv2d(hidden, inp, 1, bias=False), nn.BatchNorm2d(inp, eps=eps))

    def forward(self, x):
        return x + self.conv(x)


class Fire(nn.Module):
    """torchvision.models.squeezenet.Fire."""

    def __init__(self, inplanes, squeeze, expand1x1, expand3x3):
        super().__init__()
        self.squeeze = nn.Conv2d(inplanes, squeeze, 1)
        self.squeeze_activation = nn.ReLU()
        self.expand1x1 = nn.Conv2d(squeeze, expand1x1, 1)
        self.expand1x1_activation = nn.ReLU()
        self.expand3x3 = nn.Conv2d(squeeze, expand3x3, 3, padding=1)
        self.expand3x3_activation = nn.ReLU()

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(x)), self.expand3x3_activation(self.expand3x3(x))], 1)


class Lambda(nn.Module):
    """A module around a function of its input and its own submodules (for the small graph cases)."""

    def __init__(self, function, **modules):
        super().__init__()
        for name, module in modules.items():
            self.add_module(name, module)
        self.function = function

    def forward(self, x):
        return self.function(self, x)


def add_alone():
    return Lambda(lambda m, x: (lambda a: m.conv2(a) + a)(m.a(x)), a=nn.Conv2d(2, 2, 1), conv2=nn.Conv2d(2, 2, 3, padding=1))


def add_from_skip():
    def forward(m, x):
        c1 = m.conv1(x)
        return m.conv3(c1) + m.conv2(F.relu(c1))
    return Lambda(forward, conv1=nn.Conv2d(2, 3, 1), conv2=nn.Conv2d(3, 3, 3, padding=1), conv3=nn.Conv2d(3, 3, 1))


def concat_two_depths():
    def forward(m, x):
        s = m.stem(x)
        return torch.cat([m.a(s), m.b(s)], 1)
    return Lambda(forward, stem=nn.Conv2d(3, 4, 1), a=nn.Conv2d(4, 2, 1), b=nn.Conv2d(4, 5, 3, padding=1))


def concat_default_names_reversed():
    def forward(m, x):
        c1 = m.conv1(x)
        return torch.cat([m.conv2(F.relu(c1)), c1], 1)
    return Lambda(forward, conv1=nn.Conv2d(3, 2, 1), conv2=nn.Conv2d(2, 5, 3, padding=1))


def fc_softmax_large():
    fc = nn.Linear(24, 6)
    with torch.no_grad():
        fc.weight.copy_(torch.randn(6, 24) * (50 / math.sqrt(24)))  # logits of about +-50..150
        fc.bias.copy_(torch.randn(6) * 10)
    return nn.Sequential(nn.Flatten(), fc, nn.Softmax(dim=1))


def mobile_activations():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.Hardswish(),
        nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8, bias=False), nn.BatchNorm2d(8), nn.SiLU(),
        nn.Conv2d(8, 4, 1), nn.Sigmoid(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3), nn.Tanh())


def dcgan_discriminator():
    return nn.Sequential(
        nn.Conv2d(3, 8, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(8, 16, 4, 2, 1, bias=False), nn.BatchNorm2d(16), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(64, 4), nn.Sigmoid())


def ds_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, (3, 4), stride=2, bias=False), nn.BatchNorm2d(8, eps=1e-3), nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), nn.BatchNorm2d(8, eps=1e-3), nn.ReLU(),
        nn.Conv2d(8, 16, 1, bias=False), nn.BatchNorm2d(16, eps=1e-3), nn.ReLU(),
        nn.AvgPool2d((4, 5)), nn.Flatten(), nn.Linear(16, 6))


def autoencoder():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(16, 8), nn.BatchNorm1d(8), nn.ReLU(),
        nn.Linear(8, 4), nn.BatchNorm1d(4), nn.ReLU(),
        nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(),
        nn.Linear(8, 16))


def mobilenet_v2_block():
    return nn.Sequential(stem(3, 8, nn.ReLU6, eps=1e-3), InvertedResidual(8, 4, eps=1e-3))


# ----------------------------------------------------------------------------------------------------------------------
# Inputs.

def f32(values):
    return torch.tensor(values, dtype=torch.float32)


def nextafter(a, b):
    return float(np.nextafter(np.float32(a), np.float32(b)))


# The kinks of every activation (0; -3, 3 for HardSwish; 0, 6 for Relu6) exactly and one float32 step either side, and
# magnitudes where exp overflows or sigmoid underflows (+-30, +-88, +-89, +-100).
KINKS = [0.0, nextafter(0, 1), nextafter(0, -1), 1e-30, -1e-30, 6.0, nextafter(6, 0), nextafter(6, 7), -3.0,
         nextafter(-3, 0), nextafter(-3, -4), 3.0, nextafter(3, 0), nextafter(3, 4), 0.5, -0.5, 1.0, -1.0, -6.0,
         30.0, -30.0, 88.0, -88.0, 89.0, -89.0, 100.0, -100.0, 20.0, -20.0, 9.0]
NONFINITE = [NAN, INF, -INF, 0.0, 3.0, -3.0, 6.0, 100.0, -100.0]


def kinks(shape):
    d, h, w = shape
    rest = torch.randn(d * h * w - len(KINKS)) * 4
    return torch.cat([f32(KINKS), rest]).reshape(1, d, h, w)


def fixed(values):
    return lambda shape: f32(values).reshape(1, *shape)


def softmax_large(shape):
    d, h, w = shape  # 5 channels, 2 x 3 pixels: column p of the (5, 6) matrix is pixel p's logits
    x = torch.randn(d, h * w) * 50
    x[:, 0] = torch.rand(d) * 10 + 90     # all of them large: exp overflows
    x[:, 1] = -torch.rand(d) * 10 - 90    # all of them very negative: exp underflows for each
    x[:, 2] = f32([-80.0, 80.0, 79.5, 0.0, -79.0])
    x[:, 3] = f32([100.0, 100.0, 100.0, 100.0, 100.0])  # ties
    return x.reshape(1, d, h, w)


def softmax_nonfinite(shape):
    d, h, w = shape  # 3 channels, 1 x 5 pixels: column p is pixel p's logits
    x = torch.randn(d, w)
    x[1, 0] = INF                # +inf with finite others
    x[0, 1] = -INF               # -inf with finite others: exactly 0
    x[2, 2] = NAN                # NaN with finite others
    x[:, 3] = -INF               # all -inf
    return x.reshape(1, d, h, w)


def global_max_special(shape):
    x = torch.randn(shape).unsqueeze(0)
    x[0, 0] = -x[0, 0].abs() - 1   # an all-negative channel
    x[0, 1, 1, 2] = NAN            # NaN in channel 1
    x[0, 2, 0, 0] = -INF           # -inf in channel 2 (the max ignores it)
    x[0, 3, 2, 4] = INF            # +inf in channel 3
    return x


def normal(shape):
    return torch.randn(shape).unsqueeze(0)


def small_var(model):
    """running_var of 1e-4..1e-3 next to eps 1e-3: eps dominates the scale."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_var.uniform_(1e-4, 1e-3)


# ----------------------------------------------------------------------------------------------------------------------
# The cases: name, declaration, module factory, input (a function of the CHW shape), note, a tweak of the module.

TRANSCENDENTAL = ("exp, tanh: PyTorch's vectorized float32 functions; compare within a few ulp (relative ~1e-6) "
                  "and absolutely near 0, where PyTorch may return a subnormal or 0 (sigmoid(-88) = 6.05e-39, "
                  "sigmoid(-100) = 0)")
NONFINITE_NOTE = ("non-finite inputs: NaN, +inf and -inf outputs must match exactly; finite outputs as usual. ")
ACTIVATIONS = [
    ("relu", "Relu", nn.ReLU, ""),
    ("relu6", "Relu6", nn.ReLU6, ""),
    ("leaky_relu", "LeakyRelu", nn.LeakyReLU, ""),
    ("sigmoid", "Sigmoid", nn.Sigmoid, TRANSCENDENTAL),
    ("tanh", "Tanh", nn.Tanh, TRANSCENDENTAL),
    ("hardswish", "HardSwish", nn.Hardswish, "PyTorch computes x * min(max(x + 3, 0), 6) / 6: another order of the "
                                             "operations may differ by an ulp; hardswish(-3) is -0"),
    ("silu", "Silu", nn.SiLU, TRANSCENDENTAL + "; PyTorch computes x / (1 + exp(-x))"),
]
NONFINITE_QUIRKS = {
    "hardswish": "PyTorch gives hardswish(-inf) = NaN (-inf * 0 / 6) and hardswish(+inf) = +inf",
    "silu": "PyTorch gives silu(-inf) = NaN (-inf / (1 + exp(inf))) and silu(+inf) = +inf",
    "relu6": "relu6(+inf) = 6, relu6(-inf) = 0",
    "sigmoid": "sigmoid(+inf) = 1, sigmoid(-inf) = 0",
    "tanh": "tanh(+inf) = 1, tanh(-inf) = -1",
    "relu": "relu(-inf) = 0",
    "leaky_relu": "leaky_relu(-inf) = -inf",
}
KINK_NOTE = ("the first 30 inputs are the kinks exactly (0; -3, 3; 6), one float32 step either side (next to 0 that is "
             "+-1.4e-45, the smallest subnormal: nothing may flush it to zero), +-1e-30 and magnitudes up to 100; some "
             "outputs are -0 (equal to 0)")
FOLD_NOTE = ("CnnGen folds a BatchNorm that directly follows a conv or fully-connected layer into that layer's weights "
             "and bias, which rounds differently from PyTorch's layer-then-BatchNorm: expect relative differences "
             "around 1e-5")
SAME_KEYS = {"resnet_torchvision_keys"}  # cases whose module's own state_dict keys are CnnGen's keys
EPS_NOTE = ("Epsilon = 0.001f is the float 0.0010000000475; PyTorch ran eps = 1e-3 (a double): the difference "
            "is far below float32 resolution")

CASES = []
for name, attribute, module, note in ACTIVATIONS:
    CASES.append((name, "[Input(8, 3, 2)] [%s]" % attribute, module, kinks, KINK_NOTE + ("; " + note if note else ""), None))
    CASES.append((name + "_nonfinite", "[Input(3, 3, 1)] [%s]" % attribute, module, fixed(NONFINITE),
                  NONFINITE_NOTE + NONFINITE_QUIRKS[name], None))

CASES += [
    ("leaky_relu_slope", "[Input(8, 3, 2)] [LeakyRelu(Slope = 0.2f)]", lambda: nn.LeakyReLU(0.2), kinks,
     KINK_NOTE + "; Slope = 0.2f is the float 0.2000000030; PyTorch multiplies by float(0.2), the same float", None),
    ("softmax_channels", "[Input(3, 2, 5)] [Softmax]", lambda: nn.Softmax(dim=1), softmax_large,
     "logits up to +-100: unless each pixel's maximum is subtracted first, exp overflows (pixel 0: all 90..100) or "
     "underflows to 0 or subnormals in every channel (pixel 1: all -90..-100); pixel 2 spans -80..80, pixel 3 has five equal "
     "logits (0.2 each). Compare relative ~1e-6, absolutely ~1e-7 (PyTorch gives 0 or subnormals for tiny "
     "probabilities)", None),
    ("softmax_after_fc", "[Input(4, 3, 2)] [FullyConnected(6)] [Softmax]", fc_softmax_large, normal,
     "FC weights scaled so the logits reach about +-100 (softmax over the 6 outputs): exp overflows unless the "
     "maximum is subtracted first; compare relative ~1e-5 (the logits carry the FC's rounding), absolutely ~1e-7", None),
    ("softmax_nonfinite", "[Input(5, 1, 3)] [Softmax]", lambda: nn.Softmax(dim=1), softmax_nonfinite,
     NONFINITE_NOTE + "PyTorch subtracts each pixel's maximum: pixel 0 (a +inf logit) gives NaN in every channel "
     "(inf - inf), pixel 1 (a -inf logit) gives exactly 0 for it and finite others, pixel 2 (a NaN logit) gives NaN in "
     "every channel, pixel 3 (all -inf) gives NaN in every channel, pixel 4 is finite", None),
    ("batchnorm_alone", "[Input(5, 4, 3)] [BatchNorm(Epsilon = 0.001f)]", lambda: nn.BatchNorm2d(3, eps=1e-3), normal,
     EPS_NOTE, None),
    ("batchnorm_eps_dominant", "[Input(3, 2, 2)] [BatchNorm(Epsilon = 0.001f)]", lambda: nn.BatchNorm2d(2, eps=1e-3),
     normal, EPS_NOTE + "; running_var is 1e-4..1e-3 here, so eps sets most of the scale (the default 1e-5 would "
                        "give outputs up to 3x larger)", small_var),
    ("batchnorm_after_fc", "[Input(3, 3, 2)] [FullyConnected(6)] [BatchNorm]",
     lambda: nn.Sequential(nn.Flatten(), nn.Linear(18, 6), nn.BatchNorm1d(6)), normal,
     "PyTorch's BatchNorm1d(6) on the (1, 6) output of the Linear", None),
    ("global_avg_pool", "[Input(5, 3, 4)] [GlobalAvgPool]", lambda: nn.AdaptiveAvgPool2d(1), normal, None, None),
    ("global_max_pool", "[Input(5, 3, 4)] [GlobalMaxPool]", lambda: nn.AdaptiveMaxPool2d(1), global_max_special,
     NONFINITE_NOTE + "channel 0 is all negative, channel 1 holds a NaN (PyTorch's max propagates it: NaN), "
                      "channel 2 a -inf (ignored), channel 3 a +inf (+inf)", None),
    ("avgpool_3x3_s1_p1_include", "[Input(5, 4, 2)] [AvgPool(3, Stride = 1, Padding = 1)]",
     lambda: nn.AvgPool2d(3, 1, 1), normal, None, None),
    ("avgpool_3x3_s1_p1_exclude", "[Input(5, 4, 2)] [AvgPool(3, Stride = 1, Padding = 1, CountIncludePadding = false)]",
     lambda: nn.AvgPool2d(3, 1, 1, count_include_pad=False), normal, None, None),
    ("avgpool_ceil_overhang", "[Input(5, 7, 2)] [AvgPool(2, Rounding = OutputRounding.Ceil)]",
     lambda: nn.AvgPool2d(2, ceil_mode=True), normal,
     "the last column and row of windows hang over the input by one: PyTorch divides them by the cells inside "
     "(2, or 1 in the corner), not by 4", None),
    ("avgpool_ceil_padded_include", "[Input(6, 8, 2)] [AvgPool(3, Stride = 2, Padding = 1, Rounding = OutputRounding.Ceil)]",
     lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True), normal,
     "CountIncludePadding: the divisor counts the padding cells a window covers but not the part of the last "
     "window past the padding (PyTorch: min(start + 3, size + 1) - start per axis, start = 2*o - 1)", None),
    ("avgpool_ceil_padded_exclude",
     "[Input(6, 8, 2)] [AvgPool(3, Stride = 2, Padding = 1, Rounding = OutputRounding.Ceil, CountIncludePadding = false)]",
     lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), normal,
     "the divisor counts only the input cells each window covers", None),
    ("avgpool_ceil_dropped_window", "[Input(5, 6, 1)] [AvgPool(2, Padding = 1, Rounding = OutputRounding.Ceil)]",
     lambda: nn.AvgPool2d(2, 2, 1, ceil_mode=True), normal,
     "across, Ceil gives ceil((5 + 2 - 2)/2) + 1 = 4 windows but the 4th would start in the right padding "
     "(3*2 >= 5 + 1), so PyTorch (and the contract) keep 3; down, 4 windows, the last covering input row 5 and a "
     "padding row (divisor 2: CountIncludePadding counts the padding row)", None),
    ("add_alone", '[Input(4, 4, 2)] [Conv(2, 1, Name = "A")] [Conv(2, 3, Padding = 1, From = "A")] [Add("A")]',
     add_alone, normal, None, None),
    ("add_from_skip",
     '[Input(4, 4, 2)] [Conv(3, 1)] [Relu] [Conv(3, 3, Padding = 1)] [Conv(3, 1, From = "Conv1")] [Add("Conv2")]',
     add_from_skip, normal,
     "default names as references: Conv1 is the conv's own output (before the Relu), the 1x1 conv reads it, "
     "Add adds Conv2's output", None),
    ("concat_two_depths",
     '[Input(4, 3, 3)] [Conv(4, 1, Name = "Stem")] [Conv(2, 1, Name = "A")] [Conv(5, 3, Padding = 1, From = "Stem", '
     'Name = "B")] [Concat("A", "B")]', concat_two_depths, normal, "depth 2 + 5 = 7, A's channels first", None),
    ("concat_default_names_reversed", '[Input(4, 3, 3)] [Conv(2, 1)] [Relu] [Conv(5, 3, Padding = 1)] [Concat("Conv2", "Conv1")]',
     concat_default_names_reversed, normal,
     "Conv2's 5 channels first, then Conv1's 2 (the conv's own output, before the Relu)", None),

    # Networks.
    ("resnet_basic_block",
     '[Input(8, 8, 3)] [Conv(8, 3, Padding = 1, Bias = false)] [BatchNorm] [Relu(Name = "Stem")] '
     '[Conv(8, 3, Padding = 1, Bias = false)] [BatchNorm] [Relu] [Conv(8, 3, Padding = 1, Bias = false)] [BatchNorm] '
     '[Add("Stem")] [Relu]', ResNetBasic, normal, None, None),
    ("resnet_block_projection",
     '[Input(12, 12, 3, Rounding = OutputRounding.Floor)] '
     '[Conv(8, 3, Padding = 1, Bias = false)] [BatchNorm] [Relu(Name = "Stem")] '
     '[Conv(16, 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm] [Relu] '
     '[Conv(16, 3, Padding = 1, Bias = false)] [BatchNorm(Name = "Main")] '
     '[Conv(16, 1, Stride = 2, Bias = false, From = "Stem")] [BatchNorm] [Add("Main")] [Relu] '
     '[GlobalAvgPool] [FullyConnected(10)] [Softmax]', ResNetProjection, normal,
     "12x12 -> 6x6 needs Floor (11/2 is not whole); the BatchNorm named Main is the third (keys main.*, then bn4.*)",
     None),
    ("resnet_torchvision_keys",
     '[Input(16, 16, 3, Rounding = OutputRounding.Floor)] '
     '[Conv(8, 7, Stride = 2, Padding = 3, Bias = false)] [BatchNorm] [Relu] [MaxPool(3, Stride = 2, Padding = 1, Name = "Stem")] '
     '[Conv(8, 3, Padding = 1, Bias = false, Key = "layer1.0.conv1")] [BatchNorm(Key = "layer1.0.bn1")] [Relu] '
     '[Conv(8, 3, Padding = 1, Bias = false, Key = "layer1.0.conv2")] [BatchNorm(Key = "layer1.0.bn2")] [Add("Stem")] '
     '[Relu(Name = "Layer1")] '
     '[Conv(16, 3, Stride = 2, Padding = 1, Bias = false, Key = "layer2.0.conv1")] [BatchNorm(Key = "layer2.0.bn1")] [Relu] '
     '[Conv(16, 3, Padding = 1, Bias = false, Key = "layer2.0.conv2")] [BatchNorm(Name = "Main", Key = "layer2.0.bn2")] '
     '[Conv(16, 1, Stride = 2, Bias = false, From = "Layer1", Key = "layer2.0.downsample.0")] '
     '[BatchNorm(Key = "layer2.0.downsample.1")] [Add("Main")] [Relu] '
     '[GlobalAvgPool] [FullyConnected(5, Key = "fc")]', TinyResNet, normal,
     "the state_dict of torchvision's ResNet layout (conv1, bn1, layer1.0.*, layer2.0.downsample.*, fc) loaded "
     "through Key; the stem's conv1 and bn1 are the default names", None),
    ("mobilenet_v2_inverted_residual",
     '[Input(6, 6, 3)] [Conv(8, 3, Padding = 1, Bias = false)] [BatchNorm(Epsilon = 0.001f)] [Relu6(Name = "BlockIn")] '
     '[Conv(32, 1, Bias = false)] [BatchNorm(Epsilon = 0.001f)] [Relu6] '
     '[Conv(32, 3, Padding = 1, Groups = 32, Bias = false)] [BatchNorm(Epsilon = 0.001f)] [Relu6] '
     '[Conv(8, 1, Bias = false)] [BatchNorm(Epsilon = 0.001f)] [Add("BlockIn")]', mobilenet_v2_block, normal,
     EPS_NOTE, None),
    ("squeezenet_fire",
     '[Input(6, 6, 8)] [Conv(4, 1)] [Relu(Name = "Squeeze")] [Conv(8, 1)] [Relu(Name = "E1")] '
     '[Conv(8, 3, Padding = 1, From = "Squeeze")] [Relu(Name = "E3")] [Concat("E1", "E3")]',
     lambda: Fire(8, 4, 8, 8), normal, None, None),
    ("ds_cnn_block",
     '[Input(12, 9, 1)] [Conv(8, 4, SizeY = 3, Stride = 2, Bias = false)] [BatchNorm(Epsilon = 0.001f)] [Relu] '
     '[Conv(8, 3, Padding = 1, Groups = 8, Bias = false)] [BatchNorm(Epsilon = 0.001f)] [Relu] '
     '[Conv(16, 1, Bias = false)] [BatchNorm(Epsilon = 0.001f)] [Relu] '
     '[AvgPool(5, SizeY = 4)] [FullyConnected(6)]', ds_cnn, normal, EPS_NOTE, None),
    ("autoencoder_fc_bn",
     '[Input(16, 1, 1)] [FullyConnected(8)] [BatchNorm] [Relu] [FullyConnected(4)] [BatchNorm] [Relu] '
     '[FullyConnected(8)] [BatchNorm] [Relu] [FullyConnected(16)]', autoencoder, normal,
     "PyTorch's BatchNorm1d after each Linear", None),
    ("mobile_activations",
     '[Input(9, 9, 3)] [Conv(8, 3, Padding = 1, Bias = false)] [BatchNorm] [HardSwish] '
     '[Conv(8, 3, Stride = 2, Padding = 1, Groups = 8, Bias = false)] [BatchNorm] [Silu] [Conv(4, 1)] [Sigmoid] '
     '[GlobalAvgPool] [FullyConnected(3)] [Tanh]', mobile_activations, normal, None, None),
    ("dcgan_leaky_relu",
     '[Input(8, 8, 3)] [Conv(8, 4, Stride = 2, Padding = 1)] [LeakyRelu(Slope = 0.2f)] '
     '[Conv(16, 4, Stride = 2, Padding = 1, Bias = false)] [BatchNorm] [LeakyRelu(Slope = 0.2f)] '
     '[FullyConnected(4)] [Sigmoid]', dcgan_discriminator, normal, None, None),
]




def fold_notes(cases):
    """Adds FOLD_NOTE to the note of each case with a BatchNorm right after a conv or fully-connected layer."""
    out = []
    for name, declaration, build, make_input, note, tweak in cases:
        kinds = [kind for kind, _, _ in parse(declaration)]
        if any(a in ("Conv", "FullyConnected") and b == "BatchNorm" for a, b in zip(kinds, kinds[1:])):
            note = note + "; " + FOLD_NOTE if note else FOLD_NOTE
        out.append((name, declaration, build, make_input, note, tweak))
    return out


# ----------------------------------------------------------------------------------------------------------------------
# The declaration, read on its own (contract v2, 7.3 and 7.4).

def parse(declaration):
    """[(kind, positional arguments, properties)] of a C# attribute list."""
    layers = []
    attribute = re.compile(r'\s*\[(\w+)(?:\(([^()]*)\))?\]\s*')
    position = 0
    while position < len(declaration):
        m = attribute.match(declaration, position)
        assert m, "cannot read %r" % declaration[position:]
        position = m.end()
        positional, properties = [], {}
        for part in re.findall(r'(?:"[^"]*"|[^,])+', m.group(2) or ""):
            key, sep, value = part.partition("=")
            if sep and not key.strip().startswith('"'):
                assert key.strip() not in properties
                properties[key.strip()] = literal(value)
            else:
                assert not properties, "a positional argument after a property"
                positional.append(literal(part))
        layers.append((m.group(1), positional, properties))
    return layers


def literal(text):
    text = text.strip()
    if text.startswith('"'):
        assert text.endswith('"') and len(text) >= 2
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+(\.\d+)?([eE]-?\d+)?f", text):
        return float(np.float32(text[:-1]))  # a C# float literal
    m = re.fullmatch(r"(OutputRounding|PaddingMode)\.(\w+)", text)
    assert m, "unknown literal %r" % text
    return m.group(2)


DEFAULT_NAMES = {"Conv": "Conv", "MaxPool": "Pool", "AvgPool": "AvgPool", "FullyConnected": "Fc", "BatchNorm": "Bn",
                 "GlobalAvgPool": "GlobalAvgPool", "GlobalMaxPool": "GlobalMaxPool"}
ACTIVATION = {"Relu": F.relu, "Relu6": F.relu6, "Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "HardSwish": F.hardswish,
              "Silu": F.silu}
KNOWN = {"Name", "From", "Key", "Bias", "Stride", "Padding", "Groups", "SizeX", "SizeY", "Rounding",
         "CountIncludePadding", "Epsilon", "Slope"}


def out_size(n, f, s, p, rounding, where):
    span = n + 2 * p - f
    assert span >= 0, where
    if rounding == "Exact":
        assert span % s == 0, "%s: (%d + 2*%d - %d)/%d is not whole" % (where, n, p, f, s)
        return span // s + 1
    if rounding == "Floor":
        return span // s + 1
    assert rounding == "Ceil", where
    out = -(-span // s) + 1
    return out - 1 if (out - 1) * s >= n + p else out


def interpret(declaration, x, param):
    """The declared network's output for input x (1, D, H, W); param(key, suffix, shape, dtype) supplies each tensor."""
    layers = parse(declaration)
    kind, (w, h, d), props = layers[0]
    assert kind == "Input" and set(props) <= {"Rounding"} and tuple(x.shape) == (1, d, h, w), declaration
    network_rounding = props.get("Rounding", "Exact")
    counts, outputs = {}, {}
    cur = x
    for index, (kind, positional, props) in enumerate(layers[1:], 1):
        assert set(props) <= KNOWN and kind != "Input", (kind, props)
        name = props.get("Name")
        if kind in DEFAULT_NAMES:
            counts[kind] = counts.get(kind, 0) + 1
            name = name or DEFAULT_NAMES[kind] + str(counts[kind])
        key = props.get("Key") or (name[0].lower() + name[1:] if name else None)
        src = outputs[props["From"]] if "From" in props else cur
        where = "%s (layer %d, %s)" % (kind, index, name)
        if kind in ("Conv", "MaxPool", "AvgPool"):
            size = positional[1] if kind == "Conv" else (positional[0] if positional else None)
            fx, fy = props.get("SizeX", size), props.get("SizeY", size)
            default_stride = (1, 1) if kind == "Conv" else (fx, fy)
            stride = props.get("Stride")
            sx, sy = (stride, stride) if stride else default_stride
            p = props.get("Padding", 0)
            rounding = props.get("Rounding", network_rounding)
            assert not (kind == "Conv" and rounding == "Ceil"), where
            ow = out_size(src.shape[3], fx, sx, p, rounding, where)
            oh = out_size(src.shape[2], fy, sy, p, rounding, where)
            if kind == "Conv":
                k, g = positional[0], props.get("Groups", 1)
                assert src.shape[1] % g == 0 and k % g == 0, where
                weight = param(key, "weight", [k, src.shape[1] // g, fy, fx], "F32")
                bias = param(key, "bias", [k], "F32") if props.get("Bias", True) else None
                out = F.conv2d(src, weight, bias, stride=(sy, sx), padding=p, groups=g)
            elif kind == "MaxPool":
                out = F.max_pool2d(src, (fy, fx), (sy, sx), p, ceil_mode=rounding == "Ceil")
            else:
                out = F.avg_pool2d(src, (fy, fx), (sy, sx), p, ceil_mode=rounding == "Ceil",
                                   count_include_pad=props.get("CountIncludePadding", True))
            assert tuple(out.shape[2:]) == (oh, ow), (where, out.shape, oh, ow)
        elif kind == "FullyConnected":
            n = positional[0]
            weight = param(key, "weight", [n, src.numel()], "F32")
            bias = param(key, "bias", [n], "F32") if props.get("Bias", True) else None
            out = F.linear(src.reshape(1, -1), weight, bias).reshape(1, n, 1, 1)
        elif kind == "BatchNorm":
            c = src.shape[1]
            tensors = [param(key, suffix, [c], "F32") for suffix in ("weight", "bias", "running_mean", "running_var")]
            batches = param(key, "num_batches_tracked", [], "I64")
            assert batches.dtype == torch.int64
            weight, bias, mean, var = tensors
            out = F.batch_norm(src, mean, var, weight, bias, training=False, eps=props.get("Epsilon", 1e-5))
        elif kind in ACTIVATION:
            out = ACTIVATION[kind](src)
        elif kind == "LeakyRelu":
            out = F.leaky_relu(src, props.get("Slope", 0.01))
        elif kind == "Softmax":
            out = F.softmax(src, dim=1)
        elif kind == "GlobalAvgPool":
            out = F.adaptive_avg_pool2d(src, 1)
        elif kind == "GlobalMaxPool":
            out = F.adaptive_max_pool2d(src, 1)
        elif kind == "Add":
            other = outputs[positional[0]]
            assert other.shape == src.shape, where
            out = src + other
        elif kind == "Concat":
            parts = [outputs[n] for n in positional]
            assert len(parts) >= 2 and all(t.shape[2:] == parts[0].shape[2:] for t in parts), where
            out = torch.cat(parts, 1)
        else:
            raise AssertionError("unknown layer " + kind)
        if name:
            assert name not in outputs, "duplicate name " + name
            outputs[name] = out
        cur = out
    return cur


# ----------------------------------------------------------------------------------------------------------------------
# Files.

def read_safetensors(path):
    """[(name, dtype, shape, numpy array)] in the header's order, checking the format as a strict reader would."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    text = blob[8:8 + n]
    assert n % 8 == 0 and text.decode().rstrip(" ") == text.decode().rstrip(), path
    header = json.loads(text)
    data = blob[8 + n:]
    tensors, offset = [], 0
    for name, entry in header.items():
        assert set(entry) == {"dtype", "shape", "data_offsets"}, name
        begin, end = entry["data_offsets"]
        dtype = {"F32": "<f4", "I64": "<i8"}[entry["dtype"]]
        assert begin == offset and end - begin == int(np.prod(entry["shape"], dtype=np.int64)) * np.dtype(dtype).itemsize
        array = np.frombuffer(data[begin:end], dtype=dtype).reshape(entry["shape"])
        tensors.append((name, entry["dtype"], entry["shape"], array))
        offset = end
    assert offset == len(data), "trailing bytes in " + path
    return tensors


def flat(t):
    out = []
    for v in t.detach().to(torch.float32).reshape(-1).numpy().tolist():  # the float32 values, exact as doubles
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        else:
            out.append(v)
    return out


def unflat(values):
    return np.array([float(v) for v in values], dtype=np.float64).astype(np.float32)


def same(a, b):
    """Equal, NaN where NaN, infinities alike; finite values within float32 rounding of a different summation order."""
    a, b = a.reshape(-1), b.reshape(-1)
    return a.shape == b.shape and torch.equal(torch.isnan(a), torch.isnan(b)) and torch.allclose(
        a, b, rtol=1e-5, atol=1e-6, equal_nan=True)


def init_batch_norms(model):
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c) * 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.copy_(1 + torch.randn(c) * 0.2)
            m.bias.copy_(torch.randn(c) * 0.2)
            m.num_batches_tracked.fill_(7)


def run(name, declaration, build, make_input, note, tweak):
    torch.manual_seed(zlib.crc32(name.encode()))
    layers = parse(declaration)
    w, h, d = layers[0][1]
    with torch.no_grad():
        model = build()
        init_batch_norms(model)
        if tweak:
            tweak(model)
        model.eval()
        x = make_input((d, h, w)).to(torch.float32).contiguous()
        assert tuple(x.shape) == (1, d, h, w)
        y = model(x)

        # The keys, shapes and dtypes the declaration implies, in declaration order.
        expected = []

        def dry(key, suffix, shape, dtype):
            expected.append(("%s.%s" % (key, suffix), shape, dtype))
            return torch.zeros(shape, dtype=torch.int64) if dtype == "I64" else torch.ones(shape)
        shape = tuple(interpret(declaration, x, dry).shape)

        state = list(model.state_dict().items())
        assert len(state) == len(expected), (name, [k for k, _ in state], expected)
        tensors = []
        for (module_key, t), (key, tshape, dtype) in zip(state, expected):
            assert module_key.rsplit(".", 1)[-1] == key.rsplit(".", 1)[-1], (name, module_key, key)
            assert name not in SAME_KEYS or module_key == key, (name, module_key, key)
            assert list(t.shape) == tshape and (t.dtype == torch.int64) == (dtype == "I64"), (name, module_key, key)
            tensors.append((key, t.numpy()))
        path = os.path.join(TARGET, name + ".safetensors")
        save_safetensors(tensors, path)

        loaded = read_safetensors(path)
        assert [(k, s, t) for k, t, s, _ in loaded] == [(k, s, t) for k, s, t in expected], name
        for (_, _, _, array), (_, original) in zip(loaded, tensors):
            assert array.dtype.kind == original.dtype.kind and np.array_equal(array, original), name
        by_key = {k: torch.from_numpy(array.copy()) for k, _, _, array in loaded}
        check = interpret(declaration, x, lambda key, suffix, shp, dtype: by_key["%s.%s" % (key, suffix)])
        assert same(check, y), (name, check.reshape(-1), y.reshape(-1))
        assert y.numel() == check.numel()

    case = dict(name=name, declaration=declaration, input=flat(x), output=flat(y),
                output_shape=[shape[3], shape[2], shape[1]])
    if note:
        case["tolerance_note"] = note
    return case, (w, h, d), os.path.getsize(path), len(tensors)


def main():
    os.makedirs(TARGET, exist_ok=True)
    specs = fold_notes(CASES)
    names = [c[0] for c in specs]
    assert len(set(names)) == len(names)
    cases, rows = [], []
    for spec in specs:
        case, shape, size, count = run(*spec)
        cases.append(case)
        rows.append((case["name"], "%dx%dx%d" % shape, len(case["output"]), count, size))
    target = os.path.join(TARGET, "v2_cases.json")
    with open(target, "w") as f:
        json.dump(dict(torch=torch.__version__, cases=cases), f, separators=(",", ":"), allow_nan=False)

    # The JSON reads back to the same float32 values.
    with open(target) as f:
        back = json.load(f)["cases"]
    for case, again in zip(cases, back):
        for field in ("input", "output"):
            a, b = unflat(case[field]), unflat(again[field])
            assert np.array_equal(a.view(np.uint32), b.view(np.uint32)), (case["name"], field)

    print("%-32s %-10s %6s %7s %9s" % ("case", "input WxHxD", "output", "tensors", "bytes"))
    for row in rows:
        print("%-32s %-10s %6d %7d %9d" % row)
    total = sum(os.path.getsize(os.path.join(TARGET, f)) for f in os.listdir(TARGET))
    print("%d cases; %s %d bytes; directory %d bytes (torch %s)" % (
        len(cases), os.path.relpath(target), os.path.getsize(target), total, torch.__version__))


if __name__ == "__main__":
    main()
