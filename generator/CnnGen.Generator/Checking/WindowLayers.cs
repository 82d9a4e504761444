using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Shapes;

namespace CnnGen.Generator.Checking
{
    /// <summary>A conv or pool's window and output, once checked.</summary>
    internal sealed record WindowShape(Window Window, Volume Output, RoundingMode Rounding);

    /// <summary>One axis of a window on its input, for the output formula and its messages.</summary>
    internal readonly record struct WindowAxis(string Name, long Input, int Size, int Stride, int Dilation, int PadBegin, int PadEnd)
    {
        public static WindowAxis X(Window window, Volume input) =>
            new("width", input.Width, window.SizeX, window.StrideX, window.DilationX, window.PadLeft, window.PadRight);

        public static WindowAxis Y(Window window, Volume input) =>
            new("height", input.Height, window.SizeY, window.StrideY, window.DilationY, window.PadTop, window.PadBottom);

        /// <summary>The effective window Fd = D·(F − 1) + 1.</summary>
        public long Extent => ShapeMath.EffectiveSize(Size, Dilation);

        public bool IsExact => ShapeMath.IsExact(Input, Extent, Stride, PadBegin, PadEnd);

        /// <summary>The output along this axis, any value (below 1: the window does not fit).</summary>
        public long Output(RoundingMode rounding) => ShapeMath.OutputSize(Input, Extent, Stride, PadBegin, PadEnd, rounding);

        /// <summary>
        /// The formula with this axis's numbers: v1's "(14 − 5 + 2·0)/2 + 1" for equal padding and no dilation, else
        /// "(49 + 4 + 5 − 10)/2 + 1" (input, begin and end padding, effective window).
        /// </summary>
        public string Formula => PadBegin == PadEnd && Dilation == 1
            ? "(" + Input + " \u2212 " + Size + " + 2\u00B7" + PadBegin + ")/" + Stride + " + 1"
            : "(" + Input + " + " + PadBegin + " + " + PadEnd + " \u2212 " + Extent + ")/" + Stride + " + 1";

        /// <summary>" (dilated window 2·(3 − 1) + 1 = 5)" when dilated, else empty.</summary>
        public string DilationNote => Dilation == 1 ? string.Empty : " (dilated window " + Dilation + "\u00B7(" + Size + " \u2212 1) + 1 = " + Extent + ")";
    }

    /// <summary>
    /// Shapes of the layers with a window (conv and pools): the window resolved from the attribute per axis (the most
    /// specific setting wins: side over axis over the plain property), the output from <see cref="ShapeMath"/> (the one
    /// formula), and CNN001, CNN002, CNN004, CNN011, CNN012, CNN013 and the size limits of CNN003.
    /// </summary>
    internal static class WindowLayers
    {
        public const int Explicit = 0;
        public const int Same = 1;
        public const int SameLower = 2;

        /// <summary>Every padding property, least specific first.</summary>
        public static readonly string[] PaddingProperties = { "Padding", "PaddingX", "PaddingY", "PaddingLeft", "PaddingRight", "PaddingTop", "PaddingBottom" };

        /// <summary>The constructor argument that holds the window size.</summary>
        public static int SizeArgument(LayerKind kind) => kind == LayerKind.Conv ? 1 : 0;

        /// <summary>The size given to the constructor, or 0 when the size-less constructor was used.</summary>
        public static int ConstructorSize(LayerSpec spec) => spec.Arguments.Count > SizeArgument(spec.Kind) ? spec.Arguments[SizeArgument(spec.Kind)] : 0;

        /// <summary>Whether the layer computes its padding (<c>PaddingMode.Same</c> or <c>SameLower</c>).</summary>
        public static bool IsSame(LayerSpec spec) => spec.Int("PaddingMode", Explicit) is Same or SameLower;

