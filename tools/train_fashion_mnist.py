#!/usr/bin/python3
"""Trains LeNet-5 on Fashion-MNIST with PyTorch and writes what the C# sample needs.

    apt-get install python3-torch dataset-fashion-mnist
    /usr/bin/python3 tools/train_fashion_mnist.py

Writes, into samples/FashionMnist/data/:
  lenet5.safetensors        the weights, written in the .safetensors format directly (a JSON
                            header and raw little-endian float32; the safetensors package is not
                            in Debian), tensor names as in state_dict(): conv1.weight, conv1.bias, ...
  torch_predictions.bin     PyTorch's predicted class of each of the 10,000 test images, one byte each
and copies the Fashion-MNIST test set (t10k-*.gz) beside them.

The network is the one samples/FashionMnist declares with CnnGen attributes:
input 28x28x1, conv 6@5x5 padding 2, ReLU, max-pool 2, conv 16@5x5, ReLU, max-pool 2,
fully-connected 120, ReLU, 84, ReLU, 10. Seeded: the same machine gives the same weights.
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
EPOCHS = int(os.environ.get("EPOCHS", "12"))


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


def save_safetensors(state, path):
    """The .safetensors format: u64 little-endian header length, JSON header, raw data."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name, tensor in state.items():
        data = tensor.detach().cpu().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
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

    model = LeNet5()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
    generator = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        total = 0.0
        for start in range(0, len(order), 128):
            batch = order[start:start + 128]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        scheduler.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
        print("epoch %2d  loss %.4f  test accuracy %.2f%%" % (epoch + 1, total / len(train_x), accuracy * 100), flush=True)

    model.eval()
    with torch.no_grad():
        predictions = model(test_x).argmax(1).numpy().astype(np.uint8)
    accuracy = float((predictions == test_y.numpy()).mean())

    os.makedirs(OUT, exist_ok=True)
    save_safetensors(model.state_dict(), os.path.join(OUT, "lenet5.safetensors"))
    predictions.tofile(os.path.join(OUT, "torch_predictions.bin"))
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copyfile(os.path.join(DATA, name), os.path.join(OUT, name))

    print("final test accuracy %.2f%% after %d epochs in %.0f s (torch %s)" % (accuracy * 100, EPOCHS, time.time() - started, torch.__version__))
    if accuracy < 0.89:
        sys.exit("accuracy below 89%")


if __name__ == "__main__":
    main()
