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

        private VectorPlan(LayerModel layer)
        {
            int s = layer.Stride;
            PhaseWidth = (layer.SourceWidth + s - 1) / s;
            PhaseHeight = (layer.SourceHeight + s - 1) / s;
            Plane = PhaseWidth * PhaseHeight;
            Positions = layer.OutputHeight * PhaseWidth;
            if (layer.Kind == LayerKind.Conv)
            {
                Rows = layer.OutputDepth % 4 == 0 ? 4 : layer.OutputDepth % 3 == 0 ? 3 : layer.OutputDepth % 2 == 0 ? 2 : 1;
                Vectors = Rows == 4 ? 3 : 4;
            }
            else
            {
                Rows = 1;
                Vectors = 4;
            }

            int chunk = Vectors * MaxLanes;
            WideChannel = (Positions + chunk - 1) / chunk * chunk;
            int reach = ((layer.Size - 1) / s * PhaseWidth) + ((layer.Size - 1) / s);
            bool conv = layer.Kind == LayerKind.Conv;
            PhaseLength = conv ? (s * s * layer.InputDepth * Plane) + System.Math.Max(0, WideChannel - Plane) + reach + MaxLanes : 0;
            WideLength = conv ? WideChannel * layer.OutputDepth : 0;
            PackedLength = layer.Kind == LayerKind.Conv ? layer.WeightLength : 0;
        }

        /// <summary>Row length of a phase plane (and of the wide output).</summary>
        public int PhaseWidth { get; }

        public int PhaseHeight { get; }

        /// <summary>Floats in one phase plane.</summary>
        public int Plane { get; }

        /// <summary>Output positions q computed per channel (output rows x phase width).</summary>
        public int Positions { get; }

        /// <summary>Output channels computed together (a divisor of K).</summary>
        public int Rows { get; }

        /// <summary>Vectors of output positions computed together.</summary>
        public int Vectors { get; }

        /// <summary>Distance between channels in the wide output: <see cref="Positions"/> rounded up to whole chunks.</summary>
        public int WideChannel { get; }

        /// <summary>Floats the phase copy needs, with slack for the last chunk's reads.</summary>
        public int PhaseLength { get; }

        public int WideLength { get; }

        /// <summary>Floats of the repacked weight.</summary>
        public int PackedLength { get; }

        /// <summary>The plan, or null when the layer keeps its scalar kernel only (a window over the unroll budget).</summary>
        public static VectorPlan? For(LayerModel layer) =>
            (layer.Kind == LayerKind.Conv || (layer.Kind == LayerKind.MaxPool && layer.Stride <= 2)) && (long)layer.Size * layer.Size <= Unrolling.Budget
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
