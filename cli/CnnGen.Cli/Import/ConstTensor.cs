using System;
using System.Buffers.Binary;
using System.Linq;
using Google.Protobuf;
using Onnx;

namespace CnnGen.Cli.Import
{
    /// <summary>
    /// A tensor whose value is known when importing: an initializer, a Constant node's value, or a shape computation folded
    /// from those (exporters compute Pad's pads or Reshape's shape with small graphs of Shape, Concat, Slice…).
    /// Float tensors keep <see cref="Floats"/>, integer and boolean ones <see cref="Integers"/>.
    /// </summary>
    internal sealed class ConstTensor
    {
        public ConstTensor(long[] dims, float[] floats)
        {
            Dims = dims;
            Floats = floats;
        }

        public ConstTensor(long[] dims, long[] integers)
        {
            Dims = dims;
            Integers = integers;
        }

        public long[] Dims { get; }

        public float[]? Floats { get; }

        public long[]? Integers { get; }

        public bool IsFloat => Floats is not null;

        public int Length => IsFloat ? Floats!.Length : Integers!.Length;

        public int Rank => Dims.Length;

        public string ShapeText => "[" + string.Join(", ", Dims) + "]";

        /// <summary>Element <paramref name="i"/> as a double, whatever the element type.</summary>
        public double this[int i] => IsFloat ? Floats![i] : Integers![i];

        public long[] AsIntegers() => IsFloat ? Floats!.Select(f => (long)f).ToArray() : Integers!;

        public float[] AsFloats() => IsFloat ? Floats! : Integers!.Select(v => (float)v).ToArray();

        public ConstTensor WithDims(long[] dims) => IsFloat ? new ConstTensor(dims, Floats!) : new ConstTensor(dims, Integers!);

        public static ConstTensor Scalar(long value) => new(Array.Empty<long>(), new[] { value });

        public static ConstTensor Vector(params long[] values) => new(new long[] { values.Length }, values);

        /// <summary>
        /// Reads an ONNX TensorProto. Float types (FLOAT, FLOAT16, BFLOAT16, DOUBLE) become floats; integer types and BOOL
        /// integers. Returns null with <paramref name="why"/> for what it cannot read (external data, strings, complex).
        /// </summary>
        public static ConstTensor? Read(TensorProto tensor, out string why)
        {
            why = "";
            long[] dims = tensor.Dims.ToArray();
            long count = 1;
            foreach (long d in dims)
            {
                if (d < 0 || d > int.MaxValue)
                {
                    why = "tensor \"" + tensor.Name + "\" has a dimension of " + d;
                    return null;
                }

                count *= d;
                if (count > int.MaxValue)
                {
                    why = "tensor \"" + tensor.Name + "\" has more than 2^31 elements";
                    return null;
                }
            }

            if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                why = "tensor \"" + tensor.Name + "\" keeps its data in an external file; save the model with its weights inside (onnx.save(model, path, save_as_external_data=False))";
                return null;
            }

            int n = (int)count;
            ByteString raw = tensor.RawData;
            bool hasRaw = tensor.HasRawData;
            var type = (TensorProto.Types.DataType)tensor.DataType;
            switch (type)
            {
                case TensorProto.Types.DataType.Float:
                    return Floats32(dims, n, hasRaw ? ReadRaw(raw, n, 4, (s, i) => BinaryPrimitives.ReadSingleLittleEndian(s.Slice(i * 4))) : tensor.FloatData.ToArray(), tensor.Name, out why);
                case TensorProto.Types.DataType.Double:
                    return Floats32(dims, n, hasRaw
                        ? ReadRaw(raw, n, 8, (s, i) => (float)BinaryPrimitives.ReadDoubleLittleEndian(s.Slice(i * 8)))
                        : tensor.DoubleData.Select(d => (float)d).ToArray(), tensor.Name, out why);
                case TensorProto.Types.DataType.Float16:
                    return Floats32(dims, n, hasRaw
                        ? ReadRaw(raw, n, 2, (s, i) => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(i * 2))))
                        : tensor.Int32Data.Select(v => (float)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(), tensor.Name, out why);
                case TensorProto.Types.DataType.Bfloat16:
                    return Floats32(dims, n, hasRaw
                        ? ReadRaw(raw, n, 2, (s, i) => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s.Slice(i * 2)) << 16))
                        : tensor.Int32Data.Select(v => BitConverter.Int32BitsToSingle((v & 0xFFFF) << 16)).ToArray(), tensor.Name, out why);
                case TensorProto.Types.DataType.Int64:
                    return Integers64(dims, n, hasRaw ? ReadRaw(raw, n, 8, (s, i) => BinaryPrimitives.ReadInt64LittleEndian(s.Slice(i * 8))) : tensor.Int64Data.ToArray(), tensor.Name, out why);
                case TensorProto.Types.DataType.Uint64:
                    return Integers64(dims, n, hasRaw ? ReadRaw(raw, n, 8, (s, i) => (long)BinaryPrimitives.ReadUInt64LittleEndian(s.Slice(i * 8))) : tensor.Uint64Data.Select(v => (long)v).ToArray(), tensor.Name, out why);
                case TensorProto.Types.DataType.Int32:
                    return Integers64(dims, n, hasRaw ? ReadRaw(raw, n, 4, (s, i) => (long)BinaryPrimitives.ReadInt32LittleEndian(s.Slice(i * 4))) : tensor.Int32Data.Select(v => (long)v).ToArray(), tensor.Name, out why);
                case TensorProto.Types.DataType.Int8:
                    return Integers64(dims, n, hasRaw ? ReadRaw(raw, n, 1, (s, i) => (long)(sbyte)s[i]) : tensor.Int32Data.Select(v => (long)v).ToArray(), tensor.Name, out why);
                case TensorProto.Types.DataType.Uint8:
                case TensorProto.Types.DataType.Bool:
                    return Integers64(dims, n, hasRaw ? ReadRaw(raw, n, 1, (s, i) => (long)s[i]) : tensor.Int32Data.Select(v => (long)v).ToArray(), tensor.Name, out why);
                default:
                    why = "tensor \"" + tensor.Name + "\" has element type " + type.ToString().ToUpperInvariant() + ", which CnnGen cannot read";
                    return null;
            }
        }

        private delegate T Reader<T>(ReadOnlySpan<byte> bytes, int index);

        private static T[]? ReadRaw<T>(ByteString raw, int n, int size, Reader<T> read)
        {
            if (raw.Length != (long)n * size)
            {
                return null;
            }

            var values = new T[n];
            ReadOnlySpan<byte> bytes = raw.Span;
            for (int i = 0; i < n; i++)
            {
                values[i] = read(bytes, i);
            }

            return values;
        }

        private static ConstTensor? Floats32(long[] dims, int n, float[]? values, string name, out string why)
        {
            why = "";
            if (values is null || values.Length != n)
            {
                why = "tensor \"" + name + "\" holds " + (values is null ? "a different number of bytes" : values.Length + " values") + " for shape [" + string.Join(", ", dims) + "] (" + n + " elements)";
                return null;
            }

            return new ConstTensor(dims, values);
        }

        private static ConstTensor? Integers64(long[] dims, int n, long[]? values, string name, out string why)
        {
            why = "";
            if (values is null || values.Length != n)
            {
                why = "tensor \"" + name + "\" holds " + (values is null ? "a different number of bytes" : values.Length + " values") + " for shape [" + string.Join(", ", dims) + "] (" + n + " elements)";
                return null;
            }

            return new ConstTensor(dims, values);
        }
    }
}
