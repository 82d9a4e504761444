using System.Linq;
using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The conv kernel vectorized over filters (<see cref="ConvFiltersPlan"/>): for a few output cells of a row at a
    /// time, each input value is broadcast against a vector of filters' weights (packed [D][Fy][Fx][K]); the
    /// cell-major result is transposed into CHW at the end (in <c>Forward</c>, where <see cref="ConvFiltersPlan.CellsOutput"/>,
    /// left cell-major for the max pool after the conv).
    /// </summary>
    internal static class ConvFiltersEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan layer, ConvFiltersPlan plan, CancellationToken cancellationToken)
        {
            LayerModel l = layer.Kernel;
            Window window = l.Window!;
            int k = l.Output.Depth;
            bool twoSteps = plan.Wide != plan.Narrow;
            w.Line("// " + LayerText.Describe(l) + ", vectorized over the " + k + " filters: for " + StepText(plan.Narrow) + ", each input value is broadcast");
            w.Line("// against the vectors of filters; " + ConvPositionsEmitter.UnrollText(l, plan.Unroll) + "; the cell-major result is transposed into CHW" + (plan.CellsOutput ? " (in Forward left cell-major for the max pool after it)." : "."));
            if (twoSteps)
            {
                w.Line("// On 512-bit vectors (32 registers) a larger step: " + StepText(plan.Wide) + ".");
            }

            w.Line("// " + ConvPhases.Describe(plan.Phases, plan.ReadsInput) + ".");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " packedWeight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu" + ConvPhases.CarriedParameters(plan, plan.PaddedOutput is not null) + (plan.CellsOutput ? ", bool cellsOut = false" : string.Empty) + ") " + Code.VectorConstraint))
            {
                ConvPhases.EmitSource(w, l, plan.Phases, plan.ReadsInput, plan.PhaseLength, plan.PaddedInput);
                if (plan.CellsOutput)
                {
                    w.Line("// In Forward (cellsOut) the cells go straight into the output, left cell-major for the max pool after this conv.");
                }

                w.Line(Code.Span + " cells = " + (plan.CellsOutput ? "cellsOut ? output.Slice(0, " + Text.Literal(plan.WideLength) + ") : " : string.Empty) + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + Text.Literal(plan.WideLength) + ");");
                w.Line(Code.RefTo("target", "cells"));
                w.Line(Code.RefTo("w", "packedWeight") + " // [" + l.Input.Depth + "][" + window.SizeY + "][" + window.SizeX + "][" + k + "]");
                w.Line(Code.RefTo("b", "bias"));
                if (twoSteps)
                {
                    using (w.Block("if (TS.Count == 16)"))
                    {
                        EmitLoops(w, l, plan.Wide, wide: true);
                    }

                    using (w.Block("else"))
                    {
                        EmitLoops(w, l, plan.Narrow, wide: false);
                    }
                }
                else
                {
                    EmitLoops(w, l, plan.Narrow, wide: false);
                }

                if (plan.PaddedOutput is { } padded)
                {
                    using (w.Block("if (paddedOut)"))
                    {
                        w.Line("// In Forward: transposed into the padded planes the next conv reads, " + l.Output.Width + "x" + l.Output.Height + " at (" + padded.PadLeft + ", " + padded.PadTop + ") in planes of "
                            + padded.Width + "x" + padded.Height + ", their padding zeroed with it.");
                        w.Line(Code.Layout + ".ToChannelsPadded(cells, " + l.Output.Width + ", " + l.Output.Height + ", " + k + ", " + padded.PadLeft + ", " + padded.PadTop + ", " + padded.Width + ", " + padded.Height + ", output);");
                        w.Line("return;");
                    }
                }

                if (plan.CellsOutput)
                {
                    using (w.Block("if (cellsOut)"))
                    {
                        w.Line("return;");
                    }
                }

                w.Line(Code.Layout + ".ToChannels(cells, " + Text.Literal(l.Output.Plane) + ", " + k + ", output);");
            }

            w.Line();
            EmitSteps(w, l, plan, plan.Narrow, wide: false, cancellationToken);
            if (twoSteps)
            {
                EmitSteps(w, l, plan, plan.Wide, wide: true, cancellationToken);
            }
        }

        private static string StepText(FilterTile tile) =>
            tile.Cells + " output cells " + (tile.Flat ? "of the plane (one long row)" : "of a row") + " and " + (tile.Vectors == 1 ? "a vector" : tile.Vectors + " vectors") + " of filters at a time";

        private static int RowCells(LayerModel l, FilterTile tile) => tile.Flat ? l.Output.Plane : l.Output.Width;

        private static string StepName(LayerModel l, int cells, bool wide) => wide ? GeneratedNames.WideCells(l.Name, cells) : GeneratedNames.Cells(l.Name, cells);

        /// <summary>The loops over rows, filter blocks and the steps of a row, rows or filter blocks outside (whichever reads less).</summary>
        private static void EmitLoops(SourceWriter w, LayerModel l, FilterTile tile, bool wide)
        {
            int k = l.Output.Depth, cells = tile.Cells, rowCells = RowCells(l, tile), rows = tile.Flat ? 1 : l.Output.Height;
            int blocks = rowCells / cells, rest = rowCells % cells;
            w.Line(tile.FiltersOuter
                ? "// Each block of filters outside the rows: the weight is read once, the input once per block."
                : "// The rows outside the blocks of filters: the input is read once, the weight once per row.");
            string blockLoop = "for (int kv = 0; kv < " + k + "; kv += " + (tile.Vectors == 1 ? "TS.Count" : tile.Vectors + " * TS.Count") + ")";
            Affine y = rows == 1 ? Affine.Zero : Affine.Var("y");
            string? rowLoop = rows == 1 ? null : "for (int y = 0; y < " + rows + "; y++)";
            using (tile.FiltersOuter ? w.Block(blockLoop) : rowLoop == null ? default : w.Block(rowLoop))
            {
                using (!tile.FiltersOuter ? w.Block(blockLoop) : rowLoop == null ? default : w.Block(rowLoop))
                {
                    if (blocks > 0)
                    {
                        using (w.For("x", blocks, out Affine x))
                        {
                            w.Line(StepName(l, cells, wide) + "<TS, TV>(ref source, ref w, ref b, ref target, " + y + ", " + (x * cells) + ", kv, relu);");
                        }
                    }

                    if (rest > 0)
                    {
                        w.Line(StepName(l, rest, wide) + "<TS, TV>(ref source, ref w, ref b, ref target, " + y + ", " + (blocks * cells) + ", kv, relu);");
                    }
                }
            }
        }

        private static void EmitSteps(SourceWriter w, LayerModel l, ConvFiltersPlan plan, FilterTile tile, bool wide, CancellationToken cancellationToken)
        {
            int rest = RowCells(l, tile) % tile.Cells;
            EmitCells(w, l, plan, tile.Cells, tile.Vectors, wide, tile.Flat, cancellationToken);
            if (rest > 0)
            {
                EmitCells(w, l, plan, rest, tile.Vectors, wide, tile.Flat, cancellationToken);
            }
        }

        private static void EmitCells(SourceWriter w, LayerModel l, ConvFiltersPlan plan, int cells, int vectors, bool wide, bool flat, CancellationToken cancellationToken)
        {
            int k = l.Output.Depth;
            string Acc(int v, int p) => vectors == 1 ? "a" + p : "a" + v + "_" + p;
            string Lane(string offset, int v) => v == 0 ? offset : offset == "0" ? v + " * TS.Count" : offset + " + (" + v + " * TS.Count)";
            w.Line("// " + l.Name + ": output cells " + (flat ? "x .. x + " + (cells - 1) + " of the plane (y·W2 + x, y = 0)" : "(x .. x + " + (cells - 1) + ", y)") + ", filters kv .. kv + " + (vectors == 1 ? "TS.Count" : vectors + " * TS.Count") + " - 1" + (wide ? ", 512-bit vectors only." : "."));
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + StepName(l, cells, wide) + "<TS, TV>(ref float source, ref float weight, ref float bias, ref float target, int y, int x, int kv, bool relu) " + Code.VectorConstraint))
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
