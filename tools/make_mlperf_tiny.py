#!/usr/bin/python3
"""Builds the four reference models of the MLPerf Tiny inference benchmark in PyTorch, with random weights and batch-norm
running statistics that are not trivial, and writes what the C# sample, the tests and the benchmarks need.

    apt-get install python3-torch python3-onnx
    /usr/bin/python3 tools/make_mlperf_tiny.py                 # writes samples/MlPerfTiny/data/
    /usr/bin/python3 tools/make_mlperf_tiny.py --check DIR     # loads DIR/NAME.safetensors (as CnnGen's SaveSafetensors
                                                               # wrote them) with load_state_dict(strict=True) and
                                                               # compares their outputs with the committed ones

The models follow MLPerf Tiny's Keras reference models (github.com/mlcommons/tiny, benchmark/training), ported to
PyTorch layer for layer; Keras' 'same' padding at stride 2 is asymmetric (nothing before, the rest after), which PyTorch's
Conv2d cannot say, so those convs pad with F.pad first (CnnGen: PaddingMode.Same):

  resnet8       image classification, 32x32x3: a 3x3 conv of 16, three stacks of two 3x3 convs (16, 32, 64 filters;
                stacks 2 and 3 start at stride 2 with a 1x1 stride-2 projection shortcut), batch norm after each 3x3 conv,
                ReLU, global average pool, fully-connected 10, softmax
  ds_cnn        keyword spotting, 10x49x1 (W x H): a 10x4 stride-2 'same' conv of 64, four depthwise-separable blocks
                (depthwise 3x3 + pointwise 1x1 of 64, each with batch norm and ReLU), average pool over the 5x25 map,
                fully-connected 12, softmax
  mobilenet_v1  visual wake words, 96x96x3, width 0.25: a 3x3 stride-2 conv of 8, 13 depthwise-separable blocks
                (16 ... 256 filters, stride 2 at blocks 2, 4, 6 and 12), batch norm and ReLU after every conv,
                average pool over the 3x3 map, fully-connected 2, softmax
  autoencoder   anomaly detection, 640 inputs: ten fully-connected layers 640-128-128-128-128-8-128-128-128-128-640,
                each but the last followed by batch norm and ReLU

For each model NAME, into samples/MlPerfTiny/data/:
  NAME.safetensors    the state_dict, PyTorch's tensor names (the C# declarations give each layer that Key)
  NAME.onnx           the same model exported for ONNX Runtime (batch 1, eval mode, opset 13, constant folding on)
  NAME.outputs.bin    PyTorch's eval() outputs for the 100 inputs of inputs(NAME), float32 little-endian, one after another

The inputs are not stored: sample i of model NAME is drawn from xorshift32 seeded with SEEDS[NAME] + i (below), each
value ((x >> 8) / 2^24) * 2 - 1, exact in float32; samples/MlPerfTiny/TestInputs.cs draws the same numbers.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_file import load_safetensors, save_safetensors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples", "MlPerfTiny", "data")
SAMPLES = 100
SEEDS = {"resnet8": 1000, "ds_cnn": 2000, "mobilenet_v1": 3000, "autoencoder": 4000}


def inputs(name, shape):
    """SAMPLES inputs of the given shape (without the batch dimension), from xorshift32 as TestInputs.cs draws them."""
    count = int(np.prod(shape))
    out = np.empty((SAMPLES, count), dtype=np.float32)
    for i in range(SAMPLES):
        x = (SEEDS[name] + i) & 0xFFFFFFFF or 1
        for j in range(count):
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
            out[i, j] = np.float32((x >> 8) / 16777216.0 * 2.0 - 1.0)
    return torch.from_numpy(out.reshape((SAMPLES,) + tuple(shape)))


def same_pad(x, size, stride):
    """Keras' 'same' padding for a window of size (h, w) at stride s: the output is ceil(in / s); the padding that
    needs, split with the smaller half before (TensorFlow's rule)."""
    pads = []
    for axis in (3, 2):  # F.pad lists the last axis first
        # Python ints: traced for ONNX, x.shape[axis] is a tensor, and torch 1.13's // on tensors truncates.
        n, k = int(x.shape[axis]), size[axis - 2]
        total = max((-(-n // stride) - 1) * stride + k - n, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


class SameConv(nn.Conv2d):
    """A Conv2d with Keras' 'same' padding (asymmetric at stride 2)."""

    def forward(self, x):
        return super().forward(same_pad(x, self.kernel_size, self.stride[0]))


class ResNetStack(nn.Module):
    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = SameConv(inputs, outputs, 3, stride=stride)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.shortcut = nn.Conv2d(inputs, outputs, 1, stride=stride) if stride != 1 else None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.stack1 = ResNetStack(16, 16, 1)
        self.stack2 = ResNetStack(16, 32, 2)
        self.stack3 = ResNetStack(32, 64, 2)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.stack3(self.stack2(self.stack1(x)))
        return F.softmax(self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)), dim=1)


class SeparableBlock(nn.Module):
    """Depthwise 3x3 ('same') + batch norm + ReLU, pointwise 1x1 + batch norm + ReLU."""

    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.depthwise = SameConv(inputs, inputs, 3, stride=stride, groups=inputs)
        self.bn1 = nn.BatchNorm2d(inputs)
        self.pointwise = nn.Conv2d(inputs, outputs, 1)
        self.bn2 = nn.BatchNorm2d(outputs)

    def forward(self, x):
        return F.relu(self.bn2(self.pointwise(F.relu(self.bn1(self.depthwise(x))))))


class DsCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = SameConv(1, 64, (10, 4), stride=2)  # 49x10 -> 25x5
        self.bn1 = nn.BatchNorm2d(64)
        self.block1 = SeparableBlock(64, 64, 1)
        self.block2 = SeparableBlock(64, 64, 1)
        self.block3 = SeparableBlock(64, 64, 1)
        self.block4 = SeparableBlock(64, 64, 1)
        self.fc = nn.Linear(64, 12)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.block4(self.block3(self.block2(self.block1(x))))
        return F.softmax(self.fc(torch.flatten(F.avg_pool2d(x, (25, 5)), 1)), dim=1)


MOBILENET_BLOCKS = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)]


