using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime
{
    /// <summary>
    /// Scratch memory for the generated code: per-thread arrays on the pinned heap, handed out 64-byte
    /// aligned so vector loads and stores never split a cache line (an unaligned scratch buffer made the
    /// same kernel up to four times slower from one process to the next).
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Scratch
    {
        private const int Alignment = 64;

        /// <summary>
        /// <paramref name="length"/> floats from <paramref name="slot"/> (a [ThreadStatic] field), starting at a
        /// 64-byte boundary; allocates on the thread's first call only. Contents are whatever was left there.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static unsafe Span<float> Aligned(ref float[]? slot, int length)
        {
            float[]? array = slot;
            if (array is null || array.Length < length + (Alignment / sizeof(float)))
            {
                array = GC.AllocateUninitializedArray<float>(length + (Alignment / sizeof(float)), pinned: true);
                slot = array;
            }

            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            int offset = (int)((Alignment - (address & (Alignment - 1))) & (Alignment - 1)) / sizeof(float);
            return array.AsSpan(offset, length);
        }

        /// <summary>
        /// <paramref name="input"/> itself, or, when it overlaps <paramref name="output"/> (a layer method called in place,
        /// or on overlapping parts of one buffer), a copy of it in <paramref name="slot"/> (a [ThreadStatic] field): the
        /// kernels may read input cells after writing output cells, so they must not share memory.
        /// </summary>
        public static ReadOnlySpan<float> Unaliased(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ref float[]? slot)
        {
            if (!input.Overlaps(output))
            {
                return input;
            }

            Span<float> copy = Aligned(ref slot, input.Length);
            input.CopyTo(copy);
            return copy;
        }
    }
}
