using System;
using System.Collections.Generic;
using System.Linq;
using Onnx;

namespace CnnGen.Cli.Import
{
    /// <summary>
    /// Evaluates the small shape computations exporters leave in a graph when all their inputs are known: PyTorch's F.pad
    /// exports its pads as Constant → ConstantOfShape → Concat → Reshape → Slice → Transpose → Cast, and x.view(x.size(0), -1)
    /// as Shape → Gather → Unsqueeze → Concat. Only these shape ops are folded; a network's own arithmetic never is.
    /// </summary>
    internal static class ConstantFolder
    {
        /// <summary>The most elements a folded tensor may have: shape arithmetic is small; a file asking more is refused, not obeyed.</summary>
        public const int MaxElements = 1 << 20;

        public static readonly HashSet<string> Ops = new(StringComparer.Ordinal)
        {
            "Constant", "ConstantOfShape", "Concat", "Reshape", "Slice", "Transpose", "Cast", "Gather", "Unsqueeze", "Squeeze",
            "Identity", "Add", "Sub", "Mul", "Div", "Neg", "Shape",
        };

        /// <summary>
        /// Folds <paramref name="node"/> given its inputs' values (null for an omitted optional input); returns null with
        /// <paramref name="why"/> when the node cannot be folded.
        /// </summary>
        public static ConstTensor? Fold(NodeProto node, IReadOnlyList<ConstTensor?> inputs, int opset, out string why)
        {
            why = "";
            try
            {
                return node.OpType switch
                {
                    "Constant" => Constant(node, out why),
                    "ConstantOfShape" => ConstantOfShape(node, inputs[0]!),
                    "Concat" => Concat(inputs.Where(t => t is not null).Select(t => t!).ToList(), (int)OnnxAttributes.Int(node, "axis", 0)),
                    "Reshape" => OnnxAttributes.Int(node, "allowzero", 0) != 0 && inputs[1]!.AsIntegers().Contains(0)
                        ? throw new ArgumentException("Reshape with allowzero and a zero dimension")
                        : Reshape(inputs[0]!, inputs[1]!.AsIntegers()),
                    "Slice" => opset < 10
                        ? Slice(inputs[0]!, OnnxAttributes.Ints(node, "starts")!, OnnxAttributes.Ints(node, "ends")!, OnnxAttributes.Ints(node, "axes"), null)
                        : Slice(inputs[0]!, inputs[1]!.AsIntegers(), inputs[2]!.AsIntegers(), At(inputs, 3)?.AsIntegers(), At(inputs, 4)?.AsIntegers()),
                    "Transpose" => Transpose(inputs[0]!, OnnxAttributes.Ints(node, "perm")),
                    "Cast" => Cast(inputs[0]!, (TensorProto.Types.DataType)OnnxAttributes.Int(node, "to", 1)),
                    "Gather" => Gather(inputs[0]!, inputs[1]!, (int)OnnxAttributes.Int(node, "axis", 0)),
                    "Unsqueeze" => Unsqueeze(inputs[0]!, opset < 13 ? OnnxAttributes.Ints(node, "axes")! : inputs[1]!.AsIntegers()),
                    "Squeeze" => Squeeze(inputs[0]!, opset < 13 ? OnnxAttributes.Ints(node, "axes") : At(inputs, 1)?.AsIntegers()),
                    "Identity" => inputs[0],
                    "Shape" => ConstTensor.Vector(ShapeOf(inputs[0]!.Dims, node)),
                    "Neg" => Elementwise(inputs[0]!, inputs[0]!, (a, b) => -a, (a, b) => -a),
                    "Add" => Elementwise(inputs[0]!, inputs[1]!, (a, b) => a + b, (a, b) => a + b),
                    "Sub" => Elementwise(inputs[0]!, inputs[1]!, (a, b) => a - b, (a, b) => a - b),
                    "Mul" => Elementwise(inputs[0]!, inputs[1]!, (a, b) => a * b, (a, b) => a * b),
                    "Div" => Elementwise(inputs[0]!, inputs[1]!, (a, b) => a / b, (a, b) => b == 0 ? throw new DivideByZeroException() : FloorTowardZero(a, b)),
                    _ => null,
                };
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or NullReferenceException or DivideByZeroException or InvalidOperationException or OverflowException)
            {
                why = "its constant inputs do not fit the op (" + e.Message + ")";
                return null;
            }
        }

        /// <summary>The element count of <paramref name="dims"/>, refused past <see cref="MaxElements"/> or for a negative dimension.</summary>
        private static int Count(long[] dims)
        {
            long count = 1;
            foreach (long d in dims)
            {
                if (d < 0)
                {
                    throw new ArgumentException("a negative dimension " + d);
                }

                count *= d;
                if (count > MaxElements)
                {
                    throw new ArgumentException("a shape computation of more than " + MaxElements + " elements ([" + string.Join(", ", dims) + "])");
                }
            }

            return (int)count;
        }

