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
        private const string Constraint = "where TS : struct, global::CnnGen.Runtime.ISimd<TV> where TV : struct";

        /// <summary>The dispatcher: picks the widest vector kernel the machine runs, else the scalar one.</summary>
        public static void EmitDispatch(SourceWriter w, LayerModel l, string generatedCode)
        {
            VectorPlan? plan = VectorPlan.For(l);
            bool conv = l.Kind == LayerKind.Conv;
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
            using (w.Block("private static void " + l.Name + "Dispatch(" + parameters + ")"))
            {
                if (plan is null && l.Kind != LayerKind.FullyConnected)
                {
                    w.Line("// The window is over the unroll budget: the scalar kernel serves every machine.");
                    w.Line(l.Name + "Kernel(" + scalarArguments + ");");
                    return;
                }

                using (w.Block("if (global::CnnGen.Runtime.Simd512.IsSupported)"))
                {
                    w.Line(l.Name + "Vector<global::CnnGen.Runtime.Simd512, global::System.Runtime.Intrinsics.Vector512<float>>(" + vectorArguments + ");");
                }

                using (w.Block("else if (global::CnnGen.Runtime.Simd256.IsSupported)"))
                {
                    w.Line(l.Name + "Vector<global::CnnGen.Runtime.Simd256, global::System.Runtime.Intrinsics.Vector256<float>>(" + vectorArguments + ");");
                }

                using (w.Block("else"))
                {
                    w.Line(l.Name + "Kernel(" + scalarArguments + ");");
                }
            }

            _ = conv;
        }

        public static void EmitConv(SourceWriter w, LayerModel l, VectorPlan plan, string generatedCode)
        {
            int k = l.OutputDepth, mr = plan.Rows, nr = plan.Vectors, f = l.Size;
            int taps = f * f;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized over output positions: " + mr + " filters x " + nr + " vectors per step,");
            w.Line("// the " + f + "x" + f + " window unrolled, the loop over the " + l.InputDepth + " input channels kept. Input in " + (l.Stride * l.Stride) + " phase plane(s) per channel");
            w.Line("// of " + plan.PhaseWidth + "x" + plan.PhaseHeight + "; output position q = y*" + plan.PhaseWidth + " + x, columns x >= " + l.OutputWidth + " are discarded.");
            w.Line(generatedCode);
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

                w.Line("global::CnnGen.Runtime.Layout.Compact(wide, " + Text.Literal(plan.WideChannel) + ", " + plan.PhaseWidth + ", " + l.OutputWidth + ", " + l.OutputHeight + ", " + k + ", output);");
            }
        }

        public static void EmitPool(SourceWriter w, LayerModel l, VectorPlan plan, string generatedCode)
        {
            int nr = plan.Vectors, f = l.Size;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized over output positions, " + nr + " vectors per step, the " + f + "x" + f + " window unrolled;");
            w.Line("// input in " + (l.Stride * l.Stride) + " phase plane(s) per channel of " + plan.PhaseWidth + "x" + plan.PhaseHeight + ", padded with -infinity.");
            w.Line(generatedCode);
            using (w.Block("private static void " + l.Name + "Vector<TS, TV>(" + ReadOnlySpan + " input, " + Span + " output) " + Constraint))
            {
                EmitPhasesAndWide(w, l, plan, "float.NegativeInfinity");
                w.Line("int chunk = " + nr + " * TS.Count;");
                w.Line("TV lowest = TS.Splat(float.NegativeInfinity);");
                using (w.Block("for (int d = 0; d < " + l.InputDepth + "; d++)"))
                {
                    w.Line("ref float plane = ref Unsafe.Add(ref source, d * " + Text.Literal(plan.Plane) + ");");
                    w.Line("ref float od = ref Unsafe.Add(ref wideStart, d * " + Text.Literal(plan.WideChannel) + ");");
                    using (w.Block("for (int q = 0; q < " + Text.Literal(plan.Positions) + "; q += chunk)"))
                    {
                        w.Line("ref float s = ref Unsafe.Add(ref plane, q);");
                        string init = string.Empty;
                        for (int v = 0; v < nr; v++)
                        {
                            init += "TV m" + v + " = lowest; ";
                        }

                        w.Line(init.TrimEnd());
                        for (int fy = 0; fy < f; fy++)
                        {
                            for (int fx = 0; fx < f; fx++)
                            {
                                int offset = plan.TapOffset(l, fy, fx);
                                string line = "// (" + fy + ", " + fx + ")";
                                w.Line(line);
                                for (int v = 0; v < nr; v++)
                                {
                                    w.Line("m" + v + " = TS.MaxPropagateNaN(m" + v + ", TS.Load(ref Unsafe.Add(ref s, " + Text.Literal(offset) + (v == 0 ? string.Empty : " + " + (v == 1 ? string.Empty : v + " * ") + "TS.Count") + ")));");
                                }
                            }
                        }

                        string store = string.Empty;
                        for (int v = 0; v < nr; v++)
                        {
                            store += "TS.Store(m" + v + ", ref Unsafe.Add(ref od, q" + (v == 0 ? string.Empty : " + " + (v == 1 ? string.Empty : v + " * ") + "TS.Count") + ")); ";
                        }

                        w.Line(store.TrimEnd());
                    }
                }

                w.Line("global::CnnGen.Runtime.Layout.Compact(wide, " + Text.Literal(plan.WideChannel) + ", " + plan.PhaseWidth + ", " + l.OutputWidth + ", " + l.OutputHeight + ", " + l.InputDepth + ", output);");
            }
        }

        public static void EmitFullyConnected(SourceWriter w, LayerModel l, string generatedCode)
        {
            int inputs = l.InputLength, outputs = l.OutputDepth;
            int blocks = outputs / 4;
            w.Line("// " + NetworkEmitter.Describe(l) + ", vectorized along the " + Text.Grouped(inputs) + " inputs, 4 outputs at a time.");
            w.Line(generatedCode);
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
            w.Line(Span + " phases = new " + Span + "(t_phases ??= new float[MaxPhaseLength], 0, " + Text.Literal(plan.PhaseLength) + ");");
            w.Line("global::CnnGen.Runtime.Layout.ToPhases<TS, TV>(input, " + l.InputWidth + ", " + l.InputHeight + ", " + l.InputDepth + ", " + l.Stride + ", " + l.Padding + ", " + padValue + ", " + plan.PhaseWidth + ", " + plan.PhaseHeight + ", phases);");
            w.Line("ref float source = ref MemoryMarshal.GetReference(phases);");
            w.Line(Span + " wide = new " + Span + "(t_wide ??= new float[MaxWideLength], 0, " + Text.Literal(plan.WideLength) + ");");
            w.Line("ref float wideStart = ref MemoryMarshal.GetReference(wide);");
        }
    }
}
