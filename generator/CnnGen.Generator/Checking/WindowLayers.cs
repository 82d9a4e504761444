using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Shapes;

namespace CnnGen.Generator.Checking
{
    /// <summary>A conv or pool's window and output, once checked.</summary>
    internal sealed record WindowShape(Window Window, Volume Output, RoundingMode Rounding);

    /// <summary>
    /// Shapes of the layers with a window (conv and max pool): the window read from the attribute, the output from
    /// <see cref="ShapeMath"/> (the one formula), and CNN001, CNN002, CNN004 and the size limits of CNN003.
    /// </summary>
    internal static class WindowLayers
    {
        /// <summary>The window as the attribute declares it (a pool's Stride 0 is its size).</summary>
        public static (Window Window, RoundingMode Rounding) Read(LayerSpec spec)
        {
            bool conv = spec.Kind == LayerKind.Conv;
            int size = spec.Argument(conv ? 1 : 0);
            int stride = spec.Int("Stride", conv ? 1 : 0);
            if (!conv && stride == 0)
            {
                stride = size;
            }

            return (Window.Square(size, stride, spec.Int("Padding", 0)), (RoundingMode)spec.Int("Rounding", 0));
        }

        /// <summary>The output width and height of <paramref name="window"/> on <paramref name="input"/>, any value (below 1: does not fit).</summary>
        public static (long Width, long Height) OutputOf(Window window, Volume input, RoundingMode rounding) =>
            (ShapeMath.OutputSize(input.Width, window.SizeX, window.StrideX, window.PadLeft, rounding),
             ShapeMath.OutputSize(input.Height, window.SizeY, window.StrideY, window.PadTop, rounding));

        /// <summary>Whether the window gives a valid output on both axes: at least 1, and whole under Exact.</summary>
        public static bool Fits(LayerKind kind, Window window, Volume input, RoundingMode rounding)
        {
            if (window.SizeX < 1 || window.SizeY < 1 || window.StrideX < 1 || window.StrideY < 1 || window.PadLeft < 0 || window.PadTop < 0 ||
                (kind == LayerKind.MaxPool && (window.PadLeft >= window.SizeX || window.PadTop >= window.SizeY)))
            {
                return false;
            }

            if (rounding == RoundingMode.Exact &&
                (!ShapeMath.IsExact(input.Width, window.SizeX, window.StrideX, window.PadLeft) || !ShapeMath.IsExact(input.Height, window.SizeY, window.StrideY, window.PadTop)))
            {
                return false;
            }

            (long width, long height) = OutputOf(window, input, rounding);
            return width >= 1 && height >= 1;
        }