        /// <summary>The window as written, before <c>PaddingMode.Same</c> (which needs the input) is applied.</summary>
        public static Window Declared(LayerSpec spec)
        {
            bool pool = LayerKinds.IsPool(spec.Kind);
            int size = ConstructorSize(spec);
            int sizeX = spec.Int("SizeX", size), sizeY = spec.Int("SizeY", size);
            int stride = spec.Int("Stride", pool ? 0 : 1);
            int strideX = spec.Int("StrideX", stride), strideY = spec.Int("StrideY", stride);
            if (pool)
            {
                strideX = strideX == 0 ? sizeX : strideX;
                strideY = strideY == 0 ? sizeY : strideY;
            }

            int dilation = spec.Int("Dilation", 1);
            int padding = spec.Int("Padding", 0);
            int paddingX = spec.Int("PaddingX", padding), paddingY = spec.Int("PaddingY", padding);
            return new Window(
                sizeX,
                sizeY,
                strideX,
                strideY,
                spec.Int("PaddingLeft", paddingX),
                spec.Int("PaddingRight", paddingX),
                spec.Int("PaddingTop", paddingY),
                spec.Int("PaddingBottom", paddingY),
                spec.Int("DilationX", dilation),
                spec.Int("DilationY", dilation));
        }

        /// <summary>
        /// The window on <paramref name="input"/> and its rounding: the layer's own Rounding, else the network's
        /// (<c>Input</c>'s). <c>PaddingMode.Same</c> computes the padding per axis and rounds down (which gives ⌈W/S⌉).
        /// </summary>
        public static (Window Window, RoundingMode Rounding) Read(LayerSpec spec, Volume input, RoundingMode network)
        {
            Window window = Declared(spec);
            RoundingMode rounding = spec.Has("Rounding") ? (RoundingMode)spec.Int("Rounding", 0) : network;
            if (!IsSame(spec) || window.SizeX < 1 || window.SizeY < 1 || window.StrideX < 1 || window.StrideY < 1 || window.DilationX < 1 || window.DilationY < 1 ||
                window.ExtentX > int.MaxValue || window.ExtentY > int.MaxValue)
            {
                return (window, rounding);
            }

            bool lower = spec.Int("PaddingMode", Explicit) == SameLower;
            (long left, long right) = ShapeMath.SamePadding(input.Width, window.ExtentX, window.StrideX, lower);
            (long top, long bottom) = ShapeMath.SamePadding(input.Height, window.ExtentY, window.StrideY, lower);
            return (window with { PadLeft = (int)left, PadRight = (int)right, PadTop = (int)top, PadBottom = (int)bottom }, RoundingMode.Floor);
        }

        /// <summary>The output width and height of <paramref name="window"/> on <paramref name="input"/>, any value (below 1: does not fit).</summary>
        public static (long Width, long Height) OutputOf(Window window, Volume input, RoundingMode rounding) =>
            (WindowAxis.X(window, input).Output(rounding), WindowAxis.Y(window, input).Output(rounding));

        /// <summary>Whether the window gives a valid output on both axes: at least 1, and whole under Exact.</summary>
        public static bool Fits(LayerKind kind, Window window, Volume input, RoundingMode rounding)
        {
            if (window.SizeX < 1 || window.SizeY < 1 || window.StrideX < 1 || window.StrideY < 1 || window.DilationX < 1 || window.DilationY < 1 ||
                window.PadLeft < 0 || window.PadRight < 0 || window.PadTop < 0 || window.PadBottom < 0 ||
                window.ExtentX > int.MaxValue || window.ExtentY > int.MaxValue ||
                (LayerKinds.IsPool(kind) && (window.PadLeft >= window.SizeX || window.PadRight >= window.SizeX || window.PadTop >= window.SizeY || window.PadBottom >= window.SizeY)))
            {
                return false;
            }

            WindowAxis x = WindowAxis.X(window, input), y = WindowAxis.Y(window, input);
            if (rounding == RoundingMode.Exact && (!x.IsExact || !y.IsExact))
            {
                return false;
            }

            return x.Output(rounding) >= 1 && y.Output(rounding) >= 1;
        }

