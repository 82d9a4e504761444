using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>The scalar max-pool kernel: each window's maximum written out, every index a literal, NaN propagating.</summary>
    internal static class PoolScalarEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan plan, CancellationToken cancellationToken)
        {
            LayerModel l = plan.Layer;
            Window window = l.Window!;
            ScalarPlan s = plan.Scalar;
            w.Line("// " + LayerText.Describe(l) + ". Window of " + window.SizeX + "x" + window.SizeY + " per output, " + LayerText.Unroll(l, s.Unroll) + ".");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Scalar(l.Name) + "(" + Code.ReadOnlySpan + " input, " + Code.Span + " output)"))
            {
                ScalarWindow.EmitSource(w, plan, "float.NegativeInfinity");
                using (w.For("d", l.Input.Depth, out Affine d))
                {
                    using (w.For("y", l.Output.Height, out Affine y))
                    {
                        using (w.For("x", l.Output.Width, out Affine x))
                        {
                            w.Line(Code.ReadOnlySpan + " s = source.Slice(" + ((d * s.SourcePlane) + (y * ((long)window.StrideY * s.SourceWidth)) + (x * window.StrideX)) + ", " + Text.Literal(ScalarWindow.Extent(plan, 1)) + ");");
                            w.Line("float max = float.NegativeInfinity;");
                            ScalarWindow.EmitTerms(w, plan, 1, (_, _, sSpan, sIndex) => w.Line("max = global::System.MathF.Max(max, " + sSpan + "[" + sIndex + "]);"), cancellationToken);
                            w.Line("output[" + ((d * l.Output.Plane) + (y * l.Output.Width) + x) + "] = max;");
                        }
                    }
                }
            }

            w.Line();
        }
    }
}