        /// <summary>Shape's output: the dimensions from its start to its end attribute (negative counts from the end).</summary>
        public static long[] ShapeOf(long[] dims, NodeProto node)
        {
            int rank = dims.Length;
            long start = OnnxAttributes.Int(node, "start", 0), end = OnnxAttributes.Int(node, "end", rank);
            start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
            end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
            return dims.Skip((int)start).Take((int)Math.Max(0, end - start)).ToArray();
        }

        private static ConstTensor? At(IReadOnlyList<ConstTensor?> inputs, int i) => i < inputs.Count ? inputs[i] : null;

        private static long FloorTowardZero(long a, long b) => a / b;

        private static ConstTensor? Constant(NodeProto node, out string why)
        {
            why = "";
            foreach (AttributeProto a in node.Attribute)
            {
                switch (a.Name)
                {
                    case "value":
                        return ConstTensor.Read(a.T, out why);
                    case "value_float":
                        return new ConstTensor(Array.Empty<long>(), new[] { a.F });
                    case "value_floats":
                        return new ConstTensor(new long[] { a.Floats.Count }, a.Floats.ToArray());
                    case "value_int":
                        return ConstTensor.Scalar(a.I);
                    case "value_ints":
                        return ConstTensor.Vector(a.Ints.ToArray());
                }
            }

            why = "a Constant without a numeric value";
            return null;
        }

        private static ConstTensor ConstantOfShape(NodeProto node, ConstTensor shape)
        {
            long[] dims = shape.AsIntegers();
            int n = Count(dims);
            AttributeProto? value = node.Attribute.FirstOrDefault(a => a.Name == "value");
            ConstTensor? fill = value is null ? null : ConstTensor.Read(value.T, out _);
            if (fill is null || fill.IsFloat)
            {
                float f = fill is null ? 0f : fill.Floats![0];
                return new ConstTensor(dims, Enumerable.Repeat(f, n).ToArray());
            }

            return new ConstTensor(dims, Enumerable.Repeat(fill.Integers![0], n).ToArray());
        }

        private static long[] Strides(long[] dims)
        {
            var strides = new long[dims.Length];
            long s = 1;
            for (int i = dims.Length - 1; i >= 0; i--)
            {
                strides[i] = s;
                s *= dims[i];
            }

            return strides;
        }

        private static int Axis(long axis, int rank) => (int)(axis < 0 ? axis + rank : axis) is int a && a >= 0 && a < rank
            ? a
            : throw new ArgumentException("axis " + axis + " out of range for rank " + rank);

        /// <summary>A tensor of <paramref name="dims"/> whose element at each index is <paramref name="source"/>'s at map(index).</summary>
        private static ConstTensor Gathered(ConstTensor source, long[] dims, Func<long[], long> map)
        {
            int n = Count(dims);
            var index = new long[dims.Length];
            float[]? floats = source.IsFloat ? new float[n] : null;
            long[]? integers = source.IsFloat ? null : new long[n];
            for (int i = 0; i < n; i++)
            {
                long from = map(index);
                if (floats is not null)
                {
                    floats[i] = source.Floats![from];
                }
                else
                {
                    integers![i] = source.Integers![from];
                }

                for (int d = dims.Length - 1; d >= 0; d--)
                {
                    if (++index[d] < dims[d])
                    {
                        break;
                    }

                    index[d] = 0;
                }
            }

            return floats is not null ? new ConstTensor(dims, floats) : new ConstTensor(dims, integers!);
        }

