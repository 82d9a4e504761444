using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The stride-1 average pool as two passes of sums (<see cref="PoolSumsPlan"/>): down the input columns into a
    /// band of zero-padded rows, then across them; each output times 1 / PyTorch's count (<see cref="AveragePool"/>).
    /// </summary>
    internal static class PoolSumsEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan layer, PoolSumsPlan plan)
        {
            LayerModel l = layer.Layer;
            Window window = l.Window!;
            int width = l.Input.Width, height = l.Input.Height, outWidth = l.Output.Width, outHeight = l.Output.Height;
            int fx = window.SizeX, fy = window.SizeY, padded = plan.PaddedWidth, band = plan.Band;
            bool include = l.CountIncludePadding;

            // The divisor: rows(y) · columns(x). Counting the padding at stride 1, every window lies inside the padded input.
            var columnCounts = new List<string>();
            bool columnsConstant = true;
            for (int x = 0; x < outWidth; x++)
            {
                string count = AveragePool.Count(x, 1, fx, window.PadLeft, window.PadRight, width, include);
                columnsConstant &= count == Text.Literal(fx);
                columnCounts.Add(count);
            }

            w.Line("// " + LayerText.Describe(l) + ", as two passes of sums (a window sum separates):");
            w.Line("// for each band of up to " + band + " output rows, the sum down each input column over the rows of the row's window");
            w.Line("// goes into a row of " + padded + " floats (" + window.PadLeft + " zero " + (window.PadLeft == 1 ? "column" : "columns") + ", the " + width + " sums, " + window.PadRight + " zero " + (window.PadRight == 1 ? "column" : "columns") + "); then output column x");
            w.Line("// is the sum across that row at x .. x + " + (fx - 1) + ", times 1 / PyTorch's count of the window's cells " + (include ? "(padding counted)." : "inside the input (padding not counted)."));
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.Span + " output) " + Code.VectorConstraint))
            {
                w.Line(Code.RefTo("x", "input"));
                w.Line(Code.RefTo("o", "output"));
                w.Line("int n = TS.Count;");
                w.Line(Code.Span + " buffer = stackalloc float[" + Text.Literal((long)band * padded) + "];");
                w.Line("buffer.Clear(); // the padding columns stay 0 (cleared here too, for a class or module with [SkipLocalsInit])");
                w.Line(Code.RefTo("sums", "buffer"));
                if (!columnsConstant)
                {
                    w.Line("// 1 / the window's columns inside the input, per output column.");
                    var reciprocals = new List<string>();
                    foreach (string count in columnCounts)
                    {
                        reciprocals.Add(count == "1" ? "1f" : "1f / " + count);
                    }

                    w.Line("global::System.ReadOnlySpan<float> columnScale = new float[] { " + string.Join(", ", reciprocals) + " };");
                    w.Line(Code.RefTo("scale", "columnScale"));
                }

                using (w.For("d", l.Input.Depth, out Affine d))
                {
                    w.Line("ref float plane = ref " + Code.At("x", (d * l.Input.Plane).ToString()) + ";");
                    w.Line("ref float oplane = ref " + Code.At("o", (d * l.Output.Plane).ToString()) + ";");
                    using (w.Block("for (int y0 = 0; y0 < " + outHeight + "; y0 += " + band + ")"))
                    {
                        w.Line("int rowsInBand = " + (outHeight % band == 0 ? Text.Literal(band) : "global::System.Math.Min(" + band + ", " + outHeight + " - y0)") + ";");
                        w.Line("// Down: the window rows of each output row, summed per input column.");
                        using (w.Block("for (int i = 0; i < rowsInBand; i++)"))
                        {
                            w.Line("int top = y0 + i" + (window.PadTop == 0 ? string.Empty : " - " + window.PadTop) + "; // first input row of the window");
                            w.Line("ref float srow = ref " + Code.Unsafe + ".Add(ref sums, (i * " + padded + ")" + (window.PadLeft == 0 ? string.Empty : " + " + window.PadLeft) + ");");
                            bool edges = window.PadTop > 0 || window.PadBottom > 0;
                            using (edges ? w.Block("if (top >= 0 && top <= " + (height - fy) + ")") : default)
                            {
                                if (edges)
                                {
                                    w.Line("// The whole window inside the input: no row tested.");
                                }

                                using (w.Block("for (int c = 0; c < " + width + "; c += n)"))
                                {
                                    w.Line("int at = c + n <= " + width + " ? c : " + width + " - n; // the last vector overlaps the one before");
                                    EmitDown(w, l, inside: true);
                                    w.Line(Code.Store("m", "srow", "at"));
                                }
                            }

                            if (edges)
                            {
                                using (w.Block("else"))
                                {
                                    using (w.Block("for (int c = 0; c < " + width + "; c += n)"))
                                    {
                                        w.Line("int at = c + n <= " + width + " ? c : " + width + " - n;");
                                        EmitDown(w, l, inside: false);
                                        w.Line(Code.Store("m", "srow", "at"));
                                    }
                                }
                            }
                        }

                        w.Line("// Across: each output row from its row of sums.");
                        using (w.Block("for (int i = 0; i < rowsInBand; i++)"))
                        {
                            w.Line("int y = y0 + i;");
                            string rows = AveragePool.Count(Affine.Var("y"), 1, fy, window.PadTop, window.PadBottom, height, false);
                            string scale = include
                                ? "TS.Splat(" + Text.FloatLiteral(1f / (fx * fy)) + ")"
                                : "TS.Splat(1f / (" + (columnsConstant ? "(" + rows + ") * " + fx : rows) + "))";
                            w.Line("TV rowScale = " + scale + "; // 1 / the window's rows" + (include ? " and columns, padding counted" : columnsConstant ? " and columns" : string.Empty));
                            w.Line("ref float srow = ref " + Code.Unsafe + ".Add(ref sums, i * " + padded + ");");
                            w.Line("ref float orow = ref " + Code.Unsafe + ".Add(ref oplane, y * " + outWidth + ");");
                            using (w.Block("for (int c = 0; c < " + outWidth + "; c += n)"))
                            {
                                w.Line("int at = c + n <= " + outWidth + " ? c : " + outWidth + " - n;");
                                var terms = new List<string>();
                                for (int t = 0; t < fx; t++)
                                {
                                    terms.Add(Code.Load("srow", t == 0 ? "at" : "at + " + t));
                                }

                                w.Line("TV m = " + Tree(terms) + ";");
                                w.Line("m = TS.Multiply(m, " + (columnsConstant ? "rowScale" : "TS.Multiply(rowScale, " + Code.Load("scale", "at") + ")") + ");");
                                w.Line(Code.Store("m", "orow", "at"));
                            }
                        }
                    }
                }
            }

            w.Line();
        }

        /// <summary>The sum down one vector of input columns (at <c>at</c>) over the window's rows, each tested where it can fall outside the input.</summary>
        private static void EmitDown(SourceWriter w, LayerModel l, bool inside)
        {
            Window window = l.Window!;
            var always = new List<string>();
            var tested = new List<(int Row, string Load)>();
            for (int r = 0; r < window.SizeY; r++)
            {
                // Input row top + r for output rows 0 .. H2 − 1: inside for all of them, or tested.
                long lowest = r - window.PadTop, highest = l.Output.Height - 1 - window.PadTop + r;
                string rowIndex = r == 0 ? "top" : "(top + " + r + ")";
                string load = Code.Load("plane", "(" + rowIndex + " * " + l.Input.Width + ") + at");
                if (inside || (lowest >= 0 && highest <= l.Input.Height - 1))
                {
                    always.Add(load);
                }
                else
                {
                    tested.Add((r, load));
                }
            }

            w.Line("TV m = " + (always.Count == 0 ? "TS.Splat(0f)" : Tree(always)) + ";");
            foreach ((int row, string load) in tested)
            {
                string rowIndex = row == 0 ? "top" : "(top + " + row + ")";
                using (w.Block("if ((uint)" + rowIndex + " < " + l.Input.Height + "u)"))
                {
                    w.Line("m = TS.Add(m, " + load + ");");
                }
            }
        }

        /// <summary>The terms combined pairwise with <paramref name="combine"/> (a tree, not a chain: fewer dependent operations).</summary>
        public static string Tree(List<string> terms, string combine = "TS.Add")
        {
            while (terms.Count > 1)
            {
                var pairs = new List<string>();
                for (int i = 0; i + 1 < terms.Count; i += 2)
                {
                    pairs.Add(combine + "(" + terms[i] + ", " + terms[i + 1] + ")");
                }

                if (terms.Count % 2 == 1)
                {
                    pairs.Add(terms[terms.Count - 1]);
                }

                terms = pairs;
            }

            return terms[0];
        }
    }
}
