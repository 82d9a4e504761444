using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The depthwise conv kernel (<see cref="DepthwisePlan"/>): one channel at a time, its Fy·Fx weights broadcast once
    /// into registers, then every output position of the channel in vectors, each tap a load and a multiply-add. A
    /// depthwise conv does Fy·Fx multiply-adds per output against the full conv's Fy·Fx·D, so it is bound by moving
    /// data, not by arithmetic: each input plane is read once per channel, from L1, and each output written once.
    /// </summary>
    internal static class DepthwiseEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan layer, DepthwisePlan plan, CancellationToken cancellationToken)
        {
            if (plan.Strided)
            {
                EmitStrided(w, layer.Kernel, plan, cancellationToken);
                return;
            }

            LayerModel l = layer.Kernel;
            Window window = l.Window!;
            int k = l.Output.Depth, taps = window.Taps, m = plan.Multiplier;
            PhaseLayout phases = plan.Phases;
            w.Line("// " + LayerText.Describe(l) + ", one channel at a time: its " + window.SizeX + "x" + window.SizeY + " weights in registers, the output positions in vectors;");
            w.Line(plan.Wide
                ? "// " + ConvPhases.Describe(phases, plan.ReadsInput) + "; output position q = y*" + phases.Width + " + x, columns x >= " + l.Output.Width + " are discarded."
                : "// " + ConvPhases.Describe(phases, plan.ReadsInput) + "; each output row in vectors (the last one overlapping the one before), stored straight into the output.");
            if (m > 1)
            {
                w.Line("// Channel multiplier " + m + ": output channel c reads input channel c / " + m + ".");
            }

            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu) " + Code.VectorConstraint))
            {
                if (plan.ReadsInput)
                {
                    ConvPhases.EmitSource(w, l, phases, readsInput: true, 0);
                }
                else
                {
                    w.Line(Code.Span + " phases = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Phases + ", " + GeneratedNames.MaxPhaseLength + ").Slice(0, " + Text.Literal(plan.PhaseLength) + ");");
                    w.Line(Code.RefTo("source", "phases"));
                }

                if (plan.Wide)
                {
                    w.Line(Code.Span + " wide = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + Text.Literal(plan.WideLength) + ");");
                    w.Line(Code.RefTo("target", "wide"));
                }
                else
                {
                    w.Line(Code.RefTo("target", "output"));
                }

                WeightAndBias(w, l);

                w.Line("int n = TS.Count;");
                if (plan.CopiedOnce)
                {
                    w.Line("// Every channel's phase planes at once (a small input): no copy waits between the channels.");
                    ConvPhases.EmitCopy(w, l, phases, "input", l.Input.Depth);
                }

                using (w.Block("for (int c = 0; c < " + k + "; c++)"))
                {
                    string channel = m == 1 ? "c" : "(c / " + m + ")";
                    if (plan.CopiedOnce || plan.ReadsInput)
                    {
                        w.Line("ref float s = ref " + Code.Unsafe + ".Add(ref source, " + channel + " * " + Text.Literal(phases.Plane) + ");");
                    }
                    else if (plan.Pipelined)
                    {
                        // Two padded planes: channel c + 1 is copied into one while c is computed from the other, so the taps read a
                        // copy written a whole channel earlier (loads that straddle two stores just made wait for them).
                        int half = plan.PhaseLength / 2;
                        string shape = l.Input.Width + ", " + l.Input.Height + ", 1, ";
                        string plane = Text.Literal(l.Input.Plane);
                        using (w.Block("if (c == 0)"))
                        {
                            w.Line(Code.Layout + ".ToPhasesStride1<TS, TV>(input.Slice(0, " + plane + "), " + shape + window.PadLeft + ", " + window.PadTop + ", 0f, " + phases.Width + ", " + phases.Height + ", phases);");
                            w.Line(Code.Layout + ".ToPhasesStride1<TS, TV>(input.Slice(" + plane + ", " + plane + "), " + shape + window.PadLeft + ", " + window.PadTop + ", 0f, " + phases.Width + ", " + phases.Height + ", phases.Slice(" + Text.Literal(half) + "));");
                        }

                        if (SpreadsCopy(l, plan))
                        {
                            // The next channel's rows a block at a time between this channel's row blocks (CopyNextRows), so the
                            // copy's loads wait on memory while the taps run, not before them.
                            w.Line("// The padding of both planes is in place: from channel 1 on, channel c + 1's rows go into the other plane a few at");
                            w.Line("// a time, between this channel's row blocks, so the copy's loads overlap the taps.");
                            w.Line("bool copyNext = c > 0 && c + 1 < " + k + ";");
                            w.Line("ref float nextInput = ref " + Code.At(Code.MemoryMarshal + ".GetReference(input)", "(copyNext ? c + 1 : c) * " + plane) + "; // never past the input, even where unused");
                            w.Line("ref float nextRows = ref " + Code.At("source", "(((c + 1) % 2) * " + Text.Literal(half) + ") + " + Text.Literal(((long)window.PadTop * phases.Width) + window.PadLeft)) + ";");
                        }
                        else
                        {
                            using (w.Block("else if (c + 1 < " + k + ")"))
                            {
                                w.Line("// The padding of both planes is in place: only the next channel's rows.");
                                w.Line(Code.Layout + ".CopyInside<TS, TV>(input.Slice((c + 1) * " + plane + ", " + plane + "), " + shape + window.PadLeft + ", " + window.PadTop + ", " + phases.Width + ", " + phases.Height + ", phases.Slice(((c + 1) % 2) * " + Text.Literal(half) + "));");
                            }
                        }

                        w.Line("ref float s = ref " + Code.Unsafe + ".Add(ref source, (c % 2) * " + Text.Literal(half) + ");");
                    }
                    else
                    {
                        // This channel's phase planes, copied just before use (still in L1 or L2 when the taps read them).
                        string slice = "input.Slice(" + channel + " * " + Text.Literal(l.Input.Plane) + ", " + Text.Literal(l.Input.Plane) + ")";
                        if (m == 1)
                        {
                            ConvPhases.EmitCopy(w, l, phases, slice, 1, "c > 0");
                        }
                        else
                        {
                            using (w.Block("if (c % " + m + " == 0)"))
                            {
                                ConvPhases.EmitCopy(w, l, phases, slice, 1, "c > 0");
                            }
                        }

                        w.Line("ref float s = ref source;");
                    }
                    w.Line("ref float wc = ref " + Code.Unsafe + ".Add(ref w, c * " + taps + ");");
                    for (int t = 0; t < taps; t++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        w.Line("TV w" + t + " = " + Code.Broadcast("wc", Text.Literal(t)) + ";");
                    }

                    w.Line("TV bc = " + (l.HasBias ? "TS.Broadcast(ref b, c)" : "TS.Splat(0f)") + ";");
                    if (plan.Wide)
                    {
                        w.Line("ref float oc = ref " + Code.Unsafe + ".Add(ref target, c * " + Text.Literal(plan.WideChannel) + ");");
                        using (w.Block("for (int q = 0; q < " + Text.Literal(plan.Positions) + "; q += n)"))
                        {
                            EmitVector(w, l, phases, "s", "q", "oc", "q");
                        }
                    }
                    else
                    {
                        w.Line("ref float oc = ref " + Code.Unsafe + ".Add(ref target, c * " + Text.Literal(l.Output.Plane) + ");");
                        int rows = RowsAtOnce(l);
                        if (rows == 1)
                        {
                            using (w.For("y", l.Output.Height, out Affine y))
                            {
                                w.Line("ref float sy = ref " + Code.At("s", (y * phases.Width).ToString()) + ";");
                                w.Line("ref float oy = ref " + Code.At("oc", (y * l.Output.Width).ToString()) + ";");
                                using (w.Block("for (int x = 0; x < " + l.Output.Width + "; x += n)"))
                                {
                                    w.Line("int at = x + n <= " + l.Output.Width + " ? x : " + l.Output.Width + " - n; // the last vector overlaps the one before");
                                    EmitVector(w, l, phases, "sy", "at", "oy", "at");
                                }
                            }
                        }
                        else
                        {
                            // Several output rows at once: an input row that feeds more than one of them is loaded once.
                            w.Line("// " + rows + " output rows at a time (the last block overlaps the one before), each input vector loaded once for all of them.");
                            using (w.Block("for (int y0 = 0; y0 < " + l.Output.Height + "; y0 += " + rows + ")"))
                            {
                                w.Line("int y = y0 + " + rows + " <= " + l.Output.Height + " ? y0 : " + (l.Output.Height - rows) + ";");
                                w.Line("ref float sy = ref " + Code.Unsafe + ".Add(ref s, y * " + phases.Width + ");");
                                w.Line("ref float oy = ref " + Code.Unsafe + ".Add(ref oc, y * " + l.Output.Width + ");");
                                if (SpreadsCopy(l, plan))
                                {
                                    CopyNextRows(w, l, phases, rows);
                                }

                                using (w.Block("for (int x = 0; x < " + l.Output.Width + "; x += n)"))
                                {
                                    w.Line("int at = x + n <= " + l.Output.Width + " ? x : " + l.Output.Width + " - n; // the last vector overlaps the one before");
                                    EmitRows(w, l, phases, rows, cancellationToken);
                                }
                            }
                        }
                    }
                }

                if (plan.Wide)
                {
                    w.Line(Code.Layout + ".Compact<TS, TV>(wide, " + Text.Literal(plan.WideChannel) + ", " + phases.Width + ", " + l.Output.Width + ", " + l.Output.Height + ", " + k + ", output);");
                }
            }

            w.Line();
        }

        /// <summary>References to the weight (PyTorch's layout) and, if the layer has one, the bias: every depthwise kernel's start.</summary>
        private static void WeightAndBias(SourceWriter w, LayerModel l)
        {
            w.Line(Code.RefTo("w", "weight") + " // " + LayerText.WeightShape(l) + ", PyTorch's layout");
            if (l.HasBias)
            {
                w.Line(Code.RefTo("b", "bias"));
            }
        }

        /// <summary>
        /// The depthwise kernel on small maps (<see cref="DepthwiseChannelsPlan"/>): a call of the runtime's
        /// DepthwiseKernel.ChannelsLast with this layer's shape, window and fused activation as literals.
        /// </summary>
        public static void EmitChannels(SourceWriter w, LayerPlan layer, DepthwiseChannelsPlan plan)
        {
            LayerModel l = layer.Kernel;
            Window window = l.Window!;
            w.Line("// " + LayerText.Describe(l) + ", vectorized over its " + l.Input.Depth + " channels (a " + l.Output.Width + "x" + l.Output.Height + " output map is too small for vectors");
            w.Line("// over positions): the input copied channels-last, each output cell summed over the taps inside the input, copied back to CHW.");
            w.Line("// weight: [" + window.Taps + " taps][" + l.Input.Depth + " channels], repacked once.");
            w.Line(Code.GeneratedCode);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu) " + Code.VectorConstraint))
            {
                w.Line(Code.Span + " scratch = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Phases + ", " + GeneratedNames.MaxPhaseLength + ").Slice(0, " + Text.Literal(plan.CopyLength) + ");");
                w.Line("global::CnnGen.Runtime.DepthwiseKernel.ChannelsLast<TS, TV>(input, weight, " + (l.HasBias ? "bias" : "default") + ", output, relu, " + (float.IsPositiveInfinity(l.FusedCeiling) ? "float.PositiveInfinity" : Text.FloatLiteral(l.FusedCeiling)) + ", " +
                    l.Input.Depth + ", " + l.Input.Height + ", " + l.Input.Width + ", " + l.Output.Height + ", " + l.Output.Width + ", " +
                    window.SizeY + ", " + window.SizeX + ", " + window.StrideY + ", " + window.StrideX + ", " + window.DilationY + ", " + window.DilationX + ", " +
                    window.PadTop + ", " + window.PadLeft + ", scratch);");
            }
        }

        /// <summary>
        /// The depthwise kernel over flat planes (<see cref="DepthwiseFlatPlan"/>): rows narrower than a vector, stride 1,
        /// output as wide as the input. Output position q = y·W + x of channel c is the sum over taps (fy, fx) of
        /// w[c, fy, fx] · plane[q + fy·W + fx − PadLeft] in the copy with PadTop zero rows above; the lanes whose column
        /// x + fx − PadLeft falls outside the row are masked off (they read the row before or after).
        /// </summary>
        public static void EmitFlat(SourceWriter w, LayerPlan layer, DepthwiseFlatPlan plan, CancellationToken cancellationToken)
        {
            LayerModel l = layer.Kernel;
            Window window = l.Window!;
            int k = l.Output.Depth, m = l.Output.Depth / l.Groups, width = l.Input.Width, plane = plan.PaddedHeight * width, positions = l.Output.Plane;
            w.Line("// " + LayerText.Describe(l) + ", over each channel's flat plane: output position q = y*" + width + " + x in vectors across its rows (narrower");
            w.Line("// than a vector), the last overlapping the one before, stored straight into the output. The input is copied once with " + window.PadTop + " zero row(s)");
            w.Line("// above each plane and " + window.PadBottom + " below (" + plan.PaddedHeight + "x" + width + " planes); tap (fy, fx) reads plane[q + fy*" + width + " + fx - " + window.PadLeft + "], and the lanes whose");
            w.Line("// column falls outside the row (reading the row before or after) are masked off, one mask per vector and window column.");
            if (m > 1)
            {
                w.Line("// Channel multiplier " + m + ": output channel c reads input channel c / " + m + ".");
            }

            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu) " + Code.VectorConstraint))
            {
                w.Line(Code.Span + " phases = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Phases + ", " + GeneratedNames.MaxPhaseLength + ").Slice(0, " + Text.Literal(plan.PhaseLength) + ");");
                w.Line("phases.Slice(0, " + plan.Before + ").Clear(); // cells a tap may read before the first plane");
                w.Line(Code.Layout + ".ToPhasesStride1<TS, TV>(input, " + width + ", " + l.Input.Height + ", " + l.Input.Depth + ", 0, " + window.PadTop + ", 0f, " + width + ", " + plan.PaddedHeight + ", phases.Slice(" + plan.Before + "));");
                w.Line(Code.Span + " masks = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + Text.Literal(plan.MaskLength) + ");");
                w.Line(Code.Layout + ".ColumnMasks<TS, TV>(" + width + ", " + Text.Literal(positions) + ", " + window.PadLeft + ", " + window.SizeX + ", masks);");
                w.Line("ref float source = ref " + Code.Unsafe + ".Add(ref " + Code.MemoryMarshal + ".GetReference(phases), " + plan.Before + ");");
                w.Line(Code.RefTo("mask", "masks"));
                w.Line(Code.RefTo("target", "output"));
                WeightAndBias(w, l);

                w.Line("int n = TS.Count;");
                using (w.Block("for (int c = 0; c < " + k + "; c++)"))
                {
                    w.Line("ref float s = ref " + Code.Unsafe + ".Add(ref source, " + (m == 1 ? "c" : "(c / " + m + ")") + " * " + Text.Literal(plane) + ");");
                    w.Line("ref float oc = ref " + Code.Unsafe + ".Add(ref target, c * " + Text.Literal(positions) + ");");
                    w.Line("ref float wc = ref " + Code.Unsafe + ".Add(ref w, c * " + window.Taps + ");");
                    for (int t = 0; t < window.Taps; t++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        w.Line("TV w" + t + " = " + Code.Broadcast("wc", Text.Literal(t)) + ";");
                    }

                    w.Line("TV bc = " + (l.HasBias ? "TS.Broadcast(ref b, c)" : "TS.Splat(0f)") + ";");
                    using (w.Block("for (int v = 0, q = 0; q < " + Text.Literal(positions) + "; v++, q += n)"))
                    {
                        w.Line("int at = q + n <= " + Text.Literal(positions) + " ? q : " + Text.Literal(positions - 1) + " + 1 - n; // the last vector overlaps the one before");
                        w.Line("ref float x0 = ref " + Code.Unsafe + ".Add(ref s, at);");
                        w.Line("ref float mv = ref " + Code.Unsafe + ".Add(ref mask, v * " + window.SizeX + " * n);");
                        for (int fx = 0; fx < window.SizeX; fx++)
                        {
                            if (fx != window.PadLeft)
                            {
                                w.Line("TV m" + fx + " = TS.Load(ref mv, " + (fx == 0 ? "0" : fx + " * n") + "); // columns x + " + (fx - window.PadLeft) + " inside the row");
                            }
                        }

                        w.Line("TV a = bc;");
                        w.Line("TV a2 = TS.Splat(0f);");
                        for (int fy = 0; fy < window.SizeY; fy++)
                        {
                            for (int fx = 0; fx < window.SizeX; fx++)
                            {
                                int t = (fy * window.SizeX) + fx;
                                int offset = (fy * width) + fx - window.PadLeft;
                                string load = "TS.Load(ref x0, " + offset + ")";
                                if (fx != window.PadLeft)
                                {
                                    load = "TS.And(" + load + ", m" + fx + ")";
                                }

                                string acc = t % 2 == 0 ? "a" : "a2";
                                w.Line(acc + " = TS.MultiplyAdd(w" + t + ", " + load + ", " + acc + ");");
                            }
                        }

                        w.Line("a = TS.Add(a, a2);");
                        using (w.Block("if (relu)"))
                        {
                            w.Line("a = " + Code.Activate(l, "a") + ";");
                        }

                        w.Line("TS.Store(a, ref oc, at);");
                    }
                }
            }

            w.Line();
        }

        /// <summary>
        /// The stride-2 depthwise kernel (<see cref="DepthwisePlan.Strided"/>): the input read as it is, each row once per
        /// block of output columns and in memory order. Output row y reads input rows y·Sy − PadTop + fy·Dy; pass y reads
        /// the rows that no earlier pass read (the last Sy of y's window) and adds each into every output row whose window
        /// holds it, <see cref="DepthwisePlan.LiveRows"/> of them, kept in registers across passes for a block of up to
        /// <see cref="DepthwisePlan.BlockVectors"/> vectors of columns; at the end of pass y, row y is complete and stored. Tap (fy, fx)
        /// of a vector of outputs is the even or odd lanes of two loads (<c>TS.Evens</c>/<c>TS.Odds</c>); rows outside the
        /// input are skipped (zero padding). Output columns whose window crosses the row's left or right edge (or reads the
        /// spare lane after it) are computed one at a time, in the same pass.
        /// </summary>
        /// <remarks>
        /// Streaming the rows in order (each read once, the accumulators waiting in registers) instead of reading all of an
        /// output row pair's five rows for each vector of columns: 32x112x112 at 3x3 stride 2, 47–62 → 27–31 µs in-process.
        /// </remarks>
        private static void EmitStrided(SourceWriter w, LayerModel l, DepthwisePlan plan, CancellationToken cancellationToken)
        {
            Window window = l.Window!;
            int k = l.Output.Depth, m = plan.Multiplier, inW = l.Input.Width, inH = l.Input.Height, outW = l.Output.Width, outH = l.Output.Height;
            int sy = window.StrideY, dy = window.DilationY, span = ((window.SizeY - 1) * dy) + 1;
            int live = plan.LiveRows, vectors = plan.BlockVectors, xl = plan.VectorStart, xr = plan.VectorEnd;
            bool weightsInRegisters = window.Taps + (live * vectors) <= 24;

            // The edge columns (window across the row's left or right edge): with the vectors, in scalar accumulators that
            // stream with them (their taps inside the row known here), unless there are too many; else in a pass of their own.
            var edgeColumns = new System.Collections.Generic.List<int>();
            for (int x = 0; x < outW; x++)
            {
                if (x < xl || x >= xr)
                {
                    edgeColumns.Add(x);
                }
            }

            bool streamedEdges = plan.StreamedEdges;

            // The input rows pass y reads, as offsets u from y·Sy − PadTop: the last Sy rows of y's window (all of its rows
            // when windows do not overlap), each with the (output row y + j, tap row fy) pairs it feeds.
            var rowUses = new System.Collections.Generic.List<(int U, System.Collections.Generic.List<(int J, int Fy)> Readers)>();
            int firstNew = span >= sy ? span - sy : 0;
            for (int u = firstNew; u < span; u++)
            {
                var readers = new System.Collections.Generic.List<(int J, int Fy)>();
                for (int j = 0; j < live; j++)
                {
                    int d = u - (j * sy);
                    if (d >= 0 && d % dy == 0 && d / dy < window.SizeY)
                    {
                        readers.Add((j, d / dy));
                    }
                }

                if (readers.Count > 0)
                {
                    rowUses.Add((u, readers));
                }
            }

            // Pairs of loads at even column offsets; tap fx takes the even or odd lanes of its pair.
            var pairs = new System.Collections.Generic.SortedDictionary<int, System.Collections.Generic.List<(int Fx, bool Odd)>>();
            for (int fx = 0; fx < window.SizeX; fx++)
            {
                int offset = fx * window.DilationX;
                if (!pairs.TryGetValue(offset & ~1, out var list))
                {
                    pairs[offset & ~1] = list = new System.Collections.Generic.List<(int, bool)>();
                }

                list.Add((fx, (offset & 1) == 1));
            }

            w.Line("// " + LayerText.Describe(l) + ", one channel at a time, the input read as it is, row by row in order:");
            w.Line("// output row y reads input rows y*" + sy + (window.PadTop == 0 ? "" : " - " + window.PadTop) + " + fy" + (dy == 1 ? "" : "*" + dy) + "; pass y reads the rows no earlier pass read and adds each into the " + live + " output row(s)");
            w.Line("// whose window holds it (accumulators kept in registers for up to " + vectors + " vectors of columns), then stores row y. Each tap's even or odd");
            string edgeWay = streamedEdges ? "in scalar accumulators streaming with the first block" : "one at a time in a pass of their own";
            w.Line(xr > xl
                ? "// columns are split from two loads in registers. Output columns " + xl + " to " + (xr - 1) + " in vectors (the last one overlapping the one before),"
                : "// columns are split from two loads in registers. No output column has its whole window inside the row:");
            w.Line(xr > xl
                ? "// the others (their window crosses the row's edge) " + edgeWay + "."
                : "// every column one at a time (also when no vector fits).");
            if (m > 1)
            {
                w.Line("// Channel multiplier " + m + ": output channel c reads input channel c / " + m + ".");
            }

            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu) " + Code.VectorConstraint))
            {
                w.Line(Code.RefTo("source", "input"));
                w.Line(Code.RefTo("target", "output"));
                WeightAndBias(w, l);

                w.Line("int n = TS.Count;");
                w.Line("bool vectors = " + (xr - xl) + " >= n; // enough columns inside for one vector at this width");
                w.Line("int blocks = vectors ? (" + (xr - xl) + " + " + vectors + " * n - 1) / (" + vectors + " * n) : 0; // blocks of " + vectors + " vectors of columns");
                using (w.Block("for (int c = 0; c < " + k + "; c++)"))
                {
                    string channel = m == 1 ? "c" : "(c / " + m + ")";
                    w.Line("ref float s = ref " + Code.Unsafe + ".Add(ref source, " + channel + " * " + Text.Literal(l.Input.Plane) + ");");
                    w.Line("ref float wc = ref " + Code.Unsafe + ".Add(ref w, c * " + window.Taps + ");");
                    if (weightsInRegisters)
                    {
                        for (int t = 0; t < window.Taps; t++)
                        {
                            w.Line("TV w" + t + " = " + Code.Broadcast("wc", Text.Literal(t)) + ";");
                        }
                    }
                    else
                    {
                        w.Line("// " + window.Taps + " taps and " + (live * vectors) + " accumulators: each weight is broadcast where it is used, not held in a register.");
                    }

                    w.Line("float bs = " + (l.HasBias ? Code.Unsafe + ".Add(ref b, c)" : "0f") + ";");
                    w.Line("TV bc = TS.Splat(bs);");
                    w.Line("ref float oc = ref " + Code.Unsafe + ".Add(ref target, c * " + Text.Literal(l.Output.Plane) + ");");
                    using (w.Block("for (int block = 0; block < blocks; block++) // none when no vector fits"))
                    {
                        w.Line("int x0 = " + xl + " + (block * " + vectors + " * n);");
                        for (int v = 0; v < vectors; v++)
                        {
                            string x = v == 0 ? "x0" : "x0 + " + (v == 1 ? "n" : v + " * n");
                            w.Line("int at" + v + " = " + x + " <= " + xr + " - n ? " + x + " : " + xr + " - n;" + (v == 0 ? " // past the end: the last vector, overlapping the one before" : ""));
                            w.Line("nint p" + v + " = " + (window.PadLeft == 0 ? "2 * at" + v : "(2 * at" + v + ") - " + window.PadLeft) + ";" + (v == 0 ? " // native-sized: the loads' constant offsets fold into their addresses" : ""));
                        }

                        for (int j = 0; j < live; j++)
                        {
                            w.Line("TV " + string.Join(", ", Enumerable.Range(0, vectors).Select(v => Acc(j, v) + " = bc")) + "; // output row y" + (j == 0 ? "" : " + " + j));
                        }

                        if (streamedEdges && edgeColumns.Count > 0)
                        {
                            w.Line("bool edges = block == 0; // edge column" + (edgeColumns.Count == 1 ? " " : "s ") + string.Join(", ", edgeColumns) + " streamed with the first block");
                            for (int j = 0; j < live; j++)
                            {
                                w.Line("float " + string.Join(", ", edgeColumns.ConvertAll(x => EdgeAcc(j, x) + " = bs")) + ";");
                            }
                        }

                        using (w.Block("for (int y = " + (-(live - 1)) + "; y < " + outH + "; y++)"))
                        {
                            w.Line("int iy = " + ((Affine.Var("y") * sy) + (-window.PadTop)) + ";");
                            foreach ((int u, var readers) in rowUses)
                            {
                                cancellationToken.ThrowIfCancellationRequested();
                                string row = u == 0 ? "iy" : "iy + " + u;
                                using (w.Block("if ((uint)(" + row + ") < " + inH + ") // " + string.Join(", ", readers.ConvertAll(r => "row y" + (r.J == 0 ? "" : " + " + r.J) + " tap row " + r.Fy))))
                                {
                                    w.Line("ref float r = ref " + Code.Unsafe + ".Add(ref s, (" + row + ") * " + inW + ");");
                                    for (int v = 0; v < vectors; v++)
                                    {
                                        // One reference per vector, the loads at constant offsets from it (no index arithmetic per load).
                                        w.Line("ref float q" + v + " = ref " + Code.Unsafe + ".Add(ref r, p" + v + ");");
                                        foreach (var pair in pairs)
                                        {
                                            string lo = "lo" + v + "_" + pair.Key, hi = "hi" + v + "_" + pair.Key;
                                            w.Line("TV " + lo + " = " + Code.Load("q" + v, pair.Key.ToString()) + ", " + hi + " = TS.Load(ref q" + v + ", " + (pair.Key == 0 ? "n" : pair.Key + " + n") + ");");
                                            foreach ((int fx, bool odd) in pair.Value)
                                            {
                                                string lanes = "TS." + (odd ? "Odds" : "Evens") + "(" + lo + ", " + hi + ")";
                                                if (readers.Count > 1)
                                                {
                                                    string name = (odd ? "o" : "e") + v + "_" + fx;
                                                    w.Line("TV " + name + " = " + lanes + ";");
                                                    lanes = name;
                                                }

                                                foreach ((int j, int fy) in readers)
                                                {
                                                    int tap = (fy * window.SizeX) + fx;
                                                    string weightOf = weightsInRegisters ? "w" + tap : Code.Broadcast("wc", Text.Literal(tap));
                                                    w.Line(Acc(j, v) + " = TS.MultiplyAdd(" + weightOf + ", " + lanes + ", " + Acc(j, v) + ");");
                                                }
                                            }
                                        }
                                    }

                                    if (streamedEdges && edgeColumns.Count > 0)
                                    {
                                        EmitEdgeTaps(w, l, edgeColumns, readers);
                                    }
                                }
                            }

                            using (w.Block("if (y >= 0)"))
                            {
                                w.Line("ref float oy = ref " + Code.Unsafe + ".Add(ref oc, y * " + outW + ");");
                                using (w.Block("if (relu)"))
                                {
                                    for (int v = 0; v < vectors; v++)
                                    {
                                        w.Line(Acc(0, v) + " = " + Code.Activate(l, Acc(0, v)) + ";");
                                    }
                                }

                                for (int v = 0; v < vectors; v++)
                                {
                                    w.Line("TS.Store(" + Acc(0, v) + ", ref oy, at" + v + ");");
                                }

                                if (streamedEdges && edgeColumns.Count > 0)
                                {
                                    using (w.Block("if (edges)"))
                                    {
                                        foreach (int x in edgeColumns)
                                        {
                                            w.Line(Code.Unsafe + ".Add(ref oy, " + x + ") = " + Code.ActivateScalar(l, EdgeAcc(0, x)) + "; // NaN stays NaN");
                                        }
                                    }
                                }
                            }

                            w.Line("// Row y is done: the accumulators move up one output row.");
                            for (int j = 0; j < live; j++)
                            {
                                w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => Acc(j, v) + " = " + (j + 1 < live ? Acc(j + 1, v) : "bc") + ";")));
                            }

                            if (streamedEdges && edgeColumns.Count > 0)
                            {
                                for (int j = 0; j < live; j++)
                                {
                                    w.Line(string.Join(" ", edgeColumns.ConvertAll(x => EdgeAcc(j, x) + " = " + (j + 1 < live ? EdgeAcc(j + 1, x) : "bs") + ";")));
                                }
                            }
                        }
                    }

                    // Without vectors every column, else (too many to stream) the edge columns, row by row after the vectors.
                    using (w.Block((streamedEdges ? "if (!vectors) " : "") + "for (int y = 0; y < " + outH + "; y++)"))
                    {
                        w.Line("int iy = " + ((Affine.Var("y") * sy) + (-window.PadTop)) + ";");
                        w.Line("ref float oy = ref " + Code.Unsafe + ".Add(ref oc, y * " + outW + ");");
                        EmitStridedEdges(w, l, xl, xr);
                    }
                }
            }

            w.Line();
        }

        /// <summary>The edge columns of output row y (those outside the vector columns [xl, xr)), one at a time with every tap checked.</summary>
        private static void EmitStridedEdges(SourceWriter w, LayerModel l, int xl, int xr)
        {
            Window window = l.Window!;
            int inW = l.Input.Width, inH = l.Input.Height, outW = l.Output.Width;
            for (int fy = 0; fy < window.SizeY; fy++)
            {
                string row = fy == 0 ? "iy" : "iy + " + (fy * window.DilationY);
                w.Line("bool in" + fy + " = (uint)(" + row + ") < " + inH + ";");
                w.Line("ref float r" + fy + " = ref " + Code.Unsafe + ".Add(ref s, (in" + fy + " ? " + row + " : 0) * " + inW + "); // a row outside the input is never read: its taps are skipped");
            }

            w.Line("int edge = vectors ? " + xl + " : " + outW + ";");
            using (w.Block("for (int x = 0; x < " + outW + "; x++)"))
            {
                using (w.Block("if (x == edge)"))
                {
                    w.Line("x = " + (xr - 1) + "; // columns " + xl + " to " + (xr - 1) + " are done");
                    w.Line("continue;");
                }

                w.Line("int ix = " + (window.PadLeft == 0 ? "2 * x" : "(2 * x) - " + window.PadLeft) + ";");
                w.Line("float sum = bs;");
                int t = 0;
                for (int fy = 0; fy < window.SizeY; fy++)
                {
                    using (w.Block("if (in" + fy + ")"))
                    {
                        for (int fx = 0; fx < window.SizeX; fx++, t++)
                        {
                            string col = fx == 0 ? "ix" : "ix + " + (fx * window.DilationX);
                            using (w.Block("if ((uint)(" + col + ") < " + inW + ")"))
                            {
                                w.Line("sum += " + Code.Unsafe + ".Add(ref wc, " + t + ") * " + Code.Unsafe + ".Add(ref r" + fy + ", " + col + ");");
                            }
                        }
                    }
                }

                w.Line(Code.Unsafe + ".Add(ref oy, x) = " + Code.ActivateScalar(l, "sum") + "; // NaN stays NaN");
            }
        }

        /// <summary>
        /// The edge columns' share of input row r (<paramref name="readers"/>: the output rows y + j it feeds, with their tap
        /// rows): each tap whose column lies inside the row, known here, added into the column's scalar accumulator.
        /// </summary>
        private static void EmitEdgeTaps(SourceWriter w, LayerModel l, System.Collections.Generic.List<int> edgeColumns, System.Collections.Generic.List<(int J, int Fy)> readers)
        {
            Window window = l.Window!;
            using (w.Block("if (edges)"))
            {
                foreach (int x in edgeColumns)
                {
                    foreach ((int j, int fy) in readers)
                    {
                        var terms = new System.Collections.Generic.List<string>();
                        for (int fx = 0; fx < window.SizeX; fx++)
                        {
                            int col = (2 * x) - window.PadLeft + (fx * window.DilationX);
                            if (col >= 0 && col < l.Input.Width)
                            {
                                terms.Add(Code.Unsafe + ".Add(ref wc, " + ((fy * window.SizeX) + fx) + ") * " + Code.Unsafe + ".Add(ref r, " + col + ")");
                            }
                        }

                        foreach (string term in terms)
                        {
                            w.Line(EdgeAcc(j, x) + " += " + term + ";");
                        }
                    }
                }
            }
        }

        /// <summary>The scalar accumulator of output row y + <paramref name="j"/>, edge column <paramref name="x"/>.</summary>
        private static string EdgeAcc(int j, int x) => "s" + j + "_" + x;

        /// <summary>The accumulator of output row y + <paramref name="j"/> in vector <paramref name="v"/> of the block.</summary>
        private static string Acc(int j, int v) => "a" + j + "_" + v;

        /// <summary>
        /// Whether a pipelined kernel copies the next channel's rows between its row blocks rather than in one call before
        /// the channel: it does wherever it computes several output rows at a time and has a channel 2 to copy (channels 0 and
        /// 1 are copied before channel 0).
        /// </summary>
        private static bool SpreadsCopy(LayerModel l, DepthwisePlan plan) => plan.Pipelined && !plan.Wide && RowsAtOnce(l) > 1 && l.Output.Depth > 2;

        /// <summary>
        /// In row block y0 of channel c, channel c + 1's input rows y0 .. y0 + rows − 1 (the last block: the rest of them)
        /// into the other padded plane; the blocks start at 0 and follow one another, so every input row is copied once.
        /// With 16-float vectors a whole block of rows is written out load by load (rows of up to 4 vectors): a loop per
        /// row cost half of what spreading the copy gains (144x28x28 3x3 with its 1x1 convs: 2.5 % faster with
        /// <c>Layout.CopyRows</c> alone, 7 % written out).
        /// </summary>
        private static void CopyNextRows(SourceWriter w, LayerModel l, PhaseLayout phases, int rows)
        {
            int height = l.Input.Height, width = l.Input.Width;
            bool shorter = height < l.Output.Height;
            using (w.Block("if (copyNext" + (shorter ? " && y0 < " + height : string.Empty) + ")"))
            {
                w.Line("ref float copyFrom = ref " + Code.At("nextInput", "y0 * " + width) + ";");
                w.Line("ref float copyTo = ref " + Code.At("nextRows", "y0 * " + phases.Width) + ";");
                bool writtenOut = width >= 16 && width <= 64;
                if (writtenOut)
                {
                    using (w.Block("if (n == 16 && y0 + " + rows + " < " + l.Output.Height + (shorter ? " && y0 + " + rows + " <= " + height : string.Empty) + ")"))
                    {
                        w.Line("// Input rows y0 .. y0 + " + (rows - 1) + ": vectors at " + string.Join(", ", VectorStarts(width)) + " of each.");
                        for (int r = 0; r < rows; r++)
                        {
                            w.Line(string.Join(" ", VectorStarts(width).Select(x => Code.Store(Code.Load("copyFrom", Text.Literal(((long)r * width) + x)), "copyTo", Text.Literal(((long)r * phases.Width) + x)))));
                        }
                    }
                }
                using (writtenOut ? w.Block("else") : default)
                {
                    string last = shorter ? "global::System.Math.Min(y0 + " + rows + ", " + height + ")" : "y0 + " + rows;
                    w.Line("int to = y0 + " + rows + " < " + l.Output.Height + " ? " + last + " : " + height + "; // input rows y0 .. to - 1");
                    w.Line(Code.Layout + ".CopyRows<TS, TV>(ref copyFrom, " + width + ", ref copyTo, " + phases.Width + ", to - y0, " + width + ");");
                }
            }
        }

        /// <summary>Where the 16-float vectors covering a row of <paramref name="width"/> start, the last one overlapping.</summary>
        private static System.Collections.Generic.IEnumerable<int> VectorStarts(int width)
        {
            for (int x = 0; x < width; x += 16)
            {
                yield return x + 16 <= width ? x : width - 16;
            }
        }

        /// <summary>
        /// How many output rows one pass computes: up to 4 while the weights and the accumulators fit the registers
        /// (each input vector is then loaded once for all the rows it feeds), 1 when the plane has a single row.
        /// </summary>
        private static int RowsAtOnce(LayerModel l) => System.Math.Min(l.Output.Height, l.Window!.Taps <= 16 ? 4 : 2);

        /// <summary>
        /// One vector of outputs in each of <paramref name="rows"/> rows: each distinct input vector the taps of those
        /// rows read is loaded once, then multiplied into every row's accumulator that uses it.
        /// </summary>
        private static void EmitRows(SourceWriter w, LayerModel l, PhaseLayout phases, int rows, CancellationToken cancellationToken)
        {
            Window window = l.Window!;
            w.Line("ref float x0 = ref " + Code.Unsafe + ".Add(ref sy, at);");
            for (int r = 0; r < rows; r++)
            {
                w.Line("TV a" + r + " = bc;");
            }

            // Input offset -> the (row, tap) pairs that read it, in order of offset (one load each).
            var uses = new System.Collections.Generic.SortedDictionary<long, System.Collections.Generic.List<(int Row, int Tap)>>();
            for (int r = 0; r < rows; r++)
            {
                int t = 0;
                for (int fy = 0; fy < window.SizeY; fy++)
                {
                    for (int fx = 0; fx < window.SizeX; fx++, t++)
                    {
                        long offset = ((long)r * phases.Width) + phases.TapOffset(fy, fx, window);
                        if (!uses.TryGetValue(offset, out var list))
                        {
                            uses[offset] = list = new System.Collections.Generic.List<(int, int)>();
                        }

                        list.Add((r, t));
                    }
                }
            }

            int v = 0;
            foreach (var pair in uses)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string name = "v" + v++;
                w.Line("TV " + name + " = " + Code.Load("x0", Text.Literal(pair.Key)) + ";");
                foreach ((int row, int tap) in pair.Value)
                {
                    w.Line("a" + row + " = TS.MultiplyAdd(w" + tap + ", " + name + ", a" + row + ");");
                }
            }

            using (w.Block("if (relu)"))
            {
                for (int r = 0; r < rows; r++)
                {
                    w.Line("a" + r + " = " + Code.Activate(l, "a" + r) + ";");
                }
            }

            for (int r = 0; r < rows; r++)
            {
                w.Line(Code.Store("a" + r, "oy", r == 0 ? "at" : "at + " + Text.Literal(r * l.Output.Width)));
            }
        }

        /// <summary>One vector of outputs: the bias, then a load and a multiply-add per tap (two chains, so the adds overlap).</summary>
        private static void EmitVector(SourceWriter w, LayerModel l, PhaseLayout phases, string source, string at, string target, string to)
        {
            Window window = l.Window!;
            w.Line("ref float x0 = ref " + Code.Unsafe + ".Add(ref " + source + ", " + at + ");");
            w.Line("TV a = bc;");
            bool two = window.Taps >= 4;
            if (two)
            {
                w.Line("TV a2 = TS.Splat(0f);");
            }

            int t = 0;
            for (int fy = 0; fy < window.SizeY; fy++)
            {
                for (int fx = 0; fx < window.SizeX; fx++, t++)
                {
                    string accumulator = two && t % 2 == 1 ? "a2" : "a";
                    w.Line(accumulator + " = TS.MultiplyAdd(w" + t + ", " + Code.Load("x0", Text.Literal(phases.TapOffset(fy, fx, window))) + ", " + accumulator + ");");
                }
            }

            if (two)
            {
                w.Line("a = TS.Add(a, a2);");
            }

            using (w.Block("if (relu)"))
            {
                w.Line("a = " + Code.Activate(l, "a") + ";");
            }

            w.Line(Code.Store("a", target, to));
        }
    }
}
