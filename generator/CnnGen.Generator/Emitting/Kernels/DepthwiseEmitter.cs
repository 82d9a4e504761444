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
            LayerModel l = layer.Layer;
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
                ConvPhases.EmitSource(w, l, phases, plan.ReadsInput, plan.PhaseLength);
                if (plan.Wide)
                {
                    w.Line(Code.Span + " wide = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + Text.Literal(plan.WideLength) + ");");
                    w.Line(Code.RefTo("target", "wide"));
                }
                else
                {
                    w.Line(Code.RefTo("target", "output"));
                }

                w.Line(Code.RefTo("w", "weight") + " // " + LayerText.WeightShape(l) + ", PyTorch's layout");
                if (l.HasBias)
                {
                    w.Line(Code.RefTo("b", "bias"));
                }

                w.Line("int n = TS.Count;");
                using (w.Block("for (int c = 0; c < " + k + "; c++)"))
                {
                    string channel = m == 1 ? "c" : "(c / " + m + ")";
                    w.Line("ref float s = ref " + Code.Unsafe + ".Add(ref source, " + channel + " * " + Text.Literal(phases.Plane) + ");");
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
                }

                if (plan.Wide)
                {
                    w.Line(Code.Layout + ".Compact<TS, TV>(wide, " + Text.Literal(plan.WideChannel) + ", " + phases.Width + ", " + l.Output.Width + ", " + l.Output.Height + ", " + k + ", output);");
                }
            }

            w.Line();
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
                w.Line("a = TS.Relu(a);");
            }

            w.Line(Code.Store("a", target, to));
        }
    }
}
