using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace CnnGen.IO
{
    /// <summary>
    /// Reads and writes the <c>.safetensors</c> format: an 8-byte little-endian header length N, N bytes
    /// of UTF-8 JSON (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c>),
    /// then the raw little-endian data, offsets relative to its start. Strict: the data must be covered
    /// exactly, without holes, overlaps or trailing bytes, as the format's specification requires.
    /// Used by the generated <c>LoadSafetensors</c> and <c>SaveSafetensors</c>.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Safetensors
    {
        /// <summary>The largest header accepted (the reference implementation's limit).</summary>
        public const int MaxHeaderLength = 100 * 1024 * 1024;

        /// <summary>
        /// Reads every tensor of <paramref name="tensors"/> from <paramref name="stream"/> into a new array of
        /// <paramref name="parameterCount"/> floats. Throws <see cref="InvalidDataException"/> naming the tensor or
        /// byte offset for any problem; the caller copies the result only when this returns.
        /// </summary>
        public static float[] Read(Stream stream, IReadOnlyList<TensorSpec> tensors, int parameterCount) => Read(stream, tensors, parameterCount, out _);

        /// <summary>
        /// As <see cref="Read(Stream, IReadOnlyList{TensorSpec}, int)"/>, with the I64 counters (<see cref="TensorSpec.Counter"/>,
        /// PyTorch's <c>num_batches_tracked</c>) into a new array: each may be absent (read as 0), and must otherwise be an
        /// I64 of shape <c>[]</c>.
        /// </summary>
        public static float[] Read(Stream stream, IReadOnlyList<TensorSpec> tensors, int parameterCount, out long[] counters)
        {
            if (stream is null)
            {
                throw new ArgumentNullException(nameof(stream));
            }

            if (tensors is null)
            {
                throw new ArgumentNullException(nameof(tensors));
            }

            byte[] lengthBytes = new byte[8];
            int got = stream.ReadAtLeast(lengthBytes, lengthBytes.Length, throwOnEndOfStream: false);
            if (got < 8)
            {
                throw Invalid($"The file is truncated: it has {got} bytes, but a safetensors file starts with an 8-byte header length.");
            }

            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength < 2 || headerLength > MaxHeaderLength)
            {
                throw Invalid($"Byte 0: the header length {headerLength} is outside 2..{MaxHeaderLength}; this is not a safetensors file or it is damaged.");
            }

            byte[] headerBytes = new byte[(int)headerLength];
            got = stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
            if (got < headerBytes.Length)
            {
                throw Invalid($"The file is truncated at byte {8 + got}: the header should be {headerLength} bytes long.");
            }

            Dictionary<string, Entry> entries = ParseHeader(headerBytes);

            // Every expected tensor present, with its dtype and shape; nothing else.
            foreach (TensorSpec tensor in tensors)
            {
                if (tensor.IsCounter)
                {
                    if (entries.TryGetValue(tensor.Name, out Entry? counter) &&
                        (counter.DType != "I64" || counter.Shape.Length != 0 || counter.End - counter.Begin != 8))
                    {
                        throw Invalid($"Tensor '{tensor.Name}' is {counter.DType} of shape [{string.Join(", ", counter.Shape)}] ({counter.End - counter.Begin} bytes); a batch norm's num_batches_tracked is an I64 scalar (shape [], 8 bytes), as PyTorch writes it.");
                    }

                    continue;
                }

                if (!entries.TryGetValue(tensor.Name, out Entry? entry))
                {
                    throw Invalid($"Tensor '{tensor.Name}' is missing: expected {tensor.ShapeText} F32 (F16 and BF16 are accepted too). The file has: {string.Join(", ", entries.Keys)}.");
                }

                if (!entry.Shape.SequenceEqual(tensor.Shape.Select(d => (long)d)))
                {
                    throw Invalid($"Tensor '{tensor.Name}' has shape [{string.Join(", ", entry.Shape)}], expected {tensor.ShapeText}.");
                }

                if (entry.DType == "I64")
                {
                    throw Invalid($"Tensor '{tensor.Name}' has dtype I64; expected F32 (F16 and BF16 are widened to float).");
                }

                long expectedBytes = (long)tensor.Length * entry.ElementSize;
                if (entry.End - entry.Begin != expectedBytes)
                {
                    throw Invalid($"Tensor '{tensor.Name}' has data_offsets [{entry.Begin}, {entry.End}] ({entry.End - entry.Begin} bytes), but {tensor.ShapeText} {entry.DType} takes {expectedBytes} bytes.");
                }
            }

            var expectedNames = new HashSet<string>(tensors.Select(t => t.Name), StringComparer.Ordinal);
            foreach (string name in entries.Keys)
            {
                if (!expectedNames.Contains(name))
                {
                    throw Invalid($"Tensor '{name}' is not a parameter of this network (expected only: {string.Join(", ", tensors.Select(t => t.Name))}).");
                }
            }

            // The data: covered from 0 without holes or overlaps, and nothing after it.
            long cursor = 0;
            foreach (Entry entry in entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                if (entry.Begin != cursor)
                {
                    throw Invalid(entry.Begin > cursor
                        ? $"Tensor '{entry.Name}' starts at data byte {entry.Begin}, leaving a hole at {cursor}..{entry.Begin}; the format forbids holes."
                        : $"Tensor '{entry.Name}' starts at data byte {entry.Begin}, overlapping the tensor before it (which ends at {cursor}).");
                }

                cursor = entry.End;
            }

            long dataStart = 8 + (long)headerLength;
            if (stream.CanSeek)
            {
                long available = stream.Length - stream.Position;
                if (available < cursor)
                {
                    throw Invalid($"The file is truncated at byte {dataStart + available}: its data should be {cursor} bytes long.");
                }

                if (available > cursor)
                {
                    throw Invalid($"The file has {available - cursor} bytes after the end of its data (byte {dataStart + cursor}); the format forbids trailing bytes.");
                }
            }

            byte[] data = new byte[cursor];
            got = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (got < data.Length)
            {
                throw Invalid($"The file is truncated at byte {dataStart + got}: its data should be {cursor} bytes long.");
            }

            if (stream.ReadByte() >= 0)
            {
                throw Invalid($"The file has bytes after the end of its data (byte {dataStart + cursor}); the format forbids trailing bytes.");
            }

            var values = new float[parameterCount];
            counters = new long[tensors.Count(t => t.IsCounter)];
            foreach (TensorSpec tensor in tensors)
            {
                if (tensor.IsCounter)
                {
                    if (entries.TryGetValue(tensor.Name, out Entry? counter))
                    {
                        counters[tensor.Offset] = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan((int)counter.Begin, 8));
                    }

                    continue;
                }

                Entry entry = entries[tensor.Name];
                Decode(data.AsSpan((int)entry.Begin, (int)(entry.End - entry.Begin)), entry.DType, values.AsSpan(tensor.Offset, tensor.Length));
            }

            return values;
        }

        /// <summary>Writes <paramref name="tensors"/> of <paramref name="parameters"/> as F32, in order, with <c>{"format": "pt"}</c> metadata.</summary>
        public static void Write(Stream stream, IReadOnlyList<TensorSpec> tensors, ReadOnlySpan<float> parameters) => Write(stream, tensors, parameters, default);

        /// <summary>As <see cref="Write(Stream, IReadOnlyList{TensorSpec}, ReadOnlySpan{float})"/>, the counters written as I64 scalars.</summary>
        public static void Write(Stream stream, IReadOnlyList<TensorSpec> tensors, ReadOnlySpan<float> parameters, ReadOnlySpan<long> counters)
        {
            if (stream is null)
            {
                throw new ArgumentNullException(nameof(stream));
            }

            using var headerStream = new MemoryStream();
            using (var json = new Utf8JsonWriter(headerStream))
            {
                json.WriteStartObject();
                json.WriteStartObject("__metadata__");
                json.WriteString("format", "pt");
                json.WriteEndObject();
                long offset = 0;
                foreach (TensorSpec tensor in tensors)
                {
                    int size = tensor.IsCounter ? 8 : 4;
                    json.WriteStartObject(tensor.Name);
                    json.WriteString("dtype", tensor.IsCounter ? "I64" : "F32");
                    json.WriteStartArray("shape");
                    foreach (int dimension in tensor.Shape)
                    {
                        json.WriteNumberValue(dimension);
                    }

                    json.WriteEndArray();
                    json.WriteStartArray("data_offsets");
                    json.WriteNumberValue(offset);
                    json.WriteNumberValue(offset + ((long)size * tensor.Length));
                    json.WriteEndArray();
                    json.WriteEndObject();
                    offset += (long)size * tensor.Length;
                }

                json.WriteEndObject();
            }

            // Pad the header with spaces to a multiple of 8 bytes, as the reference writer does.
            while (headerStream.Length % 8 != 0)
            {
                headerStream.WriteByte((byte)' ');
            }

            byte[] length = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerStream.Length);
            stream.Write(length, 0, 8);
            headerStream.Position = 0;
            headerStream.CopyTo(stream);

            byte[] buffer = new byte[4 * 4096];
            foreach (TensorSpec tensor in tensors)
            {
                if (tensor.IsCounter)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(buffer, tensor.Offset < counters.Length ? counters[tensor.Offset] : 0);
                    stream.Write(buffer, 0, 8);
                    continue;
                }

                ReadOnlySpan<float> values = parameters.Slice(tensor.Offset, tensor.Length);
                if (BitConverter.IsLittleEndian)
                {
                    stream.Write(MemoryMarshal.AsBytes(values));
                    continue;
                }

                for (int start = 0; start < values.Length; start += 4096)
                {
                    int count = Math.Min(4096, values.Length - start);
                    for (int i = 0; i < count; i++)
                    {
                        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(4 * i), BitConverter.SingleToInt32Bits(values[start + i]));
                    }

                    stream.Write(buffer, 0, 4 * count);
                }
            }
        }

        private static Dictionary<string, Entry> ParseHeader(byte[] header)
        {
            if (header[0] != (byte)'{')
            {
                throw Invalid("Byte 8: the header does not start with '{'; this is not a safetensors file or it is damaged.");
            }

            if (!Utf8.IsValid(header))
            {
                throw Invalid($"The header is not valid UTF-8 (byte {8 + FirstInvalidUtf8(header)}).");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
            }
            catch (JsonException e)
            {
                throw Invalid($"The header (bytes 8..{8 + header.Length}) is not valid JSON: {e.Message}");
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid("The header is not a JSON object.");
                }

                var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (property.Name == "__metadata__")
                    {
                        if (property.Value.ValueKind != JsonValueKind.Object ||
                            property.Value.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
                        {
                            throw Invalid("The header's __metadata__ must be an object of strings.");
                        }

                        continue;
                    }

                    if (entries.ContainsKey(property.Name))
                    {
                        throw Invalid($"Tensor '{property.Name}' appears twice in the header.");
                    }

                    entries.Add(property.Name, ParseEntry(property.Name, property.Value));
                }

                return entries;
            }
        }

        private static Entry ParseEntry(string name, JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object ||
                !value.TryGetProperty("dtype", out JsonElement dtype) || dtype.ValueKind != JsonValueKind.String ||
                !value.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array ||
                !value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array)
            {
                throw Invalid($"Tensor '{name}': its header entry must be an object with dtype (a string), shape and data_offsets (arrays).");
            }

            string type = dtype.GetString()!;
            int elementSize = type switch
            {
                "F32" => 4,
                "F16" => 2,
                "BF16" => 2,
                "I64" => 8, // only a batch norm's num_batches_tracked may be one
                _ => throw Invalid($"Tensor '{name}' has dtype {type}; expected F32 (F16 and BF16 are widened to float)."),
            };

            var dimensions = new List<long>();
            foreach (JsonElement dimension in shape.EnumerateArray())
            {
                if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out long d) || d < 0)
                {
                    throw Invalid($"Tensor '{name}': every shape dimension must be a non-negative integer.");
                }

                dimensions.Add(d);
            }

            if (offsets.GetArrayLength() != 2 ||
                !TryGetOffset(offsets[0], out long begin) || !TryGetOffset(offsets[1], out long end) || end < begin)
            {
                throw Invalid($"Tensor '{name}': data_offsets must be [begin, end] with 0 <= begin <= end.");
            }

            return new Entry(name, type, elementSize, dimensions.ToArray(), begin, end);
        }

        private static bool TryGetOffset(JsonElement element, out long value) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value) && value >= 0 && value <= int.MaxValue
                ? true
                : (value = 0) != 0;

        private static void Decode(ReadOnlySpan<byte> bytes, string dtype, Span<float> destination)
        {
            switch (dtype)
            {
                case "F32" when BitConverter.IsLittleEndian:
                    MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
                    break;
                case "F32":
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(4 * i)));
                    }

                    break;
                case "F16":
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(2 * i)));
                    }

                    break;
                default: // BF16: the upper half of a float32
                    for (int i = 0; i < destination.Length; i++)
                    {
                        destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(2 * i)) << 16);
                    }

                    break;
            }
        }

        /// <summary>Where the first byte that is not part of valid UTF-8 is (for the message).</summary>
        private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
        {
            int at = 0;
            while (at < bytes.Length && Rune.DecodeFromUtf8(bytes.Slice(at), out _, out int consumed) == System.Buffers.OperationStatus.Done)
            {
                at += consumed;
            }

            return at;
        }

        private static InvalidDataException Invalid(string message) => new(message);

        private sealed class Entry
        {
            public Entry(string name, string dtype, int elementSize, long[] shape, long begin, long end)
            {
                Name = name;
                DType = dtype;
                ElementSize = elementSize;
                Shape = shape;
                Begin = begin;
                End = end;
            }

            public string Name { get; }

            public string DType { get; }

            public int ElementSize { get; }

            public long[] Shape { get; }

            public long Begin { get; }

            public long End { get; }
        }
    }
}
