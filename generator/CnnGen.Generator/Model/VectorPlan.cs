namespace CnnGen.Generator.Model
{
    /// <summary>
    /// How the vector kernel of a conv or pool layer walks its data. The input is copied into S·S "phase"
    /// planes per channel (<c>CnnGen.Runtime.Layout.ToPhases</c>) of <see cref="PhaseWidth"/> x <see cref="PhaseHeight"/>,
    /// so output position q = y·PhaseWidth + x reads tap (fy, fx) at phase plane (fy mod S, fx mod S),
    /// offset (fy / S)·PhaseWidth + fx / S: contiguous for consecutive q. The kernel computes
    /// <see cref="Rows"/> output channels x <see cref="Vectors"/> vectors of q at a time into a "wide" output
    /// with rows of <see cref="PhaseWidth"/>; the real columns are copied out afterwards.
    /// </summary>
    internal sealed class VectorPlan
    {
        /// <summary>The widest vector the kernels are sized for (AVX-512).</summary>
        public const int MaxLanes = 16;

        /// <summary>A fully connected layer whose padded weight would exceed 2^28 floats (1 GiB) keeps the scalar kernel only.</summary>
        private const long MaxPackedFullyConnected = 1L << 28;

        private VectorPlan(LayerModel layer)
        {
            if (layer.Kind == LayerKind.FullyConnected)
            {
                // The weight transposed to [inputs][outputs rounded up to whole 16-float vectors], zero in the padding,
                // so the kernel reads a vector of outputs' weights for one input.
                PaddedOutputs = (layer.OutputDepth + MaxLanes - 1) / MaxLanes * MaxLanes;
                PackedLength = layer.InputLength * PaddedOutputs;
                WideLength = PaddedOutputs;
                return;
            }

            int s = layer.Stride;
            PhaseWidth = (layer.SourceWidth + s - 1) / s;
            PhaseHeight = (layer.SourceHeight + s - 1) / s;
            Plane = PhaseWidth * PhaseHeight;
            // Rows a whole number of 16-float vectors long: vectors never cross a row, so positions are the output's own
            // (q = y·W2 + x) and the kernel stores straight into the CHW output.
            Direct = layer.Kind == LayerKind.Conv && layer.OutputWidth % MaxLanes == 0;
            Positions = layer.OutputHeight * (Direct ? layer.OutputWidth : PhaseWidth);
            WideChannel = (Positions + MaxLanes - 1) / MaxLanes * MaxLanes;
            int outputCells = layer.OutputWidth * layer.OutputHeight;
            // Vectors over positions would waste over a quarter of their lanes on the junk columns of the wide rows, and
            // the filters fill whole vectors: vectorize over the filters instead, a pixel broadcast at a time.
            Filters = layer.Kind == LayerKind.Conv && !Direct && layer.OutputDepth % MaxLanes == 0 && outputCells * 4 < WideChannel * 3;
            if (Filters)
            {
                Rows = layer.OutputDepth;
                Pixels = System.Math.Min(layer.OutputWidth, 12);
            }
            else if (layer.Kind == LayerKind.Conv)
            {
                Rows = layer.OutputDepth % 4 == 0 ? 4 : layer.OutputDepth % 3 == 0 ? 3 : layer.OutputDepth % 2 == 0 ? 2 : 1;
                // Rows x Vectors accumulators plus the vectors of input and a weight fit AVX2's 16 registers. AVX-512's 32
                // allow a few more; larger blocks measured no faster by themselves (slower for the 1x1 case E), so they are
                // used only where they cover the positions exactly and so remove the slow one- and two-vector steps at the end.
                NarrowVectors = Rows == 4 ? 3 : 4;
                Vectors = NarrowVectors;
                int count = WideChannel / MaxLanes;
                for (int nr = NarrowVectors + 1; nr <= NarrowVectors + 2 && Rows * nr <= 24 && count % Vectors != 0; nr++)
                {
                    if (count % nr == 0)
                    {
                        Vectors = nr;
                    }
                }
            }
            else
            {
                Rows = 1;
                Vectors = 4;
                NarrowVectors = 4;
            }

            // Phase rows exactly as long as output rows (a 1x1 window, say) and whole vectors per channel: the wide
            // output is the CHW output itself.
            Straight = layer.Kind == LayerKind.Conv && !Direct && !Filters && PhaseWidth == layer.OutputWidth && Positions % MaxLanes == 0;
            int reach = ((layer.Size - 1) / s * PhaseWidth) + ((layer.Size - 1) / s);
            bool conv = layer.Kind == LayerKind.Conv;
            // A 1x1 window with stride 1 and no padding: the phase plane would be a copy of the input.
            ReadsInput = Straight && s == 1 && layer.Padding == 0;
            PhaseLength = conv && !ReadsInput ? (s * s * layer.InputDepth * Plane) + System.Math.Max(0, WideChannel - Plane) + reach + MaxLanes : 0;
            WideLength = Filters ? outputCells * layer.OutputDepth : conv && !Direct && !Straight ? WideChannel * layer.OutputDepth : 0;
            PackedLength = conv ? layer.WeightLength : 0;
        }

        /// <summary>
        /// Conv vectorized over its filters (K a multiple of 16, and a wide output that would waste over a quarter of
        /// its positions): the weight packed [D][F][F][K], each input cell broadcast against a vector of filters, for
        /// <see cref="Pixels"/> output cells of a row at a time; the cell-major result is transposed into CHW at the end.
        /// </summary>
        public bool Filters { get; }

        /// <summary>Conv whose wide output has no junk columns and whole vectors per channel: it is the output itself.</summary>
        public bool Straight { get; }

        /// <summary>The kernel reads the input itself: its one phase plane per channel would be an exact copy.</summary>
        public bool ReadsInput { get; }

        /// <summary>Output cells of a row computed together by the filter-vector kernel.</summary>
        public int Pixels { get; }

        /// <summary>Fully connected: the outputs rounded up to whole 16-float vectors (the row length of the packed weight).</summary>
        public int PaddedOutputs { get; }

        /// <summary>Row length of a phase plane (and of the wide output).</summary>
        public int PhaseWidth { get; }

        public int PhaseHeight { get; }

        /// <summary>Floats in one phase plane.</summary>
        public int Plane { get; }

        /// <summary>Conv whose output rows are whole vectors: no wide output, positions are output cells.</summary>
        public bool Direct { get; }

        /// <summary>Output positions q computed per channel: output rows x phase width (x output width when <see cref="Direct"/>).</summary>
        public int Positions { get; }

        /// <summary>Output channels computed together (a divisor of K).</summary>
        public int Rows { get; }

        /// <summary>Vectors of output positions computed together with 16-float vectors.</summary>
        public int Vectors { get; }

        /// <summary>Vectors of output positions computed together with 8-float vectors.</summary>
        public int NarrowVectors { get; }

        /// <summary>Distance between channels in the wide output: <see cref="Positions"/> rounded up to whole 16-float vectors.</summary>
        public int WideChannel { get; }

        /// <summary>Floats the phase copy needs, with slack for the last chunk's reads.</summary>
        public int PhaseLength { get; }

        /// <summary>Floats of the wide output (fully connected: the sums of the padded outputs, before bias).</summary>
        public int WideLength { get; }

        /// <summary>Floats of the repacked weight.</summary>
        public int PackedLength { get; }

        /// <summary>
        /// The plan, or null when the layer keeps its scalar kernel only: a window over the unroll budget, a pool with
        /// stride over 2, a fully connected weight over <see cref="MaxPackedFullyConnected"/> floats once padded.
        /// </summary>
        public static VectorPlan? For(LayerModel layer) =>
            (layer.Kind == LayerKind.FullyConnected && (long)layer.InputLength * (layer.OutputDepth + MaxLanes) <= MaxPackedFullyConnected)
            || ((layer.Kind == LayerKind.Conv || (layer.Kind == LayerKind.MaxPool && layer.Stride <= 2)) && (long)layer.Size * layer.Size <= Unrolling.Budget)
                ? new VectorPlan(layer)
                : null;



        /// <summary>Offset of tap (fy, fx) of channel 0 in the phase copy.</summary>
        public int TapOffset(LayerModel layer, int fy, int fx)
        {
            int s = layer.Stride;
            int phase = ((fy % s) * s) + (fx % s);
            return (phase * layer.InputDepth * Plane) + (fy / s * PhaseWidth) + (fx / s);
        }
    }
}
