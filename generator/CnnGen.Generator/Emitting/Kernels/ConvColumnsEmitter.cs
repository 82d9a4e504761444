using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The conv kernel over gathered columns (<see cref="ConvColumnsPlan"/>): the padded input gathered once into one
    /// column per channel, row phase and fx (taps a stride apart down share one, shifted by whole rows), then for each
    /// block of filters and four vectors of output cells, a loop over the taps: one load per vector, one broadcast per
    /// filter, filters × vectors multiply-adds. The weight is read in PyTorch's layout ([K][D·Fy·Fx] is each filter's
    /// row of taps).
    /// </summary>
    internal static class ConvColumnsEmitter
    {
        private const int Vectors = 4;

        /// <summary>Window rows this wide or narrower are unrolled (wider ones loop over fx).</summary>
        private const int UnrolledRow = 8;

        public static void Emit(SourceWriter w, LayerPlan layer, ConvColumnsPlan plan)
        {
            LayerModel l = layer.Kernel;
            Window window = l.Window!;
            int k = l.Output.Depth, taps = plan.Taps, positions = l.Output.Plane, rows = plan.Rows;
            int phases = window.StrideY;
            w.Line("// " + LayerText.Describe(l) + ", over gathered columns: the padded input gathered once into " + (l.Input.Depth * phases * window.SizeX) + " columns (channel, row phase");
            w.Line("// fy*" + window.DilationY + " mod " + phases + ", fx) of " + plan.PhaseRows + "x" + l.Output.Width + " cells; tap (fy, fx) of output cell q is its column at q + (fy*" + window.DilationY + " / " + phases + ")*" + l.Output.Width + ".");
            w.Line("// Then " + rows + " filters x " + Vectors + " vectors of cells per step, a multiply-add per tap, stored straight into the CHW output (the last vector overlapping).");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu) " + Code.VectorConstraint))
            {
                w.Line(Code.Span + " columns = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + Text.Literal(plan.WideLength) + ");");
                w.Line(Code.Span + " padded = columns.Slice(" + Text.Literal(plan.PaddedOffset) + ");");
                w.Line(Code.Layout + ".Pad(input, " + l.Input.Width + ", " + l.Input.Height + ", " + l.Input.Depth + ", " + window.PadLeft + ", " + window.PadTop + ", 0f, " + plan.PaddedWidth + ", " + plan.PaddedHeight + ", padded);");
                w.Line(Code.Layout + ".Columns<TS, TV>(padded, " + plan.PaddedWidth + ", " + plan.PaddedHeight + ", " + l.Input.Depth + ", " + window.SizeX + ", " + window.StrideX + ", " + window.StrideY + ", "
                    + window.DilationX + ", " + l.Output.Width + ", " + plan.PhaseRows + ", columns);");
                w.Line(Code.RefTo("c", "columns"));
                w.Line(Code.RefTo("target", "output"));
                w.Line(Code.RefTo("w", "weight") + " // " + LayerText.WeightShape(l) + ", PyTorch's layout: each filter's row of " + taps + " taps");
                if (l.HasBias)
                {
                    w.Line(Code.RefTo("b", "bias"));
                }

                w.Line("int n = TS.Count;");
                using (w.Block("for (int k = 0; k < " + k + "; k += " + rows + ")"))
                {
                    using (w.Block("for (int q0 = 0; q0 < " + positions + "; q0 += " + Vectors + " * n)"))
                    {
                        // Every step takes four vectors; in the last, those past the end move back to end at the last cell (overlapping).
                        w.Line("int last = " + positions + " - n;");
                        for (int v = 0; v < Vectors; v++)
                        {
                            string offset = v == 0 ? "q0" : v == 1 ? "q0 + n" : "q0 + (" + v + " * n)";
                            w.Line("int at" + v + " = " + offset + " <= last ? " + offset + " : last;");
                        }

                        EmitStep(w, l, plan, Vectors);
                    }
                }
            }

            w.Line();
        }

        /// <summary>Filters k .. k + Rows − 1 × <paramref name="vectors"/> vectors of cells at at0, at1, ….</summary>
        private static void EmitStep(SourceWriter w, LayerModel l, ConvColumnsPlan plan, int vectors)
        {
            int rows = plan.Rows, taps = plan.Taps, positions = l.Output.Plane;
            for (int r = 0; r < rows; r++)
            {
                string bias = l.HasBias ? "TS.Broadcast(ref b, k" + (r == 0 ? ")" : " + " + r + ")") : "TS.Splat(0f)";
                for (int v = 0; v < vectors; v++)
                {
                    w.Line("TV a" + r + v + " = " + (v == 0 ? bias : "a" + r + "0") + ";");
                }
            }

            Window window = l.Window!;
            int sy = window.StrideY, dy = window.DilationY, fxs = window.SizeX, rowLength = plan.PhaseRows * l.Output.Width;
            w.Line("ref float wk = ref " + Code.Unsafe + ".Add(ref w, k * " + taps + ");");
            using (w.For("d", l.Input.Depth, out Affine d))
            {
                using (w.Block("for (int fy = 0; fy < " + window.SizeY + "; fy++)"))
                {
                    // Tap row fy·Dy lies in row phase (fy·Dy mod Sy), (fy·Dy / Sy) rows into that phase's column.
                    string tapRow = dy == 1 ? "fy" : "(fy * " + dy + ")";
                    string phase = sy == 1 ? string.Empty : " + ((" + tapRow + " % " + sy + ") * " + Text.Literal((long)fxs * rowLength) + ")";
                    string shift = (sy == 1 ? tapRow : "(" + tapRow + " / " + sy + ")") + " * " + l.Output.Width;
                    string channel = (d * ((long)sy * fxs * rowLength)).ToString();
                    w.Line("ref float cy = ref " + Code.Unsafe + ".Add(ref c, " + (channel == "0" ? string.Empty : channel + " + ") + "(" + shift + ")" + phase + ");");
                    w.Line("ref float wy = ref " + Code.Unsafe + ".Add(ref wk, " + ((d * window.SizeY) + Affine.Var("fy")) * fxs + ");");
                    if (fxs <= UnrolledRow)
                    {
                        // The window row unrolled: each tap column's loads and broadcasts at constant offsets.
                        for (int fx = 0; fx < fxs; fx++)
                        {
                            using (w.Block("// fx = " + fx))
                            {
                                EmitTap(w, plan, vectors, fx == 0 ? "cy" : Code.Unsafe + ".Add(ref cy, " + Text.Literal((long)fx * rowLength) + ")", fx.ToString());
                            }
                        }
                    }
                    else
                    {
                        using (w.Block("for (int fx = 0; fx < " + fxs + "; fx++)"))
                        {
                            EmitTap(w, plan, vectors, Code.Unsafe + ".Add(ref cy, fx * " + rowLength + ")", "fx");
                        }
                    }
                }
            }

            using (w.Block("if (relu)"))
            {
                for (int r = 0; r < rows; r++)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        w.Line("a" + r + v + " = " + Code.Activate(l, "a" + r + v) + ";");
                    }
                }
            }

            for (int r = 0; r < rows; r++)
            {
                string row = "((k" + (r == 0 ? string.Empty : " + " + r) + ") * " + Text.Literal(positions) + ") + at";
                for (int v = 0; v < vectors; v++)
                {
                    w.Line("TS.Store(a" + r + v + ", ref target, " + row + v + ");");
                }
            }
        }
            /// <summary>One tap column: a load per vector of cells from <paramref name="column"/>, a broadcast per filter, filters × vectors multiply-adds.</summary>
        private static void EmitTap(SourceWriter w, ConvColumnsPlan plan, int vectors, string column, string fx)
        {
            int taps = plan.Taps;
            w.Line("ref float ct = ref " + column + ";");
            for (int v = 0; v < vectors; v++)
            {
                w.Line("TV c" + v + " = " + Code.Load("ct", "at" + v) + ";");
            }

            for (int r = 0; r < plan.Rows; r++)
            {
                string offset = fx == "fx" ? (r == 0 ? "fx" : "fx + " + (r * taps)) : Text.Literal((long)int.Parse(fx) + (r * taps));
                w.Line("TV w" + r + " = TS.Broadcast(ref wy, " + offset + ");");
                for (int v = 0; v < vectors; v++)
                {
                    w.Line("a" + r + v + " = TS.MultiplyAdd(w" + r + ", c" + v + ", a" + r + v + ");");
                }
            }
        }
    }
}
