using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime
{
    /// <summary>
    /// Data movement around the generated kernels: padded copies for the scalar kernels, "phase" copies for the
    /// vector conv kernels, compaction and transposition of their outputs, weight repacking, and the ReLU that
    /// could not be fused. A conv with strides Sx, Sy reads its input as phase planes: phase (py, px) holds the
    /// padded cells (Sy·i + py, Sx·j + px), so every window tap of consecutive outputs is a contiguous run and the
    /// kernel can vectorize over output positions. Infrastructure for generated code; not meant to be called directly.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Layout
    {
        /// <summary>
        /// Writes the phase planes of a W x H x D CHW <paramref name="input"/>, padded by <paramref name="padLeft"/>
        /// and <paramref name="padTop"/> cells of <paramref name="padValue"/> before it (and as many as fit after it),
        /// into <paramref name="phases"/>: plane ((py·phasesX + px)·D + d) of <paramref name="phaseHeight"/> x
        /// <paramref name="phaseWidth"/> for py &lt; <paramref name="phasesY"/>, px &lt; <paramref name="phasesX"/>
        /// (a stride larger than the window needs only the phases its taps read). Everything else in
        /// <paramref name="phases"/> (padding and slack) is set to <paramref name="padValue"/>. This is the general
        /// form; <see cref="ToPhasesStride1{TS, TV}"/> and <see cref="ToPhasesStride2{TS, TV}(ReadOnlySpan{float}, int, int, int, int, int, int, int, float, int, int, Span{float})"/> are the common ones,
        /// each compiled only when a network uses it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ToPhases<TS, TV>(
            ReadOnlySpan<float> input,
            int width,
            int height,
            int depth,
            int strideX,
            int strideY,
            int phasesX,
            int phasesY,
            int padLeft,
            int padTop,
            float padValue,
            int phaseWidth,
            int phaseHeight,
            Span<float> phases)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            PhaseBorders(input, width, height, depth, strideX, strideY, phasesX, phasesY, padLeft, padTop, padValue, phaseWidth, phaseHeight, phases);
            ref float source = ref MemoryMarshal.GetReference(input);
            ref float target = ref MemoryMarshal.GetReference(phases);
            int plane = phaseWidth * phaseHeight, phaseStride = depth * plane;
            for (int d = 0; d < depth; d++)
            {
                for (int py = 0; py < phasesY; py++)
                {
                    (int first, int count) = PhaseRows(height, strideY, py, padTop, phaseHeight);
                    ref float rows = ref Unsafe.Add(ref source, ((d * height) + (first * strideY) + py - padTop) * width);
                    ref float phaseRows = ref Unsafe.Add(ref target, (py * phasesX * phaseStride) + (d * plane) + (first * phaseWidth));
                    if (strideX == 2 && phasesX == 1)
                    {
                        // One column phase (a 1x1 window at stride 2): input columns x with x + padLeft even, split from vector pairs.
                        int x0 = padLeft & 1;
                        EvenColumns<TS, TV>(ref Unsafe.Add(ref rows, x0), strideY * width, ref Unsafe.Add(ref phaseRows, (padLeft + x0) >> 1), phaseWidth, count, width - x0);
                        continue;
                    }

                    for (int i = 0; i < count; i++)
                    {
                        // Each input column to its phase (when some tap reads it), phase and column advancing without a division.
                        ref float row = ref Unsafe.Add(ref rows, i * strideY * width);
                        ref float phaseRow = ref Unsafe.Add(ref phaseRows, i * phaseWidth);
                        int px = padLeft % strideX, j = padLeft / strideX;
                        for (int x = 0; x < width; x++)
                        {
                            if (px < phasesX)
                            {
                                Unsafe.Add(ref phaseRow, (px * phaseStride) + j) = Unsafe.Add(ref row, x);
                            }

                            if (++px == strideX)
                            {
                                px = 0;
                                j++;
                            }
                        }
                    }
                }
            }
        }

        /// <summary>
        /// <see cref="ToPhases{TS, TV}"/> for stride 1 on both axes: one phase plane per channel, the padded input itself, in
        /// rows <paramref name="phaseWidth"/> long: W + left + right, or as little as W + max(left, right) when consecutive rows
        /// share the padding between them (a window reaching past a row's right edge reads the next row's left padding).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ToPhasesStride1<TS, TV>(ReadOnlySpan<float> input, int width, int height, int depth, int padLeft, int padTop, float padValue, int phaseWidth, int phaseHeight, Span<float> phases)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int plane = CheckStride1(input.Length, width, height, depth, padLeft, padTop, phaseWidth, phaseHeight, phases);

            if (phaseWidth == width)
            {
                PhaseBorders(input, width, height, depth, 1, 1, 1, 1, padLeft, padTop, padValue, phaseWidth, phaseHeight, phases);
                CopyInside<TS, TV>(input, width, height, depth, padLeft, padTop, phaseWidth, phaseHeight, phases);
                return;
            }

            Stride1Planes<TS, TV>(input, copy: true, width, height, depth, padLeft, padTop, padValue, phaseWidth, phaseHeight, phases, plane);
        }

        /// <summary>
        /// The padding of <see cref="ToPhasesStride1{TS, TV}"/>'s planes alone, the input cells left as they are: where a conv
        /// in <c>Forward</c> stores its output straight into the padded planes the next conv reads (the carried layout), so
        /// that conv needs no copy of its input.
        /// </summary>
        public static void PadBorders(int width, int height, int depth, int padLeft, int padTop, float padValue, int phaseWidth, int phaseHeight, Span<float> phases)
        {
            int plane = CheckStride1(width * height * depth, width, height, depth, padLeft, padTop, phaseWidth, phaseHeight, phases);
            // No row is copied, so the vector width is never used.
            Stride1Planes<Simd128, Vector128<float>>(default, copy: false, width, height, depth, padLeft, padTop, padValue, phaseWidth, phaseHeight, phases, plane);
        }

        /// <summary>
        /// The padding of <see cref="PadBorders"/> but for the cells between consecutive rows (a row's right padding and the
        /// next row's left padding, W + 1 .. W + gap of each row with gap = <paramref name="phaseWidth"/> − W): each plane's
        /// cells before its first input cell and from the row below its last on, and the slack after the planes. For a conv
        /// that stores its output into the padded planes and zeroes the cells after each row as it stores the row (ResNet-8's
        /// 32x32x16: 2 x 16 runs of about 35 cells instead of 512 runs of 2 a few cache lines apart). The planes need a pad
        /// row below the input, so that the cells after the last row are in its plane.
        /// </summary>
        public static void PadPlaneEnds(int width, int height, int depth, int padLeft, int padTop, float padValue, int phaseWidth, int phaseHeight, Span<float> phases)
        {
            int plane = CheckStride1(width * height * depth, width, height, depth, padLeft, padTop, phaseWidth, phaseHeight, phases);
            if (phaseHeight <= padTop + height)
            {
                throw new ArgumentException("The planes have no pad row below the input.", nameof(phaseHeight));
            }

            ref float target = ref MemoryMarshal.GetReference(phases);
            Fill(ref Unsafe.Add(ref target, depth * plane), phases.Length - (depth * plane), padValue);
            int origin = (padTop * phaseWidth) + padLeft, below = origin + (height * phaseWidth);
            for (int d = 0; d < depth; d++)
            {
                ref float start = ref Unsafe.Add(ref target, d * plane);
                Fill(ref start, origin, padValue);
                Fill(ref Unsafe.Add(ref start, below), plane - below, padValue);
            }
        }

        /// <summary>
        /// The slack after the planes, then one pass over the planes in memory order, each padded row written whole: its
        /// padding and (with <paramref name="copy"/>) its input row. D's 64x56x56 into rows of 57 took 45 us so, 54 us with
        /// the padding written in a pass of its own first.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Stride1Planes<TS, TV>(ReadOnlySpan<float> input, bool copy, int width, int height, int depth, int padLeft, int padTop, float padValue, int phaseWidth, int phaseHeight, Span<float> phases, int plane)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            ref float source = ref MemoryMarshal.GetReference(input);
            ref float target = ref MemoryMarshal.GetReference(phases);
            Fill(ref Unsafe.Add(ref target, depth * plane), phases.Length - (depth * plane), padValue);
            int right = phaseWidth - padLeft - width;
            for (int d = 0; d < depth; d++)
            {
                // A row's right padding and the next row's left padding are one run of pad cells (a vector of pad values
                // stored over it, the spill rewritten by the next row, was slower: 4.2 against 3.7 us for 32x32x16).
                ref float start = ref Unsafe.Add(ref target, d * plane);
                Fill(ref start, (padTop * phaseWidth) + padLeft, padValue);
                for (int y = 0; y < height; y++)
                {
                    int after = ((padTop + y) * phaseWidth) + padLeft + width;
                    if (copy)
                    {
                        CopyRow<TS, TV>(ref Unsafe.Add(ref source, ((d * height) + y) * width), ref Unsafe.Add(ref start, after - width), width);
                    }

                    Fill(ref Unsafe.Add(ref start, after), right + (y + 1 < height ? padLeft : 0), padValue);
                }

                Fill(ref Unsafe.Add(ref start, (padTop + height) * phaseWidth), (phaseHeight - padTop - height) * phaseWidth, padValue);
            }
        }

        /// <summary>Checks the shapes of a stride-1 phase copy (throws if they do not fit); returns the floats in a plane.</summary>
        private static int CheckStride1(int inputLength, int width, int height, int depth, int padLeft, int padTop, int phaseWidth, int phaseHeight, Span<float> phases)
        {
            // In 64 bits, and no negative size: a size that overflowed or went below 0 would pass the comparisons.
            long plane = (long)phaseWidth * phaseHeight;
            if (width < 0 || height < 0 || depth < 0 || padLeft < 0 || padTop < 0 || plane > int.MaxValue || inputLength < (long)width * height * depth || phases.Length < plane * depth ||
                phaseWidth < (long)padLeft + width || phaseHeight < (long)padTop + height)
            {
                throw new ArgumentException("The input or the phase buffer does not fit the shape.");
            }

            return (int)plane;
        }

        /// <summary>
        /// The input rows of <see cref="ToPhasesStride1{TS, TV}"/> alone, the padding around them left as it is: a kernel
        /// that copies one channel after another into the same planes writes the padding once, for the first.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void CopyInside<TS, TV>(ReadOnlySpan<float> input, int width, int height, int depth, int padLeft, int padTop, int phaseWidth, int phaseHeight, Span<float> phases)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int plane = CheckStride1(input.Length, width, height, depth, padLeft, padTop, phaseWidth, phaseHeight, phases);

            ref float source = ref MemoryMarshal.GetReference(input);
            ref float target = ref Unsafe.Add(ref MemoryMarshal.GetReference(phases), (padTop * phaseWidth) + padLeft);
            if (phaseWidth == width)
            {
                // No padding across: each channel's rows are one run in both.
                for (int d = 0; d < depth; d++)
                {
                    CopyRow<TS, TV>(ref Unsafe.Add(ref source, d * height * width), ref Unsafe.Add(ref target, d * plane), height * width);
                }

                return;
            }

            for (int d = 0; d < depth; d++)
            {
                CopyRows<TS, TV>(ref Unsafe.Add(ref source, d * height * width), width, ref Unsafe.Add(ref target, d * plane), phaseWidth, height, width);
            }
        }

        /// <summary>
        /// <paramref name="count"/> rows of <paramref name="width"/> floats, <paramref name="sourceStride"/> apart in the
        /// source and <paramref name="targetStride"/> apart in the target (whole vectors, the last one overlapping; narrower
        /// rows in 256- or 128-bit pieces; nothing outside a row is written). Inlined into the caller: a depthwise kernel
        /// copies the next channel's rows a few at a time between its row blocks, so the copy's loads overlap the taps; it
        /// writes a block's rows out load by load with 16-float vectors and calls this for the rest (narrower vectors,
        /// the last block, rows wider than 4 vectors). The caller has checked that both spans hold every row it names:
        /// nothing is checked here.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void CopyRows<TS, TV>(ref float source, int sourceStride, ref float target, int targetStride, int count, int width)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            for (int r = 0; r < count; r++)
            {
                CopyRow<TS, TV>(ref Unsafe.Add(ref source, r * sourceStride), ref Unsafe.Add(ref target, r * targetStride), width);
            }
        }

        /// <summary>
        /// <see cref="ToPhases{TS, TV}"/> for stride 2 across with both column phases read (any stride down): each input
        /// row's even and odd columns split with two vector loads.
        /// </summary>
        public static void ToPhasesStride2<TS, TV>(ReadOnlySpan<float> input, int width, int height, int depth, int strideY, int phasesY, int padLeft, int padTop, float padValue, int phaseWidth, int phaseHeight, Span<float> phases)
            where TS : struct, ISimd<TV>
            where TV : struct =>
            ToPhasesStride2<TS, TV>(input, width, height, depth, strideY, phasesY, padLeft, padTop, padValue, phaseWidth, phaseHeight, phaseWidth, 0, 0, phaseWidth, phaseWidth, phases);

        /// <summary>
        /// <see cref="ToPhasesStride2{TS, TV}(ReadOnlySpan{float}, int, int, int, int, int, int, int, float, int, int, Span{float})"/>
        /// with phase rows <paramref name="pitch"/> floats apart (at least <paramref name="phaseWidth"/>) and the rows of
        /// column phase 0 and 1 starting <paramref name="skewEven"/> and <paramref name="skewOdd"/> cells into theirs: cell
        /// (r, c) of phase (py, px), channel d at ((py·2 + px)·D + d)·pitch·phaseHeight + skew(px) + r·pitch + c. With rows a
        /// multiple of 16 floats apart and skews that put each phase's first input cell on a 64-byte boundary, every row's
        /// split is stored whole in one cache line (F's 32x32x32 copy into rows of 17: about half the time). Right of the input,
        /// each row of column phase 0 and 1 gets pad values only up to its first <paramref name="cellsEven"/> and
        /// <paramref name="cellsOdd"/> cells (at most <paramref name="phaseWidth"/>; 0 for all of them), and the pad rows
        /// above and below only those cells: the cells the reading kernel reads (F's phase of the even columns, read by the
        /// middle tap alone: its pad cell on the right is never read, and writing it would write one more cache line a row).
        /// Input cells and the pad cells left of them are written all the same; nothing outside [skew, skew + phaseWidth) of
        /// a row is. A <paramref name="pitch"/> of 0 is <paramref name="phaseWidth"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void ToPhasesStride2<TS, TV>(ReadOnlySpan<float> input, int width, int height, int depth, int strideY, int phasesY, int padLeft, int padTop, float padValue, int phaseWidth, int phaseHeight, int pitch, int skewEven, int skewOdd, int cellsEven, int cellsOdd, Span<float> phases)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            pitch = pitch == 0 ? phaseWidth : pitch;
            cellsEven = cellsEven == 0 ? phaseWidth : cellsEven;
            cellsOdd = cellsOdd == 0 ? phaseWidth : cellsOdd;
            PhaseBorders(input, width, height, depth, 2, strideY, 2, phasesY, padLeft, padTop, padValue, phaseWidth, phaseHeight, phases, sides: false, pitch, skewEven, skewOdd, cellsEven, cellsOdd);
            ref float source = ref MemoryMarshal.GetReference(input);
            ref float target = ref MemoryMarshal.GetReference(phases);
            int plane = pitch * phaseHeight, phaseStride = depth * plane;

            // The pad cells left and right of the input in each row of the phase of the input's even (E) and odd (O) columns,
            // [0, left) and [right, cells), written with the row's split rather than in a pass of their own (F's 32x32x32:
            // 11.5 -> 9.1 us).
            int evenPhase = padLeft & 1;
            int cellsE = evenPhase == 0 ? cellsEven : cellsOdd, cellsO = evenPhase == 0 ? cellsOdd : cellsEven;
            int leftE = FirstInside(padLeft - evenPhase, 2, phaseWidth), rightE = FirstInside(padLeft + width - evenPhase, 2, phaseWidth);
            int leftO = FirstInside(padLeft - (1 - evenPhase), 2, phaseWidth), rightO = FirstInside(padLeft + width - (1 - evenPhase), 2, phaseWidth);
            var pads = new RowPads(leftE, Math.Max(0, cellsE - rightE), leftO, Math.Max(0, cellsO - rightO), padValue);
            for (int d = 0; d < depth; d++)
            {
                for (int py = 0; py < phasesY; py++)
                {
                    (int first, int count) = PhaseRows(height, strideY, py, padTop, phaseHeight);
                    ref float rows = ref Unsafe.Add(ref source, ((d * height) + (first * strideY) + py - padTop) * width);
                    ref float phaseRows = ref Unsafe.Add(ref target, (py * 2 * phaseStride) + (d * plane) + (first * pitch));

                    // Input columns x of the parity of padLeft land in phase 0, the others in phase 1.
                    int evenAt = (padLeft & 1) == 0 ? skewEven : phaseStride + skewOdd, oddAt = (padLeft & 1) == 0 ? phaseStride + skewOdd : skewEven;
                    ref float even = ref Unsafe.Add(ref phaseRows, evenAt + (padLeft >> 1));
                    ref float odd = ref Unsafe.Add(ref phaseRows, oddAt + ((padLeft + 1) >> 1));
                    SplitRows<TS, TV>(ref rows, strideY * width, ref even, ref odd, pitch, count, width, pads);
                }
            }
        }

        /// <summary>The phase rows of phase <paramref name="py"/> that hold input rows (the first, and how many), Sy input rows apart.</summary>
        private static (int First, int Count) PhaseRows(int height, int strideY, int py, int padTop, int phaseHeight)
        {
            int first = FirstInside(padTop - py, strideY, phaseHeight);
            int end = FirstInside(padTop + height - py, strideY, phaseHeight);
            return (first, Math.Max(0, end - first));
        }

        /// <summary>
        /// Checks the shapes, then writes the pad value everywhere a phase copy has no input cell: the slack after the
        /// planes, whole phase rows above and below the input, and the cells left and right of it in the other rows.
        /// </summary>
        private static void PhaseBorders(
            ReadOnlySpan<float> input,
            int width,
            int height,
            int depth,
            int strideX,
            int strideY,
            int phasesX,
            int phasesY,
            int padLeft,
            int padTop,
            float padValue,
            int phaseWidth,
            int phaseHeight,
            Span<float> phases,
            bool sides = true,
            int pitch = 0,
            int skewEven = 0,
            int skewOdd = 0,
            int cellsEven = 0,
            int cellsOdd = 0)
        {
            pitch = pitch == 0 ? phaseWidth : pitch;
            cellsEven = cellsEven == 0 ? phaseWidth : cellsEven;
            cellsOdd = cellsOdd == 0 ? phaseWidth : cellsOdd;
            long plane = (long)pitch * phaseHeight;
            int planes = phasesY * phasesX * depth;
            if (input.Length < width * height * depth || phases.Length < planes * plane || phasesX > strideX || phasesY > strideY ||
                padLeft < 0 || padTop < 0 || ((long)phaseWidth * strideX) < padLeft + width || ((long)phaseHeight * strideY) < padTop + height ||
                skewEven < 0 || skewOdd < 0 || (skewEven | skewOdd) != 0 && (sides || phasesX > 2) || (long)Math.Max(skewEven, skewOdd) + phaseWidth > pitch ||
                cellsEven < 0 || cellsOdd < 0 || Math.Max(cellsEven, cellsOdd) > phaseWidth || Math.Min(cellsEven, cellsOdd) < phaseWidth && (sides || phasesX > 2))
            {
                throw new ArgumentException("The input or the phase buffer does not fit the shape.");
            }

            ref float target = ref MemoryMarshal.GetReference(phases);
            int all = planes * (int)plane;
            Fill(ref Unsafe.Add(ref target, all), phases.Length - all, padValue);
            for (int py = 0; py < phasesY; py++)
            {
                (int first, int count) = PhaseRows(height, strideY, py, padTop, phaseHeight);
                for (int px = 0; px < phasesX; px++)
                {
                    int left = FirstInside(padLeft - px, strideX, phaseWidth);
                    int right = FirstInside(padLeft + width - px, strideX, phaseWidth);
                    for (int d = 0; d < depth; d++)
                    {
                        ref float start = ref Unsafe.Add(ref target, ((((py * phasesX) + px) * depth) + d) * (int)plane);
                        int rowCells = px == 0 ? cellsEven : cellsOdd;
                        if (pitch != phaseWidth || rowCells != phaseWidth)
                        {
                            // Rows apart from each other, or shorter than the phase width: the pad rows above and below the
                            // input one at a time, their cells [skew, skew + cells) alone.
                            ref float cells = ref Unsafe.Add(ref start, px == 0 ? skewEven : skewOdd);
                            for (int r = 0; r < first; r++)
                            {
                                Fill(ref Unsafe.Add(ref cells, r * pitch), rowCells, padValue);
                            }

                            for (int r = first + count; r < phaseHeight; r++)
                            {
                                Fill(ref Unsafe.Add(ref cells, r * pitch), rowCells, padValue);
                            }

                            continue;
                        }

                        Fill(ref start, first * phaseWidth, padValue);
                        Fill(ref Unsafe.Add(ref start, (first + count) * phaseWidth), (phaseHeight - first - count) * phaseWidth, padValue);
                        if (sides && (left > 0 || right < phaseWidth))
                        {
                            PadRows(ref Unsafe.Add(ref start, first * phaseWidth), count, phaseWidth, left, right, padValue);
                        }
                    }
                }
            }
        }

        /// <summary>Pad cells [0, left) and [end, width) of <paramref name="rows"/> rows <paramref name="width"/> apart.</summary>
        private static void PadRows(ref float start, int rows, int width, int left, int end, float padValue)
        {
            for (int i = 0; i < rows; i++)
            {
                ref float row = ref Unsafe.Add(ref start, i * width);
                Fill(ref row, left, padValue);
                Fill(ref Unsafe.Add(ref row, end), width - end, padValue);
            }
        }

        /// <summary>
        /// Copies a W x H x D CHW <paramref name="input"/> into <paramref name="padded"/>, D planes of
        /// <paramref name="paddedWidth"/> x <paramref name="paddedHeight"/> with the input at (<paramref name="padLeft"/>,
        /// <paramref name="padTop"/>) and <paramref name="padValue"/> everywhere else: the scalar kernels' source.
        /// </summary>
        public static void Pad(ReadOnlySpan<float> input, int width, int height, int depth, int padLeft, int padTop, float padValue, int paddedWidth, int paddedHeight, Span<float> padded)
        {
            if (width < 0 || height < 0 || depth < 0 || padLeft < 0 || padTop < 0 || input.Length < (long)width * height * depth ||
                padded.Length < (long)paddedWidth * paddedHeight * depth || (long)padLeft + width > paddedWidth || (long)padTop + height > paddedHeight)
            {
                throw new ArgumentException("The input or the padded buffer does not fit the shape.");
            }

            padded.Fill(padValue);
            if (width >= 64)
            {
                for (int d = 0; d < depth; d++)
                {
                    for (int y = 0; y < height; y++)
                    {
                        input.Slice(((d * height) + y) * width, width).CopyTo(padded.Slice((((d * paddedHeight) + y + padTop) * paddedWidth) + padLeft));
                    }
                }

                return;
            }

            // Short rows in 128-bit pieces, the last overlapping, rather than a call per row (the keyword-spotting stem's
            // 10x49 input: 49 calls of 10 floats).
            ref float source = ref MemoryMarshal.GetReference(input);
            ref float target = ref Unsafe.Add(ref MemoryMarshal.GetReference(padded), (padTop * paddedWidth) + padLeft);
            for (int d = 0; d < depth; d++)
            {
                CopyRows<Simd128, Vector128<float>>(ref Unsafe.Add(ref source, d * height * width), width, ref Unsafe.Add(ref target, d * paddedWidth * paddedHeight), paddedWidth, height, width);
            }
        }

        /// <summary>Pad cells [0, count) from <paramref name="start"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Fill(ref float start, int count, float value)
        {
            if (count > 8)
            {
                MemoryMarshal.CreateSpan(ref start, count).Fill(value); // vectorized
                return;
            }

            // A row's side padding, a cell or a few: stores in line, not a call per row (ResNet-8's 32x32x16 copy into
            // rows of 34: 4.2 -> 3.4 us, MobileNet's 48x48x8 into rows of 50: 3.7 -> 2.5 us).
            for (int i = 0; i < count; i++)
            {
                Unsafe.Add(ref start, i) = value;
            }
        }

        /// <summary>How many pad cells precede and follow the input cells of a phase row, for the even and the odd phase.</summary>
        private readonly record struct RowPads(int LeftEven, int RightEven, int LeftOdd, int RightOdd, float Value);

        /// <summary>Even columns of each of <paramref name="rows"/> rows to <paramref name="even"/>, odd ones to <paramref name="odd"/>.</summary>
        private static void SplitRows<TS, TV>(ref float source, int sourceStride, ref float even, ref float odd, int targetStride, int rows, int width, RowPads pads)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            if ((pads.LeftEven | pads.RightEven | pads.LeftOdd | pads.RightOdd) <= 1)
            {
                // Rows of whole vector pairs, at this width or a narrower one (ResNet-8's 16x16x32 stride-2 copy at 512 bits
                // in pairs of 256-bit vectors: 16-float rows would otherwise go as pairs of 128-bit ones).
                if (width % (2 * n) == 0)
                {
                    SplitWholeRows<TS, TV>(ref source, sourceStride, ref even, ref odd, targetStride, rows, width, pads);
                    return;
                }

                if (n > 8 && width % 16 == 0 && Simd256.IsSupported)
                {
                    SplitWholeRows<Simd256, Vector256<float>>(ref source, sourceStride, ref even, ref odd, targetStride, rows, width, pads);
                    return;
                }

                if (n > 4 && width % 8 == 0 && Simd128.IsSupported)
                {
                    SplitWholeRows<Simd128, Vector128<float>>(ref source, sourceStride, ref even, ref odd, targetStride, rows, width, pads);
                    return;
                }
            }

            for (int i = 0; i < rows; i++)
            {
                // The right pad cells follow the row's (W + 1) / 2 even and W / 2 odd input cells.
                Fill(ref Unsafe.Subtract(ref even, pads.LeftEven), pads.LeftEven, pads.Value);
                Fill(ref Unsafe.Add(ref even, (width + 1) >> 1), pads.RightEven, pads.Value);
                Fill(ref Unsafe.Subtract(ref odd, pads.LeftOdd), pads.LeftOdd, pads.Value);
                Fill(ref Unsafe.Add(ref odd, width >> 1), pads.RightOdd, pads.Value);
                int x = 0;
                for (; x + (2 * n) <= width; x += 2 * n)
                {
                    TV a = TS.Load(ref source, x);
                    TV b = TS.Load(ref source, x + n);
                    TS.Store(TS.Evens(a, b), ref even, x >> 1);
                    TS.Store(TS.Odds(a, b), ref odd, x >> 1);
                }

                if (x < width && width >= 2 * n)
                {
                    // The rest in one more pair ending at the last even start, overlapping cells already written with the same values.
                    int last = (width - (2 * n)) & ~1;
                    TV a = TS.Load(ref source, last);
                    TV b = TS.Load(ref source, last + n);
                    TS.Store(TS.Evens(a, b), ref even, last >> 1);
                    TS.Store(TS.Odds(a, b), ref odd, last >> 1);
                    x = last + (2 * n);
                }

                // Rows (or their rest) narrower than two vectors: pairs of 128-bit vectors, the last overlapping (MobileNet's
                // 24x24x32 stride-2 copy: 11 us one cell at a time).
                for (; x + 8 <= width; x += 8)
                {
                    SplitPair(ref source, ref even, ref odd, x);
                }

                if (x < width && width >= 8)
                {
                    int last = (width - 8) & ~1;
                    SplitPair(ref source, ref even, ref odd, last);
                    x = last + 8;
                }

                // The last cells (x is even here): even ones, then odd ones.
                for (int e = x; e < width; e += 2)
                {
                    Unsafe.Add(ref even, e >> 1) = Unsafe.Add(ref source, e);
                }

                for (int o = x + 1; o < width; o += 2)
                {
                    Unsafe.Add(ref odd, o >> 1) = Unsafe.Add(ref source, o);
                }

                source = ref Unsafe.Add(ref source, sourceStride);
                even = ref Unsafe.Add(ref even, targetStride);
                odd = ref Unsafe.Add(ref odd, targetStride);
            }
        }

        /// <summary>
        /// <see cref="SplitRows{TS, TV}"/> for rows of whole pairs of vectors and at most one pad cell each side (padding 1,
        /// or Same, at stride 2), the pads single stores: F's 32x32x32 copy 9.7 -> 9.0 us in-process. A call of its own, not
        /// inlined: SplitRows calls it at up to three vector widths.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void SplitWholeRows<TS, TV>(ref float source, int sourceStride, ref float even, ref float odd, int targetStride, int rows, int width, RowPads pads)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            float value = pads.Value;
            bool leftE = pads.LeftEven != 0, rightE = pads.RightEven != 0, leftO = pads.LeftOdd != 0, rightO = pads.RightOdd != 0;
            int half = width >> 1;
            for (int i = 0; i < rows; i++)
            {
                for (int x = 0; x < width; x += 2 * n)
                {
                    TV a = TS.Load(ref source, x);
                    TV b = TS.Load(ref source, x + n);
                    TS.Store(TS.Evens(a, b), ref even, x >> 1);
                    TS.Store(TS.Odds(a, b), ref odd, x >> 1);
                }

                if (leftE)
                {
                    Unsafe.Subtract(ref even, 1) = value;
                }

                if (rightE)
                {
                    Unsafe.Add(ref even, half) = value;
                }

                if (leftO)
                {
                    Unsafe.Subtract(ref odd, 1) = value;
                }

                if (rightO)
                {
                    Unsafe.Add(ref odd, half) = value;
                }

                source = ref Unsafe.Add(ref source, sourceStride);
                even = ref Unsafe.Add(ref even, targetStride);
                odd = ref Unsafe.Add(ref odd, targetStride);
            }
        }

        /// <summary>The even and odd cells of source[x .. x + 8) into even[x/2 ..] and odd[x/2 ..], four each.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void SplitPair(ref float source, ref float even, ref float odd, int x)
        {
            Vector128<float> a = Vector128.LoadUnsafe(ref Unsafe.Add(ref source, x));
            Vector128<float> b = Vector128.LoadUnsafe(ref Unsafe.Add(ref source, x + 4));
            Simd128.Evens(a, b).StoreUnsafe(ref Unsafe.Add(ref even, x >> 1));
            Simd128.Odds(a, b).StoreUnsafe(ref Unsafe.Add(ref odd, x >> 1));
        }

        /// <summary>
        /// target[i] = source[2i] for the even cells of <paramref name="width"/>, in each of <paramref name="rows"/> rows: the
        /// even lanes of two vector loads, the rest in one more pair overlapping cells already written. A row narrower than
        /// two vectors takes the widest narrower vectors it holds two of (ResNet-8's 1x1 stride-2 shortcut on 16x16x32, rows
        /// of 16: 256-bit pairs where 512-bit ones do not fit, instead of cell by cell), and below 8 cells one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void EvenColumns<TS, TV>(ref float source, int sourceStride, ref float target, int targetStride, int rows, int width)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            if (width < 2 * n && n > 8 && width >= 16 && Simd256.IsSupported)
            {
                EvenColumns<Simd256, Vector256<float>>(ref source, sourceStride, ref target, targetStride, rows, width);
                return;
            }

            if (width < 2 * n && n > 4 && width >= 8 && Simd128.IsSupported)
            {
                EvenColumns<Simd128, Vector128<float>>(ref source, sourceStride, ref target, targetStride, rows, width);
                return;
            }

            for (int i = 0; i < rows; i++)
            {
                int x = 0;
                for (; x + (2 * n) <= width; x += 2 * n)
                {
                    TS.Store(TS.Evens(TS.Load(ref source, x), TS.Load(ref source, x + n)), ref target, x >> 1);
                }

                if (x < width && width >= 2 * n)
                {
                    int last = (width - (2 * n)) & ~1;
                    TS.Store(TS.Evens(TS.Load(ref source, last), TS.Load(ref source, last + n)), ref target, last >> 1);
                    x = last + (2 * n);
                }

                for (; x < width; x += 2)
                {
                    Unsafe.Add(ref target, x >> 1) = Unsafe.Add(ref source, x);
                }

                source = ref Unsafe.Add(ref source, sourceStride);
                target = ref Unsafe.Add(ref target, targetStride);
            }
        }

        /// <summary>The first phase index i with S·i ≥ <paramref name="offset"/>, clamped to [0, <paramref name="count"/>].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int FirstInside(int offset, int stride, int count) =>
            offset <= 0 ? 0 : (int)Math.Min(count, ((long)offset + stride - 1) / stride);

        /// <summary>
        /// Copies the real <paramref name="outWidth"/> columns of each wide row (<paramref name="wideRow"/> long,
        /// <paramref name="wideChannel"/> apart per channel) into a CHW <paramref name="output"/>: every cell, or, from
        /// <paramref name="from"/> on, those at wide positions (y·<paramref name="wideRow"/> + x) from there (a kernel
        /// stored the ones before straight into the output).
        /// </summary>
        public static void Compact<TS, TV>(ReadOnlySpan<float> wide, int wideChannel, int wideRow, int outWidth, int outHeight, int depth, Span<float> output, int from = 0)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            if ((long)depth * outHeight * outWidth > output.Length || ((long)(depth - 1) * wideChannel) + ((long)(outHeight - 1) * wideRow) + outWidth > wide.Length
                || from < 0 || (from > 0 && (wideRow < outWidth || wideRow <= 0)))
            {
                throw new ArgumentException("The wide output does not fit the spans.", nameof(output));
            }

            ref float source = ref MemoryMarshal.GetReference(wide);
            ref float target = ref MemoryMarshal.GetReference(output);
            if (wideRow == outWidth && from == 0)
            {
                // Wide rows as long as the output's: each channel is one run, only the slack after it is dropped.
                for (int d = 0; d < depth; d++)
                {
                    CopyRow<TS, TV>(ref Unsafe.Add(ref source, d * wideChannel), ref Unsafe.Add(ref target, d * outHeight * outWidth), outHeight * outWidth);
                }

                return;
            }

            // From wide position `from` on: its row from its column (none of that row if it is in the junk), then whole rows.
            int firstRow = from > 0 ? from / wideRow : 0, firstColumn = from > 0 ? Math.Min(from % wideRow, outWidth) : 0;
            for (int d = 0; d < depth; d++)
            {
                for (int y = firstRow; y < outHeight; y++)
                {
                    int x = y == firstRow ? firstColumn : 0;
                    CopyRow<TS, TV>(
                        ref Unsafe.Add(ref source, (d * wideChannel) + (y * wideRow) + x),
                        ref Unsafe.Add(ref target, (((d * outHeight) + y) * outWidth) + x),
                        outWidth - x);
                }
            }
        }

        /// <summary>
        /// For a kernel that stores vectors of wide positions (y·<paramref name="wideRow"/> + x, columns x ≥
        /// <paramref name="width"/> junk) compacted straight into CHW planes: where the vector from <paramref name="position"/>
        /// goes in its plane, and the <paramref name="lanes"/> (<see cref="ISimd{TVector}.SkipLanes"/>) that drop the junk
        /// columns it straddles. The lanes past its cells hold junk that the store of the next vector (or, after the last
        /// one stored so, <see cref="Compact{TS, TV}"/> from the next position) overwrites. Rows must be at least a vector
        /// long: a vector then straddles one run of junk at most, and one that ends by the last row's last real cell stays
        /// inside its plane, its junk lanes included.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static int CompactedAt<TS, TV>(int position, int wideRow, int width, out TV lanes)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int y = position / wideRow, x = position - (y * wideRow);
            if (x < width)
            {
                // From column x on: the junk from lane width - x (past the vector where the row goes on).
                lanes = TS.SkipLanes(width - x, wideRow - width);
                return (y * width) + x;
            }

            // Starting in the junk: the next row's cells from its column 0.
            lanes = TS.SkipLanes(0, wideRow - x);
            return (y + 1) * width;
        }

        /// <summary>
        /// Lane masks for a kernel that runs over the flat positions q = y·<paramref name="width"/> + x of a plane of
        /// <paramref name="positions"/> cells in vectors (vector v at min(v·n, positions − n), the last overlapping): for each
        /// vector and each window column fx, all ones in the lanes whose input column x + fx − <paramref name="padLeft"/> is
        /// inside the row, zero in the others (those read a neighbouring row's cell, which must count as padding).
        /// Layout [vector][fx][lane].
        /// </summary>
        public static void ColumnMasks<TS, TV>(int width, int positions, int padLeft, int sizeX, Span<float> masks)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count, vectors = (positions + n - 1) / n;
            if (width < 1 || positions < n || masks.Length < (long)vectors * sizeX * n)
            {
                throw new ArgumentException("The mask buffer or the plane does not fit the vectors.", nameof(masks));
            }

            float ones = BitConverter.Int32BitsToSingle(-1);
            for (int v = 0; v < vectors; v++)
            {
                int at = Math.Min(v * n, positions - n);
                for (int fx = 0; fx < sizeX; fx++)
                {
                    Span<float> lanes = masks.Slice(((v * sizeX) + fx) * n, n);
                    for (int j = 0; j < n; j++)
                    {
                        int x = ((at + j) % width) + fx - padLeft;
                        lanes[j] = x >= 0 && x < width ? ones : 0f;
                    }
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
                // A row narrower than the vectors (a 5x25 keyword-spotting map, a 6x6 or 3x3 MobileNet one): 256- or 128-bit
                // copies, the last overlapping the one before, never a cell outside the row (5x25x64 into padded planes:
                // 5.2 us one float at a time).
                if (length >= 8 && Vector256.IsHardwareAccelerated)
                {
                    for (int i = 0; i + 8 < length; i += 8)
                    {
                        Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref Unsafe.Add(ref source, i)), ref Unsafe.Add(ref target, i));
                    }

                    Vector256.StoreUnsafe(Vector256.LoadUnsafe(ref Unsafe.Add(ref source, length - 8)), ref Unsafe.Add(ref target, length - 8));
                    return;
                }

                if (length >= 4)
                {
                    for (int i = 0; i + 4 < length; i += 4)
                    {
                        Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref Unsafe.Add(ref source, i)), ref Unsafe.Add(ref target, i));
                    }

                    Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref Unsafe.Add(ref source, length - 4)), ref Unsafe.Add(ref target, length - 4));
                    return;
                }

                for (int i = 0; i < length; i++)
                {
                    Unsafe.Add(ref target, i) = Unsafe.Add(ref source, i);
                }

                return;
            }

            for (int i = 0; i < length; i += n)
            {
                int at = i + n <= length ? i : length - n;
                TS.Store(TS.Load(ref source, at), ref target, at);
            }
        }

        /// <summary>
        /// target[c·rows + r] = source[r·columns + c]: a [rows][columns] matrix transposed. A conv weight [K][D·Fy·Fx]
        /// becomes [D][Fy][Fx][K], the layout the filter-vector conv kernel reads; a cell-major result [cells][K] becomes
        /// CHW. With AVX, 8x8 blocks are transposed in registers (eight 256-bit loads, eight stores); the rows and columns
        /// past the last whole block, and machines without AVX, go an element at a time.
        /// </summary>
        public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> target)
        {
            if (rows < 0 || columns < 0 || source.Length < (long)rows * columns || target.Length < (long)rows * columns)
            {
                throw new ArgumentException("The source or the target is shorter than rows x columns.");
            }

            ref float s = ref MemoryMarshal.GetReference(source);
            ref float t = ref MemoryMarshal.GetReference(target);
            int blockRows = 0, blockColumns = 0;
            if (Avx.IsSupported)
            {
                blockRows = rows & ~7;
                blockColumns = columns & ~7;
                for (int r = 0; r < blockRows; r += 8)
                {
                    for (int c = 0; c < blockColumns; c += 8)
                    {
                        Transpose8x8(ref Unsafe.Add(ref s, (r * columns) + c), columns, ref Unsafe.Add(ref t, (c * rows) + r), rows);
                    }
                }
            }

            // What the blocks left: the columns past the last block in every row, then the rows past the last block.
            for (int r = 0; r < rows; r++)
            {
                ref float row = ref Unsafe.Add(ref s, r * columns);
                for (int c = r < blockRows ? blockColumns : 0; c < columns; c++)
                {
                    Unsafe.Add(ref t, (c * rows) + r) = Unsafe.Add(ref row, c);
                }
            }
        }

        /// <summary>An 8x8 block: eight rows of <paramref name="source"/> (a row every <paramref name="sourceStride"/> floats) become eight rows of <paramref name="target"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose8x8(ref float source, int sourceStride, ref float target, int targetStride)
        {
            Vector256<float> r0 = Vector256.LoadUnsafe(ref source), r1 = Vector256.LoadUnsafe(ref source, (nuint)sourceStride);
            Vector256<float> r2 = Vector256.LoadUnsafe(ref source, (nuint)(2 * sourceStride)), r3 = Vector256.LoadUnsafe(ref source, (nuint)(3 * sourceStride));
            Vector256<float> r4 = Vector256.LoadUnsafe(ref source, (nuint)(4 * sourceStride)), r5 = Vector256.LoadUnsafe(ref source, (nuint)(5 * sourceStride));
            Vector256<float> r6 = Vector256.LoadUnsafe(ref source, (nuint)(6 * sourceStride)), r7 = Vector256.LoadUnsafe(ref source, (nuint)(7 * sourceStride));

            // Pairs of rows interleaved (a0 b0 a1 b1 | a4 b4 a5 b5 ...), then pairs of pairs (a0 b0 c0 d0 | a4 b4 c4 d4 ...),
            // then the 128-bit halves of rows 0-3 and 4-7 joined: column j of the block.
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref target);
            Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref target, (nuint)targetStride);
            Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref target, (nuint)(2 * targetStride));
            Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref target, (nuint)(3 * targetStride));
            Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref target, (nuint)(4 * targetStride));
            Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref target, (nuint)(5 * targetStride));
            Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref target, (nuint)(6 * targetStride));
            Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref target, (nuint)(7 * targetStride));
        }

        /// <summary>
        /// A conv weight [K][D·Fy·Fx] (PyTorch's layout, <paramref name="perFilter"/> = D·Fy·Fx) in blocks of
        /// <paramref name="block"/> filters, each block transposed: [K/block][D][Fy][Fx][block]. The position-vector conv
        /// steps of 8-filter blocks read it so: the 8 weights a tap broadcasts are side by side, and a step's weights come front
        /// to back (in PyTorch's layout they are D·Fy·Fx floats apart, 8 cache lines per tap).
        /// </summary>
        public static void PackFilterBlocks(ReadOnlySpan<float> weight, int filters, int perFilter, int block, Span<float> packed)
        {
            if (block < 1 || filters < 0 || perFilter < 0 || filters % block != 0 || weight.Length < (long)filters * perFilter || packed.Length < (long)filters * perFilter)
            {
                throw new ArgumentException("The weight or the packed buffer does not fit the shape, or the filters are not whole blocks.");
            }

            int length = block * perFilter;
            for (int b = 0; b < filters / block; b++)
            {
                Transpose(weight.Slice(b * length, length), block, perFilter, packed.Slice(b * length, length));
            }
        }

        /// <summary>
        /// Transposes a PyTorch linear weight [outputs][inputs] into panels of up to
        /// <see cref="FullyConnectedKernel.PanelWidth"/> (32) outputs: panel p (outputs from 32·p) is [inputs][its width] and
        /// starts at inputs·32·p, the last one as wide as what is left of <paramref name="paddedOutputs"/>, zero in the padding
        /// columns. The kernel reads one input's weights for a vector of outputs together, and each panel front to back.
        /// </summary>
        public static void PackFullyConnectedWeight(ReadOnlySpan<float> weight, int outputs, int inputs, int paddedOutputs, Span<float> packed)
        {
            if (weight.Length < (long)outputs * inputs || packed.Length < (long)inputs * paddedOutputs || paddedOutputs < outputs)
            {
                throw new ArgumentException("The weight or the packed buffer does not fit the shape.");
            }

            for (int start = 0; start < paddedOutputs; start += FullyConnectedKernel.PanelWidth)
            {
                int width = Math.Min(FullyConnectedKernel.PanelWidth, paddedOutputs - start);
                int real = Math.Max(0, Math.Min(width, outputs - start));
                Span<float> panel = packed.Slice(inputs * start, inputs * width);
                for (int i = 0; i < inputs; i++)
                {
                    Span<float> row = panel.Slice(i * width, width);
                    for (int j = 0; j < real; j++)
                    {
                        row[j] = weight[((start + j) * inputs) + i];
                    }

                    row.Slice(real).Clear();
                }
            }
        }

        /// <summary>
        /// output[j] = sums[j] + bias[j] (sums[j] alone for an empty bias: no bias) for every output (ReLU after it when asked, NaN kept); whole vectors, then the rest one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void AddBias<TS, TV>(ref float sums, ReadOnlySpan<float> bias, Span<float> output, bool relu)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            ref float o = ref MemoryMarshal.GetReference(output);
            int count = output.Length, j = 0;
            if (bias.IsEmpty)
            {
                // No bias (Bias = false): the sums as they are.
                for (; j + TS.Count <= count; j += TS.Count)
                {
                    TV v = TS.Load(ref sums, j);
                    TS.Store(relu ? TS.Relu(v) : v, ref o, j);
                }

                for (; j < count; j++)
                {
                    float v = Unsafe.Add(ref sums, j);
                    Unsafe.Add(ref o, j) = relu && v < 0f ? 0f : v;
                }

                return;
            }

            ref float b = ref MemoryMarshal.GetReference(bias);
            for (; j + TS.Count <= count; j += TS.Count)
            {
                TV v = TS.Add(TS.Load(ref sums, j), TS.Load(ref b, j));
                TS.Store(relu ? TS.Relu(v) : v, ref o, j);
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
        public static void ToChannels(ReadOnlySpan<float> source, int cells, int channels, Span<float> output)
        {
            if (source.Length < (long)cells * channels || output.Length < (long)cells * channels)
            {
                throw new ArgumentException("The source or the output is shorter than cells x channels.");
            }

            Transpose(source, cells, channels, output);
        }

        /// <summary>
        /// <see cref="ToChannels"/> into the padded planes a stride-1 conv reads (<see cref="ToPhasesStride1{TS, TV}"/>'s
        /// layout: W x H at (<paramref name="padLeft"/>, <paramref name="padTop"/>) in planes of <paramref name="phaseWidth"/> x
        /// <paramref name="phaseHeight"/>, the rest and the slack after the planes 0): the carried layout of a conv vectorized
        /// over its filters, so the next conv copies nothing (ResNet-8's 8x8x64 conv into the 3x3 after it). Row by row: each
        /// row's 8x8 blocks of cells and channels transposed into the planes, then the pad cells after that row in each plane
        /// (the cache lines just written), so no pass over the borders of their own.
        /// </summary>
        public static void ToChannelsPadded(ReadOnlySpan<float> source, int width, int height, int channels, int padLeft, int padTop, int phaseWidth, int phaseHeight, Span<float> phases)
        {
            int plane = CheckStride1(width * height * channels, width, height, channels, padLeft, padTop, phaseWidth, phaseHeight, phases);
            if (source.Length < (long)width * height * channels)
            {
                throw new ArgumentException("The source is shorter than width x height x channels.", nameof(source));
            }

            ref float s = ref MemoryMarshal.GetReference(source);
            ref float t = ref MemoryMarshal.GetReference(phases);
            Fill(ref Unsafe.Add(ref t, channels * plane), phases.Length - (channels * plane), 0f);
            int origin = (padTop * phaseWidth) + padLeft;
            int blockColumns = Avx.IsSupported ? width & ~7 : 0, blockChannels = Avx.IsSupported ? channels & ~7 : 0;
            for (int y = 0; y < height; y++)
            {
                ref float cells = ref Unsafe.Add(ref s, y * width * channels);
                ref float row = ref Unsafe.Add(ref t, origin + (y * phaseWidth));
                for (int c = 0; c < blockChannels; c += 8)
                {
                    for (int x = 0; x < blockColumns; x += 8)
                    {
                        Transpose8x8(ref Unsafe.Add(ref cells, (x * channels) + c), channels, ref Unsafe.Add(ref row, (c * plane) + x), plane);
                    }
                }

                // What the blocks left (the columns past the last block, the channels past the last block), then the pad cells
                // after the row: up to the next row's first cell, or after the last row to the end of the plane.
                int after = y + 1 < height ? phaseWidth - width : plane - (origin + (y * phaseWidth) + width);
                for (int c = 0; c < channels; c++)
                {
                    ref float target = ref Unsafe.Add(ref row, c * plane);
                    for (int x = c < blockChannels ? blockColumns : 0; x < width; x++)
                    {
                        Unsafe.Add(ref target, x) = Unsafe.Add(ref cells, (x * channels) + c);
                    }

                    Fill(ref Unsafe.Add(ref target, width), after, 0f);
                }
            }

            for (int c = 0; c < channels; c++)
            {
                Fill(ref Unsafe.Add(ref t, c * plane), origin, 0f);
            }
        }

        /// <summary>
        /// Gathers a padded copy (<see cref="Pad"/>) into columns, one per channel d, row phase p (0 .. Sy − 1) and tap
        /// column fx, each <paramref name="rows"/> rows of W2 cells: column (d, p, fx)[r·W2 + x] = padded[d, r·Sy + p,
        /// x·Sx + fx·Dx]. Tap (fy, fx) of output cell (y, x) is then column (d, fy·Dy mod Sy, fx) at (y + ⌊fy·Dy / Sy⌋)·W2 + x:
        /// taps a stride apart share a column. Rows are written in order with whole vectors (stride 2: the even lanes of two
        /// loads), each spilling into cells a later row writes, so <paramref name="columns"/> needs a vector of slack after
        /// the columns and <paramref name="padded"/> two after its planes.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Columns<TS, TV>(ReadOnlySpan<float> padded, int paddedWidth, int paddedHeight, int depth, int sizeX, int strideX, int strideY, int dilationX, int outWidth, int rows, Span<float> columns)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count, plane = paddedWidth * paddedHeight;
            if (padded.Length < ((long)plane * depth) + (2 * n) || columns.Length < ((long)depth * strideY * sizeX * rows * outWidth) + n ||
                ((long)(outWidth - 1) * strideX) + ((long)(sizeX - 1) * dilationX) >= paddedWidth || ((long)rows * strideY) > paddedHeight)
            {
                throw new ArgumentException("The padded input or the columns do not fit the shape.");
            }

            ref float source = ref MemoryMarshal.GetReference(padded);
            ref float target = ref MemoryMarshal.GetReference(columns);
            for (int d = 0; d < depth; d++)
            {
                for (int p = 0; p < strideY; p++)
                {
                    for (int fx = 0; fx < sizeX; fx++)
                    {
                        ref float start = ref Unsafe.Add(ref source, (d * plane) + (p * paddedWidth) + (fx * dilationX));
                        for (int r = 0; r < rows; r++)
                        {
                            ref float row = ref Unsafe.Add(ref start, r * strideY * paddedWidth);
                            if (strideX == 1)
                            {
                                for (int x = 0; x < outWidth; x += n)
                                {
                                    TS.Store(TS.Load(ref row, x), ref target, x);
                                }
                            }
                            else if (strideX == 2)
                            {
                                for (int x = 0; x < outWidth; x += n)
                                {
                                    TS.Store(TS.Evens(TS.Load(ref row, 2 * x), TS.Load(ref row, (2 * x) + n)), ref target, x);
                                }
                            }
                            else
                            {
                                for (int x = 0; x < outWidth; x++)
                                {
                                    Unsafe.Add(ref target, x) = Unsafe.Add(ref row, x * strideX);
                                }
                            }

                            target = ref Unsafe.Add(ref target, outWidth);
                        }
                    }
                }
            }
        }

        /// <summary>target[i] = max(0, source[i]), NaN kept, as <c>torch.relu</c>: a ReLU that could not be fused into the layer before it (the two spans may be the same).</summary>
        public static void Relu(ReadOnlySpan<float> source, Span<float> target)
        {
            if (target.Length < source.Length)
            {
                throw new ArgumentException("The target is shorter than the source.", nameof(target));
            }

            for (int i = 0; i < source.Length; i++)
            {
                float v = source[i];
                target[i] = v < 0f ? 0f : v;
            }
        }
    }
}