        /// <summary>
        /// Checks the layer and infers its output. After CNN001 the output is the floored one (what
        /// <c>OutputRounding.Floor</c> would give) and <paramref name="guessed"/> is set, so later layers are still checked.
        /// </summary>
        public static WindowShape? Infer(LayerSpec spec, int index, string name, Volume input, RoundingMode network, List<Problem> problems, FixSearch? fixes, out bool guessed)
        {
            guessed = false;
            bool conv = spec.Kind == LayerKind.Conv;
            if (!CheckSettings(spec, index, name, problems, fixes))
            {
                return null;
            }

            (Window window, RoundingMode rounding) = Read(spec, input, network);
            bool ok = true;

            if (IsSame(spec) && LayerKinds.IsPool(spec.Kind) && (window.PadLeft >= window.SizeX || window.PadRight >= window.SizeX || window.PadTop >= window.SizeY || window.PadBottom >= window.SizeY))
            {
                problems.Add(new Problem(
                    DiagnosticIds.ValueOutOfRange,
                    index,
                    ArgumentRef.Named("PaddingMode"),
                    name + ": PaddingMode.Same pads " + window.PadLeft + "," + window.PadRight + " across and " + window.PadTop + "," + window.PadBottom + " down, not below the " + window.SizeX + "x" + window.SizeY + " window on every side (a window would lie wholly in the padding); explicit padding would fit"));
                return null;
            }

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
            if (conv)
            {
                ok &= CheckGroups(spec, index, name, input.Depth, outDepth, problems, fixes);
            }

            WindowAxis x = WindowAxis.X(window, input), y = WindowAxis.Y(window, input);
            long outWidth = x.Output(rounding), outHeight = y.Output(rounding);
            if (outWidth < 1 || outHeight < 1)
            {
                WindowAxis axis = outWidth < 1 ? x : y;
                (IReadOnlyList<string> options, EquatableArray<Fix> found) = fixes?.DoesNotFit(index, window, input, outDepth, rounding, outWidth < 1, outHeight < 1) ?? (new string[0], default);
                problems.Add(new Problem(
                    DiagnosticIds.LayerDoesNotFit,
                    index,
                    ArgumentRef.Attribute,
                    name + ": the " + window.SizeX + "x" + window.SizeY + " window" + (window.IsDilated ? " (dilation " + window.DilationX + "x" + window.DilationY + ")" : string.Empty) + " does not fit the " + input.Width + "x" + input.Height + " input with " + PaddingText(window) +
                    ": output " + axis.Name + " " + axis.Formula + " = " + Text.Int(axis.Output(rounding)) + " is below 1" + axis.DilationNote + "; " + Text.WouldFit(options),
                    found));
                return null;
            }

            if (rounding == RoundingMode.Exact && (!x.IsExact || !y.IsExact))
            {
                (IReadOnlyList<string> options, EquatableArray<Fix> found) = fixes?.NotExact(index, window, input, outDepth, !x.IsExact, !y.IsExact) ?? (new string[0], default);
                if (!x.IsExact)
                {
                    problems.Add(NotInteger(name, index, x, options, found));
                }

                // A square case (same numbers on both axes) is reported once.
                if (!y.IsExact && (x.IsExact || y.Formula != x.Formula))
                {
                    problems.Add(NotInteger(name, index, y, options, found));
                }

                guessed = true;
                rounding = RoundingMode.Floor;
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
            long sourceWidth = System.Math.Max(ShapeMath.WindowExtent(outWidth, x.Extent, window.StrideX), (long)input.Width + window.PadLeft + window.PadRight);
            long sourceHeight = System.Math.Max(ShapeMath.WindowExtent(outHeight, y.Extent, window.StrideY), (long)input.Height + window.PadTop + window.PadBottom);
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

        /// <summary>"Padding = 1", or every side when they differ: "padding 1, 2 across and 0, 0 down".</summary>
        public static string PaddingText(Window window) =>
            window.PadLeft == window.PadRight && window.PadTop == window.PadBottom && window.PadLeft == window.PadTop
                ? "Padding = " + window.PadLeft
                : "padding " + window.PadLeft + ", " + window.PadRight + " across and " + window.PadTop + ", " + window.PadBottom + " down";

        /// <summary>CNN012 (Same with explicit padding or a rounding) and CNN013 (a size missing on one axis).</summary>
        private static bool CheckSettings(LayerSpec spec, int index, string name, List<Problem> problems, FixSearch? fixes)
        {
            bool ok = true;
            if (ConstructorSize(spec) == 0 && spec.Arguments.Count <= SizeArgument(spec.Kind))
            {
                Setting? sizeX = spec.Find("SizeX"), sizeY = spec.Find("SizeY");
                if (sizeX is null || sizeY is null)
                {
                    string constructor = spec.Kind == LayerKind.Conv ? "Conv(filters)" : LayerKinds.ShortName(spec.Kind) + "()";
                    string missing = sizeX is null && sizeY is null ? "SizeX and SizeY" : sizeX is null ? "SizeX" : "SizeY";
                    Setting? given = sizeX ?? sizeY;
                    EquatableArray<Fix> found = given is null ? default : fixes?.SizeFixes(index, sizeX is null ? "SizeX" : "SizeY", (int)given.Number) ?? default;
                    problems.Add(new Problem(
                        DiagnosticIds.SizeMissing,
                        index,
                        given is null ? ArgumentRef.Attribute : ArgumentRef.Named(given.Property),
                        name + ": " + constructor + " has no window size, so it needs both SizeX and SizeY; " + missing + (missing.Contains(" and ") ? " are" : " is") + " missing" +
                        (given is null ? "; give both, or the size as the constructor's argument" : "; " + (sizeX is null ? "SizeX" : "SizeY") + " = " + Text.Int((long)given.Number) + " would make the window square"),
                        found));
                    ok = false;
                }
            }

            if (IsSame(spec))
            {
                string mode = spec.Int("PaddingMode", Explicit) == SameLower ? "PaddingMode.SameLower" : "PaddingMode.Same";
                foreach (string property in PaddingProperties)
                {
                    if (spec.Find(property) is { } padding)
                    {
                        problems.Add(new Problem(
                            DiagnosticIds.ConflictingSettings,
                            index,
                            ArgumentRef.Named(property),
                            name + ": " + property + " = " + Text.Int((long)padding.Number) + " conflicts with PaddingMode = " + mode + ", which computes the padding itself; remove " + property + ", or set the padding explicitly without PaddingMode",
                            EquatableArray.Of(new Fix(property, null, string.Empty))));
                        ok = false;
                    }
                }

                int rounding = spec.Int("Rounding", 0);
                if (rounding != (int)RoundingMode.Exact)
                {
                    problems.Add(new Problem(
                        DiagnosticIds.ConflictingSettings,
                        index,
                        ArgumentRef.Named("Rounding"),
                        name + ": Rounding = " + RoundingText(rounding) + " conflicts with PaddingMode = " + mode + ", whose output is always \u2308W/S\u2309 (never a fraction); remove Rounding",
                        EquatableArray.Of(new Fix("Rounding", null, string.Empty))));
                    ok = false;
                }
            }

            return ok;
        }

        /// <summary>CNN011: the input depth and the filter count must both divide by Groups.</summary>
        private static bool CheckGroups(LayerSpec spec, int index, string name, int depth, int filters, List<Problem> problems, FixSearch? fixes)
        {
            int groups = spec.Int("Groups", 1);
            if (groups < 1 || (depth % groups == 0 && filters % groups == 0))
            {
                return true;
            }

            // The nearest group counts that divide both, below and above.
            var fits = new List<string>();
            List<long> divisors = FixSearch.CommonDivisors(depth, filters);
            if (divisors.FindLast(d => d < groups) is > 0 and long below)
            {
                fits.Add(Text.Literal(below));
            }

            if (divisors.Find(d => d > groups) is > 0 and long above)
            {
                fits.Add(Text.Literal(above));
            }

            string what = depth % groups != 0
                ? "the input depth " + depth + (filters % groups != 0 ? " or the filter count " + filters : string.Empty)
                : "the filter count " + filters;
            problems.Add(new Problem(
                DiagnosticIds.GroupsDoNotDivide,
                index,
                ArgumentRef.Named("Groups"),
                name + ": Groups = " + Text.Int(groups) + " does not divide " + what + " (each group reads depth/Groups channels and makes filters/Groups maps); Groups = " + Text.Or(fits) + " would fit",
                fixes?.GroupFixes(index, groups, depth, filters) ?? default));
            return false;
        }

        private static string RoundingText(int rounding) => rounding switch
        {
            0 => "OutputRounding.Exact",
            1 => "OutputRounding.Floor",
            2 => "OutputRounding.Ceil",
            _ => Text.Int(rounding),
        };

        private static Problem NotInteger(string name, int layer, WindowAxis axis, IReadOnlyList<string> options, EquatableArray<Fix> fixes)
        {
            double value = ((double)ShapeMath.Span(axis.Input, axis.Extent, axis.PadBegin, axis.PadEnd) / axis.Stride) + 1;
            return new Problem(
                DiagnosticIds.OutputNotInteger,
                layer,
                ArgumentRef.Attribute,
                name + ": output " + axis.Name + " " + axis.Formula + " = " + Text.Decimal(value) + " is not an integer" + axis.DilationNote + "; " + Text.WouldFit(options),
                fixes);
        }
    }
}
