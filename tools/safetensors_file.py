"""Writes the .safetensors format as safetensors.torch.save_file does (Debian has no safetensors package): an 8-byte
little-endian header length, the JSON header (dtype, shape, data_offsets) padded with spaces to 8 bytes, then each
tensor's little-endian F32 data in order. Shared by tools/make_fixtures.py and tools/make_bench_models.py."""
import json
import struct

import numpy as np


def save_safetensors(tensors, path):
    """tensors: (name, numpy array) pairs, written in that order."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors:
        data = np.ascontiguousarray(array).astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
