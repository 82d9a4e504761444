using System.Linq;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting
{
    /// <summary>
    /// Writes the SIMD kernels: generic over <c>CnnGen.Runtime.ISimd</c> so one kernel compiles to AVX-512
    /// (<c>Simd512</c>) or AVX2 (<c>Simd256</c>), chosen by <c>IsSupported</c> checks the JIT folds away;
    /// the scalar kernel stays for machines without either.
    /// </summary>
    internal static class VectorEmitter
    {
        private const string Span = "global::System.Span<float>";
        private const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
        /// <summary>
        /// Kernels are compiled fully optimized at their first call: no tier-0 code, no on-stack replacement, and no
        /// dynamic-PGO re-layout, which measurably slowed the row-max pool kernels.
        /// </summary>
        public const string Optimized = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

        private const string Constraint = "where TS : struct, global::CnnGen.Runtime.ISimd<TV> where TV : struct";

        /// <summary>The dispatcher: picks the widest vector kernel the machine runs, else the scalar one.</summary>
        public static void EmitDispatch(SourceWriter w, LayerModel l, string generatedCode)
        {
            VectorPlan? plan = VectorPlan.For(l);
            string parameters = l.Kind switch
            {
                LayerKind.Conv => ReadOnlySpan + " input, " + ReadOnlySpan + " packedWeight, " + ReadOnlySpan + " weight, " + ReadOnlySpan + " bias, " + Span + " output, bool relu",
                LayerKind.FullyConnected => ReadOnlySpan + " input, " + ReadOnlySpan + " packedWeight, " + ReadOnlySpan + " weight, " + ReadOnlySpan + " bias, " + Span + " output, bool relu",
                _ => ReadOnlySpan + " input, " + Span + " output",
            };
            string vectorArguments = l.Kind switch
            {
                LayerKind.Conv => "input, packedWeight, bias, output, relu",
                LayerKind.FullyConnected => "input, packedWeight, bias, output, relu",
                _ => "input, output",
            };
            string scalarArguments = l.Kind == LayerKind.MaxPool ? "input, output" : "input, weight, bias, output, relu";

            w.Line("// " + l.Name + ": the widest vector kernel this machine runs (the JIT removes the other branches), else the scalar kernel.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Dispatch(" + parameters + ")"))
            {
                if (plan is null)
                {
                    w.Line(l.Kind == LayerKind.FullyConnected
                        ? "// The packed weight would be over 1 GiB: the scalar kernel serves every machine."
                        : "// The window is over the unroll budget: the scalar kernel serves every machine.");
                    w.Line(l.Name + "Kernel(" + scalarArguments + ");");
                    return;
                }

                bool narrow = l.Kind == LayerKind.MaxPool && PoolInsideColumns(l) < 16;
                if (narrow)
                {
                    w.Line("// Fewer than 16 output columns per row lie inside the input: 8-float vectors fit this layer better than 16.");
                }
                else
                {
                    using (w.Block("if (global::CnnGen.Runtime.Simd512.IsSupported)"))
                    {
                        w.Line(l.Name + "Vector<global::CnnGen.Runtime.Simd512, global::System.Runtime.Intrinsics.Vector512<float>>(" + vectorArguments + ");");
                    }
                }

                using (w.Block((narrow ? "if" : "else if") + " (global::CnnGen.Runtime.Simd256.IsSupported)"))
                {
                    w.Line(l.Name + "Vector<global::CnnGen.Runtime.Simd256, global::System.Runtime.Intrinsics.Vector256<float>>(" + vectorArguments + ");");
                }

                using (w.Block("else"))
                {
                    w.Line(l.Name + "Kernel(" + scalarArguments + ");");
                }
            }

        }

        public static void EmitConv(SourceWriter w, LayerModel l, VectorPlan plan, string generatedCode)
        {
            int k = l.OutputDepth, mr = plan.Rows, f = l.Size;
            int taps = f * f;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized over output positions: " + mr + " filters x " + plan.Vectors + " vectors per step"
                + (plan.Vectors == plan.NarrowVectors ? string.Empty : " with 16-float vectors, " + mr + " x " + plan.NarrowVectors + " with 8-float ones") + " (fewer at the end),");
            w.Line("// the " + f + "x" + f + " window unrolled, the loop over the " + l.InputDepth + " input channels kept.");
            w.Line(plan.Direct
                ? "// Input in " + (l.Stride * l.Stride) + " phase plane(s) per channel of " + plan.PhaseWidth + "x" + plan.PhaseHeight + "; output position q = y*" + l.OutputWidth + " + x (rows are whole vectors), stored straight into the output."
                : "// Input in " + (l.Stride * l.Stride) + " phase plane(s) per channel of " + plan.PhaseWidth + "x" + plan.PhaseHeight + "; output position q = y*" + plan.PhaseWidth + " + x, columns x >= " + l.OutputWidth + " are discarded.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Vector<TS, TV>(" + ReadOnlySpan + " input, " + ReadOnlySpan + " packedWeight, " + ReadOnlySpan + " bias, " + Span + " output, bool relu) " + Constraint))
            {
                EmitPhasesAndWide(w, l, plan, "0f");
                w.Line("ref float pw = ref MemoryMarshal.GetReference(packedWeight); // [" + (k / mr) + "][" + l.InputDepth + "][" + taps + "][" + mr + "]");
                w.Line("ref float b = ref MemoryMarshal.GetReference(bias);");
                w.Line("int q = 0;");
                w.Line("// Positions outside, filter blocks inside: one chunk of input stays in L1 while every filter block uses it.");
                w.Line("// Each step size is its own method: one method with all of them would be too large for the JIT to optimize.");
                if (plan.Vectors == plan.NarrowVectors)
                {
                    EmitStepLoop(w, l, plan, plan.Vectors);
                }
                else
                {
                    using (w.Block("if (TS.Count == 16)"))
                    {
                        EmitStepLoop(w, l, plan, plan.Vectors);
                    }

                    using (w.Block("else"))
                    {
                        EmitStepLoop(w, l, plan, plan.NarrowVectors);
                    }
                }

                w.Line("// The last positions: two vectors, then one, at a time.");
                EmitStepLoop(w, l, plan, 2);
                EmitStepLoop(w, l, plan, 1);
                if (!plan.Direct && !plan.Straight)
                {
                    w.Line("global::CnnGen.Runtime.Layout.Compact<TS, TV>(wide, " + Text.Literal(plan.WideChannel) + ", " + plan.PhaseWidth + ", " + l.OutputWidth + ", " + l.OutputHeight + ", " + k + ", output);");
                }
            }

            foreach (int nr in new[] { plan.Vectors, plan.NarrowVectors, 2, 1 }.Distinct().OrderByDescending(v => v))
            {
                w.Line();
                EmitConvStep(w, l, plan, nr, generatedCode);
            }
        }

        private static void EmitStepLoop(SourceWriter w, LayerModel l, VectorPlan plan, int nr)
        {
            // A step may end past the last position by less than one vector (the wide output is rounded up to whole vectors).
            string step = nr == 1 ? "TS.Count" : nr + " * TS.Count";
            string condition = nr == 1 ? "q < " + Text.Literal(plan.Positions) : "q + " + step + " < " + Text.Literal(plan.Positions) + " + TS.Count";
            using (w.Block("for (; " + condition + "; q += " + step + ")"))
            {
                w.Line(l.Name + "Step" + nr + "<TS, TV>(ref source, ref pw, ref b, ref " + (plan.Direct ? "outputStart" : "wideStart") + ", q, relu);");
            }
        }

        /// <summary>One step: <paramref name="nr"/> vectors of output positions from q, times every filter block.</summary>
        private static void EmitConvStep(SourceWriter w, LayerModel l, VectorPlan plan, int nr, string generatedCode)
        {
            int k = l.OutputDepth, mr = plan.Rows, f = l.Size;
            int taps = f * f;
            w.Line("// " + l.Name + ": output positions q .. q + " + nr + " vectors, all " + k + " filters, " + mr + " at a time.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Step" + nr + "<TS, TV>(ref float source, ref float pw, ref float b, ref float " + (plan.Direct ? "outputStart" : "wideStart") + ", int q, bool relu) " + Constraint))
            {
                using (w.Block("for (int kb = 0; kb < " + (k / mr) + "; kb++)"))
                {
                    w.Line("ref float wb = ref Unsafe.Add(ref pw, kb * " + Text.Literal((long)l.InputDepth * taps * mr) + ");");
                    for (int r = 0; r < mr; r++)
                    {
                        w.Line("TV bias" + r + " = TS.Splat(Unsafe.Add(ref b, (kb * " + mr + ") + " + r + "));");
                    }

                    for (int r = 0; r < mr; r++)
                    {
                        string line = string.Empty;
                        for (int v = 0; v < nr; v++)
                        {
                            line += "TV a" + r + v + " = bias" + r + "; ";
                        }

                        w.Line(line.TrimEnd());
                    }

                    if (plan.Direct)
                    {
                        for (int v = 0; v < nr; v++)
                        {
                            string p = v == 0 ? "q" : "(q + " + (v == 1 ? string.Empty : v + " * ") + "TS.Count)";
                            w.Line("ref float s" + v + " = ref Unsafe.Add(ref source, (" + p + " / " + l.OutputWidth + " * " + plan.PhaseWidth + ") + (" + p + " % " + l.OutputWidth + ")); // output row " + p + " / " + l.OutputWidth + " in the phase planes");
                        }
                    }
                    else
                    {
                        w.Line("ref float s = ref Unsafe.Add(ref source, q);");
                    }

                    w.Line("ref float wd = ref wb;");
                    string declare = "TV ";
                    for (int v = 0; v < nr; v++)
                    {
                        declare += "x" + v + ", ";
                    }

                    for (int r = 0; r < mr; r++)
                    {
                        declare += "w" + r + (r == mr - 1 ? ";" : ", ");
                    }

                    w.Line(declare);
                    using (w.Block("for (int d = 0; d < " + l.InputDepth + "; d++)"))
                    {
                        for (int fy = 0; fy < f; fy++)
                        {
                            for (int fx = 0; fx < f; fx++)
                            {
                                int tap = (fy * f) + fx;
                                int offset = plan.TapOffset(l, fy, fx);
                                w.Line("// tap (" + fy + ", " + fx + ")");
                                for (int v = 0; v < nr; v++)
                                {
                                    w.Line(plan.Direct
                                        ? "x" + v + " = TS.Load(ref Unsafe.Add(ref s" + v + ", " + Text.Literal(offset) + "));"
                                        : "x" + v + " = TS.Load(ref Unsafe.Add(ref s, " + Text.Literal(offset) + (v == 0 ? string.Empty : " + " + (v == 1 ? string.Empty : v + " * ") + "TS.Count") + "));");
                                }

                                for (int r = 0; r < mr; r++)
                                {
                                    string line = "w" + r + " = TS.Splat(Unsafe.Add(ref wd, " + ((tap * mr) + r) + "));";
                                    for (int v = 0; v < nr; v++)
                                    {
                                        line += " a" + r + v + " = TS.MultiplyAdd(w" + r + ", x" + v + ", a" + r + v + ");";
                                    }

                                    w.Line(line);
                                }
                            }
                        }

                        if (plan.Direct)
                        {
                            string line = string.Empty;
                            for (int v = 0; v < nr; v++)
                            {
                                line += "s" + v + " = ref Unsafe.Add(ref s" + v + ", " + Text.Literal(plan.Plane) + "); ";
                            }

                            w.Line(line.TrimEnd());
                        }
                        else
                        {
                            w.Line("s = ref Unsafe.Add(ref s, " + Text.Literal(plan.Plane) + ");");
                        }
                        w.Line("wd = ref Unsafe.Add(ref wd, " + (taps * mr) + ");");
                    }

                    using (w.Block("if (relu)"))
                    {
                        for (int r = 0; r < mr; r++)
                        {
                            string line = string.Empty;
                            for (int v = 0; v < nr; v++)
                            {
                                line += "a" + r + v + " = TS.Relu(a" + r + v + "); ";
                            }

                            w.Line(line.TrimEnd());
                        }
                    }

                    for (int r = 0; r < mr; r++)
                    {
                        w.Line(plan.Direct
                            ? "ref float o" + r + " = ref Unsafe.Add(ref outputStart, ((kb * " + mr + ") + " + r + ") * " + Text.Literal(l.OutputWidth * l.OutputHeight) + " + q);"
                            : "ref float o" + r + " = ref Unsafe.Add(ref wideStart, ((kb * " + mr + ") + " + r + ") * " + Text.Literal(plan.WideChannel) + " + q);");
                        string line = string.Empty;
                        for (int v = 0; v < nr; v++)
                        {
                            line += "TS.Store(a" + r + v + ", ref Unsafe.Add(ref o" + r + ", " + (v == 0 ? "0" : (v == 1 ? string.Empty : v + " * ") + "TS.Count") + ")); ";
                        }

                        w.Line(line.TrimEnd());
                    }
                }
            }
        }

        /// <summary>The conv kernel vectorized over filters (<see cref="VectorPlan.Filters"/>).</summary>
        public static void EmitFilterConv(SourceWriter w, LayerModel l, VectorPlan plan, string generatedCode)
        {
            int k = l.OutputDepth, f = l.Size, np = plan.Pixels, w2 = l.OutputWidth;
            int blocks = w2 / np, rest = w2 % np;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized over the " + k + " filters: for " + np + " output cells of a row at a time, each input value");
            w.Line("// is broadcast against a vector of filters (the " + f + "x" + f + " window unrolled); the cell-major result is transposed into CHW.");
            w.Line("// Input in " + (l.Stride * l.Stride) + " phase plane(s) per channel of " + plan.PhaseWidth + "x" + plan.PhaseHeight + ".");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Vector<TS, TV>(" + ReadOnlySpan + " input, " + ReadOnlySpan + " packedWeight, " + ReadOnlySpan + " bias, " + Span + " output, bool relu) " + Constraint))
            {
                EmitPhasesAndWide(w, l, plan, "0f");
                w.Line("ref float pw = ref MemoryMarshal.GetReference(packedWeight); // [" + l.InputDepth + "][" + (f * f) + "][" + k + "]");
                w.Line("ref float b = ref MemoryMarshal.GetReference(bias);");
                using (w.Block("for (int y = 0; y < " + l.OutputHeight + "; y++)"))
                {
                    using (w.Block("for (int kv = 0; kv < " + k + "; kv += TS.Count)"))
                    {
                        if (blocks > 1)
                        {
                            using (w.Block("for (int x = 0; x < " + (blocks * np) + "; x += " + np + ")"))
                            {
                                w.Line(l.Name + "Cells" + np + "<TS, TV>(ref source, ref pw, ref b, ref wideStart, y, x, kv, relu);");
                            }
                        }
                        else
                        {
                            w.Line(l.Name + "Cells" + np + "<TS, TV>(ref source, ref pw, ref b, ref wideStart, y, 0, kv, relu);");
                        }

                        if (rest > 0)
                        {
                            w.Line(l.Name + "Cells" + rest + "<TS, TV>(ref source, ref pw, ref b, ref wideStart, y, " + (blocks * np) + ", kv, relu);");
                        }
                    }
                }

                w.Line("global::CnnGen.Runtime.Layout.ToChannels(wide, " + Text.Literal(w2 * l.OutputHeight) + ", " + k + ", output);");
            }

            EmitFilterCells(w, l, plan, np, generatedCode);
            if (rest > 0)
            {
                EmitFilterCells(w, l, plan, rest, generatedCode);
            }
        }

        private static void EmitFilterCells(SourceWriter w, LayerModel l, VectorPlan plan, int np, string generatedCode)
        {
            int k = l.OutputDepth, f = l.Size, taps = f * f;
            w.Line();
            w.Line("// " + l.Name + ": output cells (x .. x + " + (np - 1) + ", y), filters kv .. kv + TS.Count - 1.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Cells" + np + "<TS, TV>(ref float source, ref float pw, ref float b, ref float wideStart, int y, int x, int kv, bool relu) " + Constraint))
            {
                string line = "TV a0 = TS.Load(ref Unsafe.Add(ref b, kv));";
                for (int p = 1; p < np; p++)
                {
                    line += " TV a" + p + " = a0;";
                }

                w.Line(line);
                w.Line("ref float s = ref Unsafe.Add(ref source, (y * " + plan.PhaseWidth + ") + x);");
                w.Line("ref float wd = ref Unsafe.Add(ref pw, kv);");
                w.Line("TV wv;");
                using (w.Block("for (int d = 0; d < " + l.InputDepth + "; d++)"))
                {
                    for (int fy = 0; fy < f; fy++)
                    {
                        for (int fx = 0; fx < f; fx++)
                        {
                            int tap = (fy * f) + fx, offset = plan.TapOffset(l, fy, fx);
                            w.Line("// tap (" + fy + ", " + fx + ")");
                            w.Line("wv = TS.Load(ref Unsafe.Add(ref wd, " + Text.Literal(tap * k) + "));");
                            string fmas = string.Empty;
                            for (int p = 0; p < np; p++)
                            {
                                fmas += "a" + p + " = TS.MultiplyAdd(TS.Splat(Unsafe.Add(ref s, " + Text.Literal(offset + p) + ")), wv, a" + p + "); ";
                            }

                            w.Line(fmas.TrimEnd());
                        }
                    }

                    w.Line("s = ref Unsafe.Add(ref s, " + Text.Literal(plan.Plane) + ");");
                    w.Line("wd = ref Unsafe.Add(ref wd, " + Text.Literal(taps * k) + ");");
                }

                using (w.Block("if (relu)"))
                {
                    string relu = string.Empty;
                    for (int p = 0; p < np; p++)
                    {
                        relu += "a" + p + " = TS.Relu(a" + p + "); ";
                    }

                    w.Line(relu.TrimEnd());
                }

                w.Line("ref float o = ref Unsafe.Add(ref wideStart, (((y * " + l.OutputWidth + ") + x) * " + k + ") + kv);");
                string stores = string.Empty;
                for (int p = 0; p < np; p++)
                {
                    stores += "TS.Store(a" + p + ", ref Unsafe.Add(ref o, " + Text.Literal(p * k) + ")); ";
                }

                w.Line(stores.TrimEnd());
            }
        }

        /// <summary>
        /// The output columns [first, last] of a pool whose windows lie inside the input row (x·S − P ≥ 0 and
        /// x·S − P + F − 1 ≤ W − 1); with S = 2 the second load of a tap reads one column past the last it uses,
        /// so that one must be inside the row too.
        /// </summary>
        private static (int First, int Last) PoolInside(LayerModel l)
        {
            int first = (l.Padding + l.Stride - 1) / l.Stride;
            int last = l.Stride == 2 ? (l.InputWidth - 1 - l.Size + l.Padding) / 2 : l.InputWidth - l.Size + l.Padding;
            return (first, System.Math.Min(last, l.OutputWidth - 1));
        }

        private static int PoolInsideColumns(LayerModel l)
        {
            (int first, int last) = PoolInside(l);
            return last - first + 1;
        }

        public static void EmitPool(SourceWriter w, LayerModel l, string generatedCode)
        {
            int f = l.Size, st = l.Stride, p = l.Padding, width = l.InputWidth, height = l.InputHeight;
            int inPlane = width * height, outPlane = l.OutputWidth * l.OutputHeight;
            (int first, int last) = PoolInside(l);
            int inside = last - first + 1;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized along each output row: output columns " + first + ".." + last);
            w.Line("// have their whole window inside the input row and are computed " + (st == 2 ? "from even/odd lanes of " : "from ") + "straight loads of the input rows");
            w.Line("// (no copy); columns at the padded edges go one by one, reading -infinity outside the input.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Vector<TS, TV>(" + ReadOnlySpan + " input, " + Span + " output) " + Constraint))
            {
                w.Line("ref float x = ref MemoryMarshal.GetReference(input);");
                w.Line("ref float o = ref MemoryMarshal.GetReference(output);");
                w.Line("int n = TS.Count;");
                using (w.Block("for (int d = 0; d < " + l.InputDepth + "; d++)"))
                {
                    w.Line("ref float plane = ref Unsafe.Add(ref x, d * " + Text.Literal(inPlane) + ");");
                    using (w.Block("for (int y = 0; y < " + l.OutputHeight + "; y++)"))
                    {
                        w.Line("int top = (y * " + st + ") - " + p + "; // first input row of the window");
                        w.Line("ref float orow = ref Unsafe.Add(ref o, (d * " + Text.Literal(outPlane) + ") + (y * " + l.OutputWidth + "));");
                        w.Line("int vectorEnd = " + first + "; // columns [" + first + ", vectorEnd) are done in vectors");
                        using (w.Block("if (" + inside + " >= n)"))
                        {
                            w.Line("// Whole vectors along the row, the last one overlapping the one before.");
                            using (w.Block("for (int c = " + first + "; c <= " + last + "; c += n)"))
                            {
                                w.Line("int at = c + n <= " + (last + 1) + " ? c : " + (last + 1) + " - n;");
                                EmitPoolVector(w, l, "at");
                            }

                            w.Line("vectorEnd = " + (last + 1) + ";");
                        }

                        if (inside >= 1)
                        {
                            w.Line("// A row narrower than a vector: one vector from column " + first + " whose extra lanes spill into the next row's");
                            w.Line("// outputs (rewritten when that row is done), where its reads and writes stay inside the spans.");
                            string readEnd = "(d * " + Text.Literal(inPlane) + ") + (global::System.Math.Min(top + " + (f - 1) + ", " + (height - 1) + ") * " + width + ") + " + ((first * st) - p + f - 1) + " + (" + st + " * n)";
                            string writeEnd = "(d * " + Text.Literal(outPlane) + ") + (y * " + l.OutputWidth + ") + " + first + " + n";
                            using (w.Block("else if (" + readEnd + " <= " + Text.Literal(l.InputLength) + " && " + writeEnd + " <= " + Text.Literal(l.OutputLength) + ")"))
                            {
                                EmitPoolVector(w, l, first.ToString(System.Globalization.CultureInfo.InvariantCulture));
                                w.Line("vectorEnd = " + (last + 1) + ";");
                            }
                        }

                        w.Line("// The rest: edge columns (and every column when the row is narrower than a vector).");
                        using (w.Block("for (int c = 0; c < " + l.OutputWidth + "; c++)"))
                        {
                            using (w.Block("if (c == " + first + " && vectorEnd > " + first + ")"))
                            {
                                w.Line("c = vectorEnd - 1;");
                                w.Line("continue;");
                            }

                            w.Line("float m = float.NegativeInfinity;");
                            using (w.Block("for (int fy = 0; fy < " + f + "; fy++)"))
                            {
                                w.Line("int r = top + fy;");
                                using (w.Block("if ((uint)r < " + height + "u)"))
                                {
                                    using (w.Block("for (int fx = 0; fx < " + f + "; fx++)"))
                                    {
                                        w.Line("int col = (c * " + st + ") - " + p + " + fx;");
                                        using (w.Block("if ((uint)col < " + width + "u)"))
                                        {
                                            w.Line("float v = Unsafe.Add(ref plane, (r * " + width + ") + col);");
                                            w.Line("m = v > m || float.IsNaN(v) ? v : m; // NaN propagates");
                                        }
                                    }
                                }
                            }

                            w.Line("Unsafe.Add(ref orow, c) = m;");
                        }
                    }
                }
            }
        }

        /// <summary>One vector of pool outputs starting at output column <paramref name="at"/> of the current row.</summary>
        private static void EmitPoolVector(SourceWriter w, LayerModel l, string at)
        {
            int f = l.Size, st = l.Stride, p = l.Padding;
            w.Line("int column = (" + at + " * " + st + ") - " + p + "; // first input column of the window of output column " + at);
            w.Line("TV m = TS.Splat(float.NegativeInfinity);");
            for (int fy = 0; fy < f; fy++)
            {
                using (w.Block("if ((uint)(top + " + fy + ") < " + l.InputHeight + "u)"))
                {
                    w.Line("ref float r = ref Unsafe.Add(ref plane, ((top + " + fy + ") * " + l.InputWidth + ") + column);");
                    if (st == 1)
                    {
                        for (int fx = 0; fx < f; fx++)
                        {
                            w.Line("m = TS.MaxPropagateNaN(m, TS.Load(ref Unsafe.Add(ref r, " + fx + ")));");
                        }
                    }
                    else
                    {
                        // Stride 2: the even lanes of two loads are tap fx, the odd lanes of the same two are tap fx + 1.
                        for (int fx = 0; fx < f; fx += 2)
                        {
                            w.Line("TV a" + fx + " = TS.Load(ref Unsafe.Add(ref r, " + fx + ")), b" + fx + " = TS.Load(ref Unsafe.Add(ref r, " + fx + " + n));");
                            w.Line("m = TS.MaxPropagateNaN(m, TS.Evens(a" + fx + ", b" + fx + "));");
                            if (fx + 1 < f)
                            {
                                w.Line("m = TS.MaxPropagateNaN(m, TS.Odds(a" + fx + ", b" + fx + "));");
                            }
                        }
                    }
                }
            }

            w.Line("TS.Store(m, ref Unsafe.Add(ref orow, " + at + "));");
        }

        public static void EmitFullyConnected(SourceWriter w, LayerModel l, VectorPlan plan, string generatedCode)
        {
            int inputs = l.InputLength, outputs = l.OutputDepth, padded = plan.PaddedOutputs;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized along the outputs: the packed weight is [" + Text.Literal(inputs) + " inputs][" + padded + " outputs],");
            w.Line("// each input broadcast and multiplied into up to 8 vectors of outputs; lanes past output " + (outputs - 1) + " are zero weights and are not stored.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Vector<TS, TV>(" + ReadOnlySpan + " input, " + ReadOnlySpan + " packedWeight, " + ReadOnlySpan + " bias, " + Span + " output, bool relu) " + Constraint))
            {
                w.Line("ref float x = ref MemoryMarshal.GetReference(input);");
                w.Line("ref float pw = ref MemoryMarshal.GetReference(packedWeight);");
                w.Line("// The sums go to a scratch row first: no call while the accumulators live keeps them all in registers.");
                w.Line("ref float sums = ref MemoryMarshal.GetReference(global::CnnGen.Runtime.Scratch.Aligned(ref t_wide, MaxWideLength));");
                w.Line("int n = TS.Count;");
                w.Line("int j = 0;");
                foreach (int vectors in new[] { 8, 4, 2 })
                {
                    using (w.Block("for (; j + " + vectors + " * n <= " + padded + "; j += " + vectors + " * n)"))
                    {
                        string zero = "TV a0 = TS.Splat(0f);";
                        for (int v = 1; v < vectors; v++)
                        {
                            zero += " TV a" + v + " = a0;";
                        }

                        w.Line(zero);
                        w.Line("ref float row = ref Unsafe.Add(ref pw, j);");
                        using (w.Block("for (int i = 0; i < " + Text.Literal(inputs) + "; i++)"))
                        {
                            w.Line("TV xi = TS.Splat(Unsafe.Add(ref x, i));");
                            for (int v = 0; v < vectors; v++)
                            {
                                w.Line("a" + v + " = TS.MultiplyAdd(TS.Load(ref Unsafe.Add(ref row, " + (v == 0 ? "0" : v == 1 ? "n" : v + " * n") + ")), xi, a" + v + ");");
                            }

                            w.Line("row = ref Unsafe.Add(ref row, " + padded + ");");
                        }

                        for (int v = 0; v < vectors; v++)
                        {
                            w.Line("TS.Store(a" + v + ", ref Unsafe.Add(ref sums, j" + (v == 0 ? string.Empty : v == 1 ? " + n" : " + " + v + " * n") + "));");
                        }
                    }
                }

                w.Line("// The last vector: two chains over even and odd inputs, so the adds do not wait on each other.");
                using (w.Block("for (; j < " + padded + "; j += n)"))
                {
                    w.Line("TV a0 = TS.Splat(0f), a1 = a0;");
                    w.Line("ref float row = ref Unsafe.Add(ref pw, j);");
                    using (w.Block("for (int i = 0; i + 1 < " + Text.Literal(inputs) + "; i += 2)"))
                    {
                        w.Line("a0 = TS.MultiplyAdd(TS.Load(ref row), TS.Splat(Unsafe.Add(ref x, i)), a0);");
                        w.Line("a1 = TS.MultiplyAdd(TS.Load(ref Unsafe.Add(ref row, " + padded + ")), TS.Splat(Unsafe.Add(ref x, i + 1)), a1);");
                        w.Line("row = ref Unsafe.Add(ref row, " + (2 * padded) + ");");
                    }

                    if (inputs % 2 == 1)
                    {
                        w.Line("a0 = TS.MultiplyAdd(TS.Load(ref row), TS.Splat(Unsafe.Add(ref x, " + (inputs - 1) + ")), a0);");
                    }

                    w.Line("TS.Store(TS.Add(a0, a1), ref Unsafe.Add(ref sums, j));");
                }

                w.Line("global::CnnGen.Runtime.Layout.AddBias<TS, TV>(ref sums, bias, output, relu);");
            }
        }

        private static void EmitPhasesAndWide(SourceWriter w, LayerModel l, VectorPlan plan, string padValue)
        {
            if (plan.ReadsInput)
            {
                w.Line("ref float source = ref MemoryMarshal.GetReference(input); // stride 1, no padding, rows exactly as long as the output's: the input is its own phase plane");
            }
            else
            {
                w.Line(Span + " phases = global::CnnGen.Runtime.Scratch.Aligned(ref t_phases, MaxPhaseLength).Slice(0, " + Text.Literal(plan.PhaseLength) + ");");
                w.Line("global::CnnGen.Runtime.Layout.ToPhases<TS, TV>(input, " + l.InputWidth + ", " + l.InputHeight + ", " + l.InputDepth + ", " + l.Stride + ", " + l.Padding + ", " + padValue + ", " + plan.PhaseWidth + ", " + plan.PhaseHeight + ", phases);");
                w.Line("ref float source = ref MemoryMarshal.GetReference(phases);");
            }

            if (plan.Direct)
            {
                w.Line("ref float outputStart = ref MemoryMarshal.GetReference(output); // output rows are whole vectors: the kernel stores straight into it");
            }
            else if (plan.Straight)
            {
                w.Line("ref float wideStart = ref MemoryMarshal.GetReference(output); // no junk columns and whole vectors per channel: the wide output is the output");
            }
            else
            {
                w.Line(Span + " wide = global::CnnGen.Runtime.Scratch.Aligned(ref t_wide, MaxWideLength).Slice(0, " + Text.Literal(plan.WideLength) + ");");
                w.Line("ref float wideStart = ref MemoryMarshal.GetReference(wide);");
            }
        }
    }
}
