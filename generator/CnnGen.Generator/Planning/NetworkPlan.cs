using System;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Planning
{
    /// <summary>How much of a window is unrolled into straight-line code; the rest stays loops with literal bounds.</summary>
    internal enum UnrollLevel
    {
        /// <summary>The whole Fy × Fx × D window (conv) or Fy × Fx window (pool).</summary>
        Full,

        /// <summary>The loop over input channels stays; the Fy × Fx window is unrolled inside it.</summary>
        Window,

        /// <summary>Loops over input channels and window rows stay; each row of Fx taps is unrolled.</summary>
        Row,

        /// <summary>Nothing is unrolled.</summary>
        None,
    }

    /// <summary>
    /// Everything decided about a network before any text is written: per layer its kernels, and the forward steps
    /// with their buffers and the scratch sizes; <see cref="FoldedLength"/> floats of weights and biases with batch norms
    /// folded in. Computed once per network; the emitters only read it.
    /// </summary>
    internal sealed record NetworkPlan(
        NetworkModel Network,
        EquatableArray<LayerPlan> Layers,
        EquatableArray<ForwardStep> Steps,
        ScratchPlan Scratch,
        int PackedLength,
        int FoldedLength = 0)
    {
        public ClassSpec Class => Network.Class;

        /// <summary>
        /// The most samples ForwardBatch runs through each step together (0: one at a time, through Forward): set for networks
        /// of fully-connected layers only, whose vector kernel then reads each weight once per block.
        /// </summary>
        public int BlockSamples { get; init; }
    }

    /// <summary>
    /// One layer that has members (conv, pool, fully connected): its scalar kernel and, where one fits, its vector
    /// kernel (else <see cref="ScalarOnly"/> says why not). <see cref="PackedOffset"/> is where its repacked weight
    /// starts in <c>_packed</c> (−1: none).
    /// </summary>
    internal sealed record LayerPlan(LayerModel Layer, ScalarPlan Scalar, KernelPlan? Vector, int PackedOffset, string? ScalarOnly)
    {
        public string Name => Layer.Name;

        /// <summary>
        /// A conv or fully-connected layer without a bias that a batch norm is folded into: its kernels add a bias all the
        /// same (the folded one in <c>Forward</c>; zeros from its public method, which has no bias parameter).
        /// </summary>
        public bool FoldedBias { get; init; }

        /// <summary>The batch norm folded into this layer in <c>Forward</c> (−1: none).</summary>
        public int FoldedBatchNorm { get; init; } = -1;

        /// <summary>Where its folded weight starts in <c>_folded</c> (its folded bias, K floats, right after it).</summary>
        public int FoldedOffset { get; init; } = -1;

        /// <summary>The upper clamp of the activation Forward fuses into this layer's kernels: 6 for a ReLU6, +∞ for a ReLU.</summary>
        public float FusedCeiling { get; init; } = float.PositiveInfinity;

        /// <summary>The layer as its kernels see it: with a bias of K floats when <see cref="FoldedBias"/>, and the fused activation's ceiling.</summary>
        public LayerModel Kernel => Layer with { Bias = FoldedBias ? new Slice(Layer.Bias.Offset, Layer.Output.Depth) : Layer.Bias, FusedCeiling = FusedCeiling };
    }

    /// <summary>
    /// The scalar kernel: its unroll level, and the plane its windows read: the input itself, or a padded copy of
    /// <see cref="SourceWidth"/> × <see cref="SourceHeight"/> per channel when <see cref="Padded"/>.
    /// </summary>
    internal sealed record ScalarPlan(UnrollLevel Unroll, bool Padded, int SourceWidth, int SourceHeight)
    {
        public int SourcePlane => SourceWidth * SourceHeight;
    }

    /// <summary>A vector kernel's plan; one record type per kernel.</summary>
    internal abstract record KernelPlan
    {
        /// <summary>Floats of the phase copy of the input this kernel needs (0: none).</summary>
        public virtual int PhaseLength => 0;

        /// <summary>Floats of the wide (or cell-major, or sums) scratch output this kernel needs (0: none).</summary>
        public virtual int WideLength => 0;

        /// <summary>Floats of the repacked weight this kernel reads (0: it reads PyTorch's layout).</summary>
        public virtual int PackedLength => 0;

        /// <summary>
        /// In <c>Forward</c> this kernel's input may arrive already in its padded stride-1 phase planes (the carried
        /// layout: the conv before it stored its output there), and then it copies nothing. Its public method still copies.
        /// </summary>
        public bool PaddedInput { get; init; }
    }

    /// <summary>
    /// Where a conv writes its output in <c>Forward</c> when the one conv that reads it takes padded stride-1 phase planes
    /// (the carried layout): planes of <see cref="Width"/> × <see cref="Height"/> with the output at
    /// (<see cref="PadLeft"/>, <see cref="PadTop"/>), padding zero, <see cref="Length"/> floats in all (the reader's phase copy length).
    /// </summary>
    internal sealed record PaddedPlanes(int Width, int Height, int PadLeft, int PadTop, int Length)
    {
        public int Plane => Width * Height;

        /// <summary>Where output cell (0, 0) of channel 0 lies.</summary>
        public int Origin => (PadTop * Width) + PadLeft;

        /// <summary>The most cells between consecutive output rows that the storing conv zeroes itself.</summary>
        public const int MaxRowGap = 4;

        /// <summary>
        /// Whether the conv that stores its output here zeroes the cells between consecutive rows (a row's right padding and
        /// the next row's left padding: <see cref="Width"/> − W of them, at most <see cref="MaxRowGap"/>) as it stores each
        /// row's last vector, while its cache line is at hand, and <c>Forward</c> pads only each plane's ends before
        /// (<c>Layout.PadPlaneEnds</c>); that needs a pad row below the output, so the cells after its last row stay in its
        /// plane. Otherwise <c>Layout.PadBorders</c> writes every pad cell before the conv runs.
        /// </summary>
        public bool ZeroesRowGaps(int outputWidth, int outputHeight) => Width - outputWidth <= MaxRowGap && Height > PadTop + outputHeight;
    }

    /// <summary>
    /// The input as "phase" planes: <see cref="PhasesY"/> × <see cref="PhasesX"/> planes per channel of
    /// <see cref="Width"/> × <see cref="Height"/>, phase (py, px) holding padded cells (Sy·i + py, Sx·j + px), so
    /// that tap (fy, fx) of consecutive outputs is a contiguous run. Only the phases some tap reads are kept
    /// (fewer than S when the stride is larger than the window, or when the dilation skips some).
    /// </summary>
    internal sealed record PhaseLayout(int Width, int Height, int PhasesX, int PhasesY, int Depth)
    {
        /// <summary>
        /// Floats from one phase row to the next: <see cref="Width"/>, or more where the planner aligns the rows (a direct
        /// conv at stride 2 across: rows a multiple of 16 floats apart, see <see cref="SkewEven"/>).
        /// </summary>
        public int Pitch { get; init; }

        /// <summary>
        /// Cells the rows of column phase 0 (<see cref="SkewEven"/>) and 1 (<see cref="SkewOdd"/>) start into their
        /// <see cref="Pitch"/>: where rows are aligned, so that each phase's first input cell lies on a 64-byte boundary
        /// (F's 32x32x32 at padding 1: phase 0 holds a pad cell then the odd input columns, so it starts 15 cells in).
        /// </summary>
        public int SkewEven { get; init; }

        /// <inheritdoc cref="SkewEven"/>
        public int SkewOdd { get; init; }

        /// <summary>
        /// Where rows are aligned, the cells of column phase 0 (<see cref="ReadEven"/>) and 1 (<see cref="ReadOdd"/>) the
        /// kernel reads (0: <see cref="Width"/>); the copy writes pad values only there (F's phase of the even columns is
        /// read by the middle tap alone: 16 of its 17 cells).
        /// </summary>
        public int ReadEven { get; init; }

        /// <inheritdoc cref="ReadEven"/>
        public int ReadOdd { get; init; }

        /// <summary>Floats from one channel's plane to the next.</summary>
        public int Plane => RowPitch * Height;

        /// <summary><see cref="Pitch"/>, or <see cref="Width"/> where it is not set.</summary>
        public int RowPitch => Pitch == 0 ? Width : Pitch;

        /// <summary><see cref="ReadEven"/>, or <see cref="Width"/> where it is not set.</summary>
        public int CellsEven => ReadEven == 0 ? Width : ReadEven;

        /// <summary><see cref="ReadOdd"/>, or <see cref="Width"/> where it is not set.</summary>
        public int CellsOdd => ReadOdd == 0 ? Width : ReadOdd;

        /// <summary>Whether rows are apart from each other or skewed (the copy then takes the pitch and the skews).</summary>
        public bool Aligned => RowPitch != Width || SkewEven != 0 || SkewOdd != 0 || CellsEven != Width || CellsOdd != Width;

        /// <summary>The skew of column phase <paramref name="px"/>.</summary>
        public int Skew(long px) => px == 0 ? SkewEven : px == 1 ? SkewOdd : 0;

        /// <summary>
        /// Offset of tap (fy, fx) of channel 0: the padded cell (fy·Dy, fx·Dx) from the window's origin lies in phase
        /// (fy·Dy mod Sy, fx·Dx mod Sx), (fy·Dy div Sy) rows and (fx·Dx div Sx) columns on (plus that column phase's skew).
        /// </summary>
        public long TapOffset(int fy, int fx, Window window)
        {
            long cy = (long)fy * window.DilationY, cx = (long)fx * window.DilationX;
            long phase = ((cy % window.StrideY) * PhasesX) + (cx % window.StrideX);
            return (phase * Depth * Plane) + (cy / window.StrideY * RowPitch) + (cx / window.StrideX) + Skew(cx % window.StrideX);
        }
    }

    /// <summary>
    /// Conv vectorized over output positions: <see cref="Rows"/> filters × <see cref="Vectors"/> vectors of positions
    /// per step (<see cref="NarrowVectors"/> with vectors narrower than 16 floats; with 16-float ones, blocks of
    /// <see cref="RowsOf16"/> filters where that is 8), the weight read in PyTorch's layout.
    /// Position q = y·<see cref="RowLength"/> + x. With 16-float vectors, <see cref="NarrowAfter"/> steps of
    /// <see cref="NarrowVectors"/> follow the big steps where they cover the rest exactly (0: the big steps go to the end).
    /// The positions left after that take steps of one vector (<see cref="Tail"/>: only where some vector width leaves any). <see cref="Direct"/>: output rows are whole 16-float vectors, so
    /// positions are output cells and the kernel stores straight into the output. Otherwise it writes a "wide"
    /// output of phase-width rows (<see cref="Straight"/>: that wide output has no junk and is the output itself).
    /// <see cref="Chunk"/>: a step takes its input channels that many at a time, every filter block over one chunk before
    /// the next (the sums so far kept where the step stores them: the output or the wide output); 0 for all of them at once.
    /// </summary>
    internal sealed record ConvPositionsPlan(
        PhaseLayout Phases,
        bool ReadsInput,
        bool Direct,
        bool Straight,
        int Positions,
        int WideChannel,
        int Rows,
        int Vectors,
        int NarrowVectors,
        int NarrowAfter,
        bool Tail,
        UnrollLevel Unroll,
        int PhaseCopyLength,
        int WideCopyLength,
        int Chunk) : KernelPlan
    {
        public int RowLength => Phases.RowPitch;

        public override int PhaseLength => PhaseCopyLength;

        public override int WideLength => WideCopyLength;

        /// <summary>In <c>Forward</c>, the padded planes of the next conv this kernel may store its output in (null: never).</summary>
        public PaddedPlanes? PaddedOutput { get; init; }

        /// <summary>In <c>Forward</c> this kernel may leave its wide output uncompacted for the pool that reads it (the carried layout).</summary>
        public bool WideOutput { get; init; }

        /// <summary>
        /// In <c>Forward</c> this kernel may add a residual to each output as it stores it (the Add after it fused in, see
        /// <see cref="FusedAdd"/>); the residual in the padded planes here (the carried layout) or, when null, CHW.
        /// </summary>
        public bool AddsResidual { get; init; }

        /// <summary>Where <see cref="AddsResidual"/>: the padded planes the residual is in (null: CHW).</summary>
        public PaddedPlanes? ResidualPlanes { get; init; }

        /// <summary>
        /// Filters per block of the steps taken with 16-float vectors, as the planner set it: 8 (8 x <see cref="Vectors"/>,
        /// steps named <c>…Step{vectors}x8</c>) where <see cref="Rows"/> is 4, the filters per group are a multiple of 8 and a
        /// group has 8 input channels or more; otherwise <see cref="Rows"/>. Narrower vectors always take blocks of
        /// <see cref="Rows"/>.
        /// </summary>
        public int RowsOf16 { get; init; }

        /// <summary>Whether the 16-float steps take larger filter blocks than the narrower ones (their methods are then apart).</summary>
        public bool EightFilters => RowsOf16 > Rows;

        /// <summary>
        /// Floats of the weight repacked in blocks of 8 filters ([K/8][D][Fy][Fx][8], <c>Layout.PackFilterBlocks</c>), which
        /// every vector step then reads (blocks of 4 are halves of those): the layer's weight length where
        /// <see cref="EightFilters"/>, else 0 (PyTorch's layout).
        /// </summary>
        public int Packed { get; init; }

        /// <summary>Filters per block of the repacked weight (<see cref="Packed"/>).</summary>
        public const int PackBlock = 8;

        public override int PackedLength => Packed;

        /// <summary>The output's width: the real cells of each wide row, the rest of its <see cref="RowLength"/> junk.</summary>
        public int OutputWidth { get; init; }

        /// <summary>
        /// Whether the steps that end by the last row's last real cell store their vectors compacted straight into the CHW
        /// output (each vector's junk lanes dropped by a lane permute, <c>Layout.CompactedAt</c>), so that only the last
        /// few positions go through the wide output and its copy. Where the wide output is compacted at the end at all (not
        /// <see cref="Direct"/> or <see cref="Straight"/>), nothing else reads it (not <see cref="WideOutput"/>) and no chunks
        /// of channels wait in it; and output rows of 16 cells or more, so a vector straddles one run of junk at most and the
        /// last one stays in its plane. (A fused residual and a carried padded output come only with direct or straight
        /// kernels; they are excluded here all the same.)
        /// </summary>
        public bool CompactStores => !Direct && !Straight && Chunk == 0 && !WideOutput && !AddsResidual && PaddedOutput is null && OutputWidth >= NetworkPlanner.MaxLanes;

        /// <summary>Where <see cref="EightFilters"/>: whether 16-float steps of <see cref="Vectors"/> leave vectors for one-vector steps.</summary>
        public bool TailOf16 => WideChannel / 16 % Vectors != 0;

        /// <summary>Where <see cref="EightFilters"/>: whether 8- or 4-float steps of <see cref="NarrowVectors"/> leave vectors for one-vector steps.</summary>
        public bool TailOfNarrower => ((Positions + 7) / 8 % NarrowVectors != 0) || ((Positions + 3) / 4 % NarrowVectors != 0);
    }

    /// <summary>
    /// Conv vectorized over its filters (K a multiple of 16 and short output rows): the weight repacked
    /// [D][Fy][Fx][K], each input cell broadcast against vectors of filters for a few output cells at a time; the
    /// cell-major result is transposed into CHW at the end (unless <see cref="CellsOutput"/>, in <c>Forward</c>). Each read is one cell inside the padded input, so with stride
    /// 1 and no padding the kernel reads the input itself (<see cref="ReadsInput"/>). <see cref="Narrow"/> is the step on
    /// every vector width (at most 12 accumulators: AVX2 has 16 registers); <see cref="Wide"/> the step on 512-bit vectors
    /// (32 registers: up to 24 accumulators), the same as <see cref="Narrow"/> where nothing larger fits.
    /// </summary>
    internal sealed record ConvFiltersPlan(PhaseLayout Phases, bool ReadsInput, FilterTile Narrow, FilterTile Wide, UnrollLevel Unroll, int PhaseCopyLength, int CellMajorLength, int Packed) : KernelPlan
    {
        /// <summary>In <c>Forward</c>, the padded planes of the next conv this kernel may transpose its output into (null: never).</summary>
        public PaddedPlanes? PaddedOutput { get; init; }

        /// <summary>In <c>Forward</c>, this kernel may leave its output cell-major, untransposed, for the max pool that reads it.</summary>
        public bool CellsOutput { get; init; }

        public override int PhaseLength => PhaseCopyLength;

        public override int WideLength => CellMajorLength;

        public override int PackedLength => Packed;
    }

    /// <summary>
    /// One step of the filter-vector conv: <see cref="Cells"/> output cells × <see cref="Vectors"/> vectors of filters, one
    /// accumulator each. <see cref="Flat"/>: the cells run on across rows (a 1x1 conv at stride 1 reading its input, whose
    /// rows are the output's: the plane is one long row). <see cref="FiltersOuter"/>: the loop over blocks of filters is
    /// outside the loop over rows (each block of the weight read once, the input once per block), else inside.
    /// </summary>
    internal sealed record FilterTile(int Cells, int Vectors, bool Flat, bool FiltersOuter)
    {
        /// <summary>
        /// The step on every width: up to 4 filter vectors while cells × vectors accumulators stay within 12 and the filters
        /// are a whole number of steps at every width (K a multiple of 16 × vectors). A 3x3 output (MobileNet's last 1x1
        /// convs) has only 3 cells a row: one vector gave 3 multiply-add chains, a third of what keeps the FMA units busy.
        /// </summary>
        internal static (int Cells, int Vectors) NarrowStep(int filters, int rowCells)
        {
            int cells = Math.Min(rowCells, 12);
            foreach (int vectors in new[] { 4, 2 })
            {
                if (filters % (16 * vectors) == 0 && cells * vectors <= 12)
                {
                    return (cells, vectors);
                }
            }

            return (cells, 1);
        }

        /// <summary>
        /// The step on 512-bit vectors (up to 24 accumulators of the 32 registers): rows of up to 6 cells take 4 filter
        /// vectors, longer ones up to 12 cells × 2 vectors (or 16 cells × 1 where K is not a multiple of 32).
        /// In-process on MobileNet's 1x1 conv of 3x3x256 (flat: 9 cells × 2 vectors, the weight read once) 9.9 → 5.9 µs;
        /// on its 6x6x128 ones (flat: 12 × 2) 7.6 → 6.4 µs.
        /// </summary>
        internal static (int Cells, int Vectors) WideStep(int filters, int rowCells)
        {
            if (filters % 64 == 0 && rowCells <= 6)
            {
                return (rowCells, 4);
            }

            return filters % 32 == 0 ? (Math.Min(rowCells, 12), 2) : (Math.Min(rowCells, 16), 1);
        }

        /// <summary>
        /// Which loop goes outside: with the rows outside, the whole weight is read once per output row; with the filter
        /// blocks outside, the input (or its phase copy) once per block of 16 × vectors filters. The smaller read wins:
        /// MobileNet's 1x1 conv on 3x3x256 reads its 256 KB weight 3 times row-major, its 9 KB input 4 times block-major.
        /// </summary>
        internal static bool FilterBlocksOutside(long weightLength, int outputRows, long sourceLength, int filters, int vectors) =>
            (long)filters / (16 * vectors) * sourceLength < weightLength * outputRows;
    }

    /// <summary>
    /// Conv of few taps (D·Fy·Fx) over a small output plane that is not whole vectors wide (a keyword-spotting stem:
    /// one channel, a 10x4 window, 125 outputs per filter): the padded input is gathered once into columns
    /// (<c>Layout.Columns</c>), one per channel, row phase (Sy of them) and fx, each <see cref="PhaseRows"/> rows of W2 cells,
    /// so that tap (fy, fx) of output cell q is column (fy·Dy mod Sy, fx) at q + ⌊fy·Dy / Sy⌋·W2: taps a stride apart
    /// share one column. Then <see cref="Rows"/> filters × 4 vectors of cells per step multiply-add along the taps,
    /// stored straight into the CHW output (no junk columns, no compaction).
    /// </summary>
    internal sealed record ConvColumnsPlan(int Taps, int Rows, int ColumnLength, int PaddedWidth, int PaddedHeight, int PaddedLength, int PhaseRows) : KernelPlan
    {
        /// <summary>Where the padded copy of the input starts in the scratch: after the columns and a vector of slack.</summary>
        public int PaddedOffset => ColumnLength + 16;

        public override int WideLength => PaddedOffset + PaddedLength + 32;
    }

    /// <summary>
    /// Depthwise conv (one input channel per group, <see cref="Multiplier"/> filters each) vectorized over output
    /// positions, one channel at a time with its Fy·Fx weights held in registers: for each output row, vectors of
    /// columns (the last one overlapping the one before) read the phase planes (or the input itself,
    /// <see cref="ReadsInput"/>) and store straight into the output. Output rows narrower than the widest vector
    /// (<see cref="Wide"/>) go as one run of phase-width rows into a wide buffer, compacted at the end.
    /// </summary>
    internal sealed record DepthwisePlan(PhaseLayout Phases, bool ReadsInput, int Multiplier, bool Wide, int Positions, int WideChannel, int PhaseCopyLength, int WideCopyLength) : KernelPlan
    {
        /// <summary>
        /// Stride 2 across, rows wide enough: the kernel reads the input itself, splitting even and odd columns in
        /// registers, with the output columns whose window crosses the row's edge computed one at a time (no copy at all).
        /// </summary>
        public bool Strided { get; init; }

        /// <summary>The stride-2 kernel's output columns [<see cref="VectorStart"/>, <see cref="VectorEnd"/>) in vectors.</summary>
        public int VectorStart { get; init; }

        /// <inheritdoc cref="VectorStart"/>
        public int VectorEnd { get; init; }

        /// <summary>
        /// The stride-2 kernel's output rows whose windows hold one input row (at most): ⌈((Fy − 1)·Dy + 1) / Sy⌉, 1 when
        /// windows do not overlap. Their accumulators wait in registers while the input rows stream past.
        /// </summary>
        public int LiveRows { get; init; } = 1;

        /// <summary>
        /// Vectors of columns per block of the stride-2 kernel: up to 4, with at most 12 accumulators (live rows × vectors),
        /// so that with the loads and splits they fit 32 registers with the weights (on 16 registers, AVX2 and narrower, some
        /// weights spill and are read from memory by the multiply-adds); and no more
        /// than 16-float vectors take to cover the vector columns (a 24-wide output row is two, not four with two repeated).
        /// </summary>
        public int BlockVectors { get; init; } = 1;

        /// <summary>
        /// The stride-2 kernel's edge columns (outside [<see cref="VectorStart"/>, <see cref="VectorEnd"/>)) are summed in
        /// scalar accumulators that stream with the first block's vectors (at most 12 of them, edge columns × live rows: they
        /// share the vector registers);
        /// else in a pass of their own after the vectors.
        /// </summary>
        public bool StreamedEdges { get; init; }

        /// <summary>The stride-2 plan for <paramref name="layer"/> (stride 2 across), its columns, live rows and blocks.</summary>
        public static DepthwisePlan StridedOf(LayerModel layer, PhaseLayout phases)
        {
            Window window = layer.Window!;
            int inW = layer.Input.Width, outW = layer.Output.Width;

            // Vector columns [start, end): the first tap's column 2x − Pleft is at least 0, and the last tap's column plus the
            // spare odd lane its pair of loads reads, 2x + (Fx − 1)·Dx − Pleft + 1, is at most W − 1.
            int reach = (window.SizeX - 1) * window.DilationX;
            int start = (window.PadLeft + 1) / 2;
            int end = System.Math.Min(outW, System.Math.Max(start, ((inW - 2 + window.PadLeft - reach) / 2) + 1));
            int span = ((window.SizeY - 1) * window.DilationY) + 1;
            int live = span >= window.StrideY ? (span + window.StrideY - 1) / window.StrideY : 1;
            int edges = start + (outW - end);
            return new DepthwisePlan(phases, false, layer.Output.Depth / layer.Groups, false, 0, 0, 0, 0)
            {
                Strided = true,
                VectorStart = start,
                VectorEnd = end,
                LiveRows = live,
                BlockVectors = System.Math.Max(1, System.Math.Min(System.Math.Min(4, 12 / live), (end - start + 15) / 16)),
                StreamedEdges = edges * live <= 12,
            };
        }

        /// <summary>
        /// Two padded planes of <c>PhaseLength / 2</c> floats: channel c + 1 is copied into one while channel c is computed
        /// from the other (stride 1 with padding, one filter per channel, output rows at least one vector wide). Where the
        /// kernel computes several output rows at a time, the copy's rows go a block at a time between channel c's row
        /// blocks, so their loads overlap the taps.
        /// </summary>
        public bool Pipelined { get; init; }

        /// <summary>
        /// The whole input copied into its phase planes (all channels, <see cref="PhaseLayout.Depth"/> of them) once before
        /// the channels are computed: rows narrower than a vector, a copy of at most 64K floats.
        /// </summary>
        public bool CopiedOnce { get; init; }

        public override int PhaseLength => PhaseCopyLength;

        public override int WideLength => WideCopyLength;
    }

    /// <summary>
    /// Depthwise on a small map (output rows narrower than a 512-bit vector, at most <see cref="MaxInputCells"/> input and
    /// <see cref="MaxOutputCells"/> output cells per channel, at least 16 channels, one filter per channel, not a map the
    /// flat-plane kernel takes): vectorized over channels by the runtime's DepthwiseKernel.ChannelsLast, the input copied
    /// channels-last and the result back (both in the phase scratch), the weight repacked [taps][channels].
    /// </summary>
    internal sealed record DepthwiseChannelsPlan(int CopyLength, int Packed) : KernelPlan
    {
        /// <summary>
        /// Cells per channel (input and output) up to which vectors over positions lose to vectors over channels. Measured
        /// on MobileNetV1 (in-process, in Forward): 6×6 → 3×3 at stride 2 went from 8.7 to 2.8 µs and 3×3 at stride 1 from
        /// 6.7 to 3.1; once the transposes ran in 8x8 blocks, 12×12 → 6×6 at stride 2 6.5 → 2.2 µs and 24×24 → 12×12
        /// 6.9 → 5.1. Where the rows are a vector wide or more this way lost (48×48 → 24×24 at stride 2 5.0 → 9.5 µs,
        /// 24×24 at stride 1 4.6 → 12.9), and so did stride 1 on the maps the flat-plane kernel takes (12×12: 4.4 → 6.2).
        /// </summary>
        public const int MaxInputCells = 576, MaxOutputCells = 144;

        public static bool Fits(LayerModel layer) =>
            layer.IsDepthwise && layer.Output.Depth == layer.Input.Depth && layer.Input.Depth >= 16 && layer.Output.Width < 16 &&
            layer.Input.Plane <= MaxInputCells && layer.Output.Plane <= MaxOutputCells && layer.Window!.Taps <= 64 && !DepthwiseFlatPlan.Fits(layer);

        public override int PhaseLength => CopyLength;

        public override int PackedLength => Packed;
    }

    /// <summary>
    /// Depthwise conv at stride 1 on a plane whose rows are narrower than a vector (a 5x25 keyword-spotting map, MobileNet's
    /// 12x12 and 6x6 ones) and whose output is as wide as its input: each channel's output positions q = y·W + x in vectors
    /// over the whole plane, stored straight into the output. The input is copied once with <see cref="PadTop"/> zero rows
    /// above each plane and the bottom padding below (whole rows: one run per channel); a tap whose column falls outside the
    /// row reads the neighbouring row's cell, masked off by a lane mask per vector and window column (<c>Layout.ColumnMasks</c>).
    /// Against the row kernel's per-channel padded copy and compaction: DS-CNN's 5x25x64 depthwise 12.7 -> 4.1 us in Forward (in-process).
    /// </summary>
    internal sealed record DepthwiseFlatPlan(int PaddedHeight, int Before, int Planes, int MaskLength) : KernelPlan
    {
        /// <summary>
        /// Stride 1, no dilation, output as wide as the input, rows narrower than 16 floats, a plane of at least 16, padding
        /// across of at most <see cref="Slack"/> on each side (a tap reads at most that far before or after a plane).
        /// </summary>
        public static bool Fits(LayerModel layer)
        {
            Window w = layer.Window!;
            return layer.IsDepthwise && w.StrideX == 1 && w.StrideY == 1 && !w.IsDilated && layer.Output.Width == layer.Input.Width &&
                layer.Output.Width < 16 && layer.Output.Plane >= 16 && w.Taps <= 64 && w.PadLeft <= Slack && w.PadRight <= Slack;
        }

        /// <summary>Floats before the first plane (a tap may read up to PadLeft cells before a plane).</summary>
        public const int Slack = 16;

        public override int PhaseLength => Before + Planes + Slack;

        public override int WideLength => MaskLength;
    }

    /// <summary>
    /// Max or average pool vectorized along each output row, reading the input rows directly: output columns
    /// <see cref="First"/>..<see cref="Last"/> have their whole window inside the row (even/odd lanes for stride 2).
    /// A row with fewer such columns than a vector takes one vector that spills into the next row (measured faster than
    /// narrower vectors: LeNet-5's first pool, then with 13 such columns a row, ran in 0.42 µs with 16-float vectors against
    /// 0.54 with 8). For a 2x2 stride-2 window without padding every column is one of them (its load pairs end where its
    /// windows end).
    /// </summary>
    internal sealed record PoolRowsPlan(int First, int Last) : KernelPlan
    {
        public int Inside => Last - First + 1;

        /// <summary>In <c>Forward</c> the input arrives as the wide output of the conv before it, uncompacted (null: never).</summary>
        public WideRows? WideInput { get; init; }

        /// <summary>In <c>Forward</c> the input arrives cell-major, as the filter-vector conv before it left it (null: never).</summary>
        public CellRows? CellsInput { get; init; }
    }

    /// <summary>A filter-vector conv's untransposed output as the max pool after it reads it: <see cref="Width"/> x <see cref="Height"/> cells, each <see cref="Channels"/> floats (HWC).</summary>
    internal sealed record CellRows(int Width, int Height, int Channels);

    /// <summary>A position conv's wide output as the next layer reads it: rows <see cref="Row"/> long, channels <see cref="Channel"/> apart, <see cref="Length"/> floats.</summary>
    internal sealed record WideRows(int Row, int Channel, int Length);

    /// <summary>
    /// Average pool at stride 1 as two passes of sums (the window is a sum, so it separates): for a band of
    /// <see cref="Band"/> output rows, the sum down each input column of the rows in its window, written into rows of
    /// <see cref="PaddedWidth"/> floats whose padding columns stay zero; then the sum across each such row at the
    /// <c>SizeX</c> offsets, times 1 / PyTorch's count. Fy + Fx loads per output vector instead of Fy · Fx (L4, a 3×3 pool
    /// over 64×28×28: 20.5 µs with the row kernel, measured against the two passes in <c>bench/RESULTS.md</c>).
    /// </summary>
    internal sealed record PoolSumsPlan(int Band, int PaddedWidth) : KernelPlan
    {
        /// <summary>The band's buffer is at most this many floats (16 KB, on the stack).</summary>
        public const int MaxFloats = 4096;

        /// <summary>
        /// An average pool at stride 1 without dilation, whose input and output rows hold a whole vector of every width (16
        /// floats), whose padded row fits the buffer, and whose window is small enough to unroll down and across.
        /// </summary>
        public static bool Fits(LayerModel layer)
        {
            Window w = layer.Window!;
            return layer.Kind == LayerKind.AvgPool && w.StrideX == 1 && w.StrideY == 1 && !w.IsDilated &&
                layer.Input.Width >= 16 && layer.Output.Width >= 16 &&
                (long)w.PadLeft + layer.Input.Width + w.PadRight <= MaxFloats &&
                w.SizeX + w.SizeY <= Unrolling.Budget;
        }
    }

    /// <summary>
    /// A pool whose one window is the whole unpadded map (1×1 output; MLPerf Tiny's keyword-spotting and visual-wake-words
    /// models end with one): each channel's mean or largest value, the runtime's global pool, instead of a window of
    /// Fy · Fx taps unrolled per output.
    /// </summary>
    internal sealed record WholeMapPoolPlan : KernelPlan
    {
        /// <summary>One output, its window exactly the input: no padding, no dilation, the window's size the map's.</summary>
        public static bool Fits(LayerModel layer)
        {
            Window w = layer.Window!;
            return layer.Kind is LayerKind.AvgPool or LayerKind.MaxPool && layer.Output.Width == 1 && layer.Output.Height == 1 && !w.IsDilated &&
                w.PadLeft == 0 && w.PadRight == 0 && w.PadTop == 0 && w.PadBottom == 0 &&
                w.SizeX == layer.Input.Width && w.SizeY == layer.Input.Height;
        }
    }

    /// <summary>
    /// Fully connected vectorized over its outputs: the weight transposed into panels of 32 outputs, each
    /// [inputs][32] (the last one 16 wide where the outputs, rounded up to <see cref="PaddedOutputs"/>, whole 16-float
    /// vectors with zero padding, end half way), each input broadcast into vectors of outputs.
    /// </summary>
    internal sealed record FullyConnectedPlan(int PaddedOutputs, int Packed) : KernelPlan
    {
        /// <summary>Outputs per panel of the packed weight: the runtime's FullyConnectedKernel.PanelWidth.</summary>
        public const int PanelWidth = 32;

        public override int WideLength => PaddedOutputs;

        public override int PackedLength => Packed;
    }

    /// <summary>
    /// One step of <c>Forward</c>: run layer <see cref="Layer"/> (an index into the network's layers) from the buffers
    /// <see cref="Sources"/> into <see cref="Target"/> (buffers: <see cref="Slots.Input"/>, <see cref="Slots.Output"/> or a
    /// slot of the activation scratch). <see cref="Folded"/> is the batch norm folded into a conv or fully-connected layer
    /// (−1: none), and <see cref="FusedRelu"/> the ReLU after it (or after an Add) applied in its store. <see cref="Last"/>
    /// is the layer whose output the step leaves in its target. <see cref="InPlace"/> when it rewrites its source.
    /// </summary>
    internal sealed record ForwardStep(int Layer, bool FusedRelu, EquatableArray<int> Sources, int Target, bool InPlace, int Folded, int Last)
    {
        public int Source => Sources[0];

        /// <summary>The step's conv stores its output in the padded planes of the conv step that reads it (see <see cref="PaddedPlanes"/>).</summary>
        public PaddedPlanes? PaddedOutput { get; init; }

        /// <summary>The step's conv reads its input as the padded planes the conv step that made it stored (no copy).</summary>
        public bool PaddedInput { get; init; }

        /// <summary>An Add's operand (0 or 1) that is in padded planes (<see cref="PaddedPlanes"/>, the conv reading the same value takes them); −1: none.</summary>
        public int PaddedOperand { get; init; } = -1;

        /// <summary>The planes of <see cref="PaddedOperand"/>.</summary>
        public PaddedPlanes? OperandPlanes { get; init; }

        /// <summary>The step's conv leaves its wide output uncompacted (this many floats) for the pool step that reads it; 0: no.</summary>
        public int WideOutputLength { get; init; }

        /// <summary>The step's pool reads the wide output the conv step before left (its <c>…VectorWide</c> kernel).</summary>
        public WideRows? WideInput { get; init; }

        /// <summary>The step's filter-vector conv leaves its output cell-major (HWC, untransposed) for the max pool step that reads it.</summary>
        public bool CellsOutput { get; init; }

        /// <summary>The step's max pool reads the cell-major output the conv step before left (its <c>…VectorCells</c> kernel).</summary>
        public CellRows? CellsInput { get; init; }

        /// <summary>The step's conv adds the residual of the Add after it as it stores its output (null: no Add fused in).</summary>
        public FusedAdd? Add { get; init; }

        /// <summary>The step is an Add the conv step that makes its operand does (<see cref="Add"/>): nothing to run in <c>Forward</c>'s vector steps.</summary>
        public bool FusedIntoConv { get; init; }
    }

    /// <summary>
    /// An Add fused into the store of the conv that makes one of its operands: the other operand (the residual) in
    /// <see cref="Buffer"/>, in the padded planes <see cref="Planes"/> or CHW, ReLU after the sum where <see cref="Relu"/>;
    /// <see cref="AddLayer"/> is the Add's layer.
    /// </summary>
    internal sealed record FusedAdd(int Buffer, PaddedPlanes? Planes, bool Relu, int AddLayer);

    /// <summary>Buffer numbers of <see cref="ForwardStep"/>: the input, the output, else a slot of the activation scratch.</summary>
    internal static class Slots
    {
        public const int Input = -1;
        public const int Output = -2;
    }

    /// <summary>
    /// The per-thread scratch buffers <c>Forward</c> and the kernels use, and their sizes (0: not used): the activation
    /// slots one after another (<see cref="SlotOffsets"/>, <see cref="ActivationLength"/> in all), and the kernels' copies.
    /// </summary>
    internal sealed record ScratchPlan(int ActivationLength, EquatableArray<int> SlotOffsets, int PaddedLength, int PhaseLength, int WideLength);
}
