using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The scalar conv kernel: the formula written out, one multiply-add per line, every index a literal. It serves
    /// machines without vector instructions and is the readable form of what the vector kernel computes.
    /// </summary>
    internal static class ConvScalarEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan plan, CancellationToken cancellationToken)
        {
            LayerModel l = plan.Kernel;
            Window window = l.Window!;
            ScalarPlan s = plan.Scalar;
            int groups = l.Groups, perGroup = l.Output.Depth / groups, depth = l.GroupDepth;
            long filter = (long)window.Taps * depth;
            w.Line("// " + LayerText.Describe(l) + ". Window of F*F*D" + (groups > 1 ? "/G" : string.Empty) + " = " + window.SizeY + "*" + window.SizeX + "*" + depth + " = " + Text.Grouped(filter) + " multiply-adds per output, " + LayerText.Unroll(l, s.Unroll) + ".");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Scalar(l.Name) + "(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu)"))
            {
                ScalarWindow.EmitSource(w, plan, "0f");
                if (groups > 1)
                {
                    w.Line("// " + groups + " groups: filters g*" + perGroup + " .. g*" + perGroup + " + " + (perGroup - 1) + " read input channels g*" + depth + " .. g*" + depth + " + " + (depth - 1) + ".");
                }

                using (w.For("g", groups, out Affine g))
                {
                    using (w.For("k", perGroup, out Affine kk))
                    {
                        Affine k = (g * perGroup) + kk;
                        w.Line(Code.ReadOnlySpan + " w = weight.Slice(" + (k * filter) + ", " + Text.Literal(filter) + ");");
                        using (w.For("y", l.Output.Height, out Affine y))
                        {
                            using (w.For("x", l.Output.Width, out Affine x))
                            {
                                w.Line("// The window starts at row " + LayerText.Times("y", window.StrideY) + ", column " + LayerText.Times("x", window.StrideX) + " of the " + (s.Padded ? "padded " : string.Empty) + "input.");
                                w.Line(Code.ReadOnlySpan + " s = source.Slice(" + ((g * ((long)depth * s.SourcePlane)) + (y * ((long)window.StrideY * s.SourceWidth)) + (x * window.StrideX)) + ", " + Text.Literal(ScalarWindow.Extent(plan, depth)) + ");");
                                w.Line("float sum = " + (l.HasBias ? "bias[" + k + "]" : "0f") + ";");
                                ScalarWindow.EmitTerms(w, plan, depth, (wSpan, wIndex, sSpan, sIndex) => w.Line("sum += " + wSpan + "[" + wIndex + "] * " + sSpan + "[" + sIndex + "];"), cancellationToken);
                                using (w.Block("if (relu && sum < 0f)"))
                                {
                                    w.Line("sum = 0f; // NaN stays NaN, as torch.relu");
                                }

                                if (!float.IsPositiveInfinity(l.FusedCeiling))
                                {
                                    // The fused activation is a ReLU6: clamped from above as well.
                                    using (w.Block("else if (relu && sum > " + Text.FloatLiteral(l.FusedCeiling) + ")"))
                                    {
                                        w.Line("sum = " + Text.FloatLiteral(l.FusedCeiling) + ";");
                                    }
                                }

                                w.Line("output[" + ((k * l.Output.Plane) + (y * l.Output.Width) + x) + "] = sum;");
                            }
                        }
                    }
                }
            }

            w.Line();
        }
    }
}
