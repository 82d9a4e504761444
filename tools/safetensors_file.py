"""Writes the .safetensors format as safetensors.torch.save_file does (Debian has no safetensors package): an 8-byte
little-endian header length, the JSON header (dtype, shape, data_offsets) padded with spaces to 8 bytes, then each
tensor's little-endian data in order: int64 arrays as I64 (a BatchNorm's num_batches_tracked, shape [] for a scalar),
every other array as F32. Shared by tools/make_fixtures.py, tools/make_fixtures_v2.py and tools/make_bench_models.py."""
import json
import struct

import numpy as np


def save_safetensors(tensors, path):
    """tensors: (name, numpy array) pairs, written in that order (no alignment padding between them)."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors:
        if np.asarray(array).dtype == np.int64:
            data, dtype = np.ascontiguousarray(array).astype("<i8").tobytes(), "I64"
        else:
            data, dtype = np.ascontiguousarray(array).astype("<f4").tobytes(), "F32"
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
