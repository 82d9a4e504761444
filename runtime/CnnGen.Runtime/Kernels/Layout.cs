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
            bool covered = padding == 0 && phaseWidth * stride == width && phaseHeight * stride == height;
            if (covered)
            {
                // Every plane cell receives an input value: only the slack after the planes needs the pad value.
                phases.Slice(stride * stride * depth * plane).Fill(padValue);
            }
            else if (stride == 1)
            {
                // Only the border of each plane (and the slack after the planes) needs the pad value:
                // the interior is overwritten by the input rows below.
                for (int d = 0; d < depth; d++)
                {
                    Span<float> p = phases.Slice(d * plane, plane);
                    p.Slice(0, padding * phaseWidth).Fill(padValue);
                    int below = (padding + height) * phaseWidth;
                    p.Slice(below).Fill(padValue);
                    int right = phaseWidth - width - padding;
                    for (int y = 0; y < height; y++)
                    {
                        int rowStart = (y + padding) * phaseWidth;
                        p.Slice(rowStart, padding).Fill(padValue);
                        p.Slice(rowStart + padding + width, right).Fill(padValue);
                    }
                }

                phases.Slice(depth * plane).Fill(padValue);
            }
            else
            {
                phases.Fill(padValue);
            }

            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < height; y++)
                {
                    ReadOnlySpan<float> row = input.Slice(((d * height) + y) * width, width);
                    int r = y + padding;
                    if (stride == 1)
                    {
                        CopyRow<TS, TV>(ref MemoryMarshal.GetReference(row), ref phases[(d * plane) + (r * phaseWidth) + padding], width);
                        continue;
                    }

                    int py = r % stride;
                    int pr = r / stride;
                    int x0 = 0;
                    if (stride == 2)
                    {
                        // Even input columns go to one phase, odd ones to the other, a vector at a time.
                        int count = TS.Count;
                        ref float rowStart = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(row);
                        ref float evenTarget = ref phases[((((py * 2) + (padding % 2)) * depth) + d) * plane + (pr * phaseWidth) + (padding / 2)];
                        ref float oddTarget = ref phases[((((py * 2) + ((padding + 1) % 2)) * depth) + d) * plane + (pr * phaseWidth) + ((padding + 1) / 2)];
                        for (int i = 0; (2 * i) + (2 * count) <= width; i += count)
                        {
                            TV a = TS.Load(ref System.Runtime.CompilerServices.Unsafe.Add(ref rowStart, 2 * i));
                            TV b = TS.Load(ref System.Runtime.CompilerServices.Unsafe.Add(ref rowStart, (2 * i) + count));
                            TS.Store(TS.Evens(a, b), ref System.Runtime.CompilerServices.Unsafe.Add(ref evenTarget, i));
                            TS.Store(TS.Odds(a, b), ref System.Runtime.CompilerServices.Unsafe.Add(ref oddTarget, i));
                            x0 = (2 * i) + (2 * count);
                        }

                        if (width >= 2 * count && x0 < width - 1)
                        {
                            // One more chunk ending at the last even-length prefix; it overlaps the previous one harmlessly.
                            int i = (width / 2) - count;
                            TV a = TS.Load(ref System.Runtime.CompilerServices.Unsafe.Add(ref rowStart, 2 * i));
                            TV b = TS.Load(ref System.Runtime.CompilerServices.Unsafe.Add(ref rowStart, (2 * i) + count));
                            TS.Store(TS.Evens(a, b), ref System.Runtime.CompilerServices.Unsafe.Add(ref evenTarget, i));
                            TS.Store(TS.Odds(a, b), ref System.Runtime.CompilerServices.Unsafe.Add(ref oddTarget, i));
                            x0 = 2 * (i + count);
                        }
                    }

                    // The rest one by one, tracking the phase column without dividing.
                    int column = x0 + padding;
                    int px = column % stride;
                    int j = column / stride;
                    int rowBase = (pr * phaseWidth) + (d * plane);
                    int phaseStride = depth * plane;
                    for (int x = x0; x < width; x++)
                    {
                        phases[((py * stride) + px) * phaseStride + rowBase + j] = row[x];
                        if (++px == stride)
                        {
                            px = 0;
                            j++;
                        }
                    }
                }
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
    }
}
