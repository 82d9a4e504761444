using System;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The max- and average-pool kernel vectorized along each output row (<see cref="PoolRowsPlan"/>): columns whose
    /// window lies inside the input row come from straight loads of the input rows (even/odd lanes for stride 2); the
    /// columns at the padded edges go one by one, skipping the cells outside the input (−∞ for a max, 0 for a sum).
    /// An average divides by PyTorch's count (<see cref="AveragePool"/>): per row for the inside columns, per cell at the edges.
    /// </summary>
    internal static class PoolRowsEmitter
    {
        /// <summary>A pool whose one window is the whole unpadded map (<see cref="WholeMapPoolPlan"/>): the runtime's global pool.</summary>
        public static void EmitWholeMap(SourceWriter w, LayerPlan layer)
        {
            LayerModel l = layer.Layer;
            bool max = l.Kind == LayerKind.MaxPool;
            w.Line("// " + LayerText.Describe(l) + ": one window, the whole map, so each channel's " + (max ? "largest value (NaN if any is NaN)" : "mean") + " over its " +
                Text.Literal(l.Input.Plane) + " cells, by the runtime's global " + (max ? "max" : "average") + " pool.");
            w.Line(Code.GeneratedCode);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.Span + " output) " + Code.VectorConstraint))
            {
                w.Line("global::CnnGen.Runtime.GraphKernels." + (max ? "GlobalMaxPool" : "GlobalAvgPool<TS, TV>") + "(input, output, " + l.Input.Depth + ", " + Text.Literal(l.Input.Plane) + ");");
            }

            w.Line();
        }

        /// <summary>
        /// The kernel over a CHW input; with <paramref name="wide"/>, a second one (<c>…VectorWide</c>) over the wide output
        /// of the conv before it (rows <see cref="WideRows.Row"/> long, channels <see cref="WideRows.Channel"/> apart, the
        /// columns past the input's width never read by an output's window): Forward's carried layout, no compaction.
        /// </summary>
        public static void Emit(SourceWriter w, LayerPlan layer, PoolRowsPlan plan, WideRows? wide = null)
        {
            LayerModel l = layer.Layer;
            Window window = l.Window!;
            int first = plan.First, last = plan.Last, inside = plan.Inside;
            int width = l.Input.Width, height = l.Input.Height;
            int stride = wide?.Row ?? width;
            long planeStride = wide?.Channel ?? l.Input.Plane, inputLength = wide?.Length ?? l.Input.Length;

            // Which vector forms a width can take, known here: the kernel runs with 4, 8 and 16 floats.
            int fewest = 4, most = 16;
            bool alwaysWhole = inside >= most, neverWhole = inside < fewest;

            // Whether the edge loop must test its rows and columns: only when a window there can reach outside the input.
            bool rowsInside = window.PadTop == 0 && ((long)(l.Output.Height - 1) * window.StrideY) + window.ExtentY <= height;
            bool columnsInside = window.PadLeft == 0 && ((long)(l.Output.Width - 1) * window.StrideX) + window.ExtentX <= width;
            bool max = l.Kind == LayerKind.MaxPool;

            w.Line("// " + LayerText.Describe(l) + ", vectorized along each output row: output columns " + first + ".." + last);
            w.Line("// have their whole window inside the input row and come " + (window.StrideX == 2 ? "from even/odd lanes of " : "from ") + "straight loads of the input rows (no copy);");
            w.Line("// the other columns (at a padded edge, or where " + (window.StrideX == 2 ? "the second load of a stride-2 tap" : "a load") + " would pass the row's end) go one by one" + (rowsInside && columnsInside ? "." : max ? ", reading -infinity outside the input." : ", skipping the cells outside the input."));
            if (!max)
            {
                w.Line("// Each sum is divided by PyTorch's count: the window's cells inside the input" + (l.CountIncludePadding ? " and its padding (count_include_pad)" : " (padding not counted)") + ".");
            }

            if (wide is not null)
            {
                w.Line("// Forward's carried layout: the input is the conv before's wide output, rows of " + stride + " (columns " + width + ".." + (stride - 1) + " are junk no window reads),");
                w.Line("// channels " + Text.Literal(planeStride) + " floats apart; that conv leaves it uncompacted.");
            }

            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + (wide is null ? GeneratedNames.Vector(l.Name) : GeneratedNames.VectorWide(l.Name)) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.Span + " output) " + Code.VectorConstraint))
            {
                w.Line(Code.RefTo("x", "input"));
                w.Line(Code.RefTo("o", "output"));
                w.Line("int n = TS.Count;");
                using (w.For("d", l.Input.Depth, out Affine d))
                {
                    w.Line("ref float plane = ref " + Code.At("x", (d * planeStride).ToString()) + ";");
                    using (w.For("y", l.Output.Height, out Affine y))
                    {
                        Affine top = (y * window.StrideY) + (-window.PadTop);
                        w.Line("int top = " + top + "; // first input row of the window");
                        if (!max)
                        {
                            w.Line("int rows = " + AveragePool.Count(y, window.StrideY, window.SizeY, window.PadTop, window.PadBottom, height, l.CountIncludePadding) + "; // window rows counted in the divisor");
                        }

                        w.Line("ref float orow = ref " + Code.At("o", ((d * l.Output.Plane) + (y * l.Output.Width)).ToString()) + ";");
                        string vectorEnd = Text.Literal(first);
                        if (inside >= 1)
                        {
                            if (alwaysWhole)
                            {
                                w.Line("// Whole vectors along the row, the last one overlapping the one before.");
                                vectorEnd = Text.Literal(last + 1);
                                using (w.Block("for (int c = " + first + "; c <= " + last + "; c += n)"))
                                {
                                    w.Line("int at = c + n <= " + (last + 1) + " ? c : " + (last + 1) + " - n;");
                                    EmitVector(w, l, "at", stride);
                                }
                            }
                            else
                            {
                                // A row narrower than a vector (for some widths): one vector from the first column whose extra lanes spill
                                // into the next row's outputs (rewritten when that row is done), where its reads and writes stay inside the spans.
                                Affine lastRow = top + (window.ExtentY - 1);
                                Affine inputPlane = d * planeStride;
                                string readEnd = (inputPlane.IsConstant && inputPlane.Constant == 0 ? string.Empty : "(" + inputPlane + ") + ") +
                                    "(global::System.Math.Min(" + lastRow + ", " + (height - 1) + ") * " + stride + ") + " + Text.Literal(((long)first * window.StrideX) - window.PadLeft + window.ExtentX - 1) + " + (" + window.StrideX + " * n)";
                                string writeEnd = ((d * l.Output.Plane) + (y * l.Output.Width) + first) + " + n";
                                string fits = readEnd + " <= " + Text.Literal(inputLength) + " && " + writeEnd + " <= " + Text.Literal(l.Output.Length);
                                vectorEnd = "vectorEnd";
                                if (neverWhole)
                                {
                                    w.Line("// The row's " + inside + " inside columns are fewer than a vector: one vector whose extra lanes spill into the next row's");
                                    w.Line("// outputs (rewritten when that row is done), where its reads and writes stay inside the spans.");
                                    w.Line("int vectorEnd = " + fits + " ? " + (last + 1) + " : " + first + ";");
                                    using (w.Block("if (vectorEnd > " + first + ")"))
                                    {
                                        EmitVector(w, l, Text.Literal(first), stride);
                                    }
                                }
                                else
                                {
                                    w.Line("// Whole vectors along the row (the last one overlapping the one before) when it holds one; else one vector whose");
                                    w.Line("// extra lanes spill into the next row's outputs (rewritten when that row is done), where reads and writes stay inside.");
                                    w.Line("bool whole = " + inside + " >= n;");
                                    w.Line("int vectorEnd = whole || (" + fits + ") ? " + (last + 1) + " : " + first + ";");
                                    using (w.Block("for (int c = " + first + "; c < vectorEnd; c += n)"))
                                    {
                                        w.Line("int at = whole && c + n > " + (last + 1) + " ? " + (last + 1) + " - n : c;");
                                        EmitVector(w, l, "at", stride);
                                    }
                                }
                            }
                        }

                        if (!(first == 0 && last == l.Output.Width - 1 && alwaysWhole))
                        {
                            EmitEdges(w, l, first, inside >= 1 ? vectorEnd : null, rowsInside, columnsInside, stride);
                        }
                    }
                }
            }

            w.Line();
        }

        /// <summary>
        /// The max pool's kernel over the cell-major output ([cell][K], HWC) the filter-vector conv before it left in
        /// <c>Forward</c> (<see cref="CellRows"/>): each window's max over whole vectors of channels, stored cell-major in the
        /// class's per-thread wide scratch (which holds nothing between steps), then transposed into the CHW output
        /// (<c>Layout.ToChannels</c>). Every window lies inside the map (the planner fuses no other).
        /// </summary>
        public static void EmitCells(SourceWriter w, LayerPlan layer, CellRows cells)
        {
            LayerModel l = layer.Layer;
            Window window = l.Window!;
            int k = cells.Channels;
            w.Line("// " + LayerText.Describe(l) + ", reading the conv before as it left it in Forward: cell-major, [" + Text.Literal((long)cells.Width * cells.Height) + " cells][" + k + " channels],");
            w.Line("// not transposed. A window's max is the max of its cells' vectors of channels (NaN if any is NaN), stored cell-major");
            w.Line("// in the per-thread wide scratch (which holds nothing between steps), then transposed into CHW. Every window lies");
            w.Line("// inside the map.");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.VectorCells(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.Span + " output) " + Code.VectorConstraint))
            {
                w.Line(Code.RefTo("x", "input"));
                w.Line(Code.Span + " pooled = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + Text.Literal(l.Output.Length) + ");");
                w.Line(Code.RefTo("o", "pooled"));
                using (w.For("y", l.Output.Height, out Affine y))
                {
                    using (w.For("c", l.Output.Width, out Affine c))
                    {
                        Affine cell = (((y * window.StrideY) * cells.Width) + (c * window.StrideX)) * k;
                        w.Line("ref float window = ref " + Code.At("x", cell.ToString()) + "; // cell (" + (y * window.StrideY) + ", " + (c * window.StrideX) + "), the window's first");
                        using (w.Block("for (int kv = 0; kv < " + k + "; kv += TS.Count)"))
                        {
                            w.Line("TV m = TS.Splat(float.NegativeInfinity);");
                            for (int fy = 0; fy < window.SizeY; fy++)
                            {
                                for (int fx = 0; fx < window.SizeX; fx++)
                                {
                                    long offset = ((((long)fy * window.DilationY * cells.Width) + ((long)fx * window.DilationX)) * k);
                                    w.Line("m = TS.MaxPropagateNaN(m, TS.Load(ref window, " + (offset == 0 ? "kv" : Text.Literal(offset) + " + kv") + ")); // tap (" + fy + ", " + fx + ")");
                                }
                            }

                            w.Line("TS.Store(m, ref o, " + ((((y * l.Output.Width) + c) * k) + Affine.Var("kv")) + ");");
                        }
                    }
                }

                w.Line(Code.Layout + ".ToChannels(pooled, " + Text.Literal(l.Output.Plane) + ", " + k + ", output);");
            }

            w.Line();
        }

        /// <summary>The columns the vectors did not do, one by one, each window read with the tests it needs.</summary>
        private static void EmitEdges(SourceWriter w, LayerModel l, int first, string? vectorEnd, bool rowsInside, bool columnsInside, int stride)
        {
            Window window = l.Window!;
            bool max = l.Kind == LayerKind.MaxPool;
            if (vectorEnd is not null && int.TryParse(vectorEnd, out int done) && first + (l.Output.Width - done) <= MaxStraightEdges && window.Taps <= Unrolling.Budget)
            {
                // Few edge columns, known here: each written out, its taps outside the row left out (no test per tap).
                for (int c = 0; c < l.Output.Width; c++)
                {
                    if (c == first)
                    {
                        c = done - 1;
                        continue;
                    }

                    EmitEdgeColumn(w, l, c, rowsInside, stride);
                }

                return;
            }

            w.Line("// The other columns, one by one.");
            using (w.Block("for (int c = 0; c < " + l.Output.Width + "; c++)"))
            {
                if (vectorEnd is not null)
                {
                    using (w.Block(vectorEnd == "vectorEnd" ? "if (c == " + first + " && vectorEnd > " + first + ")" : "if (c == " + first + ")"))
                    {
                        w.Line("c = " + (int.TryParse(vectorEnd, out int end) ? Text.Literal(end - 1) : vectorEnd + " - 1") + ";");
                        w.Line("continue;");
                    }
                }

                w.Line(max ? "float m = float.NegativeInfinity;" : "float m = 0f;");
                using (w.Block("for (int fy = 0; fy < " + window.SizeY + "; fy++)"))
                {
                    w.Line("int r = top + " + (window.DilationY == 1 ? "fy" : "(fy * " + window.DilationY + ")") + ";");
                    using (rowsInside ? default : w.Block("if ((uint)r < " + l.Input.Height + "u)"))
                    {
                        using (w.Block("for (int fx = 0; fx < " + window.SizeX + "; fx++)"))
                        {
                            w.Line("int col = " + ((Affine.Var("c") * window.StrideX) + (Affine.Var("fx") * window.DilationX) + (-window.PadLeft)) + ";");
                            using (columnsInside ? default : w.Block("if ((uint)col < " + l.Input.Width + "u)"))
                            {
                                w.Line("float v = " + Code.Unsafe + ".Add(ref plane, (r * " + stride + ") + col);");
                                w.Line(max ? "m = v > m || float.IsNaN(v) ? v : m; // NaN propagates" : "m += v;");
                            }
                        }
                    }
                }

                if (!max)
                {
                    w.Line("m /= rows * (" + AveragePool.Count(Affine.Var("c"), window.StrideX, window.SizeX, window.PadLeft, window.PadRight, l.Input.Width, l.CountIncludePadding) + ");");
                }

                w.Line(Code.Unsafe + ".Add(ref orow, c) = m;");
            }
        }

        /// <summary>Edge columns up to this many are written out one by one, straight-line (else a loop over them).</summary>
        private const int MaxStraightEdges = 4;

        /// <summary>Output column <paramref name="c"/> of the current row: the taps inside the row, rows tested where the window can leave the input.</summary>
        private static void EmitEdgeColumn(SourceWriter w, LayerModel l, int c, bool rowsInside, int stride)
        {
            Window window = l.Window!;
            bool max = l.Kind == LayerKind.MaxPool;
            using (w.Block("// column " + c))
            {
                w.Line(max ? "float m = float.NegativeInfinity;" : "float m = 0f;");
                for (int fy = 0; fy < window.SizeY; fy++)
                {
                    string row = fy == 0 ? "top" : "(top + " + ((long)fy * window.DilationY) + ")";
                    using (rowsInside ? default : w.Block("if ((uint)" + row + " < " + l.Input.Height + "u)"))
                    {
                        for (int fx = 0; fx < window.SizeX; fx++)
                        {
                            long col = ((long)c * window.StrideX) + ((long)fx * window.DilationX) - window.PadLeft;
                            if (col < 0 || col >= l.Input.Width)
                            {
                                continue;
                            }

                            string v = Code.Unsafe + ".Add(ref plane, (" + row + " * " + stride + ") + " + col + ")";
                            w.Line(max ? "{ float v = " + v + "; m = v > m || float.IsNaN(v) ? v : m; }" : "m += " + v + ";");
                        }
                    }
                }

                if (!max)
                {
                    w.Line("m /= rows * " + AveragePool.Count(c, window.StrideX, window.SizeX, window.PadLeft, window.PadRight, l.Input.Width, l.CountIncludePadding) + ";");
                }

                w.Line(Code.Unsafe + ".Add(ref orow, " + c + ") = m;");
            }
        }

        /// <summary>One vector of pool outputs starting at output column <paramref name="at"/> of the current row.</summary>
        private static void EmitVector(SourceWriter w, LayerModel l, string at, int stride)
        {
            Window window = l.Window!;
            int sx = window.StrideX, dx = window.DilationX;
            bool max = l.Kind == LayerKind.MaxPool;
            string combine = max ? "TS.MaxPropagateNaN" : "TS.Add";
            string column = int.TryParse(at, out int fixedAt)
                ? Text.Literal(((long)fixedAt * sx) - window.PadLeft)
                : (sx == 1 ? at : at + " * " + sx) + (window.PadLeft == 0 ? string.Empty : " - " + window.PadLeft);
            w.Line("int column = " + column + "; // first input column of the window of output column " + at);
            w.Line("TV m = TS.Splat(" + (max ? "float.NegativeInfinity" : "0f") + ");");
            for (int fy = 0; fy < window.SizeY; fy++)
            {
                // Rows the window can reach outside the input (padding at the top or bottom) are tested; the others are not.
                long cy = (long)fy * window.DilationY;
                long lowest = cy - window.PadTop;
                long highest = ((long)(l.Output.Height - 1) * window.StrideY) - window.PadTop + cy;
                bool alwaysInside = lowest >= 0 && highest <= l.Input.Height - 1;
                string row = "r" + fy;
                string rowIndex = cy == 0 ? "top" : "(top + " + cy + ")";
                using (alwaysInside ? default : w.Block("if ((uint)" + rowIndex + " < " + l.Input.Height + "u)"))
                {
                    w.Line("ref float " + row + " = ref " + Code.Unsafe + ".Add(ref plane, (" + rowIndex + " * " + stride + ") + column);");
                    if (sx == 1)
                    {
                        // The row's taps combined pairwise (a tree, not a chain: fewer dependent adds), then into m.
                        var terms = new System.Collections.Generic.List<string>();
                        for (int fx = 0; fx < window.SizeX; fx++)
                        {
                            terms.Add(Code.Load(row, Text.Literal((long)fx * dx)));
                        }

                        w.Line("m = " + combine + "(m, " + PoolSumsEmitter.Tree(terms, combine) + ");");
                    }
                    else
                    {
                        // Stride 2: the even lanes of two loads at a tap are that tap for n outputs; without dilation the odd
                        // lanes of the same two are the next tap.
                        int step = dx == 1 ? 2 : 1;
                        for (int fx = 0; fx < window.SizeX; fx += step)
                        {
                            long t = (long)fx * dx;
                            string pair = fy + "_" + fx;
                            w.Line("TV even" + pair + " = " + Code.Load(row, Text.Literal(t)) + ";");
                            w.Line("TV odd" + pair + " = " + Code.Load(row, t == 0 ? "n" : t + " + n") + ";");
                            w.Line("m = " + combine + "(m, TS.Evens(even" + pair + ", odd" + pair + "));");
                            if (dx == 1 && fx + 1 < window.SizeX)
                            {
                                w.Line("m = " + combine + "(m, TS.Odds(even" + pair + ", odd" + pair + "));");
                            }
                        }
                    }
                }
            }

            if (!max)
            {
                w.Line("m = TS.Divide(m, TS.Splat(rows * " + window.SizeX + "));");
            }

            w.Line(Code.Store("m", "orow", at));
        }
    }
}
