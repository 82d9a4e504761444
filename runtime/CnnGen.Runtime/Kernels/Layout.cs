using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime
{
    /// <summary>
    /// Data movement around the generated vector kernels. A conv or pool with stride S reads a
    /// "phase" copy of its input: S·S planes per channel, phase (py, px) holding the padded cells
    /// (S·i + py, S·j + px), so that every window tap of consecutive outputs is a contiguous run and
    /// the kernel can vectorize over output positions. The kernel writes a "wide" output whose rows are
    /// as long as a phase row; <see cref="Compact"/> keeps the real columns.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Layout
    {
        /// <summary>
        /// Writes the phase planes of a W x H x D CHW <paramref name="input"/>, padded by
        /// <paramref name="padding"/> cells of <paramref name="padValue"/>, into <paramref name="phases"/>:
        /// plane ((py·S + px)·D + d) of <paramref name="phaseHeight"/> x <paramref name="phaseWidth"/>.
        /// Everything else in <paramref name="phases"/> (padding and slack) is set to <paramref name="padValue"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ToPhases<TS, TV>(
            ReadOnlySpan<float> input,
            int width,
            int height,
            int depth,
            int stride,
            int padding,
            float padValue,
            int phaseWidth,
            int phaseHeight,
            Span<float> phases)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int plane = phaseWidth * phaseHeight;
            int planes = stride * stride * depth;
            if (input.Length < width * height * depth || phases.Length < planes * plane)
            {
                throw new ArgumentException("The input or the phase buffer is shorter than the shape says.");
            }

            ref float source = ref MemoryMarshal.GetReference(input);
            ref float target = ref MemoryMarshal.GetReference(phases);

            // The slack after the planes, which the last vectors of a layer may read.
            phases.Slice(planes * plane).Fill(padValue);
            if (stride > 2)
            {
                phases.Slice(0, planes * plane).Fill(padValue);
                for (int d = 0; d < depth; d++)
                {
                    for (int y = 0; y < height; y++)
                    {
                        int r = y + padding;
                        for (int x = 0; x < width; x++)
                        {
                            int c = x + padding;
                            int phase = ((r % stride) * stride) + (c % stride);
                            Unsafe.Add(ref target, (((phase * depth) + d) * plane) + ((r / stride) * phaseWidth) + (c / stride)) = Unsafe.Add(ref source, (((d * height) + y) * width) + x);
                        }
                    }
                }

                return;
            }

            // Stride 1 or 2. Cell (i, j) of phase (py, px) is input cell (S·i + py − P, S·j + px − P): phase rows
            // outside the input get the pad value whole, the others the input row with pad cells left and right.
            int phaseStride = depth * plane;
            for (int py = 0; py < stride; py++)
            {
                int rowFirst = FirstInside(padding - py, stride, phaseHeight);
                int rowEnd = FirstInside(padding + height - py, stride, phaseHeight);
                for (int px = 0; px < stride; px++)
                {
                    for (int d = 0; d < depth; d++)
                    {
                        ref float p = ref Unsafe.Add(ref target, (((py * stride) + px) * phaseStride) + (d * plane));
                        Fill(ref p, rowFirst * phaseWidth, padValue);
                        Fill(ref Unsafe.Add(ref p, rowEnd * phaseWidth), (phaseHeight - rowEnd) * phaseWidth, padValue);
                    }
                }
            }

            int left0 = FirstInside(padding, stride, phaseWidth), end0 = FirstInside(padding + width, stride, phaseWidth);
            int left1 = FirstInside(padding - 1, stride, phaseWidth), end1 = FirstInside(padding + width - 1, stride, phaseWidth);
            for (int d = 0; d < depth; d++)
            {
                ref float channel = ref Unsafe.Add(ref source, d * height * width);
                if (stride == 1)
                {
                    ref float p = ref Unsafe.Add(ref target, (d * plane) + (padding * phaseWidth));
                    for (int y = 0; y < height; y++)
                    {
                        ref float phaseRow = ref Unsafe.Add(ref p, y * phaseWidth);
                        Fill(ref phaseRow, padding, padValue);
                        CopyRow<TS, TV>(ref Unsafe.Add(ref channel, y * width), ref Unsafe.Add(ref phaseRow, padding), width);
                        Fill(ref Unsafe.Add(ref phaseRow, padding + width), phaseWidth - padding - width, padValue);
                    }

                    continue;
                }

                // Stride 2: input row y is padded row r = y + P, in phase row py = r & 1, row r >> 1 of its planes; padded
                // column c = x + P goes to phase column px = c & 1, column c >> 1.
                for (int y0 = 0; y0 < 2 && y0 < height; y0++)
                {
                    int r = y0 + padding;
                    ref float row0 = ref Unsafe.Add(ref target, ((r & 1) * 2 * phaseStride) + (d * plane) + ((r >> 1) * phaseWidth));
                    int rows = (height - y0 + 1) / 2;
                    PadRows(ref row0, rows, phaseWidth, left0, end0, padValue);
                    PadRows(ref Unsafe.Add(ref row0, phaseStride), rows, phaseWidth, left1, end1, padValue);
                    ref float even = ref Unsafe.Add(ref row0, ((padding & 1) * phaseStride) + (padding >> 1));
                    ref float odd = ref Unsafe.Add(ref row0, ((1 - (padding & 1)) * phaseStride) + ((padding + 1) >> 1));
                    SplitRows<TS, TV>(ref Unsafe.Add(ref channel, y0 * width), 2 * width, ref even, ref odd, phaseWidth, rows, width);
                }
            }
        }

        /// <summary>Pad cells [0, left) and [end, width) of <paramref name="rows"/> rows <paramref name="width"/> apart.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void PadRows(ref float start, int rows, int width, int left, int end, float padValue)
        {
            for (int i = 0; i < rows; i++)
            {
                ref float row = ref Unsafe.Add(ref start, i * width);
                Fill(ref row, left, padValue);
                Fill(ref Unsafe.Add(ref row, end), width - end, padValue);
            }
        }

        /// <summary>Even columns of each of <paramref name="rows"/> rows to <paramref name="even"/>, odd ones to <paramref name="odd"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void SplitRows<TS, TV>(ref float source, int sourceStride, ref float even, ref float odd, int targetStride, int rows, int width)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            for (int i = 0; i < rows; i++)
            {
                int x = 0;
                for (; x + (2 * n) <= width; x += 2 * n)
                {
                    TV a = TS.Load(ref Unsafe.Add(ref source, x));
                    TV b = TS.Load(ref Unsafe.Add(ref source, x + n));
                    TS.Store(TS.Evens(a, b), ref Unsafe.Add(ref even, x >> 1));
                    TS.Store(TS.Odds(a, b), ref Unsafe.Add(ref odd, x >> 1));
                }

                for (; x < width; x++)
                {
                    Unsafe.Add(ref (x & 1) == 0 ? ref even : ref odd, x >> 1) = Unsafe.Add(ref source, x);
                }

                source = ref Unsafe.Add(ref source, sourceStride);
                even = ref Unsafe.Add(ref even, targetStride);
                odd = ref Unsafe.Add(ref odd, targetStride);
            }
        }

        /// <summary>The first phase index i with S·i ≥ <paramref name="offset"/>, clamped to [0, <paramref name="count"/>].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int FirstInside(int offset, int stride, int count) =>
            offset <= 0 ? 0 : Math.Min(count, (offset + stride - 1) / stride);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Fill(ref float start, int count, float value)
        {
            for (int i = 0; i < count; i++)
            {
                Unsafe.Add(ref start, i) = value;
            }
        }

        /// <summary>
        /// Copies the real <paramref name="outWidth"/> columns of each wide row (<paramref name="wideRow"/> long,
        /// <paramref name="wideChannel"/> apart per channel) into a CHW <paramref name="output"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Compact<TS, TV>(ReadOnlySpan<float> wide, int wideChannel, int wideRow, int outWidth, int outHeight, int depth, Span<float> output)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            if ((long)depth * outHeight * outWidth > output.Length || (long)(depth - 1) * wideChannel + ((long)(outHeight - 1) * wideRow) + outWidth > wide.Length)
            {
                throw new ArgumentException("The wide output does not fit the spans.", nameof(output));
            }

            ref float source = ref MemoryMarshal.GetReference(wide);
            ref float target = ref MemoryMarshal.GetReference(output);
            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < outHeight; y++)
                {
                    CopyRow<TS, TV>(
                        ref Unsafe.Add(ref source, (d * wideChannel) + (y * wideRow)),
                        ref Unsafe.Add(ref target, ((d * outHeight) + y) * outWidth),
                        outWidth);
                }
            }
        }

        /// <summary>Copies <paramref name="length"/> floats with whole vectors (the last one overlapping) where the row allows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CopyRow<TS, TV>(ref float source, ref float target, int length)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            if (length < n)
            {
                for (int i = 0; i < length; i++)
                {
                    Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i);
                }

                return;
            }

            for (int i = 0; i < length; i += n)
            {
                int at = i + n <= length ? i : length - n;
                TS.Store(TS.Load(ref Unsafe.Add(ref source, at)), ref Unsafe.Add(ref target, at));
            }
        }

        /// <summary>
        /// Repacks a PyTorch conv weight [K][D][F][F] into blocks of <paramref name="block"/> filters,
        /// [K/block][D][F][F][block], so the kernel reads the block's weights for one tap together.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PackConvWeight(ReadOnlySpan<float> weight, int filters, int depth, int size, int block, Span<float> packed)
        {
            int taps = size * size;
            for (int k = 0; k < filters; k++)
            {
                int kb = k / block, r = k % block;
                for (int d = 0; d < depth; d++)
                {
                    for (int t = 0; t < taps; t++)
                    {
                        packed[((((kb * depth) + d) * taps) + t) * block + r] = weight[(((k * depth) + d) * taps) + t];
                    }
                }
            }
        }

        /// <summary>
        /// Transposes a PyTorch linear weight [outputs][inputs] into [inputs][<paramref name="paddedOutputs"/>], zero in the
        /// padding columns, so the kernel reads one input's weights for a vector of outputs together.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void PackFullyConnectedWeight(ReadOnlySpan<float> weight, int outputs, int inputs, int paddedOutputs, Span<float> packed)
        {
            for (int i = 0; i < inputs; i++)
            {
                Span<float> row = packed.Slice(i * paddedOutputs, paddedOutputs);
                for (int j = 0; j < outputs; j++)
                {
                    row[j] = weight[(j * inputs) + i];
                }

                row.Slice(outputs).Clear();
            }
        }

        /// <summary>
        /// output[j] = sums[j] + bias[j] for every output (ReLU after it when asked, NaN kept); whole vectors, then the rest one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AddBias<TS, TV>(ref float sums, ReadOnlySpan<float> bias, Span<float> output, bool relu)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            ref float b = ref MemoryMarshal.GetReference(bias);
            ref float o = ref MemoryMarshal.GetReference(output);
            int count = output.Length, j = 0;
            for (; j + TS.Count <= count; j += TS.Count)
            {
                TV v = TS.Add(TS.Load(ref Unsafe.Add(ref sums, j)), TS.Load(ref Unsafe.Add(ref b, j)));
                TS.Store(relu ? TS.Relu(v) : v, ref Unsafe.Add(ref o, j));
            }

            for (; j < count; j++)
            {
                float v = Unsafe.Add(ref sums, j) + Unsafe.Add(ref b, j);
                Unsafe.Add(ref o, j) = relu && v < 0f ? 0f : v;
            }
        }

        /// <summary>
        /// output[k·cells + p] = source[p·channels + k]: a cell-major (HWC) result of <paramref name="cells"/> cells
        /// and <paramref name="channels"/> channels into CHW.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ToChannels(ReadOnlySpan<float> source, int cells, int channels, Span<float> output)
        {
            if (source.Length < cells * channels || output.Length < cells * channels)
            {
                throw new ArgumentException("The source or the output is shorter than cells x channels.");
            }

            ref float s = ref MemoryMarshal.GetReference(source);
            ref float o = ref MemoryMarshal.GetReference(output);
            for (int k = 0; k < channels; k++)
            {
                ref float column = ref Unsafe.Add(ref s, k);
                ref float row = ref Unsafe.Add(ref o, k * cells);
                for (int p = 0; p < cells; p++)
                {
                    Unsafe.Add(ref row, p) = Unsafe.Add(ref column, p * channels);
                }
            }
        }
    }
}
