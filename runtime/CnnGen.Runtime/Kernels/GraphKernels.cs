using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime
{
    /// <summary>
    /// The passes of contract v2's layers that gain nothing from literal sizes: residual sums, activations, softmax, batch
    /// norm (unfolded), global pools, concatenation, and the fold of a batch norm into the conv or fully-connected layer
    /// before it. Each works on CHW volumes as PyTorch does (NaN and infinities as torch's kernels); the element-wise ones
    /// have a vector form (TS the width) and a scalar one. The source and the target may be the same span (in place).
    /// Infrastructure for generated code; not meant to be called directly.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class GraphKernels
    {
        /// <summary>target = a + b (then max(0, ·) when <paramref name="relu"/>, NaN kept): a residual sum.</summary>
        public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> target, bool relu)
        {
            Same(a.Length, b.Length, target.Length);
            for (int i = 0; i < target.Length; i++)
            {
                float v = a[i] + b[i];
                target[i] = relu && v < 0f ? 0f : v;
            }
        }

        /// <inheritdoc cref="Add(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Add<TS, TV>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> target, bool relu)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            Same(a.Length, b.Length, target.Length);
            int n = TS.Count, length = target.Length, i = 0;
            ref float x = ref MemoryMarshal.GetReference(a);
            ref float y = ref MemoryMarshal.GetReference(b);
            ref float t = ref MemoryMarshal.GetReference(target);
            for (; i + n <= length; i += n)
            {
                TV v = TS.Add(TS.Load(ref x, i), TS.Load(ref y, i));
                TS.Store(relu ? TS.Relu(v) : v, ref t, i);
            }

            for (; i < length; i++)
            {
                float v = Unsafe.Add(ref x, i) + Unsafe.Add(ref y, i);
                Unsafe.Add(ref t, i) = relu && v < 0f ? 0f : v;
            }
        }

        /// <summary>
        /// <see cref="Add{TS, TV}"/> with <paramref name="b"/> in padded planes (the carried layout: a conv stored it there
        /// for the next conv): channel d's row y at <paramref name="origin"/> + d·<paramref name="plane"/> +
        /// y·<paramref name="phaseWidth"/>. <paramref name="a"/> and <paramref name="target"/> are CHW, W x H x D; the target
        /// may be <paramref name="a"/> itself.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void AddPadded<TS, TV>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> target, bool relu, int width, int height, int depth, int phaseWidth, int plane, int origin)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            long cells = (long)width * height * depth;
            if (width <= 0 || height <= 0 || depth <= 0 || a.Length != cells || target.Length != cells || width > phaseWidth || (long)height * phaseWidth > plane || origin < 0 ||
                b.Length < origin + ((long)(depth - 1) * plane) + ((long)(height - 1) * phaseWidth) + width)
            {
                throw new ArgumentException("The operands do not fit the shape.");
            }

            int n = TS.Count;
            ref float x = ref MemoryMarshal.GetReference(a);
            ref float t = ref MemoryMarshal.GetReference(target);
            for (int d = 0; d < depth; d++)
            {
                for (int r = 0; r < height; r++)
                {
                    int row = ((d * height) + r) * width;
                    ref float y = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), origin + (d * plane) + (r * phaseWidth));
                    int i = 0;
                    for (; i + n <= width; i += n)
                    {
                        TV v = TS.Add(TS.Load(ref x, row + i), TS.Load(ref y, i));
                        TS.Store(relu ? TS.Relu(v) : v, ref t, row + i);
                    }

                    for (; i < width; i++)
                    {
                        float v = Unsafe.Add(ref x, row + i) + Unsafe.Add(ref y, i);
                        Unsafe.Add(ref t, row + i) = relu && v < 0f ? 0f : v;
                    }
                }
            }
        }

        /// <summary>max(0, x), NaN kept (<c>relu</c>).</summary>
        public static void Relu(ReadOnlySpan<float> source, Span<float> target) => Layout.Relu(source, target);

        /// <summary>min(max(0, x), 6), NaN kept (<c>relu6</c>).</summary>
        public static void Relu6(ReadOnlySpan<float> source, Span<float> target)
        {
            Same(source.Length, source.Length, target.Length);
            for (int i = 0; i < source.Length; i++)
            {
                target[i] = Relu6(source[i]);
            }
        }

        /// <inheritdoc cref="Relu6(ReadOnlySpan{float}, Span{float})"/>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Relu6<TS, TV>(ReadOnlySpan<float> source, Span<float> target)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            Same(source.Length, source.Length, target.Length);
            int n = TS.Count, length = source.Length, i = 0;
            ref float s = ref MemoryMarshal.GetReference(source);
            ref float t = ref MemoryMarshal.GetReference(target);
            TV six = TS.Splat(6f);
            for (; i + n <= length; i += n)
            {
                TS.Store(TS.MinKeepNaN(six, TS.Relu(TS.Load(ref s, i))), ref t, i);
            }

            for (; i < length; i++)
            {
                Unsafe.Add(ref t, i) = Relu6(Unsafe.Add(ref s, i));
            }
        }

        /// <summary>x when x ≥ 0, else slope·x (<c>leaky_relu</c>; NaN stays NaN).</summary>
        public static void LeakyRelu(ReadOnlySpan<float> source, Span<float> target, float slope)
        {
            Same(source.Length, source.Length, target.Length);
            for (int i = 0; i < source.Length; i++)
            {
                float x = source[i];
                target[i] = x < 0f ? x * slope : x;
            }
        }

        /// <summary>1 / (1 + e^−x) (<c>sigmoid</c>).</summary>
        public static void Sigmoid(ReadOnlySpan<float> source, Span<float> target)
        {
            Same(source.Length, source.Length, target.Length);
            for (int i = 0; i < source.Length; i++)
            {
                target[i] = 1f / (1f + MathF.Exp(-source[i]));
            }
        }

        /// <summary>tanh(x) (<c>tanh</c>).</summary>
        public static void Tanh(ReadOnlySpan<float> source, Span<float> target)
        {
            Same(source.Length, source.Length, target.Length);
            for (int i = 0; i < source.Length; i++)
            {
                target[i] = MathF.Tanh(source[i]);
            }
        }

        /// <summary>x·min(max(x + 3, 0), 6)/6 (<c>hardswish</c>; NaN stays NaN).</summary>
        public static void HardSwish(ReadOnlySpan<float> source, Span<float> target)
        {
            Same(source.Length, source.Length, target.Length);
            for (int i = 0; i < source.Length; i++)
            {
                float x = source[i];
                target[i] = x * Relu6(x + 3f) / 6f;
            }
        }

        /// <summary>x / (1 + e^−x) = x·sigmoid(x) (<c>silu</c>).</summary>
        public static void Silu(ReadOnlySpan<float> source, Span<float> target)
        {
            Same(source.Length, source.Length, target.Length);
            for (int i = 0; i < source.Length; i++)
            {
                float x = source[i];
                target[i] = x / (1f + MathF.Exp(-x));
            }
        }

        /// <summary>
        /// Softmax over depth at each of the <paramref name="plane"/> positions of a CHW volume (<c>softmax(dim=1)</c>):
        /// e^(x[d] − m) / Σ e^(x[i] − m), m the largest x[i], so that no exponential overflows. A NaN in a position's
        /// channels makes that position all NaN, as in torch.
        /// </summary>
        public static void Softmax(ReadOnlySpan<float> source, Span<float> target, int depth, int plane)
        {
            Same(source.Length, (long)depth * plane, target.Length);
            for (int p = 0; p < plane; p++)
            {
                SoftmaxAt(source, target, depth, plane, p);
            }
        }

        /// <summary>Softmax over the channels of position <paramref name="p"/>.</summary>
        private static void SoftmaxAt(ReadOnlySpan<float> source, Span<float> target, int depth, int plane, int p)
        {
            float max = float.NegativeInfinity;
            for (int d = 0; d < depth; d++)
            {
                float x = source[(d * plane) + p];
                max = x > max || float.IsNaN(x) ? x : max;
            }

            float sum = 0f;
            for (int d = 0; d < depth; d++)
            {
                float e = MathF.Exp(source[(d * plane) + p] - max);
                target[(d * plane) + p] = e;
                sum += e;
            }

            float scale = 1f / sum;
            for (int d = 0; d < depth; d++)
            {
                target[(d * plane) + p] *= scale;
            }
        }

        /// <inheritdoc cref="Softmax(ReadOnlySpan{float}, Span{float}, int, int)"/>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Softmax<TS, TV>(ReadOnlySpan<float> source, Span<float> target, int depth, int plane)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            Same(source.Length, (long)depth * plane, target.Length);
            int n = TS.Count;
            ref float s = ref MemoryMarshal.GetReference(source);
            ref float t = ref MemoryMarshal.GetReference(target);
            if (plane == 1)
            {
                // One position (after a fully-connected layer): the channels are contiguous, in vectors.
                int i = 0;
                TV m = TS.Splat(float.NegativeInfinity);
                for (; i + n <= depth; i += n)
                {
                    m = TS.MaxPropagateNaN(m, TS.Load(ref s, i));
                }

                // The lanes' largest, NaN kept (one store, then a scalar pass over at most 16 lanes).
                Span<float> lanes = stackalloc float[16];
                TS.Store(m, ref MemoryMarshal.GetReference(lanes));
                float max = float.NegativeInfinity;
                foreach (float lane in lanes.Slice(0, n))
                {
                    max = lane > max || float.IsNaN(lane) ? (float.IsNaN(max) ? max : lane) : max;
                }
                for (; i < depth; i++)
                {
                    float x = Unsafe.Add(ref s, i);
                    max = x > max || float.IsNaN(x) ? (float.IsNaN(max) ? max : x) : max;
                }

                TV vmax = TS.Splat(max), sums = TS.Splat(0f);
                for (i = 0; i + n <= depth; i += n)
                {
                    TV e = TS.Exp(TS.Add(TS.Load(ref s, i), TS.Multiply(vmax, TS.Splat(-1f))));
                    TS.Store(e, ref t, i);
                    sums = TS.Add(sums, e);
                }

                float sum = TS.SumAcross(sums);
                for (; i < depth; i++)
                {
                    float e = MathF.Exp(Unsafe.Add(ref s, i) - max);
                    Unsafe.Add(ref t, i) = e;
                    sum += e;
                }

                TV scale = TS.Splat(1f / sum);
                for (i = 0; i + n <= depth; i += n)
                {
                    TS.Store(TS.Multiply(TS.Load(ref t, i), scale), ref t, i);
                }

                for (; i < depth; i++)
                {
                    Unsafe.Add(ref t, i) *= 1f / sum;
                }

                return;
            }

            // Positions in whole vectors, the channels one after another; the positions after the last whole vector one at
            // a time (an overlapping vector would read cells an in-place pass has already rewritten).
            int p = 0;
            for (; p + n <= plane; p += n)
            {
                TV m = TS.Splat(float.NegativeInfinity);
                for (int d = 0; d < depth; d++)
                {
                    m = TS.MaxPropagateNaN(m, TS.Load(ref s, (d * plane) + p));
                }

                TV negative = TS.Multiply(m, TS.Splat(-1f)), sums = TS.Splat(0f);
                for (int d = 0; d < depth; d++)
                {
                    TV e = TS.Exp(TS.Add(TS.Load(ref s, (d * plane) + p), negative));
                    TS.Store(e, ref t, (d * plane) + p);
                    sums = TS.Add(sums, e);
                }

                TV scale = TS.Divide(TS.Splat(1f), sums);
                for (int d = 0; d < depth; d++)
                {
                    TS.Store(TS.Multiply(TS.Load(ref t, (d * plane) + p), scale), ref t, (d * plane) + p);
                }
            }

            for (; p < plane; p++)
            {
                SoftmaxAt(source, target, depth, plane, p);
            }
        }

        /// <summary>
        /// Batch norm in evaluation mode, per channel d of a CHW volume: (x − mean[d]) / √(var[d] + ε) · weight[d] + bias[d]
        /// (then max(0, ·) when <paramref name="relu"/>), computed as x·scale + shift as torch does.
        /// </summary>
        public static void BatchNorm(ReadOnlySpan<float> source, Span<float> target, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon, int depth, int plane, bool relu)
        {
            Same(source.Length, (long)depth * plane, target.Length);
            Statistics(weight, bias, mean, variance, depth);
            for (int d = 0; d < depth; d++)
            {
                (float scale, float shift) = ScaleShift(weight[d], bias[d], mean[d], variance[d], epsilon);
                int start = d * plane;
                for (int i = start; i < start + plane; i++)
                {
                    float v = (source[i] * scale) + shift;
                    target[i] = relu && v < 0f ? 0f : v;
                }
            }
        }

        /// <inheritdoc cref="BatchNorm(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, float, int, int, bool)"/>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void BatchNorm<TS, TV>(ReadOnlySpan<float> source, Span<float> target, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon, int depth, int plane, bool relu)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            Same(source.Length, (long)depth * plane, target.Length);
            Statistics(weight, bias, mean, variance, depth);
            int n = TS.Count;
            ref float s = ref MemoryMarshal.GetReference(source);
            ref float t = ref MemoryMarshal.GetReference(target);
            for (int d = 0; d < depth; d++)
            {
                (float scale, float shift) = ScaleShift(weight[d], bias[d], mean[d], variance[d], epsilon);
                TV vs = TS.Splat(scale), vb = TS.Splat(shift);
                int start = d * plane, end = start + plane, i = start;
                for (; i + n <= end; i += n)
                {
                    TV v = TS.MultiplyAdd(TS.Load(ref s, i), vs, vb);
                    TS.Store(relu ? TS.Relu(v) : v, ref t, i);
                }

                for (; i < end; i++)
                {
                    float v = (Unsafe.Add(ref s, i) * scale) + shift;
                    Unsafe.Add(ref t, i) = relu && v < 0f ? 0f : v;
                }
            }
        }

        /// <summary>Each channel's mean over its <paramref name="plane"/> cells (<c>adaptive_avg_pool2d(x, 1)</c>), summed in double.</summary>
        public static void GlobalAvgPool(ReadOnlySpan<float> source, Span<float> target, int depth, int plane)
        {
            Same(source.Length, (long)depth * plane, (long)target.Length * plane);
            for (int d = 0; d < depth; d++)
            {
                double sum = 0;
                foreach (float x in source.Slice(d * plane, plane))
                {
                    sum += x;
                }

                target[d] = (float)(sum / plane);
            }
        }

        /// <inheritdoc cref="GlobalAvgPool(ReadOnlySpan{float}, Span{float}, int, int)"/>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void GlobalAvgPool<TS, TV>(ReadOnlySpan<float> source, Span<float> target, int depth, int plane)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            Same(source.Length, (long)depth * plane, (long)target.Length * plane);
            int n = TS.Count;
            ref float s = ref MemoryMarshal.GetReference(source);
            float scale = 1f / plane;
            for (int d = 0; d < depth; d++)
            {
                // Four vector sums side by side, then the lanes, then the cells after the last whole vector.
                int start = d * plane, end = start + plane, i = start;
                TV a0 = TS.Splat(0f), a1 = a0, a2 = a0, a3 = a0;
                for (; i + (4 * n) <= end; i += 4 * n)
                {
                    a0 = TS.Add(a0, TS.Load(ref s, i));
                    a1 = TS.Add(a1, TS.Load(ref s, i + n));
                    a2 = TS.Add(a2, TS.Load(ref s, i + (2 * n)));
                    a3 = TS.Add(a3, TS.Load(ref s, i + (3 * n)));
                }

                for (; i + n <= end; i += n)
                {
                    a0 = TS.Add(a0, TS.Load(ref s, i));
                }

                float sum = TS.SumAcross(TS.Add(TS.Add(a0, a1), TS.Add(a2, a3)));
                for (; i < end; i++)
                {
                    sum += Unsafe.Add(ref s, i);
                }

                target[d] = sum * scale;
            }
        }

        /// <summary>Each channel's largest value; a NaN anywhere in the channel gives NaN, as <c>max_pool2d</c>.</summary>
        public static void GlobalMaxPool(ReadOnlySpan<float> source, Span<float> target, int depth, int plane)
        {
            Same(source.Length, (long)depth * plane, (long)target.Length * plane);
            for (int d = 0; d < depth; d++)
            {
                float max = float.NegativeInfinity;
                foreach (float x in source.Slice(d * plane, plane))
                {
                    if (x > max || float.IsNaN(x))
                    {
                        max = x;
                        if (float.IsNaN(x))
                        {
                            break;
                        }
                    }
                }

                target[d] = max;
            }
        }

        /// <summary>
        /// Folds an evaluation-mode batch norm into the conv or fully-connected layer before it: each of the
        /// <paramref name="filters"/> rows of <paramref name="weight"/> scaled by weight_bn / √(var + ε), and the bias
        /// (zero when <paramref name="bias"/> is empty) becomes (bias − mean)·scale + bias_bn.
        /// </summary>
        public static void FoldBatchNorm(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> bnWeight, ReadOnlySpan<float> bnBias, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon, int filters, Span<float> foldedWeight, Span<float> foldedBias)
        {
            Statistics(bnWeight, bnBias, mean, variance, filters);
            if (weight.Length % filters != 0 || foldedWeight.Length != weight.Length || foldedBias.Length != filters || (bias.Length != 0 && bias.Length != filters))
            {
                throw new ArgumentException("The weight, the bias or the folded copies do not fit " + filters + " filters.");
            }

            int row = weight.Length / filters;
            for (int k = 0; k < filters; k++)
            {
                (float scale, float shift) = ScaleShift(bnWeight[k], bnBias[k], mean[k], variance[k], epsilon);
                for (int i = k * row; i < (k + 1) * row; i++)
                {
                    foldedWeight[i] = weight[i] * scale;
                }

                foldedBias[k] = ((bias.Length == 0 ? 0f : bias[k]) * scale) + shift;
            }
        }

        /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> at <paramref name="offset"/>: one operand of a Concat (CHW volumes stack along depth end to end).</summary>
        public static void Place(ReadOnlySpan<float> source, Span<float> target, int offset) => source.CopyTo(target.Slice(offset, source.Length));

        /// <summary>scale = weight / √(var + ε), shift = bias − mean·scale: torch's evaluation-mode batch norm.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (float Scale, float Shift) ScaleShift(float weight, float bias, float mean, float variance, float epsilon)
        {
            float scale = weight / MathF.Sqrt(variance + epsilon);
            return (scale, bias - (mean * scale));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Relu6(float x) => x < 0f ? 0f : x > 6f ? 6f : x;

        private static void Same(long a, long b, long target)
        {
            if (a != target || b != target)
            {
                throw new ArgumentException("The spans do not have the lengths of the layer: " + a + ", " + b + " and " + target + ".");
            }
        }

        private static void Statistics(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, int depth)
        {
            if (weight.Length != depth || bias.Length != depth || mean.Length != depth || variance.Length != depth)
            {
                throw new ArgumentException("A batch norm's weight, bias, running mean and running variance each need " + depth + " floats.");
            }
        }
    }
}
