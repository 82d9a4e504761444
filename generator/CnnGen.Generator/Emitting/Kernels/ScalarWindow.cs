using System.Threading;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// What the scalar conv and pool kernels share: the plane their windows read (the input, or a padded copy made
    /// by a runtime helper) and the window's terms, unrolled as far as the plan says.
    /// </summary>
    internal static class ScalarWindow
    {
        /// <summary>Declares <c>source</c>: the input itself, or its padded copy.</summary>
        public static void EmitSource(SourceWriter w, LayerPlan plan, string padValue)
        {
            LayerModel l = plan.Layer;
            ScalarPlan s = plan.Scalar;
            if (!s.Padded)
            {
                w.Line(Code.ReadOnlySpan + " source = input;");
                return;
            }

            Window window = l.Window!;
            w.Line("// Padded copy: " + l.Input.Depth + " planes of " + s.SourceWidth + "x" + s.SourceHeight + " filled with " + padValue + ", the input at (" + window.PadLeft + ", " + window.PadTop + "),");
            w.Line("// so every window read stays inside the buffer and the loops below need no bounds tests.");
            w.Line(Code.Span + " padded = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Padded + ", " + GeneratedNames.MaxPaddedLength + ").Slice(0, " + Text.Literal((long)s.SourcePlane * l.Input.Depth) + ");");
            w.Line(Code.Layout + ".Pad(input, " + l.Input.Width + ", " + l.Input.Height + ", " + l.Input.Depth + ", " + window.PadLeft + ", " + window.PadTop + ", " + padValue + ", " + s.SourceWidth + ", " + s.SourceHeight + ", padded);");
            w.Line(Code.ReadOnlySpan + " source = padded;");
        }

        /// <summary>The floats from a window's first cell to its last: channels × plane, rows × source width, one row.</summary>
        public static long Extent(LayerPlan plan, int channels)
        {
            Window window = plan.Layer.Window!;
            return ((long)(channels - 1) * plan.Scalar.SourcePlane) + ((window.ExtentY - 1) * plan.Scalar.SourceWidth) + window.ExtentX;
        }

        /// <summary>
        /// The window's terms for the output whose window starts at span <c>s</c> (and, for a conv, filter <c>w</c>):
        /// <paramref name="term"/> writes one term from a weight index and a source index (span names given).
        /// </summary>
        public static void EmitTerms(SourceWriter w, LayerPlan plan, int channels, System.Action<string, Affine, string, Affine> term, CancellationToken cancellationToken)
        {
            LayerModel l = plan.Layer;
            Window window = l.Window!;
            int fy = window.SizeY, fx = window.SizeX, plane = plan.Scalar.SourcePlane, width = plan.Scalar.SourceWidth;
            int dx = window.DilationX;
            long rowStep = (long)window.DilationY * width;
            long rowExtent = window.ExtentX;
            bool conv = l.Kind == LayerKind.Conv;
            switch (plan.Scalar.Unroll)
            {
                case UnrollLevel.Full:
                    for (int d = 0; d < channels; d++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (conv)
                        {
                            w.Line("// d = " + d + ": weight[k, " + d + ", fy, fx] * " + (plan.Scalar.Padded ? "padded" : "input") + "[" + (l.Groups > 1 ? "group's " : string.Empty) + d + ", " + LayerText.Times("y", window.StrideY) + " + " + LayerText.Times("fy", window.DilationY) + ", " + LayerText.Times("x", window.StrideX) + " + " + LayerText.Times("fx", dx) + "]");
                        }

                        for (int y = 0; y < fy; y++)
                        {
                            for (int x = 0; x < fx; x++)
                            {
                                term("w", (((long)d * fy) + y) * fx + x, "s", ((long)d * plane) + (y * rowStep) + ((long)x * dx));
                            }
                        }
                    }

                    break;

                case UnrollLevel.Window:
                    w.Line("// F*F*D is over the unroll budget of " + Unrolling.Budget + ": the loop over input depth stays, the " + fx + "x" + fy + " window is unrolled.");
                    using (w.For("d", channels, out Affine d))
                    {
                        w.Line(Code.ReadOnlySpan + " sd = s.Slice(" + (d * plane) + ", " + Text.Literal(((fy - 1) * rowStep) + rowExtent) + ");");
                        w.Line(Code.ReadOnlySpan + " wd = w.Slice(" + (d * ((long)fy * fx)) + ", " + Text.Literal((long)fy * fx) + ");");
                        for (int y = 0; y < fy; y++)
                        {
                            for (int x = 0; x < fx; x++)
                            {
                                term("wd", ((long)y * fx) + x, "sd", (y * rowStep) + ((long)x * dx));
                            }
                        }
                    }

                    break;

                default:
                    w.Line("// The window is over the unroll budget of " + Unrolling.Budget + ": " + Unrolling.Describe(l, plan.Scalar.Unroll) + ".");
                    using (w.For("d", conv ? channels : 1, out Affine d))
                    {
                        using (w.For("fy", fy, out Affine row))
                        {
                            w.Line(Code.ReadOnlySpan + " sr = s.Slice(" + ((d * plane) + (row * rowStep)) + ", " + Text.Literal(rowExtent) + ");");
                            if (conv)
                            {
                                w.Line(Code.ReadOnlySpan + " wr = w.Slice(" + (((d * fy) + row) * fx) + ", " + fx + ");");
                            }

                            if (plan.Scalar.Unroll == UnrollLevel.Row)
                            {
                                for (int x = 0; x < fx; x++)
                                {
                                    term("wr", x, "sr", (long)x * dx);
                                }
                            }
                            else
                            {
                                using (w.For("fx", fx, out Affine column))
                                {
                                    term("wr", column, "sr", column * dx);
                                }
                            }
                        }
                    }

                    break;
            }
        }
    }
}
