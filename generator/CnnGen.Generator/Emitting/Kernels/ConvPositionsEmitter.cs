using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The conv kernel vectorized over output positions (<see cref="ConvPositionsPlan"/>): generic over the vector
    /// width, each step a method of its own computing every filter block on a few vectors of positions, the window
    /// unrolled as the plan says, the weight splatted one value at a time: read repacked in blocks of 8 filters where the
    /// 16-float steps take 8 (the planner's <c>Packed</c>), else in PyTorch's layout.
    /// </summary>
    internal static class ConvPositionsEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan layer, ConvPositionsPlan plan, CancellationToken cancellationToken)
        {
            LayerModel l = layer.Kernel;
            Window window = l.Window!;
            int k = l.Output.Depth, mr = plan.Rows, mr16 = plan.EightFilters ? 8 : mr;
            w.Line("// " + LayerText.Describe(l) + ", vectorized over output positions: " + mr16 + " filters x " + plan.Vectors + " vectors per step"
                + (plan.Vectors == plan.NarrowVectors && mr16 == mr ? string.Empty : " with 16-float vectors, " + mr + " x " + plan.NarrowVectors + " with narrower ones") + (plan.Tail ? " (one at a time at the end)" : string.Empty) + ";");
            w.Line("// " + UnrollText(l, plan.Unroll) + ".");
            w.Line(plan.Direct
                ? "// " + ConvPhases.Describe(plan.Phases, plan.ReadsInput) + "; output position q = y*" + l.Output.Width + " + x (rows are whole vectors), stored straight into the output."
                : "// " + ConvPhases.Describe(plan.Phases, plan.ReadsInput) + SharedPadding(l, plan) + "; output position q = y*" + plan.RowLength + " + x" + (plan.Straight ? " (no junk columns: stored straight into the output)." : ", columns x >= " + l.Output.Width + " are discarded."));
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu" + ConvPhases.CarriedParameters(plan, plan.PaddedOutput is not null) + (plan.WideOutput ? ", bool wideOut = false" : string.Empty) + (plan.AddsResidual ? ", " + Code.ReadOnlySpan + " residual = default, bool addRelu = false" : string.Empty) + ") " + Code.VectorConstraint))
            {
                ConvPhases.EmitSource(w, l, plan.Phases, plan.ReadsInput, plan.PhaseLength, plan.PaddedInput);
                if (plan.Direct || plan.Straight)
                {
                    w.Line(Code.RefTo("target", "output"));
                    if (plan.PaddedOutput is { } padded)
                    {
                        using (w.Block("if (paddedOut)"))
                        {
                            bool gaps = padded.ZeroesRowGaps(l.Output.Width, l.Output.Height);
                            w.Line("// In Forward: the output goes into the padded planes the next conv reads, " + l.Output.Width + "x" + l.Output.Height + " at (" + padded.PadLeft + ", " + padded.PadTop + ") in planes of "
                                + padded.Width + "x" + padded.Height + (gaps
                                    ? ", their padding zeroed here but for the " + (padded.Width - l.Output.Width) + " cells after each row, which the steps zero as they store the row."
                                    : ", their padding zeroed here."));
                            w.Line(Code.Layout + (gaps ? ".PadPlaneEnds(" : ".PadBorders(") + l.Output.Width + ", " + l.Output.Height + ", " + k + ", " + padded.PadLeft + ", " + padded.PadTop + ", 0f, " + padded.Width + ", " + padded.Height + ", output);");
                            w.Line("target = ref " + Code.Unsafe + ".Add(ref target, " + Text.Literal(padded.Origin) + ");");
                        }
                    }
                }
                else
                {
                    if (plan.WideOutput)
                    {
                        w.Line("// In Forward the wide output may go to the pool after this conv as it is (wideOut: the output span is that long), uncompacted.");
                    }

                    w.Line(Code.Span + " wide = " + (plan.WideOutput ? "wideOut ? output : " : string.Empty) + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + Text.Literal(plan.WideLength) + ");");
                    w.Line(Code.RefTo("target", "wide"));
                    if (plan.CompactStores)
                    {
                        w.Line("// Steps that end by " + Text.Literal(RealEnd(l, plan)) + " (the last row's last real cell) store their vectors straight into the output, compacted (the junk");
                        w.Line("// lanes dropped), as long as no step before stored into the wide rows; from: the first position stored there, compacted at the end.");
                        w.Line(Code.RefTo("compacted", "output"));
                        w.Line("int from = 0;");
                    }
                }

                w.Line(Code.RefTo("w", "weight") + " // " + (plan.Packed > 0 ? PackedShape(l) + ": PyTorch's " + LayerText.WeightShape(l) + " in blocks of " + ConvPositionsPlan.PackBlock + " filters, each transposed" : LayerText.WeightShape(l) + ", PyTorch's layout"));
                w.Line(Code.RefTo("b", "bias"));
                if (plan.AddsResidual)
                {
                    w.Line("// In Forward, the Add after this conv may be fused in: residual (" + (plan.ResidualPlanes is { } planes ? "in padded planes of " + planes.Width + "x" + planes.Height + ", the cells at (" + planes.PadLeft + ", " + planes.PadTop + ")" : "CHW") + ") added to each sum as it is stored.");
                    w.Line(Code.RefTo("res", "residual"));
                    w.Line("bool add = !residual.IsEmpty;");
                }

                w.Line("int n = TS.Count;");
                w.Line("int q = 0;");
                w.Line("// Positions outside, filter blocks inside: the input a step reads stays in L1 while every filter block uses it.");
                w.Line("// Each step size is its own method: one method with all of them would be too large for the JIT to optimize.");
                if (plan.EightFilters)
                {
                    using (w.Block("if (n == 16)"))
                    {
                        w.Line("// Blocks of 8 filters: each input vector loaded serves eight (AVX2's 16 registers hold blocks of 4).");
                        StepLoop(w, l, plan, plan.Vectors, eight: true);
                        if (plan.TailOf16)
                        {
                            w.Line("// The last positions, one vector at a time.");
                            StepLoop(w, l, plan, 1, eight: true);
                        }
                    }

                    using (w.Block("else"))
                    {
                        StepLoop(w, l, plan, plan.NarrowVectors);
                        if (plan.TailOfNarrower)
                        {
                            w.Line("// The last positions, one vector at a time.");
                            StepLoop(w, l, plan, 1);
                        }
                    }
                }
                else if (plan.Vectors == plan.NarrowVectors)
                {
                    StepLoop(w, l, plan, plan.Vectors);
                }
                else
                {
                    using (w.Block("if (n == 16)"))
                    {
                        if (plan.NarrowAfter > 0)
                        {
                            int vectors = plan.WideChannel / 16, big = vectors - (plan.NarrowAfter * plan.NarrowVectors);
                            w.Line("// " + vectors + " vectors: " + (big / plan.Vectors) + " step" + (big / plan.Vectors == 1 ? string.Empty : "s") + " of " + plan.Vectors + ", then " + plan.NarrowAfter + " of " + plan.NarrowVectors + " (no one-vector steps).");
                            StepLoop(w, l, plan, plan.Vectors, big * 16);
                            w.Line();
                            StepLoop(w, l, plan, plan.NarrowVectors, plan.WideChannel);
                        }
                        else
                        {
                            StepLoop(w, l, plan, plan.Vectors);
                        }
                    }

                    using (w.Block("else"))
                    {
                        StepLoop(w, l, plan, plan.NarrowVectors);
                    }
                }

                if (plan.Tail && !plan.EightFilters)
                {
                    w.Line("// The last positions, one vector at a time.");
                    StepLoop(w, l, plan, 1);
                }
                if (!plan.Direct && !plan.Straight)
                {
                    using (plan.WideOutput ? w.Block("if (!wideOut)") : default)
                    {
                        w.Line(Code.Layout + ".Compact<TS, TV>(wide, " + Text.Literal(plan.WideChannel) + ", " + plan.RowLength + ", " + l.Output.Width + ", " + l.Output.Height + ", " + k + ", output" + (plan.CompactStores ? ", from" : string.Empty) + ");");
                    }
                }
            }

            w.Line();
            if (plan.EightFilters)
            {
                EmitStep(w, l, plan, plan.Vectors, cancellationToken, eight: true);
                if (plan.TailOf16)
                {
                    EmitStep(w, l, plan, 1, cancellationToken, eight: true);
                }

                EmitStep(w, l, plan, plan.NarrowVectors, cancellationToken);
                if (plan.TailOfNarrower)
                {
                    EmitStep(w, l, plan, 1, cancellationToken);
                }

                return;
            }

            var sizes = new List<int> { plan.Vectors, plan.NarrowVectors };
            if (plan.Tail)
            {
                sizes.Add(1);
            }

            foreach (int nr in sizes.Distinct().OrderByDescending(v => v))
            {
                EmitStep(w, l, plan, nr, cancellationToken);
            }
        }

        /// <summary>" (rows share the padding between them: 56 + 1 columns)" where the phase rows are W + max(left, right) long.</summary>
        private static string SharedPadding(LayerModel l, ConvPositionsPlan plan)
        {
            Window window = l.Window!;
            int gap = plan.Phases.Width - l.Input.Width;
            return plan.ReadsInput || window.StrideX != 1 || gap >= window.PadLeft + window.PadRight
                ? string.Empty
                : " (rows share the padding between them: " + l.Input.Width + " + " + gap + " columns)";
        }

        /// <summary>"the 5x5 window unrolled, the loop over the 3 input channels kept", or what the plan's level keeps.</summary>
        public static string UnrollText(LayerModel l, UnrollLevel level)
        {
            Window window = l.Window!;
            string size = window.SizeX + "x" + window.SizeY;
            return level switch
            {
                UnrollLevel.Full => "the whole " + size + "x" + l.Input.Depth + " window unrolled",
                UnrollLevel.Window => "the " + size + " window unrolled, the loop over the " + l.Input.Depth + " input channel" + (l.Input.Depth == 1 ? string.Empty : "s") + " kept",
                UnrollLevel.Row => "each row of " + window.SizeX + " taps unrolled, the loops over the " + l.Input.Depth + " input channel" + (l.Input.Depth == 1 ? string.Empty : "s") + " and the " + window.SizeY + " window rows kept",
                _ => "the window kept as loops over input channels, rows and taps",
            };
        }

        /// <summary>
        /// The loop of steps of <paramref name="nr"/> vectors: to <paramref name="end"/> where given (16-float vectors), else
        /// while a step starts its last vector before the last position. Where the plan's steps store compacted
        /// (<see cref="ConvPositionsPlan.CompactStores"/>), first the steps that do: while no step before stored into the wide
        /// rows (q == from) and this one ends within the real cells.
        /// </summary>
        private static void StepLoop(SourceWriter w, LayerModel l, ConvPositionsPlan plan, int nr, int end = -1, bool eight = false)
        {
            // A step may end past the last position by less than one vector (the wide output is rounded up to whole vectors).
            string step = nr == 1 ? "n" : nr + " * n";
            string carried = (plan.PaddedOutput is null ? string.Empty : ", paddedOut") + (plan.AddsResidual ? ", ref res, add, addRelu" : string.Empty);
            if (plan.CompactStores)
            {
                using (w.Block("for (; q == from && q + " + (nr == 1 ? step : "(" + step + ")") + " <= " + Text.Literal(RealEnd(l, plan)) + (end >= 0 ? " && q < " + Text.Literal(end) : string.Empty) + "; q += " + step + ", from = q)"))
                {
                    w.Line(StepName(l, nr, eight) + "<TS, TV>(ref source, ref w, ref b, ref compacted, q, relu" + carried + ", true);");
                }
            }

            string condition = end >= 0 ? "q < " + Text.Literal(end) : nr == 1 ? "q < " + Text.Literal(plan.Positions) : "q + (" + step + ") < " + Text.Literal(plan.Positions) + " + n";
            using (w.Block("for (; " + condition + "; q += " + step + ")"))
            {
                w.Line(StepName(l, nr, eight) + "<TS, TV>(ref source, ref w, ref b, ref target, q, relu" + carried + (plan.CompactStores ? ", false" : string.Empty) + ");");
            }
        }

        /// <summary>The wide position just past the last real cell, (H2 − 1)·row + W2: a step ending there or before lies in real rows.</summary>
        private static long RealEnd(LayerModel l, ConvPositionsPlan plan) => ((long)(l.Output.Height - 1) * plan.RowLength) + l.Output.Width;

        /// <summary>A step's method: <c>…Step{nr}</c>, or <c>…Step{nr}x8</c> for the 8-filter blocks of 16-float vectors.</summary>
        private static string StepName(LayerModel l, int nr, bool eight) => eight ? GeneratedNames.EightFilterStep(l.Name, nr) : GeneratedNames.Step(l.Name, nr);

        /// <summary>"[8][64][3][3][8]": the repacked weight's shape.</summary>
        private static string PackedShape(LayerModel l) =>
            "[" + (l.Output.Depth / ConvPositionsPlan.PackBlock) + "][" + l.GroupDepth + "][" + l.Window!.SizeY + "][" + l.Window.SizeX + "][" + ConvPositionsPlan.PackBlock + "]";

        /// <summary>One step: <paramref name="nr"/> vectors of output positions from q, times every filter block.</summary>
        private static void EmitStep(SourceWriter w, LayerModel l, ConvPositionsPlan plan, int nr, CancellationToken cancellationToken, bool eight = false)
        {
            int k = l.Output.Depth, mr = eight ? 8 : plan.Rows;
            long filter = (long)l.GroupDepth * l.Window!.Taps;

            // The weight repacked [K/8][D][Fy][Fx][8]: a block's 8 filters side by side (a block of 4 is half of one), each
            // channel's taps 8 floats apart. In PyTorch's layout, filters are D·Fy·Fx floats apart and taps 1.
            bool packed = plan.Packed > 0;
            int block = ConvPositionsPlan.PackBlock;
            long perTap = packed ? block : 1, perFilter = packed ? 1 : filter;
            int blocksPerGroup = k / l.Groups / mr;
            w.Line("// " + l.Name + ": output positions q .. q + " + nr + " vector" + (nr == 1 ? string.Empty : "s") + ", all " + k + " filters" + (mr == k ? " at once" : ", " + mr + " at a time")
                + (l.Groups > 1 ? " (" + (k / l.Groups) + " per group of " + l.GroupDepth + " input channels)." : "."));
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + StepName(l, nr, eight) + "<TS, TV>(ref float source, ref float weight, ref float bias, ref float target, int q, bool relu" + (plan.PaddedOutput is null ? string.Empty : ", bool paddedOut") + (plan.AddsResidual ? ", ref float residual, bool add, bool addRelu" : string.Empty) + (plan.CompactStores ? ", bool compact" : string.Empty) + ") " + Code.VectorConstraint))
            {
                // The cells between output rows in the carried layout that this step zeroes (0: none, or Forward pads them all).
                int rowGap = plan.PaddedOutput is { } carried && carried.ZeroesRowGaps(l.Output.Width, l.Output.Height) ? carried.Width - l.Output.Width : 0;
                if (nr > 1 || rowGap > 0)
                {
                    w.Line("int n = TS.Count;");
                }

                if (plan.CompactStores)
                {
                    string vectors = nr == 1 ? "at0 (its lanes permuted by lanes0" : "at0 .. at" + (nr - 1) + " (their lanes permuted by lanes0 .. lanes" + (nr - 1);
                    w.Line("// compact: the vectors go to " + vectors + " so that the junk columns x >= " + l.Output.Width + " of the wide rows of " + plan.RowLength + " drop out)");
                    w.Line("// in each filter's output plane of " + l.Output.Width + "x" + l.Output.Height + "; the lanes past a vector's cells hold junk that the next store (or the copy at the end) overwrites;");
                    w.Line("// otherwise to the wide rows.");
                    w.Line("int " + string.Join(", ", Enumerable.Range(0, nr).Select(v => "at" + v + " = 0")) + ";");
                    w.Line("TV " + string.Join(", ", Enumerable.Range(0, nr).Select(v => "lanes" + v + " = default")) + ";");
                    using (w.Block("if (compact)"))
                    {
                        for (int v = 0; v < nr; v++)
                        {
                            w.Line("at" + v + " = " + Code.Layout + ".CompactedAt<TS, TV>(" + Code.PlusVectors("q", v) + ", " + plan.RowLength + ", " + l.Output.Width + ", out lanes" + v + ");");
                        }
                    }
                }

                if (plan.PaddedOutput is { } padded)
                {
                    // Output rows are whole vectors (a direct kernel), so each vector lies in one row: vector v's row is (q + v*n) / W.
                    int width = l.Output.Width;
                    w.Line("// The output's layout: CHW planes of " + width + "x" + l.Output.Height + ", or in Forward the next conv's padded planes of " + padded.Width + "x" + padded.Height
                        + ", where output row y lies y*" + (padded.Width - width) + " cells further on than in CHW (from the origin the caller set).");
                    w.Line("int plane = paddedOut ? " + Text.Literal(padded.Plane) + " : " + Text.Literal(l.Output.Plane) + ";");
                    w.Line("int gap = paddedOut ? " + (padded.Width - width) + " : 0;");
                    for (int v = 0; v < nr; v++)
                    {
                        w.Line("int g" + v + " = " + (v == 0 ? "q" : "(" + Code.PlusVectors("q", v) + ")") + " / " + width + " * gap;");
                    }

                    if (rowGap > 0)
                    {
                        w.Line("// In Forward, a vector that ends an output row is followed by the " + rowGap + " pad cells before the next row (its right padding, the");
                        w.Line("// next row's left): zeroed here as the row is stored, while its cache line is at hand.");
                        for (int v = 0; v < nr; v++)
                        {
                            w.Line("bool e" + v + " = paddedOut && (" + Code.PlusVectors("q", v + 1) + ") % " + width + " == 0;");
                        }
                    }
                }

                if (plan.ResidualPlanes is { } residualPlanes)
                {
                    // Output rows are whole vectors (a direct kernel): vector v's row is (q + v*n) / W, in the residual's planes that many row gaps on.
                    int width = l.Output.Width;
                    w.Line("// The fused Add's residual in padded planes of " + residualPlanes.Width + "x" + residualPlanes.Height + ": output row y lies y*" + (residualPlanes.Width - width) + " cells further on there than in CHW.");
                    for (int v = 0; v < nr; v++)
                    {
                        w.Line("int h" + v + " = " + (v == 0 ? "q" : "(" + Code.PlusVectors("q", v) + ")") + " / " + width + " * " + (residualPlanes.Width - width) + ";");
                    }
                }

                // With chunks of input channels, every filter block takes a chunk before the next chunk is read: the sums so
                // far wait where the step stores them, the bias starts the first chunk and the activation ends the last.
                int chunk = plan.Chunk, chunks = chunk > 0 ? l.GroupDepth / chunk : 1;
                long channel = plan.Direct ? l.Output.Plane : plan.WideChannel;
                if (chunks > 1)
                {
                    w.Line("// Input channels " + chunk + " at a time (chunk cb: channels cb*" + chunk + " .. cb*" + chunk + " + " + (chunk - 1) + (l.Groups > 1 ? " of the group" : string.Empty) + "), every filter block");
                    w.Line("// on one chunk before the next, so the input rows of a chunk stay in L1 meanwhile; the sums so far wait where");
                    w.Line("// the step stores them (the bias before the first chunk, the fused activation, if any, after the last).");
                }

                using (w.For("cb", chunks, out Affine cb))
                using (w.For("kb", k / mr, out Affine kb))
                {
                    Affine chunkStart = cb * ((long)chunk * l.Window!.Taps * perTap);
                    if (!packed)
                    {
                        w.Line("// Filters " + (kb * mr) + " .. " + ((kb * mr) + (mr - 1)) + ", each " + Text.Literal(filter) + " weights apart" + (chunks > 1 ? "; chunk cb's channels " + Text.Literal((long)chunk * l.Window!.Taps) + " weights on." : "."));
                        w.Line("ref float wk = ref " + Code.At("weight", ((kb * (mr * filter)) + chunkStart).ToString()) + ";");
                    }
                    else if (mr == block)
                    {
                        // A repacked weight belongs to a layer whose 16-float steps take 8 filters: never in chunks (the planner).
                        w.Line("// Filters " + (kb * mr) + " .. " + ((kb * mr) + (mr - 1)) + ": block " + kb + " of the repacked weight, " + Text.Literal(block * filter) + " floats each.");
                        w.Line("ref float wk = ref " + Code.At("weight", (kb * (block * filter)).ToString()) + ";");
                    }
                    else
                    {
                        // Blocks of 4 (narrower vectors) are the halves of the repacked blocks of 8.
                        int parts = block / mr;
                        string half = "((kb / " + parts + ") * " + Text.Literal(block * filter) + ") + ((kb % " + parts + ") * " + mr + ")";
                        w.Line("// Filters " + (kb * mr) + " .. " + ((kb * mr) + (mr - 1)) + ": half kb % " + parts + " of block kb / " + parts + " of the repacked weight.");
                        w.Line("ref float wk = ref " + Code.At("weight", half) + ";");
                    }

                    string Output(int r) => plan.PaddedOutput is null
                        ? Code.Unsafe + ".Add(ref target, " + ((((kb * mr) + r) * channel) + Affine.Var("q")) + ")"
                        : Code.Unsafe + ".Add(ref target, " + PlaneOffset(((kb * mr) + r).ToString()) + ")";
                    string At(int v) => plan.PaddedOutput is null ? Code.PlusVectors("0", v) : Code.PlusVectors("g" + v, v);
                    if (chunks > 1)
                    {
                        w.Line("TV " + string.Join(", ", Enumerable.Range(0, mr).SelectMany(r => Enumerable.Range(0, nr).Select(v => "a" + r + v))) + ";");
                    }

                    using (chunks > 1 ? w.Block("if (cb == 0)") : default)
                    {
                        for (int r = 0; r < mr; r++)
                        {
                            w.Line((chunks > 1 ? string.Empty : "TV ") + "a" + r + "0 = " + (l.HasBias ? Code.Broadcast("bias", ((kb * mr) + r).ToString()) : "TS.Splat(0f)") + ";");
                            for (int v = 1; v < nr; v++)
                            {
                                w.Line((chunks > 1 ? string.Empty : "TV ") + "a" + r + v + " = a" + r + "0;");
                            }
                        }
                    }

                    if (chunks > 1)
                    {
                        using (w.Block("else"))
                        {
                            w.Line("// The sums of the chunks before.");
                            for (int r = 0; r < mr; r++)
                            {
                                w.Line("ref float p" + r + " = ref " + Output(r) + ";");
                                for (int v = 0; v < nr; v++)
                                {
                                    w.Line("a" + r + v + " = " + Code.Load("p" + r, At(v)) + ";");
                                }
                            }
                        }
                    }

                    // A grouped conv's filters read only the channels of their group.
                    string group = string.Empty;
                    if (l.Groups > 1)
                    {
                        string g = blocksPerGroup == 1 ? "kb" : "(kb / " + blocksPerGroup + ")";
                        w.Line("// Group " + g + ": input channels " + g + "*" + l.GroupDepth + " .. " + g + "*" + l.GroupDepth + " + " + (l.GroupDepth - 1) + ".");
                        group = "(" + g + " * " + Text.Literal((long)l.GroupDepth * plan.Phases.Plane) + ") + ";
                    }

                    string firstChannel = chunks > 1 ? "(" + (cb * ((long)chunk * plan.Phases.Plane)) + ") + " : string.Empty;
                    var sources = new List<string>();
                    if (plan.Direct)
                    {
                        for (int v = 0; v < nr; v++)
                        {
                            string p = v == 0 ? "q" : "(" + Code.PlusVectors("q", v) + ")";
                            w.Line("ref float s" + v + " = ref " + Code.Unsafe + ".Add(ref source, " + group + firstChannel + "(" + p + " / " + l.Output.Width + " * " + plan.RowLength + ") + (" + p + " % " + l.Output.Width + ")); // output row " + p + " / " + l.Output.Width + " in the phase planes");
                            sources.Add("s" + v);
                        }
                    }
                    else
                    {
                        w.Line("ref float s = ref " + Code.Unsafe + ".Add(ref source, " + group + firstChannel + "q);");
                        sources.Add("s");
                    }

                    w.Line("TV " + string.Join(", ", Enumerable.Range(0, nr).Select(v => "x" + v)) + ";");
                    w.Line("TV " + string.Join(", ", Enumerable.Range(0, mr).Select(r => "w" + r)) + ";");
                    VectorTaps.Emit(w, l, plan.Phases, plan.Unroll, sources, "wk", perTap, tap =>
                    {
                        for (int v = 0; v < nr; v++)
                        {
                            string offset = plan.Direct ? tap.SourceOffset : Code.PlusVectors(tap.SourceOffset, v);
                            w.Line("x" + v + " = " + Code.Load(tap.Source(sources[plan.Direct ? v : 0]), offset) + ";");
                        }

                        for (int r = 0; r < mr; r++)
                        {
                            w.Line("w" + r + " = " + Code.Broadcast(tap.Weight, Plus(tap.WeightOffset, r * perFilter)) + ";");
                            for (int v = 0; v < nr; v++)
                            {
                                w.Line("a" + r + v + " = TS.MultiplyAdd(w" + r + ", x" + v + ", a" + r + v + ");");
                            }
                        }
                    }, cancellationToken, chunk);

                    using (w.Block(chunks > 1 ? "if (relu && cb == " + (chunks - 1) + ")" : "if (relu)"))
                    {
                        for (int r = 0; r < mr; r++)
                        {
                            for (int v = 0; v < nr; v++)
                            {
                                w.Line("a" + r + v + " = " + Code.Activate(l, "a" + r + v) + ";");
                            }
                        }
                    }

                    if (plan.AddsResidual)
                    {
                        using (w.Block(chunks > 1 ? "if (add && cb == " + (chunks - 1) + ")" : "if (add)"))
                        {
                            w.Line("// The fused Add: each sum plus the residual at its cell, then the Add's ReLU, if any.");
                            for (int r = 0; r < mr; r++)
                            {
                                Affine residualAt = plan.ResidualPlanes is { } rp
                                    ? (((kb * mr) + r) * rp.Plane) + Affine.Var("q") + rp.Origin
                                    : (((kb * mr) + r) * channel) + Affine.Var("q");
                                w.Line("ref float r" + r + " = ref " + Code.Unsafe + ".Add(ref residual, " + residualAt + ");");
                                for (int v = 0; v < nr; v++)
                                {
                                    w.Line("a" + r + v + " = TS.Add(a" + r + v + ", " + Code.Load("r" + r, plan.ResidualPlanes is null ? Code.PlusVectors("0", v) : Code.PlusVectors("h" + v, v)) + ");");
                                }
                            }

                            using (w.Block("if (addRelu)"))
                            {
                                for (int r = 0; r < mr; r++)
                                {
                                    for (int v = 0; v < nr; v++)
                                    {
                                        w.Line("a" + r + v + " = TS.Relu(a" + r + v + ");");
                                    }
                                }
                            }
                        }
                    }

                    if (plan.CompactStores)
                    {
                        using (w.Block("if (compact)"))
                        {
                            w.Line("// Each filter's output plane, " + Text.Literal(l.Output.Plane) + " floats on from the last.");
                            for (int r = 0; r < mr; r++)
                            {
                                w.Line("ref float c" + r + " = ref " + Code.Unsafe + ".Add(ref target, " + (((kb * mr) + r) * (long)l.Output.Plane) + ");");
                                for (int v = 0; v < nr; v++)
                                {
                                    w.Line(Code.Store("TS.Permute(a" + r + v + ", lanes" + v + ")", "c" + r, "at" + v));
                                }
                            }
                        }
                    }

                    using (plan.CompactStores ? w.Block("else") : default)
                    {
                        for (int r = 0; r < mr; r++)
                        {
                            w.Line("ref float o" + r + " = ref " + Output(r) + ";");
                            for (int v = 0; v < nr; v++)
                            {
                                w.Line(Code.Store("a" + r + v, "o" + r, At(v)));
                            }
                        }
                    }

                    for (int v = 0; v < (rowGap > 0 ? nr : 0); v++)
                    {
                        using (w.Block(chunks > 1 ? "if (e" + v + " && cb == " + (chunks - 1) + ")" : "if (e" + v + ")"))
                        {
                            string end = Code.PlusVectors("g" + v, v + 1);
                            for (int r = 0; r < mr; r++)
                            {
                                w.Line(string.Join(" ", Enumerable.Range(0, rowGap).Select(c => Code.Unsafe + ".Add(ref o" + r + ", " + Plus(end, c) + ") = 0f;")));
                            }
                        }
                    }
                }
            }

            w.Line();
        }

        /// <summary>"q", "plane + q", "(2 * plane) + q" or "(((kb * 4) + 1) * plane) + q": filter <paramref name="filter"/>'s plane of the carried output, position q.</summary>
        private static string PlaneOffset(string filter) => filter switch
        {
            "0" => "q",
            "1" => "plane + q",
            _ => "(" + (long.TryParse(filter, out _) ? filter : "(" + filter + ")") + " * plane) + q",
        };

        /// <summary>An offset (literal or expression) plus a constant.</summary>
        internal static string Plus(string offset, long constant)
        {
            if (constant == 0)
            {
                return offset;
            }

            if (long.TryParse(offset, out long value))
            {
                return Text.Literal(value + constant);
            }

            return offset + " + " + Text.Literal(constant);
        }
    }
}
