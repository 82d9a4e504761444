using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The conv kernel vectorized over filters (<see cref="ConvFiltersPlan"/>): for a few output cells of a row at a
    /// time, each input value is broadcast against a vector of filters' weights (packed [D][Fy][Fx][K]); the
    /// cell-major result is transposed into CHW at the end.
    /// </summary>
    internal static class ConvFiltersEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan layer, ConvFiltersPlan plan, CancellationToken cancellationToken)
        {
            LayerModel l = layer.Kernel;
            Window window = l.Window!;
            int k = l.Output.Depth, cells = plan.Cells, width = l.Output.Width;
            int blocks = width / cells, rest = width % cells;
            int vectors = FilterVectors(k, cells);
            w.Line("// " + LayerText.Describe(l) + ", vectorized over the " + k + " filters: for " + cells + " output cells of a row at a time, each input value");
            w.Line("// is broadcast against " + (vectors == 1 ? "a vector" : vectors + " vectors") + " of filters; " + ConvPositionsEmitter.UnrollText(l, plan.Unroll) + "; the cell-major result is transposed into CHW.");
            w.Line("// " + ConvPhases.Describe(plan.Phases, plan.ReadsInput) + ".");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " packedWeight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu) " + Code.VectorConstraint))
            {
                ConvPhases.EmitSource(w, l, plan.Phases, plan.ReadsInput, plan.PhaseLength);
                w.Line(Code.Span + " cells = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + Text.Literal(plan.WideLength) + ");");
                w.Line(Code.RefTo("target", "cells"));
                w.Line(Code.RefTo("w", "packedWeight") + " // [" + l.Input.Depth + "][" + window.SizeY + "][" + window.SizeX + "][" + k + "]");
                w.Line(Code.RefTo("b", "bias"));
                using (w.For("y", l.Output.Height, out Affine y))
                {
                    using (w.Block("for (int kv = 0; kv < " + k + "; kv += " + (vectors == 1 ? "TS.Count" : vectors + " * TS.Count") + ")"))
                    {
                        if (blocks > 0)
                        {
                            using (w.For("x", blocks, out Affine x))
                            {
                                w.Line(GeneratedNames.Cells(l.Name, cells) + "<TS, TV>(ref source, ref w, ref b, ref target, " + y + ", " + (x * cells) + ", kv, relu);");
                            }
                        }

                        if (rest > 0)
                        {
                            w.Line(GeneratedNames.Cells(l.Name, rest) + "<TS, TV>(ref source, ref w, ref b, ref target, " + y + ", " + (blocks * cells) + ", kv, relu);");
                        }
                    }
                }

                w.Line(Code.Layout + ".ToChannels(cells, " + Text.Literal(l.Output.Plane) + ", " + k + ", output);");
            }

            w.Line();
            EmitCells(w, l, plan, cells, vectors, cancellationToken);
            if (rest > 0)
            {
                EmitCells(w, l, plan, rest, vectors, cancellationToken);
            }
        }

        /// <summary>
        /// Filter vectors per step: up to 4 while cells × vectors accumulators stay within 12 and the filters are a whole
        /// number of steps at every width (K a multiple of 16 × vectors). A 3x3 output (MobileNet's last 1x1 convs) has
        /// only 3 cells a row: one vector gave 3 multiply-add chains, a third of what keeps the FMA units busy.
        /// </summary>
        internal static int FilterVectors(int filters, int cells)
        {
            foreach (int vectors in new[] { 4, 2 })
            {
                if (filters % (16 * vectors) == 0 && cells * vectors <= 12)
                {
                    return vectors;
                }
            }

            return 1;
        }

        private static void EmitCells(SourceWriter w, LayerModel l, ConvFiltersPlan plan, int cells, int vectors, CancellationToken cancellationToken)
        {
            int k = l.Output.Depth;
            string Acc(int v, int p) => vectors == 1 ? "a" + p : "a" + v + "_" + p;
            string Lane(string offset, int v) => v == 0 ? offset : offset == "0" ? v + " * TS.Count" : offset + " + (" + v + " * TS.Count)";
            w.Line("// " + l.Name + ": output cells (x .. x + " + (cells - 1) + ", y), filters kv .. kv + " + (vectors == 1 ? "TS.Count" : vectors + " * TS.Count") + " - 1.");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Cells(l.Name, cells) + "<TS, TV>(ref float source, ref float weight, ref float bias, ref float target, int y, int x, int kv, bool relu) " + Code.VectorConstraint))
            {
                for (int v = 0; v < vectors; v++)
                {
                    w.Line("TV " + Acc(v, 0) + " = " + (l.HasBias ? Code.Load("bias", Lane("kv", v)) : "TS.Splat(0f)") + ";");
                    for (int p = 1; p < cells; p++)
                    {
                        w.Line("TV " + Acc(v, p) + " = " + Acc(v, 0) + ";");
                    }
                }

                w.Line("ref float s = ref " + Code.Unsafe + ".Add(ref source, (y * " + plan.Phases.Width + ") + x);");
                w.Line("ref float wv0 = ref " + Code.Unsafe + ".Add(ref weight, kv);");
                w.Line(vectors == 1 ? "TV wv;" : "TV " + string.Join(", ", System.Linq.Enumerable.Range(0, vectors).Select(v => "wk" + v)) + ";");
                if (vectors > 1)
                {
                    w.Line("TV xv;");
                }

                VectorTaps.Emit(w, l, plan.Phases, plan.Unroll, new[] { "s" }, "wv0", k, tap =>
                {
                    if (vectors == 1)
                    {
                        w.Line("wv = " + Code.Load(tap.Weight, tap.WeightOffset) + ";");
                        for (int p = 0; p < cells; p++)
                        {
                            w.Line("a" + p + " = TS.MultiplyAdd(" + Code.Broadcast(tap.Source("s"), ConvPositionsEmitter.Plus(tap.SourceOffset, p)) + ", wv, a" + p + ");");
                        }

                        return;
                    }

                    for (int v = 0; v < vectors; v++)
                    {
                        w.Line("wk" + v + " = " + Code.Load(tap.Weight, Lane(tap.WeightOffset, v)) + ";");
                    }

                    for (int p = 0; p < cells; p++)
                    {
                        w.Line("xv = " + Code.Broadcast(tap.Source("s"), ConvPositionsEmitter.Plus(tap.SourceOffset, p)) + ";");
                        for (int v = 0; v < vectors; v++)
                        {
                            w.Line(Acc(v, p) + " = TS.MultiplyAdd(xv, wk" + v + ", " + Acc(v, p) + ");");
                        }
                    }
                }, cancellationToken);

                using (w.Block("if (relu)"))
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        for (int p = 0; p < cells; p++)
                        {
                            w.Line(Acc(v, p) + " = " + Code.Activate(l, Acc(v, p)) + ";");
                        }
                    }
                }

                w.Line("ref float o = ref " + Code.Unsafe + ".Add(ref target, (((y * " + l.Output.Width + ") + x) * " + k + ") + kv);");
                for (int p = 0; p < cells; p++)
                {
                    for (int v = 0; v < vectors; v++)
                    {
                        w.Line(Code.Store(Acc(v, p), "o", Lane(Text.Literal((long)p * k), v)));
                    }
                }
            }

            w.Line();
        }
    }
}