class MobileNetV1(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = SameConv(3, 8, 3, stride=2)  # 96 -> 48
        self.bn1 = nn.BatchNorm2d(8)
        inputs, blocks = 8, []
        for outputs, stride in MOBILENET_BLOCKS:
            blocks.append(SeparableBlock(inputs, outputs, stride))
            inputs = outputs
        self.blocks = nn.Sequential(*blocks)  # 48 -> 3
        self.fc = nn.Linear(256, 2)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return F.softmax(self.fc(torch.flatten(F.avg_pool2d(x, 3), 1)), dim=1)


class Autoencoder(nn.Module):
    SIZES = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640]

    def __init__(self):
        super().__init__()
        self.fc = nn.ModuleList(nn.Linear(a, b) for a, b in zip(self.SIZES, self.SIZES[1:]))
        self.bn = nn.ModuleList(nn.BatchNorm1d(b) for b in self.SIZES[1:-1])

    def forward(self, x):
        for i, fc in enumerate(self.fc):
            x = fc(x)
            if i < len(self.bn):
                x = F.relu(self.bn[i](x))
        return x


MODELS = {
    "resnet8": (ResNet8, (3, 32, 32)),
    "ds_cnn": (DsCnn, (1, 49, 10)),
    "mobilenet_v1": (MobileNetV1, (3, 96, 96)),
    "autoencoder": (Autoencoder, (640,)),
}


def outputs(model, x):
    with torch.no_grad():
        return model(x).numpy().astype("<f4")


