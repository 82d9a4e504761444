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
        /// <summary>
        /// Outputs per panel of the packed weight (<see cref="Layout.PackFullyConnectedWeight"/>): two 16-float vectors, so
        /// that one panel's weights for all inputs lie together — the strip <c>RunBlock</c> multiplies into 8 samples at a
        /// time, read front to back and kept in L1 for the next 8.
        /// </summary>
        public const int PanelWidth = 32;

        /// <summary>
        /// output[j] = bias[j] + Σ_i weight[j, i] · input[i] (ReLU after it when asked, NaN kept), with the weight packed in
        /// panels of 32 outputs, each [inputs][its width] (<see cref="Layout.PackFullyConnectedWeight"/>; outputs rounded up to
        /// whole 16-float vectors, zero padding, so the last panel may be 16 wide): each input is broadcast and multiplied into
        /// 8 vectors of outputs from neighbouring panels, each panel read front to back, asking for the rows two ahead before
        /// it needs them (a weight larger than L2 is read at the machine's read bandwidth); the sums go through
        /// <paramref name="sums"/> (no call while the accumulators live keeps them all in registers).
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
            nint panelStride = (nint)inputs * PanelWidth;
            int one = OneChain(paddedOutputs, n);
            int o = 0;
            for (; o + (8 * n) <= one; o += 8 * n)
            {
                Block8<TS, TV>(ref x, ref At(ref pw, o, inputs), inputs, panelStride, ref Unsafe.Add(ref s, o));
            }

            for (; o + (4 * n) <= one; o += 4 * n)
            {
                Block4<TS, TV>(ref x, ref At(ref pw, o, inputs), inputs, Width(o, paddedOutputs), panelStride, ref Unsafe.Add(ref s, o));
            }

            for (; o < paddedOutputs; o += n)
            {
                // The last vectors: two chains over even and odd inputs, so the adds do not wait on each other.
                TV a0 = TS.Splat(0f);
                TV a1 = a0;
                ref float row = ref At(ref pw, o, inputs);
                int width = Width(o, paddedOutputs);
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

                TS.Store(TS.Add(a0, a1), ref s, o);
            }

            Layout.AddBias<TS, TV>(ref s, bias, output, relu);
        }

        /// <summary>
        /// <see cref="Run{TS, TV}"/> on <paramref name="samples"/> inputs at once (laid one after another, as the outputs and
        /// the sums, <paramref name="samples"/> · <paramref name="paddedOutputs"/> floats): each weight vector loaded is
        /// multiplied into several samples, so the weight is read once per group of samples instead of once per sample
        /// (ForwardBatch of a fully-connected network); each 2 vectors of outputs go through the groups of samples in turn
        /// while their weights are in L1. Each output accumulates its inputs in the same order as <see cref="Run{TS, TV}"/>,
        /// so the results are the same bit for bit.
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
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float s = ref MemoryMarshal.GetReference(sums);
            int n = TS.Count;
            int one = OneChain(paddedOutputs, n);

            // Run's blocks of 8 and 4 vectors sum each output in one chain: here 2 vectors at a time (on 512-bit vectors a
            // whole panel), each through every group of 8 samples (512-bit vectors have 32 registers: 8 samples × 2 vectors
            // of sums stay in them) and then of 4, while its weights are in L1. Where those 2 vectors of outputs are all
            // real, the bias and ReLU are applied as the sums are stored, straight into the output; otherwise the sums are
            // stored and finished below, as Run's are.
            int groups = n == 16 ? samples / 8 : 0;
            ref float b = ref MemoryMarshal.GetReference(bias);
            ref float y = ref MemoryMarshal.GetReference(output);
            for (int o = 0; o < one; o += 2 * n)
            {
                ref float panel = ref At(ref pw, o, inputs);
                int width = Width(o, paddedOutputs);
                bool whole = o + (2 * n) <= outputs;
                int stride = whole ? outputs : paddedOutputs;
                ref float target = ref whole ? ref Unsafe.Add(ref y, o) : ref Unsafe.Add(ref s, o);
                bool addBias = whole && !bias.IsEmpty, applyRelu = whole && relu;
                ref float strip = ref addBias ? ref Unsafe.Add(ref b, o) : ref b; // the strip's bias, read only when added
                for (int g = 0; g < groups; g++)
                {
                    Eight<TS, TV>(ref Unsafe.Add(ref x, (nint)g * 8 * inputs), ref panel, inputs, ref Unsafe.Add(ref target, (nint)g * 8 * stride), stride, ref strip, addBias, applyRelu);
                }

                for (int first = groups * 8; first < samples; first += 4)
                {
                    Four<TS, TV>(ref x, first, samples, inputs, ref panel, width, ref target, stride, ref strip, addBias, applyRelu);
                }
            }

            for (int first = 0; one < paddedOutputs && first < samples; first += 4)
            {
                Tails<TS, TV>(ref x, ref pw, ref s, first, samples, inputs, paddedOutputs, one);
            }

            // The outputs past those stored above, from the sums.
            int stored = Math.Min(one, outputs / (2 * n) * (2 * n));
            for (int k = 0; stored < outputs && k < samples; k++)
            {
                Layout.AddBias<TS, TV>(ref Unsafe.Add(ref s, ((nint)k * paddedOutputs) + stored), bias.IsEmpty ? bias : bias.Slice(stored), output.Slice((k * outputs) + stored, outputs - stored), relu);
            }
        }

        /// <summary>
        /// The outputs, from the first, that <see cref="Run{TS, TV}"/> sums in one chain each (its blocks of 8 and of 4
        /// vectors; on 512-bit vectors whole panels); the vectors after them are summed in two chains, even and odd inputs.
        /// </summary>
        private static int OneChain(int paddedOutputs, int n) => (paddedOutputs / (8 * n) * (8 * n)) + ((paddedOutputs % (8 * n)) / (4 * n) * (4 * n));

        /// <summary>Where output <paramref name="o"/>'s weight for the first input is in the packed weight.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ref float At(ref float packed, int o, int inputs) =>
            ref Unsafe.Add(ref packed, ((nint)(o / PanelWidth) * inputs * PanelWidth) + (o % PanelWidth));

        /// <summary>The width of output <paramref name="o"/>'s panel: the row stride there.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Width(int o, int paddedOutputs) => Math.Min(PanelWidth, paddedOutputs - (o / PanelWidth * PanelWidth));

        /// <summary>
        /// The sums of samples <paramref name="first"/> to <paramref name="first"/> + 3 on 2 vectors of outputs (the last
        /// group may repeat the last sample: its sums are written twice, alike), one chain each, stored
        /// <paramref name="stride"/> floats apart from <paramref name="target"/> (sample 0's), finished as in
        /// <see cref="Eight{TS, TV}"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // too large to inline: compiled optimized at once, never at tier 0
        private static void Four<TS, TV>(ref float x, int first, int samples, int inputs, ref float row, int width, ref float target, int stride, ref float bias, bool addBias, bool relu)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            int b1 = Math.Min(first + 1, samples - 1), b2 = Math.Min(first + 2, samples - 1), b3 = Math.Min(first + 3, samples - 1);
            ref float x0 = ref Unsafe.Add(ref x, (nint)first * inputs);
            ref float x1 = ref Unsafe.Add(ref x, (nint)b1 * inputs);
            ref float x2 = ref Unsafe.Add(ref x, (nint)b2 * inputs);
            ref float x3 = ref Unsafe.Add(ref x, (nint)b3 * inputs);
            TV a00 = TS.Splat(0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
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

            TV c0 = addBias ? TS.Load(ref bias) : TS.Splat(0f), c1 = addBias ? TS.Load(ref bias, n) : c0;
            Finish<TS, TV>(a00, a01, c0, c1, addBias, relu, ref Unsafe.Add(ref target, (nint)first * stride));
            Finish<TS, TV>(a10, a11, c0, c1, addBias, relu, ref Unsafe.Add(ref target, (nint)b1 * stride));
            Finish<TS, TV>(a20, a21, c0, c1, addBias, relu, ref Unsafe.Add(ref target, (nint)b2 * stride));
            Finish<TS, TV>(a30, a31, c0, c1, addBias, relu, ref Unsafe.Add(ref target, (nint)b3 * stride));
        }

        /// <summary>
        /// The sums of 8 samples on one whole panel (RunBlock on 512-bit vectors): 8 × 2 vectors, one chain each, stored
        /// <paramref name="stride"/> floats apart, the panel's bias added first when <paramref name="addBias"/> (as Run's
        /// AddBias does: sum + bias, then ReLU when asked).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // too large to inline: compiled optimized at once, never at tier 0
        private static void Eight<TS, TV>(ref float x0, ref float row, int inputs, ref float at, int stride, ref float bias, bool addBias, bool relu)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            ref float x1 = ref Unsafe.Add(ref x0, inputs);
            ref float x2 = ref Unsafe.Add(ref x1, inputs);
            ref float x3 = ref Unsafe.Add(ref x2, inputs);
            ref float x4 = ref Unsafe.Add(ref x3, inputs);
            ref float x5 = ref Unsafe.Add(ref x4, inputs);
            ref float x6 = ref Unsafe.Add(ref x5, inputs);
            ref float x7 = ref Unsafe.Add(ref x6, inputs);
            TV a00 = TS.Splat(0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            TV a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
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
                row = ref Unsafe.Add(ref row, PanelWidth);
            }

            TV b0 = addBias ? TS.Load(ref bias) : TS.Splat(0f), b1 = addBias ? TS.Load(ref bias, n) : b0;
            Finish<TS, TV>(a00, a01, b0, b1, addBias, relu, ref at);
            Finish<TS, TV>(a10, a11, b0, b1, addBias, relu, ref Unsafe.Add(ref at, stride));
            Finish<TS, TV>(a20, a21, b0, b1, addBias, relu, ref Unsafe.Add(ref at, 2 * stride));
            Finish<TS, TV>(a30, a31, b0, b1, addBias, relu, ref Unsafe.Add(ref at, 3 * stride));
            Finish<TS, TV>(a40, a41, b0, b1, addBias, relu, ref Unsafe.Add(ref at, 4 * stride));
            Finish<TS, TV>(a50, a51, b0, b1, addBias, relu, ref Unsafe.Add(ref at, 5 * stride));
            Finish<TS, TV>(a60, a61, b0, b1, addBias, relu, ref Unsafe.Add(ref at, 6 * stride));
            Finish<TS, TV>(a70, a71, b0, b1, addBias, relu, ref Unsafe.Add(ref at, 7 * stride));
        }

        /// <summary>One sample's two vectors of sums out: + bias when asked, then ReLU when asked (Layout.AddBias's steps).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Finish<TS, TV>(TV v0, TV v1, TV b0, TV b1, bool addBias, bool relu, ref float at)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            if (addBias)
            {
                v0 = TS.Add(v0, b0);
                v1 = TS.Add(v1, b1);
            }

            if (relu)
            {
                v0 = TS.Relu(v0);
                v1 = TS.Relu(v1);
            }

            TS.Store(v0, ref at);
            TS.Store(v1, ref at, TS.Count);
        }

        /// <summary>
        /// The vectors from <paramref name="one"/> on, for samples <paramref name="first"/> to <paramref name="first"/> + 3
        /// (the last group may repeat the last sample, as in <see cref="Four{TS, TV}"/>), two chains each, as Run, into the sums.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // too large to inline: compiled optimized at once, never at tier 0
        private static void Tails<TS, TV>(ref float x, ref float pw, ref float sums, int first, int samples, int inputs, int paddedOutputs, int one)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            int b1 = Math.Min(first + 1, samples - 1), b2 = Math.Min(first + 2, samples - 1), b3 = Math.Min(first + 3, samples - 1);
            ref float x0 = ref Unsafe.Add(ref x, (nint)first * inputs);
            ref float x1 = ref Unsafe.Add(ref x, (nint)b1 * inputs);
            ref float x2 = ref Unsafe.Add(ref x, (nint)b2 * inputs);
            ref float x3 = ref Unsafe.Add(ref x, (nint)b3 * inputs);
            ref float s0 = ref Unsafe.Add(ref sums, (nint)first * paddedOutputs);
            ref float s1 = ref Unsafe.Add(ref sums, (nint)b1 * paddedOutputs);
            ref float s2 = ref Unsafe.Add(ref sums, (nint)b2 * paddedOutputs);
            ref float s3 = ref Unsafe.Add(ref sums, (nint)b3 * paddedOutputs);
            for (int o = one; o < paddedOutputs; o += n)
            {
                TV e0 = TS.Splat(0f), o0 = e0, e1 = e0, o1 = e0, e2 = e0, o2 = e0, e3 = e0, o3 = e0;
                ref float row = ref At(ref pw, o, inputs);
                int width = Width(o, paddedOutputs);
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

                TS.Store(TS.Add(e0, o0), ref s0, o);
                TS.Store(TS.Add(e1, o1), ref s1, o);
                TS.Store(TS.Add(e2, o2), ref s2, o);
                TS.Store(TS.Add(e3, o3), ref s3, o);
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

        /// <summary>
        /// Vector <paramref name="k"/> of a block starting at a panel's first output: 32 / n vectors per panel, the block's
        /// panels <paramref name="panelStride"/> floats apart (all constants but the stride once the vector width is known).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ref float Vector<TS, TV>(ref float row, nint panelStride, int k)
            where TS : struct, ISimd<TV>
            where TV : struct
            => ref Unsafe.Add(ref row, ((nint)(k * TS.Count / PanelWidth) * panelStride) + (k * TS.Count % PanelWidth));

        /// <summary>Asks for the row <paramref name="ahead"/> floats on at vector <paramref name="k"/> if a cache line (16 floats) starts there.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PrefetchLine<TS, TV>(ref float row, nint panelStride, int k, int ahead)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            if (k * TS.Count % 16 == 0)
            {
                Prefetch(ref Vector<TS, TV>(ref row, panelStride, k), ahead);
            }
        }

        /// <summary>8 vectors of outputs from a panel's first (whole panels: 4 on 512-bit vectors, 2 on 256, 1 on 128), one chain each.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Block8<TS, TV>(ref float x, ref float row, int inputs, nint panelStride, ref float sums)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            TV a0 = TS.Splat(0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            const int ahead = 2 * PanelWidth;
            for (int i = 0; i < inputs; i++)
            {
                // Each panel's row two ahead, a line (16 floats) at a time.
                PrefetchLine<TS, TV>(ref row, panelStride, 0, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 1, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 2, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 3, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 4, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 5, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 6, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 7, ahead);

                TV xi = TS.Broadcast(ref x, i);
                a0 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 0)), xi, a0);
                a1 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 1)), xi, a1);
                a2 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 2)), xi, a2);
                a3 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 3)), xi, a3);
                a4 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 4)), xi, a4);
                a5 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 5)), xi, a5);
                a6 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 6)), xi, a6);
                a7 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 7)), xi, a7);
                row = ref Unsafe.Add(ref row, PanelWidth);
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

        /// <summary>4 vectors of outputs from a panel's first (2 whole panels on 512-bit vectors, 1 on 256, the 16-wide last one on 128), one chain each.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Block4<TS, TV>(ref float x, ref float row, int inputs, int stride, nint panelStride, ref float sums)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            TV a0 = TS.Splat(0f), a1 = a0, a2 = a0, a3 = a0;
            int ahead = 2 * stride;
            for (int i = 0; i < inputs; i++)
            {
                PrefetchLine<TS, TV>(ref row, panelStride, 0, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 1, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 2, ahead);
                PrefetchLine<TS, TV>(ref row, panelStride, 3, ahead);

                TV xi = TS.Broadcast(ref x, i);
                a0 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 0)), xi, a0);
                a1 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 1)), xi, a1);
                a2 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 2)), xi, a2);
                a3 = TS.MultiplyAdd(TS.Load(ref Vector<TS, TV>(ref row, panelStride, 3)), xi, a3);
                row = ref Unsafe.Add(ref row, stride);
            }

            TS.Store(a0, ref sums);
            TS.Store(a1, ref sums, n);
            TS.Store(a2, ref sums, 2 * n);
            TS.Store(a3, ref sums, 3 * n);
        }
    }
}