        private static ConstTensor Concat(List<ConstTensor> parts, int axisValue)
        {
            int rank = parts[0].Rank;
            int axis = Axis(axisValue, rank);
            if (parts.Any(p => p.Rank != rank || Enumerable.Range(0, rank).Any(d => d != axis && p.Dims[d] != parts[0].Dims[d])))
            {
                throw new ArgumentException("Concat of shapes " + string.Join(", ", parts.Select(p => p.ShapeText)) + " that differ off the axis");
            }

            long[] dims = (long[])parts[0].Dims.Clone();
            dims[axis] = parts.Sum(p => p.Dims[axis]);
            var offsets = new long[parts.Count + 1];
            for (int i = 0; i < parts.Count; i++)
            {
                offsets[i + 1] = offsets[i] + parts[i].Dims[axis];
            }

            bool isFloat = parts.Any(p => p.IsFloat);
            var unified = parts.Select(p => isFloat && !p.IsFloat ? new ConstTensor(p.Dims, p.AsFloats()) : p).ToList();
            int n = Count(dims);
            var index = new long[rank];
            var floats = isFloat ? new float[n] : null;
            var integers = isFloat ? null : new long[n];
            for (int i = 0; i < n; i++)
            {
                int part = 0;
                while (index[axis] >= offsets[part + 1])
                {
                    part++;
                }

                long[] strides = Strides(unified[part].Dims);
                long from = 0;
                for (int d = 0; d < rank; d++)
                {
                    from += (d == axis ? index[d] - offsets[part] : index[d]) * strides[d];
                }

                if (floats is not null)
                {
                    floats[i] = unified[part].Floats![from];
                }
                else
                {
                    integers![i] = unified[part].Integers![from];
                }

                for (int d = rank - 1; d >= 0; d--)
                {
                    if (++index[d] < dims[d])
                    {
                        break;
                    }

                    index[d] = 0;
                }
            }

            return floats is not null ? new ConstTensor(dims, floats) : new ConstTensor(dims, integers!);
        }

        /// <summary>ONNX Reshape: 0 copies the input's dimension, −1 takes what is left.</summary>
        public static long[] ReshapeDims(long[] input, long[] shape)
        {
            long total = input.Aggregate(1L, (a, b) => a * b);
            var dims = new long[shape.Length];
            int unknown = -1;
            long known = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                dims[i] = shape[i] == 0 && i < input.Length ? input[i] : shape[i];
                if (dims[i] == -1)
                {
                    if (unknown >= 0)
                    {
                        throw new ArgumentException("two -1 dimensions in a Reshape");
                    }

                    unknown = i;
                }
                else
                {
                    known *= dims[i];
                }
            }

            if (unknown >= 0)
            {
                if (known == 0 || total % known != 0)
                {
                    throw new ArgumentException("cannot reshape " + total + " elements into [" + string.Join(", ", shape) + "]");
                }

                dims[unknown] = total / known;
            }
            else if (known != total)
            {
                throw new ArgumentException("cannot reshape " + total + " elements into [" + string.Join(", ", shape) + "]");
            }

            return dims;
        }

        private static ConstTensor Reshape(ConstTensor data, long[] shape) => data.WithDims(ReshapeDims(data.Dims, shape));

        private static ConstTensor Slice(ConstTensor data, long[] starts, long[] ends, long[]? axes, long[]? steps)
        {
            int rank = data.Rank;
            var begin = new long[rank];
            var step = Enumerable.Repeat(1L, rank).ToArray();
            long[] dims = (long[])data.Dims.Clone();
            for (int i = 0; i < starts.Length; i++)
            {
                int axis = Axis(axes is null ? i : axes[i], rank);
                long size = data.Dims[axis];
                long s = steps is null ? 1 : steps[i];
                if (s == 0)
                {
                    throw new ArgumentException("a Slice step of 0");
                }

                long start = starts[i] < 0 ? starts[i] + size : starts[i];
                long end = ends[i] < 0 ? ends[i] + size : ends[i];
                if (s > 0)
                {
                    start = Math.Clamp(start, 0, size);
                    end = Math.Clamp(end, 0, size);
                    dims[axis] = Math.Max(0, (end - start + s - 1) / s);
                }
                else
                {
                    start = Math.Clamp(start, 0, size - 1);
                    end = Math.Clamp(end, -1, size - 1);
                    dims[axis] = Math.Max(0, (start - end + (-s) - 1) / (-s));
                }

                begin[axis] = start;
                step[axis] = s;
            }

            long[] strides = Strides(data.Dims);
            return Gathered(data, dims, index =>
            {
                long from = 0;
                for (int d = 0; d < rank; d++)
                {
                    from += (begin[d] + index[d] * step[d]) * strides[d];
                }

                return from;
            });
        }

