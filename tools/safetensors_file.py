"""Writes the .safetensors format as safetensors.torch.save_file does (Debian has no safetensors package): an 8-byte
little-endian header length, the JSON header (dtype, shape, data_offsets) padded with spaces to 8 bytes, then each
tensor's little-endian data in order: int64 arrays as I64 (a BatchNorm's num_batches_tracked, shape [] for a scalar),
every other array as F32. Shared by the scripts in tools/; load_safetensors reads such a file back."""
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


def load_safetensors(path):
    """The tensors of a .safetensors file as {name: numpy array} (F32 and I64 only), in the file's order."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        dtype = {"F32": "<f4", "I64": "<i8"}[entry["dtype"]]
        tensors[name] = np.frombuffer(data[8 + length + begin:8 + length + end], dtype=dtype).reshape(entry["shape"]).copy()
    return tensors
