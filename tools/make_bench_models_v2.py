#!/usr/bin/python3
"""Builds the benchmark models of issue 11 (contract v2 layers) in PyTorch: L1 a ResNet basic block with a projection
shortcut, L2 a MobileNetV2 inverted residual, L3 global average pool + fully connected 512 -> 1000 + softmax, L4 an
average pool that leaves the padding out of its divisor. Each is exported to ONNX (bench/models/L*.onnx, eval mode,
constant folding on: ONNX Runtime then folds the batch norms itself) and its state_dict saved as .safetensors under
CnnGen's tensor names (bench/models/L*.safetensors), with batch-norm statistics that are not trivial. The C#
declarations are in bench/CnnGen.Benchmarks/Cases.cs; each module's attribute names are CnnGen's default keys.

    apt-get install python3-torch python3-onnx
    /usr/bin/python3 tools/make_bench_models_v2.py
"""
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_file import save_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "models")
torch.manual_seed(20261130)


def randomize_bn(bn):
    with torch.no_grad():
        bn.weight.copy_(1 + 0.2 * torch.randn_like(bn.weight))
        bn.bias.copy_(0.2 * torch.randn_like(bn.bias))
        bn.running_mean.copy_(0.5 * torch.randn_like(bn.running_mean))
        bn.running_var.copy_(torch.empty_like(bn.running_var).uniform_(0.5, 2.0))
        bn.num_batches_tracked.fill_(7)


class L1(nn.Module):
    """[Input(32, 32, 16, Rounding = OutputRounding.Floor)]
    [Conv(32, 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm] [Relu]
    [Conv(32, 3, Padding = 1, Bias = false)] [BatchNorm(Name = "Main")]
    [Conv(32, 1, Stride = 2, Bias = false, From = "Input")] [BatchNorm] [Add("Main")] [Relu]"""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 32, 3, padding=1, bias=False)
        self.main = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(16, 32, 1, stride=2, bias=False)
        self.bn3 = nn.BatchNorm2d(32)

    def forward(self, x):
        main = self.main(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(self.bn3(self.conv3(x)) + main)


class L2(nn.Module):
    """[Input(28, 28, 24)]
    [Conv(144, 1, Bias = false)] [BatchNorm] [Relu6]
    [Conv(144, 3, Padding = 1, Groups = 144, Bias = false)] [BatchNorm] [Relu6]
    [Conv(24, 1, Bias = false)] [BatchNorm] [Add("Input")]"""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(24, 144, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(144)
        self.conv2 = nn.Conv2d(144, 144, 3, padding=1, groups=144, bias=False)
        self.bn2 = nn.BatchNorm2d(144)
        self.conv3 = nn.Conv2d(144, 24, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(24)

    def forward(self, x):
        y = F.relu6(self.bn1(self.conv1(x)))
        y = F.relu6(self.bn2(self.conv2(y)))
        return self.bn3(self.conv3(y)) + x


class L3(nn.Module):
    """[Input(7, 7, 512)] [GlobalAvgPool] [FullyConnected(1000)] [Softmax]"""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(512, 1000)

    def forward(self, x):
        return F.softmax(self.fc1(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)), dim=1)


class L4(nn.Module):
    """[Input(28, 28, 64)] [AvgPool(3, Stride = 1, Padding = 1, CountIncludePadding = false)]"""

    def forward(self, x):
        return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


MODELS = {"L1": (L1, (16, 32, 32)), "L2": (L2, (24, 28, 28)), "L3": (L3, (512, 7, 7)), "L4": (L4, (64, 28, 28))}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (cls, shape) in MODELS.items():
        model = cls()
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                randomize_bn(module)
        model.eval()
        x = torch.randn(1, *shape)
        torch.onnx.export(model, x, os.path.join(OUT, name + ".onnx"), input_names=["input"], output_names=["output"], opset_version=13)
        tensors = [(key, value.numpy()) for key, value in model.state_dict().items()]
        save_safetensors(tensors, os.path.join(OUT, name + ".safetensors"))
        print(name, [k for k, _ in tensors][:8], "...", os.path.getsize(os.path.join(OUT, name + ".onnx")), "bytes of ONNX")


if __name__ == "__main__":
    main()
