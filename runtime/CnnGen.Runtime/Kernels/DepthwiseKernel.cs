using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime
{
    /// <summary>
    /// Depthwise convolution on small maps (a few dozen cells per channel, many channels: the last blocks of a MobileNet),
    /// vectorized over channels instead of positions, where vectors over a 3×3 or 6×6 plane would be mostly empty lanes or
    /// overhead per channel. Infrastructure for generated code; not meant to be called directly.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class DepthwiseKernel
    {
        /// <summary>
        /// output[c, oy, ox] = bias[c] + Σ_{fy,fx} weight[fy·Fx + fx][c] · input[c, oy·Sy + fy·Dy − Pt, ox·Sx + fx·Dx − Pl] (zero
        /// outside the input), ReLU clamped at <paramref name="ceiling"/> after it when <paramref name="relu"/>. The input
        /// is copied channels-last into <paramref name="scratch"/> (H·W·C floats), each output cell computed for a vector of
        /// channels at a time from the taps that fall inside the input, and the result (OH·OW·C floats after it in the
        /// scratch) copied back to CHW. <paramref name="packedWeight"/> is the weight transposed to [taps][channels].
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ChannelsLast<TS, TV>(
            ReadOnlySpan<float> input,
            ReadOnlySpan<float> packedWeight,
            ReadOnlySpan<float> bias,
            Span<float> output,
            bool relu,
            float ceiling,
            int channels,
            int height,
            int width,
            int outHeight,
            int outWidth,
            int sizeY,
            int sizeX,
            int strideY,
            int strideX,
            int dilationY,
            int dilationX,
            int padTop,
            int padLeft,
            Span<float> scratch)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int plane = height * width, outPlane = outHeight * outWidth, taps = sizeY * sizeX;
            if (input.Length < (long)channels * plane || output.Length < (long)channels * outPlane || packedWeight.Length < (long)taps * channels ||
                (bias.Length != 0 && bias.Length < channels) || scratch.Length < ((long)plane + outPlane) * channels)
            {
                throw new ArgumentException("The input, output, weight, bias or scratch do not fit the shape.");
            }

            Span<float> hwc = scratch.Slice(0, plane * channels);
            Span<float> result = scratch.Slice(plane * channels, outPlane * channels);
            Layout.Transpose(input, channels, plane, hwc);

            ref float x = ref MemoryMarshal.GetReference(hwc);
            ref float w = ref MemoryMarshal.GetReference(packedWeight);
            ref float b = ref MemoryMarshal.GetReference(bias);
            ref float y = ref MemoryMarshal.GetReference(result);
            bool hasBias = !bias.IsEmpty;
            TV limit = TS.Splat(ceiling);
            bool clamp = relu && !float.IsPositiveInfinity(ceiling);
            int n = TS.Count;
            int vectors = channels - (channels % n);
            for (int oy = 0; oy < outHeight; oy++)
            {
                for (int ox = 0; ox < outWidth; ox++)
                {
                    ref float cell = ref Unsafe.Add(ref y, ((oy * outWidth) + ox) * channels);
                    for (int c = 0; c < vectors; c += n)
                    {
                        TV a = hasBias ? TS.Load(ref b, c) : TS.Splat(0f);
                        for (int fy = 0; fy < sizeY; fy++)
                        {
                            int iy = (oy * strideY) + (fy * dilationY) - padTop;
                            if ((uint)iy >= (uint)height)
                            {
                                continue;
                            }

                            for (int fx = 0; fx < sizeX; fx++)
                            {
                                int ix = (ox * strideX) + (fx * dilationX) - padLeft;
                                if ((uint)ix < (uint)width)
                                {
                                    a = TS.MultiplyAdd(
                                        TS.Load(ref w, (((fy * sizeX) + fx) * channels) + c),
                                        TS.Load(ref x, (((iy * width) + ix) * channels) + c),
                                        a);
                                }
                            }
                        }

                        if (relu)
                        {
                            a = clamp ? TS.MinKeepNaN(limit, TS.Relu(a)) : TS.Relu(a);
                        }

                        TS.Store(a, ref cell, c);
                    }

                    for (int c = vectors; c < channels; c++)
                    {
                        float a = hasBias ? Unsafe.Add(ref b, c) : 0f;
                        for (int fy = 0; fy < sizeY; fy++)
                        {
                            int iy = (oy * strideY) + (fy * dilationY) - padTop;
                            if ((uint)iy >= (uint)height)
                            {
                                continue;
                            }

                            for (int fx = 0; fx < sizeX; fx++)
                            {
                                int ix = (ox * strideX) + (fx * dilationX) - padLeft;
                                if ((uint)ix < (uint)width)
                                {
                                    a = MathF.FusedMultiplyAdd(Unsafe.Add(ref w, (((fy * sizeX) + fx) * channels) + c), Unsafe.Add(ref x, (((iy * width) + ix) * channels) + c), a);
                                }
                            }
                        }

                        if (relu)
                        {
                            a = a < 0f ? 0f : a > ceiling ? ceiling : a; // NaN compares false: kept, as torch
                        }

                        Unsafe.Add(ref cell, c) = a;
                    }
                }
            }

            Layout.Transpose(result, outPlane, channels, output);
        }
    }
}