        public static WindowShape? Infer(LayerSpec spec, int index, string name, Volume input, List<Problem> problems, FixSearch? fixes)
        {
            bool conv = spec.Kind == LayerKind.Conv;
            (Window window, RoundingMode rounding) = Read(spec);
            bool ok = true;

            int declaredDepth = conv ? spec.Int("Depth", 0) : 0;
            if (declaredDepth != 0 && declaredDepth != input.Depth)
            {
                problems.Add(new Problem(
                    DiagnosticIds.DepthMismatch,
                    index,
                    ArgumentRef.Named("Depth"),
                    name + ": Depth = " + Text.Int(declaredDepth) + " does not match the input depth " + input.Depth + " (filters span the full input depth); Depth = " + input.Depth + ", or no Depth, would fit",
                    fixes?.DepthFixes(index, input.Depth) ?? default));
                ok = false;
            }

            int outDepth = conv ? spec.Argument(0) : input.Depth;
            (long outWidth, long outHeight) = OutputOf(window, input, rounding);
            if (outWidth < 1 || outHeight < 1)
            {
                bool byWidth = outWidth < 1;
                (IReadOnlyList<string> options, EquatableArray<Fix> found) = fixes?.DoesNotFit(index, window, input, outDepth, rounding) ?? (new string[0], default);
                problems.Add(new Problem(
                    DiagnosticIds.LayerDoesNotFit,
                    index,
                    ArgumentRef.Attribute,
                    name + ": the " + window.SizeX + "x" + window.SizeY + " window does not fit the " + input.Width + "x" + input.Height + " input with Padding = " + window.PadLeft +
                    ": output " + (byWidth ? "width" : "height") + " " + Formula(byWidth ? input.Width : input.Height, byWidth ? window.SizeX : window.SizeY, window.PadLeft, byWidth ? window.StrideX : window.StrideY) +
                    " = " + Text.Int(byWidth ? outWidth : outHeight) + " is below 1; " + Text.WouldFit(options),
                    found));
                return null;
            }

            if (rounding == RoundingMode.Exact)
            {
                bool exactWidth = ShapeMath.IsExact(input.Width, window.SizeX, window.StrideX, window.PadLeft);
                bool exactHeight = ShapeMath.IsExact(input.Height, window.SizeY, window.StrideY, window.PadTop);
                if (!exactWidth || !exactHeight)
                {
                    (IReadOnlyList<string> options, EquatableArray<Fix> found) = fixes?.NotExact(index, window, input, outDepth) ?? (new string[0], default);
                    if (!exactWidth)
                    {
                        problems.Add(NotInteger(name, index, "width", input.Width, window.SizeX, window.StrideX, window.PadLeft, options, found));
                    }

                    if (!exactHeight && (exactWidth || input.Height != input.Width))
                    {
                        problems.Add(NotInteger(name, index, "height", input.Height, window.SizeY, window.StrideY, window.PadTop, options, found));
                    }

                    return null;
                }
            }

            if (!ok)
            {
                return null;
            }

            long outLength = Sizes.Mul(Sizes.Mul(outWidth, outHeight), outDepth);
            if (outLength > int.MaxValue)
            {
                problems.Add(Sizes.TooLarge(name, index, "output volume " + Text.Shape(outWidth, outHeight, outDepth), outLength));
                return null;
            }

            // The padded input every window reads from (the kernels copy into it): it must be addressable too.
            long sourceWidth = System.Math.Max(ShapeMath.WindowExtent(outWidth, window.SizeX, window.StrideX), (long)input.Width + window.PadLeft + window.PadRight);
            long sourceHeight = System.Math.Max(ShapeMath.WindowExtent(outHeight, window.SizeY, window.StrideY), (long)input.Height + window.PadTop + window.PadBottom);
            long sourceLength = Sizes.Mul(Sizes.Mul(sourceWidth, sourceHeight), input.Depth);
            if (sourceLength > int.MaxValue)
            {
                problems.Add(Sizes.TooLarge(name, index, "padded input " + Text.Shape(sourceWidth, sourceHeight, input.Depth), sourceLength));
                return null;
            }

            return new WindowShape(window, new Volume((int)outWidth, (int)outHeight, outDepth), rounding);
        }

        /// <summary>"11x11x6": the output a window gives on <paramref name="input"/>.</summary>
        public static string OutputText(Window window, Volume input, int outDepth, RoundingMode rounding)
        {
            (long width, long height) = OutputOf(window, input, rounding);
            return Text.Shape(width, height, outDepth);
        }

        /// <summary>(14 − 5 + 2·0)/2 + 1</summary>
        public static string Formula(long input, long size, long padding, long stride) =>
            "(" + input + " \u2212 " + size + " + 2\u00B7" + padding + ")/" + stride + " + 1";

        private static Problem NotInteger(string name, int layer, string axisName, long axis, int size, int stride, int padding, IReadOnlyList<string> options, EquatableArray<Fix> fixes)
        {
            double value = ((double)ShapeMath.Span(axis, size, padding) / stride) + 1;
            return new Problem(
                DiagnosticIds.OutputNotInteger,
                layer,
                ArgumentRef.Attribute,
                name + ": output " + axisName + " " + Formula(axis, size, padding, stride) + " = " + Text.Decimal(value) + " is not an integer; " + Text.WouldFit(options),
                fixes);
        }
    }
}
