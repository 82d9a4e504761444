using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime
{
    /// <summary>
    /// The vector kernel of every fully-connected layer: nothing in it gains from literal sizes (its loops are long and
    /// plain), so all layers share this one method per vector width instead of each emitting and compiling its own.
    /// Infrastructure for generated code; not meant to be called directly.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class FullyConnectedKernel
    {
        /// <summary>Outputs per panel of the packed weight (<see cref="Layout.PackFullyConnectedWeight"/>): 8 vectors of 16 floats.</summary>
        public const int PanelWidth = 128;

        /// <summary>
        /// output[j] = bias[j] + Σ_i weight[j, i] · input[i] (ReLU after it when asked, NaN kept), with the weight packed in
        /// panels of up to 128 outputs, each [inputs][its width] (<see cref="Layout.PackFullyConnectedWeight"/>; outputs
        /// rounded up to whole 16-float vectors, zero padding): each input is broadcast and multiplied into up to 8 vectors of
        /// outputs, so a 16-float kernel reads each panel front to back, asking for the rows two ahead before it needs them
        /// (a weight larger than L2 is read at the machine's read bandwidth: L3's 2 MB in 33 -> 23 µs with both); the sums go
        /// through <paramref name="sums"/> (no call while the accumulators live keeps them all in registers).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS, TV>(ReadOnlySpan<float> input, ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, Span<float> output, bool relu, int paddedOutputs, Span<float> sums)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int inputs = input.Length;
            if (packedWeight.Length < (long)inputs * paddedOutputs || sums.Length < paddedOutputs || output.Length > paddedOutputs || (bias.Length != 0 && bias.Length < output.Length) ||
                paddedOutputs % 16 != 0)
            {
                throw new ArgumentException("The packed weight, bias, output or sums do not fit the shape.");
            }

            ref float x = ref MemoryMarshal.GetReference(input);
            ref float pw = ref MemoryMarshal.GetReference(packedWeight);
            ref float s = ref MemoryMarshal.GetReference(sums);
            int n = TS.Count;
            for (int start = 0; start < paddedOutputs; start += PanelWidth)
            {
                int width = Math.Min(PanelWidth, paddedOutputs - start);
                ref float panel = ref Unsafe.Add(ref pw, (nint)inputs * start);
                int j = 0;
                for (; j + (8 * n) <= width; j += 8 * n)
                {
                    Block8<TS, TV>(ref x, ref Unsafe.Add(ref panel, j), inputs, width, ref Unsafe.Add(ref s, start + j));
                }

                for (; j + (4 * n) <= width; j += 4 * n)
                {
                    Block4<TS, TV>(ref x, ref Unsafe.Add(ref panel, j), inputs, width, ref Unsafe.Add(ref s, start + j));
                }

                for (; j < width; j += n)
                {
                    // The last vectors: two chains over even and odd inputs, so the adds do not wait on each other.
                    TV a0 = TS.Splat(0f);
                    TV a1 = a0;
                    ref float row = ref Unsafe.Add(ref panel, j);
                    int i = 0;
                    for (; i + 1 < inputs; i += 2)
                    {
                        a0 = TS.MultiplyAdd(TS.Load(ref row), TS.Broadcast(ref x, i), a0);
                        a1 = TS.MultiplyAdd(TS.Load(ref row, width), TS.Broadcast(ref x, i + 1), a1);
                        row = ref Unsafe.Add(ref row, 2 * width);
                    }

                    if (i < inputs)
                    {
                        a0 = TS.MultiplyAdd(TS.Load(ref row), TS.Broadcast(ref x, i), a0);
                    }

                    TS.Store(TS.Add(a0, a1), ref s, start + j);
                }
            }

            Layout.AddBias<TS, TV>(ref s, bias, output, relu);
        }

        /// <summary>
        /// <see cref="Run{TS, TV}"/> on <paramref name="samples"/> inputs at once (laid one after another, as the outputs and
        /// the sums, <paramref name="samples"/> · <paramref name="paddedOutputs"/> floats): each weight vector loaded is
        /// multiplied into every sample, so the weight is read once per block instead of once per sample (ForwardBatch of a
        /// fully-connected network). Each output accumulates its inputs in the same order as <see cref="Run{TS, TV}"/>, so the
        /// results are the same bit for bit.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void RunBlock<TS, TV>(ReadOnlySpan<float> input, ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, Span<float> output, bool relu, int paddedOutputs, Span<float> sums, int samples)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            if (samples <= 0 || input.Length % samples != 0 || output.Length % samples != 0)
            {
                throw new ArgumentException("The inputs and outputs are not whole samples.");
            }

            int inputs = input.Length / samples, outputs = output.Length / samples;
            if (packedWeight.Length < (long)inputs * paddedOutputs || sums.Length < (long)samples * paddedOutputs || outputs > paddedOutputs ||
                (bias.Length != 0 && bias.Length < outputs) || paddedOutputs % 16 != 0)
            {
                throw new ArgumentException("The packed weight, bias, output or sums do not fit the shape.");
            }

            ref float pw = ref MemoryMarshal.GetReference(packedWeight);
            int n = TS.Count;
            int first = 0;
            if (n == 16)
            {
                // 512-bit vectors have 32 registers: 8 samples × 2 vectors of sums (16) stay in them with room to spare.
                for (; first + 8 <= samples; first += 8)
                {
                    Eight<TS, TV>(input.Slice(first * inputs, 8 * inputs), ref pw, sums.Slice(first * paddedOutputs, 8 * paddedOutputs), inputs, paddedOutputs);
                }
            }

            for (; first < samples; first += 4)
            {
                // Four samples at a time (the last group may repeat a sample: its sums are written twice, alike).
                int b1 = Math.Min(first + 1, samples - 1), b2 = Math.Min(first + 2, samples - 1), b3 = Math.Min(first + 3, samples - 1);
                ref float x0 = ref MemoryMarshal.GetReference(input.Slice(first * inputs));
                ref float x1 = ref MemoryMarshal.GetReference(input.Slice(b1 * inputs));
                ref float x2 = ref MemoryMarshal.GetReference(input.Slice(b2 * inputs));
                ref float x3 = ref MemoryMarshal.GetReference(input.Slice(b3 * inputs));
                ref float s0 = ref MemoryMarshal.GetReference(sums.Slice(first * paddedOutputs));
                ref float s1 = ref MemoryMarshal.GetReference(sums.Slice(b1 * paddedOutputs));
                ref float s2 = ref MemoryMarshal.GetReference(sums.Slice(b2 * paddedOutputs));
                ref float s3 = ref MemoryMarshal.GetReference(sums.Slice(b3 * paddedOutputs));
                for (int start = 0; start < paddedOutputs; start += PanelWidth)
                {
                    int width = Math.Min(PanelWidth, paddedOutputs - start);
                    ref float panel = ref Unsafe.Add(ref pw, (nint)inputs * start);

                    // Run's blocks of 8 and 4 vectors sum each output in one chain; its last vectors in two (even, odd).
                    int chains = (width / (8 * n) * (8 * n)) + ((width % (8 * n)) / (4 * n) * (4 * n));
                    int j = 0;
                    for (; j + (2 * n) <= chains; j += 2 * n)
                    {
                        TV a00 = TS.Splat(0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
                        ref float row = ref Unsafe.Add(ref panel, j);
                        for (int i = 0; i < inputs; i++)
                        {
                            TV w0 = TS.Load(ref row), w1 = TS.Load(ref row, n);
                            TV v = TS.Broadcast(ref x0, i);
                            a00 = TS.MultiplyAdd(w0, v, a00);
                            a01 = TS.MultiplyAdd(w1, v, a01);
                            v = TS.Broadcast(ref x1, i);
                            a10 = TS.MultiplyAdd(w0, v, a10);
                            a11 = TS.MultiplyAdd(w1, v, a11);
                            v = TS.Broadcast(ref x2, i);
                            a20 = TS.MultiplyAdd(w0, v, a20);
                            a21 = TS.MultiplyAdd(w1, v, a21);
                            v = TS.Broadcast(ref x3, i);
                            a30 = TS.MultiplyAdd(w0, v, a30);
                            a31 = TS.MultiplyAdd(w1, v, a31);
                            row = ref Unsafe.Add(ref row, width);
                        }

                        int at = start + j;
                        TS.Store(a00, ref s0, at);
                        TS.Store(a01, ref s0, at + n);
                        TS.Store(a10, ref s1, at);
                        TS.Store(a11, ref s1, at + n);
                        TS.Store(a20, ref s2, at);
                        TS.Store(a21, ref s2, at + n);
                        TS.Store(a30, ref s3, at);
                        TS.Store(a31, ref s3, at + n);
                    }
                }

                Tails<TS, TV>(ref x0, ref x1, ref x2, ref x3, ref pw, ref s0, ref s1, ref s2, ref s3, inputs, paddedOutputs);
            }

            for (int b = 0; b < samples; b++)
            {
                Layout.AddBias<TS, TV>(ref MemoryMarshal.GetReference(sums.Slice(b * paddedOutputs)), bias, output.Slice(b * outputs, outputs), relu);
            }
        }

        /// <summary>
        /// The sums of 8 samples (RunBlock on 512-bit vectors): 8 × 2 vectors in one chain each where Run has one chain, the
        /// last vectors in Run's two chains, 4 samples at a time.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // too large to inline: compiled optimized at once, never at tier 0
        private static void Eight<TS, TV>(ReadOnlySpan<float> input, ref float pw, Span<float> sums, int inputs, int paddedOutputs)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            ref float x0 = ref MemoryMarshal.GetReference(input);
            ref float x1 = ref Unsafe.Add(ref x0, inputs);
            ref float x2 = ref Unsafe.Add(ref x1, inputs);
            ref float x3 = ref Unsafe.Add(ref x2, inputs);
            ref float x4 = ref Unsafe.Add(ref x3, inputs);
            ref float x5 = ref Unsafe.Add(ref x4, inputs);
            ref float x6 = ref Unsafe.Add(ref x5, inputs);
            ref float x7 = ref Unsafe.Add(ref x6, inputs);
            ref float s0 = ref MemoryMarshal.GetReference(sums);
            for (int start = 0; start < paddedOutputs; start += PanelWidth)
            {
                int width = Math.Min(PanelWidth, paddedOutputs - start);
                ref float panel = ref Unsafe.Add(ref pw, (nint)inputs * start);
                int chains = (width / (8 * n) * (8 * n)) + ((width % (8 * n)) / (4 * n) * (4 * n));
                for (int j = 0; j + (2 * n) <= chains; j += 2 * n)
                {
                    TV a00 = TS.Splat(0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
                    TV a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
                    ref float row = ref Unsafe.Add(ref panel, j);
                    for (int i = 0; i < inputs; i++)
                    {
                        TV w0 = TS.Load(ref row), w1 = TS.Load(ref row, n);
                        TV v = TS.Broadcast(ref x0, i);
                        a00 = TS.MultiplyAdd(w0, v, a00);
                        a01 = TS.MultiplyAdd(w1, v, a01);
                        v = TS.Broadcast(ref x1, i);
                        a10 = TS.MultiplyAdd(w0, v, a10);
                        a11 = TS.MultiplyAdd(w1, v, a11);
                        v = TS.Broadcast(ref x2, i);
                        a20 = TS.MultiplyAdd(w0, v, a20);
                        a21 = TS.MultiplyAdd(w1, v, a21);
                        v = TS.Broadcast(ref x3, i);
                        a30 = TS.MultiplyAdd(w0, v, a30);
                        a31 = TS.MultiplyAdd(w1, v, a31);
                        v = TS.Broadcast(ref x4, i);
                        a40 = TS.MultiplyAdd(w0, v, a40);
                        a41 = TS.MultiplyAdd(w1, v, a41);
                        v = TS.Broadcast(ref x5, i);
                        a50 = TS.MultiplyAdd(w0, v, a50);
                        a51 = TS.MultiplyAdd(w1, v, a51);
                        v = TS.Broadcast(ref x6, i);
                        a60 = TS.MultiplyAdd(w0, v, a60);
                        a61 = TS.MultiplyAdd(w1, v, a61);
                        v = TS.Broadcast(ref x7, i);
                        a70 = TS.MultiplyAdd(w0, v, a70);
                        a71 = TS.MultiplyAdd(w1, v, a71);
                        row = ref Unsafe.Add(ref row, width);
                    }

                    ref float at = ref Unsafe.Add(ref s0, start + j);
                    TS.Store(a00, ref at);
                    TS.Store(a01, ref at, n);
                    TS.Store(a10, ref at, paddedOutputs);
                    TS.Store(a11, ref at, paddedOutputs + n);
                    TS.Store(a20, ref at, 2 * paddedOutputs);
                    TS.Store(a21, ref at, (2 * paddedOutputs) + n);
                    TS.Store(a30, ref at, 3 * paddedOutputs);
                    TS.Store(a31, ref at, (3 * paddedOutputs) + n);
                    TS.Store(a40, ref at, 4 * paddedOutputs);
                    TS.Store(a41, ref at, (4 * paddedOutputs) + n);
                    TS.Store(a50, ref at, 5 * paddedOutputs);
                    TS.Store(a51, ref at, (5 * paddedOutputs) + n);
                    TS.Store(a60, ref at, 6 * paddedOutputs);
                    TS.Store(a61, ref at, (6 * paddedOutputs) + n);
                    TS.Store(a70, ref at, 7 * paddedOutputs);
                    TS.Store(a71, ref at, (7 * paddedOutputs) + n);
                }
            }

            // The last vectors of each panel, in Run's two chains: through the four-sample path, on both halves.
            Tails<TS, TV>(ref x0, ref x1, ref x2, ref x3, ref pw, ref s0, ref Unsafe.Add(ref s0, paddedOutputs), ref Unsafe.Add(ref s0, 2 * paddedOutputs), ref Unsafe.Add(ref s0, 3 * paddedOutputs), inputs, paddedOutputs);
            ref float s4 = ref Unsafe.Add(ref s0, 4 * paddedOutputs);
            Tails<TS, TV>(ref x4, ref x5, ref x6, ref x7, ref pw, ref s4, ref Unsafe.Add(ref s4, paddedOutputs), ref Unsafe.Add(ref s4, 2 * paddedOutputs), ref Unsafe.Add(ref s4, 3 * paddedOutputs), inputs, paddedOutputs);
        }

        /// <summary>The vectors of each panel past Run's one-chain blocks, for 4 samples (two chains each, as Run).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // too large to inline: compiled optimized at once, never at tier 0
        private static void Tails<TS, TV>(ref float x0, ref float x1, ref float x2, ref float x3, ref float pw, ref float s0, ref float s1, ref float s2, ref float s3, int inputs, int paddedOutputs)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            for (int start = 0; start < paddedOutputs; start += PanelWidth)
            {
                int width = Math.Min(PanelWidth, paddedOutputs - start);
                ref float panel = ref Unsafe.Add(ref pw, (nint)inputs * start);
                int chains = (width / (8 * n) * (8 * n)) + ((width % (8 * n)) / (4 * n) * (4 * n));
                for (int j = chains; j < width; j += n)
                {
                    TV e0 = TS.Splat(0f), o0 = e0, e1 = e0, o1 = e0, e2 = e0, o2 = e0, e3 = e0, o3 = e0;
                    ref float row = ref Unsafe.Add(ref panel, j);
                    int i = 0;
                    for (; i + 1 < inputs; i += 2)
                    {
                        TV even = TS.Load(ref row), odd = TS.Load(ref row, width);
                        e0 = TS.MultiplyAdd(even, TS.Broadcast(ref x0, i), e0);
                        o0 = TS.MultiplyAdd(odd, TS.Broadcast(ref x0, i + 1), o0);
                        e1 = TS.MultiplyAdd(even, TS.Broadcast(ref x1, i), e1);
                        o1 = TS.MultiplyAdd(odd, TS.Broadcast(ref x1, i + 1), o1);
                        e2 = TS.MultiplyAdd(even, TS.Broadcast(ref x2, i), e2);
                        o2 = TS.MultiplyAdd(odd, TS.Broadcast(ref x2, i + 1), o2);
                        e3 = TS.MultiplyAdd(even, TS.Broadcast(ref x3, i), e3);
                        o3 = TS.MultiplyAdd(odd, TS.Broadcast(ref x3, i + 1), o3);
                        row = ref Unsafe.Add(ref row, 2 * width);
                    }

                    if (i < inputs)
                    {
                        TV last = TS.Load(ref row);
                        e0 = TS.MultiplyAdd(last, TS.Broadcast(ref x0, i), e0);
                        e1 = TS.MultiplyAdd(last, TS.Broadcast(ref x1, i), e1);
                        e2 = TS.MultiplyAdd(last, TS.Broadcast(ref x2, i), e2);
                        e3 = TS.MultiplyAdd(last, TS.Broadcast(ref x3, i), e3);
                    }

                    int at = start + j;
                    TS.Store(TS.Add(e0, o0), ref s0, at);
                    TS.Store(TS.Add(e1, o1), ref s1, at);
                    TS.Store(TS.Add(e2, o2), ref s2, at);
                    TS.Store(TS.Add(e3, o3), ref s3, at);
                }
            }
        }

        /// <summary>
        /// Asks for the cache line <paramref name="offset"/> floats after <paramref name="at"/> (prefetcht0 on x86; nothing
        /// elsewhere). The address is a raw pointer, never a managed reference, since it may lie past the end of the weight
        /// (the last rows); the instruction is a hint and never faults.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Prefetch(ref float at, int offset)
        {
            if (Sse.IsSupported)
            {
                Sse.Prefetch0((float*)Unsafe.AsPointer(ref at) + offset);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Block8<TS, TV>(ref float x, ref float row, int inputs, int stride, ref float sums)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            TV a0 = TS.Splat(0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            int ahead = 2 * stride;
            for (int i = 0; i < inputs; i++)
            {
                // The row two ahead, a line (16 floats) at a time.
                for (int line = 0; line < 8 * n; line += 16)
                {
                    Prefetch(ref row, ahead + line);
                }

                TV xi = TS.Broadcast(ref x, i);
                a0 = TS.MultiplyAdd(TS.Load(ref row), xi, a0);
                a1 = TS.MultiplyAdd(TS.Load(ref row, n), xi, a1);
                a2 = TS.MultiplyAdd(TS.Load(ref row, 2 * n), xi, a2);
                a3 = TS.MultiplyAdd(TS.Load(ref row, 3 * n), xi, a3);
                a4 = TS.MultiplyAdd(TS.Load(ref row, 4 * n), xi, a4);
                a5 = TS.MultiplyAdd(TS.Load(ref row, 5 * n), xi, a5);
                a6 = TS.MultiplyAdd(TS.Load(ref row, 6 * n), xi, a6);
                a7 = TS.MultiplyAdd(TS.Load(ref row, 7 * n), xi, a7);
                row = ref Unsafe.Add(ref row, stride);
            }

            TS.Store(a0, ref sums);
            TS.Store(a1, ref sums, n);
            TS.Store(a2, ref sums, 2 * n);
            TS.Store(a3, ref sums, 3 * n);
            TS.Store(a4, ref sums, 4 * n);
            TS.Store(a5, ref sums, 5 * n);
            TS.Store(a6, ref sums, 6 * n);
            TS.Store(a7, ref sums, 7 * n);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Block4<TS, TV>(ref float x, ref float row, int inputs, int stride, ref float sums)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            TV a0 = TS.Splat(0f), a1 = a0, a2 = a0, a3 = a0;
            int ahead = 2 * stride;
            for (int i = 0; i < inputs; i++)
            {
                for (int line = 0; line < 4 * n; line += 16)
                {
                    Prefetch(ref row, ahead + line);
                }

                TV xi = TS.Broadcast(ref x, i);
                a0 = TS.MultiplyAdd(TS.Load(ref row), xi, a0);
                a1 = TS.MultiplyAdd(TS.Load(ref row, n), xi, a1);
                a2 = TS.MultiplyAdd(TS.Load(ref row, 2 * n), xi, a2);
                a3 = TS.MultiplyAdd(TS.Load(ref row, 3 * n), xi, a3);
                row = ref Unsafe.Add(ref row, stride);
            }

            TS.Store(a0, ref sums);
            TS.Store(a1, ref sums, n);
            TS.Store(a2, ref sums, 2 * n);
            TS.Store(a3, ref sums, 3 * n);
        }
    }
}