        private static ConstTensor Transpose(ConstTensor data, long[]? perm)
        {
            int rank = data.Rank;
            perm ??= Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
            if (perm.Length != rank || !perm.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, rank).Select(i => (long)i)))
            {
                throw new ArgumentException("perm [" + string.Join(", ", perm) + "] is not a permutation of " + rank + " axes");
            }

            long[] dims = perm.Select(p => data.Dims[p]).ToArray();
            long[] strides = Strides(data.Dims);
            return Gathered(data, dims, index =>
            {
                long from = 0;
                for (int d = 0; d < rank; d++)
                {
                    from += index[d] * strides[perm[d]];
                }

                return from;
            });
        }

        private static ConstTensor Cast(ConstTensor data, TensorProto.Types.DataType to) => to switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16 => new ConstTensor(data.Dims, data.AsFloats()),
            TensorProto.Types.DataType.Bool => new ConstTensor(data.Dims, data.AsFloats().Select(f => f != 0 ? 1L : 0L).ToArray()),
            _ => new ConstTensor(data.Dims, data.AsIntegers()),
        };

        private static ConstTensor Gather(ConstTensor data, ConstTensor indices, int axisValue)
        {
            int rank = data.Rank;
            int axis = Axis(axisValue, rank);
            long[] idx = indices.AsIntegers().Select(i => i < 0 ? i + data.Dims[axis] : i).ToArray();
            if (idx.Any(i => i < 0 || i >= data.Dims[axis]))
            {
                throw new ArgumentException("Gather indices out of range for a dimension of " + data.Dims[axis]);
            }

            long[] dims = data.Dims.Take(axis).Concat(indices.Dims).Concat(data.Dims.Skip(axis + 1)).ToArray();
            long[] strides = Strides(data.Dims);
            int indexRank = indices.Rank;
            long[] indexStrides = Strides(indices.Dims);
            return Gathered(data, dims, index =>
            {
                long flat = 0;
                for (int d = 0; d < indexRank; d++)
                {
                    flat += index[axis + d] * indexStrides[d];
                }

                long from = idx[flat] * strides[axis];
                for (int d = 0; d < axis; d++)
                {
                    from += index[d] * strides[d];
                }

                for (int d = axis + 1; d < rank; d++)
                {
                    from += index[d + indexRank - 1] * strides[d];
                }

                return from;
            });
        }

        private static ConstTensor Unsqueeze(ConstTensor data, long[] axes)
        {
            int rank = data.Rank + axes.Length;
            var inserted = new HashSet<int>(axes.Select(a => Axis(a, rank)));
            var dims = new List<long>();
            int source = 0;
            for (int d = 0; d < rank; d++)
            {
                dims.Add(inserted.Contains(d) ? 1 : data.Dims[source++]);
            }

            return data.WithDims(dims.ToArray());
        }

        private static ConstTensor Squeeze(ConstTensor data, long[]? axes)
        {
            var removed = axes is null
                ? new HashSet<int>(Enumerable.Range(0, data.Rank).Where(d => data.Dims[d] == 1))
                : new HashSet<int>(axes.Select(a => Axis(a, data.Rank)));
            if (removed.Any(d => data.Dims[d] != 1))
            {
                throw new ArgumentException("Squeeze of a dimension that is not 1");
            }

            return data.WithDims(data.Dims.Where((_, d) => !removed.Contains(d)).ToArray());
        }

        /// <summary>Numpy-style broadcasting of two tensors.</summary>
        private static ConstTensor Elementwise(ConstTensor a, ConstTensor b, Func<float, float, float> onFloats, Func<long, long, long> onIntegers)
        {
            int rank = Math.Max(a.Rank, b.Rank);
            long[] ad = Enumerable.Repeat(1L, rank - a.Rank).Concat(a.Dims).ToArray();
            long[] bd = Enumerable.Repeat(1L, rank - b.Rank).Concat(b.Dims).ToArray();
            var dims = new long[rank];
            for (int d = 0; d < rank; d++)
            {
                dims[d] = ad[d] == bd[d] || bd[d] == 1 ? ad[d] : ad[d] == 1 ? bd[d] : throw new ArgumentException("shapes " + a.ShapeText + " and " + b.ShapeText + " do not broadcast");
            }

            long[] aStrides = Strides(ad);
            long[] bStrides = Strides(bd);
            int n = Count(dims);
            var index = new long[rank];
            bool isFloat = a.IsFloat || b.IsFloat;
            float[] af = isFloat ? a.AsFloats() : Array.Empty<float>();
            float[] bf = isFloat ? b.AsFloats() : Array.Empty<float>();
            var floats = isFloat ? new float[n] : null;
            var integers = isFloat ? null : new long[n];
            for (int i = 0; i < n; i++)
            {
                long ai = 0, bi = 0;
                for (int d = 0; d < rank; d++)
                {
                    ai += (ad[d] == 1 ? 0 : index[d]) * aStrides[d];
                    bi += (bd[d] == 1 ? 0 : index[d]) * bStrides[d];
                }

                if (floats is not null)
                {
                    floats[i] = onFloats(af[ai], bf[bi]);
                }
                else
                {
                    integers![i] = onIntegers(a.Integers![ai], b.Integers![bi]);
                }

                for (int d = rank - 1; d >= 0; d--)
                {
                    if (++index[d] < dims[d])
                    {
                        break;
                    }

                    index[d] = 0;
                }
            }

            return floats is not null ? new ConstTensor(dims, floats) : new ConstTensor(dims, integers!);
        }
    }
}