def build(name):
    """The model with He-normal weights (MLPerf's Keras models use he_normal), small random biases, and batch-norm
    statistics measured on 256 random inputs and then perturbed: signals keep their scale through every layer, so the
    outputs depend on the input (with PyTorch's default init and made-up statistics they barely do, and a wrong layer
    could hide), and the statistics are not the identity."""
    torch.manual_seed(SEEDS[name])
    model = MODELS[name][0]()
    norms = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                if module.bias is not None:
                    module.bias.uniform_(-0.1, 0.1)
        for module in norms:
            module.momentum = None  # cumulative average: the statistics of all the batches below
        model.train()
        calibration = torch.rand((256,) + MODELS[name][1]) * 2 - 1
        for start in range(0, 256, 64):
            model(calibration[start:start + 64])
        for module in norms:
            std = module.running_var.sqrt()
            module.running_mean.add_(0.1 * std * torch.randn_like(std))
            module.running_var.mul_(torch.empty_like(std).uniform_(0.8, 1.25))
            module.weight.copy_(1 + 0.2 * torch.randn_like(module.weight))
            module.bias.copy_(0.2 * torch.randn_like(module.bias))
            module.num_batches_tracked.fill_(1000)
            module.momentum = 0.1
    model.eval()
    if name != "autoencoder":
        # Random weights give logits whose differences between classes dwarf those between inputs: the softmax would say
        # the same for every input and hide errors. Centre each class's logit on the test inputs and scale the last
        # layer so the logits vary between inputs with a standard deviation of 2.
        logits = []
        hook = model.fc.register_forward_hook(lambda module, args, result: logits.append(result))
        outputs(model, inputs(name, MODELS[name][1])[:50])
        hook.remove()
        with torch.no_grad():
            mean = logits[0].mean(0)
            scale = 2.0 / float(logits[0].std(0).mean())
            model.fc.weight.mul_(scale)
            model.fc.bias.sub_(mean).mul_(scale)
    return model


def multiply_adds(model, shape):
    """The multiply-adds of the conv and fully-connected layers for one input (the benchmarks' useful FLOPs are twice)."""
    total = [0]

    def count(module, args, result):
        if isinstance(module, nn.Conv2d):
            total[0] += result.numel() * (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]
        else:
            total[0] += module.in_features * module.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    outputs(model, torch.zeros((1,) + shape))
    for hook in hooks:
        hook.remove()
    return total[0]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        worst = 0.0
        for name, (cls, shape) in MODELS.items():
            model = cls().eval()
            state = {key: torch.from_numpy(value) for key, value in load_safetensors(os.path.join(sys.argv[2], name + ".safetensors")).items()}
            model.load_state_dict(state, strict=True)
            expected = np.fromfile(os.path.join(OUT, name + ".outputs.bin"), dtype="<f4").reshape(SAMPLES, -1)
            difference = float(np.abs(outputs(model, inputs(name, shape)) - expected).max())
            worst = max(worst, difference)
            print("%-13s loaded with strict=True; largest difference from the committed outputs %.3g" % (name, difference))
        sys.exit(0 if worst < 1e-5 else 1)

    os.makedirs(OUT, exist_ok=True)
    for name, (cls, shape) in MODELS.items():
        model = build(name)
        x = inputs(name, shape)
        y = outputs(model, x)
        y.tofile(os.path.join(OUT, name + ".outputs.bin"))
        tensors = [(key, value.numpy()) for key, value in model.state_dict().items()]
        save_safetensors(tensors, os.path.join(OUT, name + ".safetensors"))
        torch.onnx.export(model, x[:1], os.path.join(OUT, name + ".onnx"), input_names=["input"], output_names=["output"], opset_version=13)
        parameters = sum(v.size for k, v in tensors if not k.endswith("num_batches_tracked"))
        print("%-13s %8d parameters, %9d multiply-adds, output %s, ONNX %d bytes, outputs %.3g..%.3g" % (
            name, parameters, multiply_adds(model, shape), tuple(y.shape[1:]), os.path.getsize(os.path.join(OUT, name + ".onnx")), y.min(), y.max()))


if __name__ == "__main__":
    main()
