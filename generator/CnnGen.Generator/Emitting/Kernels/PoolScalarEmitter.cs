using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The scalar pool kernels, every index a literal: each window's maximum (NaN propagating, −∞ outside the input), or
    /// its mean with PyTorch's divisor (the window's cells inside the input, and inside the padding too when padding
    /// counts, never the part of a <c>Ceil</c> window past the padding).
    /// </summary>
    internal static class PoolScalarEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan plan, CancellationToken cancellationToken)
        {
            LayerModel l = plan.Layer;
            Window window = l.Window!;
            ScalarPlan s = plan.Scalar;
            bool max = l.Kind == LayerKind.MaxPool;
            w.Line("// " + LayerText.Describe(l) + ". Window of " + window.SizeX + "x" + window.SizeY + " per output, " + LayerText.Unroll(l, s.Unroll) + ".");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Scalar(l.Name) + "(" + Code.ReadOnlySpan + " input, " + Code.Span + " output)"))
            {
                ScalarWindow.EmitSource(w, plan, max ? "float.NegativeInfinity" : "0f");
                using (w.For("d", l.Input.Depth, out Affine d))
                {
                    using (w.For("y", l.Output.Height, out Affine y))
                    {
                        if (!max)
                        {
                            w.Line("int rows = " + AveragePool.Count(y, window.StrideY, window.SizeY, window.PadTop, window.PadBottom, l.Input.Height, l.CountIncludePadding) + ";");
                        }

                        using (w.For("x", l.Output.Width, out Affine x))
                        {
                            w.Line(Code.ReadOnlySpan + " s = source.Slice(" + ((d * s.SourcePlane) + (y * ((long)window.StrideY * s.SourceWidth)) + (x * window.StrideX)) + ", " + Text.Literal(ScalarWindow.Extent(plan, 1)) + ");");
                            string index = ((d * l.Output.Plane) + (y * l.Output.Width) + x).ToString();
                            if (max)
                            {
                                w.Line("float max = float.NegativeInfinity;");
                                ScalarWindow.EmitTerms(w, plan, 1, (_, _, sSpan, sIndex) => w.Line("max = global::System.MathF.Max(max, " + sSpan + "[" + sIndex + "]);"), cancellationToken);
                                w.Line("output[" + index + "] = max;");
                            }
                            else
                            {
                                w.Line("float sum = 0f;");
                                ScalarWindow.EmitTerms(w, plan, 1, (_, _, sSpan, sIndex) => w.Line("sum += " + sSpan + "[" + sIndex + "];"), cancellationToken);
                                w.Line("int columns = " + AveragePool.Count(x, window.StrideX, window.SizeX, window.PadLeft, window.PadRight, l.Input.Width, l.CountIncludePadding) + ";");
                                w.Line("output[" + index + "] = sum / (rows * columns);");
                            }
                        }
                    }
                }
            }

            w.Line();
        }
    }

    /// <summary>PyTorch's average-pool divisor, one axis at a time.</summary>
    internal static class AveragePool
    {
        /// <summary>
        /// The cells along one axis that count in the divisor of output <paramref name="index"/>, as C#: the window
        /// [i·S − Pbegin, i·S − Pbegin + F) cut at the padding's end (W + Pend), and at the input (0 and W) when padding
        /// does not count. A literal when the index is.
        /// </summary>
        public static string Count(Affine index, int stride, int size, int padBegin, int padEnd, int input, bool countPadding)
        {
            Affine start = (index * stride) + (-padBegin);
            string end = "global::System.Math.Min(" + (start + size) + ", " + Text.Literal(countPadding ? (long)input + padEnd : input) + ")";
            string begin = countPadding ? start.ToString() : "global::System.Math.Max(" + start + ", 0)";
            if (start.IsConstant)
            {
                long s = start.Constant;
                long e = System.Math.Min(s + size, countPadding ? (long)input + padEnd : input);
                long b = countPadding ? s : System.Math.Max(s, 0);
                return Text.Literal(e - b);
            }

            return end + " - " + (begin.Contains(" ") ? "(" + begin + ")" : begin);
        }
    }
}
