using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>What the vector conv kernels share: the phase copy of the input (or the input itself) as <c>source</c>.</summary>
    internal static class ConvPhases
    {
        /// <summary>
        /// <c>source</c>: the input itself, or its phase copy. With <paramref name="paddedInput"/> the method takes
        /// <c>bool paddedIn</c>: <c>Forward</c> passes true when the conv before stored the input in these padded planes already.
        /// </summary>
        public static void EmitSource(SourceWriter w, LayerModel l, PhaseLayout phases, bool readsInput, int phaseLength, bool paddedInput = false)
        {
            if (readsInput)
            {
                w.Line("// Stride 1 and no padding, and no read past the input's end: the input is its own phase plane.");
                w.Line(Code.RefTo("source", "input"));
                return;
            }

            if (paddedInput)
            {
                w.Line("// In Forward the input may arrive in its padded planes already (the conv before stored it there): no copy then.");
                w.Line(Code.RefTo("source", "input"));
                using (w.Block("if (!paddedIn)"))
                {
                    w.Line(Code.Span + " phases = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Phases + ", " + GeneratedNames.MaxPhaseLength + ").Slice(0, " + Text.Literal(phaseLength) + ");");
                    EmitCopy(w, l, phases, "input", l.Input.Depth);
                    w.Line("source = ref " + Code.MemoryMarshal + ".GetReference(phases);");
                }

                return;
            }

            w.Line(Code.Span + " phases = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Phases + ", " + GeneratedNames.MaxPhaseLength + ").Slice(0, " + Text.Literal(phaseLength) + ");");
            EmitCopy(w, l, phases, "input", l.Input.Depth);
            w.Line(Code.RefTo("source", "phases"));
        }

        /// <summary>The optional parameters a vector conv method takes for the carried layout (empty when it never uses it).</summary>
        public static string CarriedParameters(KernelPlan plan, bool paddedOutput) =>
            (plan.PaddedInput ? ", bool paddedIn = false" : string.Empty) + (paddedOutput ? ", bool paddedOut = false" : string.Empty);

        /// <summary>
        /// The call that copies <paramref name="depth"/> channels of <paramref name="input"/> into the span <c>phases</c>.
        /// With <paramref name="paddingWritten"/> (an expression true when the same planes already hold their padding, from
        /// an earlier channel), a stride-1 copy writes the input rows alone.
        /// </summary>
        public static void EmitCopy(SourceWriter w, LayerModel l, PhaseLayout phases, string input, int depth, string? paddingWritten = null)
        {
            Window window = l.Window!;
            string shape = input + ", " + l.Input.Width + ", " + l.Input.Height + ", " + depth + ", ";
            string tail = window.PadLeft + ", " + window.PadTop + ", 0f, " + phases.Width + ", " + phases.Height + ", phases);";
            if (window.StrideX == 1 && window.StrideY == 1 && paddingWritten is not null && window.HasPadding)
            {
                using (w.Block("if (" + paddingWritten + ")"))
                {
                    w.Line("// The padding is the same for every channel and still in place: only the input rows.");
                    w.Line(Code.Layout + ".CopyInside<TS, TV>(" + shape + window.PadLeft + ", " + window.PadTop + ", " + phases.Width + ", " + phases.Height + ", phases);");
                }

                using (w.Block("else"))
                {
                    w.Line(Code.Layout + ".ToPhasesStride1<TS, TV>(" + shape + tail);
                }
            }
            else if (window.StrideX == 1 && window.StrideY == 1)
            {
                w.Line(Code.Layout + ".ToPhasesStride1<TS, TV>(" + shape + tail);
            }
            else if (window.StrideX == 2 && phases.PhasesX == 2 && phases.Aligned)
            {
                w.Line("// Phase rows " + phases.RowPitch + " floats apart, column phase 0 and 1 starting " + phases.SkewEven + " and " + phases.SkewOdd + " cells in: each row's input cells start on a 64-byte boundary, so the copy's row stores do not split cache lines;");
                w.Line("// of their " + phases.Width + " cells the taps read " + phases.CellsEven + " and " + phases.CellsOdd + ", the only ones given pad values.");
                w.Line(Code.Layout + ".ToPhasesStride2<TS, TV>(" + shape + window.StrideY + ", " + phases.PhasesY + ", " + window.PadLeft + ", " + window.PadTop + ", 0f, " + phases.Width + ", " + phases.Height + ", " + phases.RowPitch + ", " + phases.SkewEven + ", " + phases.SkewOdd + ", " + phases.CellsEven + ", " + phases.CellsOdd + ", phases);");
            }
            else if (window.StrideX == 2 && phases.PhasesX == 2)
            {
                w.Line(Code.Layout + ".ToPhasesStride2<TS, TV>(" + shape + window.StrideY + ", " + phases.PhasesY + ", " + tail);
            }
            else
            {
                w.Line(Code.Layout + ".ToPhases<TS, TV>(" + shape + window.StrideX + ", " + window.StrideY + ", " + phases.PhasesX + ", " + phases.PhasesY + ", " + tail);
            }
        }

        /// <summary>"Input in 1 phase plane per channel of 32x32" / "Input in 4 phase planes per channel of 17x17 (stride 2)".</summary>
        public static string Describe(PhaseLayout phases, bool readsInput)
        {
            if (readsInput)
            {
                return "The input is read as it is";
            }

            int count = phases.PhasesX * phases.PhasesY;
            return "Input in " + count + " phase plane" + (count == 1 ? string.Empty : "s") + " per channel of " + phases.Width + "x" + phases.Height +
                (phases.Aligned ? " (rows " + phases.RowPitch + " floats apart)" : string.Empty);
        }
    }
}
