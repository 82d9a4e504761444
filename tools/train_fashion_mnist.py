#!/usr/bin/python3
"""Trains the two networks of the C# sample on Fashion-MNIST with PyTorch and writes what the sample needs.

    apt-get install python3-torch dataset-fashion-mnist
    /usr/bin/python3 tools/train_fashion_mnist.py lenet5      (about a minute on two cores)
    /usr/bin/python3 tools/train_fashion_mnist.py resnet8     (about half an hour on two cores)

Writes, into samples/FashionMnist/data/:
  MODEL.safetensors             the weights, written in the .safetensors format directly (a JSON header and raw
                                little-endian data; the safetensors package is not in Debian), tensor names as in
                                state_dict(): conv1.weight, conv1.bias, ... (a batch norm's num_batches_tracked as I64)
  torch_predictions.bin         (lenet5) PyTorch's predicted class of each of the 10,000 test images, one byte each
  torch_predictions_MODEL.bin   (any other model) the same
and copies the Fashion-MNIST test set (t10k-*.gz) beside them.

The networks are the ones samples/FashionMnist declares with CnnGen attributes:
- lenet5: input 28x28x1, conv 6@5x5 padding 2, ReLU, max-pool 2, conv 16@5x5, ReLU, max-pool 2,
  fully-connected 120, ReLU, 84, ReLU, 10 (Adam, no augmentation);
- resnet8: MLPerf Tiny's ResNet-8 shape on 28x28x1: a 3x3 conv of 16, then three stacks of two 3x3 convs (16, 32 and
  64 filters; the last two stacks start at stride 2 with a 1x1 stride-2 projection shortcut), batch norm after every
  conv, ReLU, global average pool, fully-connected 10 (SGD with momentum, random crops and flips).
Seeded: the same machine gives the same weights.
"""
import gzip
import json
import os
import shutil
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "samples", "FashionMnist", "data")
SEED = 20261128
MODEL = sys.argv[1] if len(sys.argv) > 1 else "lenet5"
EPOCHS = int(os.environ.get("EPOCHS", "12" if MODEL == "lenet5" else "24"))


def read_images(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 2051, magic
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(count, 1, rows, cols)


def read_labels(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        magic, count = struct.unpack(">II", f.read(8))
        assert magic == 2049, magic
        return np.frombuffer(f.read(), dtype=np.uint8)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class Block(nn.Module):
    """Two 3x3 convs with batch norm; a 1x1 projection shortcut with batch norm where the shape changes."""

    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(outputs)
        self.conv2 = nn.Conv2d(outputs, outputs, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(outputs)
        self.shortcut = None
        if stride != 1 or inputs != outputs:
            self.shortcut = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride=stride, bias=False), nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet8(nn.Module):
    """[Input(28, 28, 1, Rounding = OutputRounding.Floor)] ... as samples/FashionMnist/FashionResNet8.cs."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layer1 = Block(16, 16, 1)   # 28x28x16
        self.layer2 = Block(16, 32, 2)   # 14x14x32
        self.layer3 = Block(32, 64, 2)   # 7x7x64
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def augment(images, generator):
    """Random crops of the image padded by 2 (zeros) and random horizontal flips, a batch at a time."""
    n = images.shape[0]
    padded = F.pad(images, (2, 2, 2, 2))
    dx = torch.randint(0, 5, (n,), generator=generator)
    dy = torch.randint(0, 5, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(28)[None, :])[:, None, :, None].expand(n, 1, 28, 32)
    out = torch.gather(padded, 2, rows)
    cols = (dx[:, None] + torch.arange(28)[None, :])[:, None, None, :].expand(n, 1, 28, 28)
    out = torch.gather(out, 3, cols)
    flip = torch.rand(n, generator=generator) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def save_safetensors(state, path):
    """The .safetensors format: u64 little-endian header length, JSON header, raw data."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name, tensor in state.items():
        array = tensor.detach().cpu().contiguous().numpy()
        dtype = "I64" if array.dtype == np.int64 else "F32"
        data = array.astype("<i8" if dtype == "I64" else "<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad the header to 8 bytes, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    started = time.time()
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(os.cpu_count() or 1)

    train_x = torch.from_numpy(read_images("train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    train_y = torch.from_numpy(read_labels("train-labels-idx1-ubyte.gz").astype(np.int64))
    test_x = torch.from_numpy(read_images("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    test_y = torch.from_numpy(read_labels("t10k-labels-idx1-ubyte.gz").astype(np.int64))

    if MODEL == "lenet5":
        model = LeNet5()
        optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    elif MODEL == "resnet8":
        model = ResNet8()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    else:
        sys.exit("unknown model " + MODEL + " (lenet5 or resnet8)")
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
    generator = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        total = 0.0
        for start in range(0, len(order), 128):
            batch = order[start:start + 128]
            optimizer.zero_grad()
            images = train_x[batch] if MODEL == "lenet5" else augment(train_x[batch], generator)
            loss = F.cross_entropy(model(images), train_y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        scheduler.step()
        model.eval()
        with torch.no_grad():
            accuracy = torch.cat([model(test_x[i:i + 1000]).argmax(1) for i in range(0, len(test_x), 1000)]).eq(test_y).float().mean().item()
        print("epoch %2d  loss %.4f  test accuracy %.2f%%" % (epoch + 1, total / len(train_x), accuracy * 100), flush=True)

    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(test_x[i:i + 1000]).argmax(1) for i in range(0, len(test_x), 1000)]).numpy().astype(np.uint8)
    accuracy = float((predictions == test_y.numpy()).mean())

    os.makedirs(OUT, exist_ok=True)
    save_safetensors(model.state_dict(), os.path.join(OUT, MODEL + ".safetensors"))
    predictions.tofile(os.path.join(OUT, "torch_predictions.bin" if MODEL == "lenet5" else "torch_predictions_" + MODEL + ".bin"))
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copyfile(os.path.join(DATA, name), os.path.join(OUT, name))

    print("%s: final test accuracy %.2f%% after %d epochs in %.0f s (torch %s)" % (MODEL, accuracy * 100, EPOCHS, time.time() - started, torch.__version__))
    floor = 0.89 if MODEL == "lenet5" else 0.925
    if accuracy < floor:
        sys.exit("accuracy below %.1f%%" % (floor * 100))


if __name__ == "__main__":
    main()
