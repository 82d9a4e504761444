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
