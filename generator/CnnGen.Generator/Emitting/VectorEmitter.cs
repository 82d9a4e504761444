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
                LayerKind.FullyConnected => ReadOnlySpan + " input, " + ReadOnlySpan + " weight, " + ReadOnlySpan + " bias, " + Span + " output, bool relu",
                _ => ReadOnlySpan + " input, " + Span + " output",
            };
            string vectorArguments = l.Kind switch
            {
                LayerKind.Conv => "input, packedWeight, bias, output, relu",
                LayerKind.FullyConnected => "input, weight, bias, output, relu",
                _ => "input, output",
            };
            string scalarArguments = l.Kind == LayerKind.MaxPool ? "input, output" : "input, weight, bias, output, relu";

            w.Line("// " + l.Name + ": the widest vector kernel this machine runs (the JIT removes the other branches), else the scalar kernel.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Dispatch(" + parameters + ")"))
            {
                if (plan is null && l.Kind != LayerKind.FullyConnected)
                {
                    w.Line("// The window is over the unroll budget: the scalar kernel serves every machine.");
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
            int k = l.OutputDepth, mr = plan.Rows, nr = plan.Vectors, f = l.Size;
            int taps = f * f;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized over output positions: " + mr + " filters x " + nr + " vectors per step,");
            w.Line("// the " + f + "x" + f + " window unrolled, the loop over the " + l.InputDepth + " input channels kept. Input in " + (l.Stride * l.Stride) + " phase plane(s) per channel");
            w.Line("// of " + plan.PhaseWidth + "x" + plan.PhaseHeight + "; output position q = y*" + plan.PhaseWidth + " + x, columns x >= " + l.OutputWidth + " are discarded.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Vector<TS, TV>(" + ReadOnlySpan + " input, " + ReadOnlySpan + " packedWeight, " + ReadOnlySpan + " bias, " + Span + " output, bool relu) " + Constraint))
            {
                EmitPhasesAndWide(w, l, plan, "0f");
                w.Line("ref float pw = ref MemoryMarshal.GetReference(packedWeight); // [" + (k / mr) + "][" + l.InputDepth + "][" + taps + "][" + mr + "]");
                w.Line("ref float b = ref MemoryMarshal.GetReference(bias);");
                w.Line("int chunk = " + nr + " * TS.Count;");
                w.Line("// Positions outside, filter blocks inside: one chunk of input stays in L1 while every filter block uses it.");
                using (w.Block("for (int q = 0; q < " + Text.Literal(plan.Positions) + "; q += chunk)"))
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

                        w.Line("ref float s = ref Unsafe.Add(ref source, q);");
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
                                        w.Line("x" + v + " = TS.Load(ref Unsafe.Add(ref s, " + Text.Literal(offset) + (v == 0 ? string.Empty : " + " + (v == 1 ? string.Empty : v + " * ") + "TS.Count") + "));");
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

                            w.Line("s = ref Unsafe.Add(ref s, " + Text.Literal(plan.Plane) + ");");
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
                            w.Line("ref float o" + r + " = ref Unsafe.Add(ref wideStart, ((kb * " + mr + ") + " + r + ") * " + Text.Literal(plan.WideChannel) + " + q);");
                            string line = string.Empty;
                            for (int v = 0; v < nr; v++)
                            {
                                line += "TS.Store(a" + r + v + ", ref Unsafe.Add(ref o" + r + ", " + (v == 0 ? "0" : (v == 1 ? string.Empty : v + " * ") + "TS.Count") + ")); ";
                            }

                            w.Line(line.TrimEnd());
                        }
                    }
                }

                w.Line("global::CnnGen.Runtime.Layout.Compact<TS, TV>(wide, " + Text.Literal(plan.WideChannel) + ", " + plan.PhaseWidth + ", " + l.OutputWidth + ", " + l.OutputHeight + ", " + k + ", output);");
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
                w.Line("int vectorEnd = " + inside + " >= n ? " + (last + 1) + " : " + first + "; // columns [" + first + ", vectorEnd) in whole vectors, the last one overlapping");
                using (w.Block("for (int d = 0; d < " + l.InputDepth + "; d++)"))
                {
                    w.Line("ref float plane = ref Unsafe.Add(ref x, d * " + Text.Literal(inPlane) + ");");
                    using (w.Block("for (int y = 0; y < " + l.OutputHeight + "; y++)"))
                    {
                        w.Line("int top = (y * " + st + ") - " + p + "; // first input row of the window");
                        w.Line("ref float orow = ref Unsafe.Add(ref o, (d * " + Text.Literal(outPlane) + ") + (y * " + l.OutputWidth + "));");
                        using (w.Block("for (int c = " + first + "; c < vectorEnd; c += n)"))
                        {
                            w.Line("int at = c + n <= " + (last + 1) + " ? c : " + (last + 1) + " - n;");
                            w.Line("int column = (at * " + st + ") - " + p + "; // first input column of the window of output column at");
                            w.Line("TV m = TS.Splat(float.NegativeInfinity);");
                            for (int fy = 0; fy < f; fy++)
                            {
                                using (w.Block("if ((uint)(top + " + fy + ") < " + height + "u)"))
                                {
                                    w.Line("ref float r = ref Unsafe.Add(ref plane, ((top + " + fy + ") * " + width + ") + column);");
                                    for (int fx = 0; fx < f; fx++)
                                    {
                                        w.Line(st == 1
                                            ? "m = TS.MaxPropagateNaN(m, TS.Load(ref Unsafe.Add(ref r, " + fx + ")));"
                                            : "m = TS.MaxPropagateNaN(m, TS.Evens(TS.Load(ref Unsafe.Add(ref r, " + fx + ")), TS.Load(ref Unsafe.Add(ref r, " + fx + " + n))));");
                                    }
                                }
                            }

                            w.Line("TS.Store(m, ref Unsafe.Add(ref orow, at));");
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

        public static void EmitFullyConnected(SourceWriter w, LayerModel l, string generatedCode)
        {
            int inputs = l.InputLength, outputs = l.OutputDepth;
            int blocks = outputs / 4;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized along the " + Text.Grouped(inputs) + " inputs, 4 outputs at a time.");
            w.Line(generatedCode);
            w.Line(Optimized);
            using (w.Block("private static void " + l.Name + "Vector<TS, TV>(" + ReadOnlySpan + " input, " + ReadOnlySpan + " weight, " + ReadOnlySpan + " bias, " + Span + " output, bool relu) " + Constraint))
            {
                w.Line("ref float x = ref MemoryMarshal.GetReference(input);");
                w.Line("ref float w = ref MemoryMarshal.GetReference(weight);");
                w.Line("ref float b = ref MemoryMarshal.GetReference(bias);");
                w.Line("ref float o = ref MemoryMarshal.GetReference(output);");
                w.Line("int whole = " + Text.Literal(inputs) + " - (" + Text.Literal(inputs) + " % TS.Count); // inputs covered by whole vectors");
                if (blocks > 0)
                {
                    using (w.Block("for (int j = 0; j < " + (blocks * 4) + "; j += 4)"))
                    {
                        w.Line("ref float w0 = ref Unsafe.Add(ref w, j * " + Text.Literal(inputs) + ");");
                        w.Line("ref float w1 = ref Unsafe.Add(ref w0, " + Text.Literal(inputs) + ");");
                        w.Line("ref float w2 = ref Unsafe.Add(ref w1, " + Text.Literal(inputs) + ");");
                        w.Line("ref float w3 = ref Unsafe.Add(ref w2, " + Text.Literal(inputs) + ");");
                        w.Line("TV a0 = TS.Splat(0f); TV a1 = a0; TV a2 = a0; TV a3 = a0;");
                        using (w.Block("for (int i = 0; i < whole; i += TS.Count)"))
                        {
                            w.Line("TV xv = TS.Load(ref Unsafe.Add(ref x, i));");
                            w.Line("a0 = TS.MultiplyAdd(TS.Load(ref Unsafe.Add(ref w0, i)), xv, a0);");
                            w.Line("a1 = TS.MultiplyAdd(TS.Load(ref Unsafe.Add(ref w1, i)), xv, a1);");
                            w.Line("a2 = TS.MultiplyAdd(TS.Load(ref Unsafe.Add(ref w2, i)), xv, a2);");
                            w.Line("a3 = TS.MultiplyAdd(TS.Load(ref Unsafe.Add(ref w3, i)), xv, a3);");
                        }

                        w.Line("float s0 = TS.Sum(a0), s1 = TS.Sum(a1), s2 = TS.Sum(a2), s3 = TS.Sum(a3);");
                        using (w.Block("for (int i = whole; i < " + Text.Literal(inputs) + "; i++)"))
                        {
                            w.Line("float xi = Unsafe.Add(ref x, i);");
                            w.Line("s0 += Unsafe.Add(ref w0, i) * xi; s1 += Unsafe.Add(ref w1, i) * xi; s2 += Unsafe.Add(ref w2, i) * xi; s3 += Unsafe.Add(ref w3, i) * xi;");
                        }

                        w.Line("Store(ref Unsafe.Add(ref o, j), s0 + Unsafe.Add(ref b, j), relu);");
                        w.Line("Store(ref Unsafe.Add(ref o, j + 1), s1 + Unsafe.Add(ref b, j + 1), relu);");
                        w.Line("Store(ref Unsafe.Add(ref o, j + 2), s2 + Unsafe.Add(ref b, j + 2), relu);");
                        w.Line("Store(ref Unsafe.Add(ref o, j + 3), s3 + Unsafe.Add(ref b, j + 3), relu);");
                    }
                }

                if (outputs % 4 != 0)
                {
                    using (w.Block("for (int j = " + (blocks * 4) + "; j < " + outputs + "; j++)"))
                    {
                        w.Line("ref float row = ref Unsafe.Add(ref w, j * " + Text.Literal(inputs) + ");");
                        w.Line("TV a = TS.Splat(0f);");
                        using (w.Block("for (int i = 0; i < whole; i += TS.Count)"))
                        {
                            w.Line("a = TS.MultiplyAdd(TS.Load(ref Unsafe.Add(ref row, i)), TS.Load(ref Unsafe.Add(ref x, i)), a);");
                        }

                        w.Line("float sum = TS.Sum(a);");
                        using (w.Block("for (int i = whole; i < " + Text.Literal(inputs) + "; i++)"))
                        {
                            w.Line("sum += Unsafe.Add(ref row, i) * Unsafe.Add(ref x, i);");
                        }

                        w.Line("Store(ref Unsafe.Add(ref o, j), sum + Unsafe.Add(ref b, j), relu);");
                    }
                }

                w.Line();
                w.Line("static void Store(ref float target, float value, bool relu) => target = relu && value < 0f ? 0f : value;");
            }
        }

        private static void EmitPhasesAndWide(SourceWriter w, LayerModel l, VectorPlan plan, string padValue)
        {
            w.Line(Span + " phases = global::CnnGen.Runtime.Scratch.Aligned(ref t_phases, MaxPhaseLength).Slice(0, " + Text.Literal(plan.PhaseLength) + ");");
            w.Line("global::CnnGen.Runtime.Layout.ToPhases<TS, TV>(input, " + l.InputWidth + ", " + l.InputHeight + ", " + l.InputDepth + ", " + l.Stride + ", " + l.Padding + ", " + padValue + ", " + plan.PhaseWidth + ", " + plan.PhaseHeight + ", phases);");
            w.Line("ref float source = ref MemoryMarshal.GetReference(phases);");
            w.Line(Span + " wide = global::CnnGen.Runtime.Scratch.Aligned(ref t_wide, MaxWideLength).Slice(0, " + Text.Literal(plan.WideLength) + ");");
            w.Line("ref float wideStart = ref MemoryMarshal.GetReference(wide);");
        }
    }
}
