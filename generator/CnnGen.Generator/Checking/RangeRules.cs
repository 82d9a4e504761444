using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Shapes;

namespace CnnGen.Generator.Checking
{
    /// <summary>CNN003: every value the user wrote, against its range, before any shape is inferred.</summary>
    internal static class RangeRules
    {
        public static void CheckInput(InputSpec input, List<Problem> problems)
        {
            int before = problems.Count;
            AtLeastOne("Input", Problem.InputLayer, 0, "width", input.Width, problems);
            AtLeastOne("Input", Problem.InputLayer, 1, "height", input.Height, problems);
            AtLeastOne("Input", Problem.InputLayer, 2, "depth", input.Depth, problems);
            if (problems.Count == before)
            {
                long length = Sizes.Mul(Sizes.Mul(input.Width, input.Height), input.Depth);
                if (length > int.MaxValue)
                {
                    problems.Add(Sizes.TooLarge("Input", Problem.InputLayer, "input volume " + Text.Shape(input.Width, input.Height, input.Depth), length));
                }
            }

            if (input.Rounding == (int)RoundingMode.Ceil)
            {
                problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, Problem.InputLayer, ArgumentRef.Named("Rounding"), "Input: Rounding = OutputRounding.Ceil applies to pools only, and Input's Rounding is the default of every conv too; OutputRounding.Floor (PyTorch's default) or OutputRounding.Exact would fit, and a pool can still say Ceil itself"));
            }
            else
            {
                DefinedRounding("Input", Problem.InputLayer, input.Rounding, problems);
            }
        }

        public static void Check(string name, int layer, LayerSpec spec, List<Problem> problems)
        {
            switch (spec.Kind)
            {
                case LayerKind.Conv:
                    AtLeastOne(name, layer, 0, "filters", spec.Argument(0), problems);
                    if (spec.Arguments.Count > 1)
                    {
                        AtLeastOne(name, layer, 1, "size", spec.Argument(1), problems);
                    }

                    CheckWindow(name, layer, spec, strideZeroIsSize: false, problems);
                    int depth = spec.Int("Depth", 0);
                    if (depth < 0)
                    {
                        problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Depth"), name + ": Depth = " + Text.Int(depth) + " is out of range: it must be 0 (the input depth) or the input depth itself"));
                    }

                    AtLeastOne(name, layer, "Groups", spec.Int("Groups", 1), problems);
                    int rounding = spec.Int("Rounding", 0);
                    if (rounding == (int)RoundingMode.Ceil)
                    {
                        problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Rounding"), name + ": Rounding = OutputRounding.Ceil applies to pools only; OutputRounding.Exact or OutputRounding.Floor would fit a conv"));
                    }
                    else
                    {
                        DefinedRounding(name, layer, rounding, problems);
                    }

                    break;

                case LayerKind.MaxPool:
                case LayerKind.AvgPool:
                    if (spec.Arguments.Count > 0)
                    {
                        AtLeastOne(name, layer, 0, "size", spec.Argument(0), problems);
                    }

                    CheckWindow(name, layer, spec, strideZeroIsSize: true, problems);
                    CheckPoolPadding(name, layer, spec, problems);
                    DefinedRounding(name, layer, spec.Int("Rounding", 0), problems);
                    break;

                case LayerKind.FullyConnected:
                    AtLeastOne(name, layer, 0, "outputs", spec.Argument(0), problems);
                    break;

                case LayerKind.BatchNorm:
                    if (spec.Find("Epsilon") is { } epsilon && !(epsilon.Number > 0 && !double.IsInfinity(epsilon.Number)))
                    {
                        problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Epsilon"), name + ": Epsilon = " + Text.Float(epsilon.Number) + " is out of range: it must be above 0 and finite (PyTorch's default is 1e-5f)"));
                    }

                    break;

                case LayerKind.LeakyRelu:
                    if (spec.Find("Slope") is { } slope && (double.IsNaN(slope.Number) || double.IsInfinity(slope.Number)))
                    {
                        problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Slope"), name + ": Slope = " + Text.Float(slope.Number) + " is out of range: it must be a finite number (PyTorch's default is 0.01f)"));
                    }

                    break;
            }
        }

        /// <summary>The per-axis properties of a window: sizes, strides, dilations, paddings, the padding mode, and the effective window's size.</summary>
        private static void CheckWindow(string name, int layer, LayerSpec spec, bool strideZeroIsSize, List<Problem> problems)
        {
            AtLeastOneIfSet(name, layer, spec, "SizeX", problems);
            AtLeastOneIfSet(name, layer, spec, "SizeY", problems);
            foreach (string stride in new[] { "Stride", "StrideX", "StrideY" })
            {
                if (spec.Find(stride) is not { } setting)
                {
                    continue;
                }

                int value = (int)setting.Number;
                if (strideZeroIsSize && value < 0)
                {
                    problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named(stride), name + ": " + stride + " = " + Text.Int(value) + " is out of range: it must be at least 1, or 0 for the window size"));
                }
                else if (!strideZeroIsSize)
                {
                    AtLeastOne(name, layer, stride, value, problems);
                }
            }

            foreach (string dilation in new[] { "Dilation", "DilationX", "DilationY" })
            {
                AtLeastOneIfSet(name, layer, spec, dilation, problems);
            }

            foreach (string padding in WindowLayers.PaddingProperties)
            {
                if (spec.Find(padding) is { } setting)
                {
                    NotNegative(name, layer, padding, (int)setting.Number, problems);
                }
            }

            int mode = spec.Int("PaddingMode", 0);
            if (mode is < 0 or > 2)
            {
                problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("PaddingMode"), name + ": PaddingMode = " + Text.Int(mode) + " is not a defined PaddingMode value; PaddingMode.Explicit, PaddingMode.Same or PaddingMode.SameLower would fit"));
            }

            // The dilated window D·(F − 1) + 1 must be a size the kernels can address.
            Window window = WindowLayers.Declared(spec);
            bool sameOnBothAxes = window.SizeX == window.SizeY && window.DilationX == window.DilationY;
            foreach ((string axis, long size, long dilation, long extent) in new[] { ("across", (long)window.SizeX, (long)window.DilationX, window.ExtentX), ("down", (long)window.SizeY, (long)window.DilationY, window.ExtentY) })
            {
                if (size >= 1 && dilation >= 1 && extent > int.MaxValue)
                {
                    // A square window with one dilation fails on both axes for the same reason: one report.
                    problems.Add(Sizes.TooLarge(name, layer, "dilated window " + (sameOnBothAxes ? "" : axis + " ") + dilation + "\u00B7(" + size + " \u2212 1) + 1", extent));
                    if (sameOnBothAxes)
                    {
                        break;
                    }
                }
            }
        }

        /// <summary>A pool's padding on each side must be below its window size on that axis.</summary>
        private static void CheckPoolPadding(string name, int layer, LayerSpec spec, List<Problem> problems)
        {
            Window window = WindowLayers.Declared(spec);
            var reported = new HashSet<string>();
            foreach ((string side, int padding, int size) in new[] { ("Left", window.PadLeft, window.SizeX), ("Right", window.PadRight, window.SizeX), ("Top", window.PadTop, window.SizeY), ("Bottom", window.PadBottom, window.SizeY) })
            {
                if (size < 1 || padding < size)
                {
                    continue;
                }

                string property = spec.First("Padding" + side, side is "Left" or "Right" ? "PaddingX" : "PaddingY", "Padding")?.Property ?? "Padding";
                if (reported.Add(property))
                {
                    string padded = spec.Kind == LayerKind.MaxPool ? "the \u2212\u221E padding" : "the padding";
                    problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named(property), name + ": " + property + " = " + Text.Int(padding) + " must be below the window size " + size + " (a window would lie wholly in " + padded + "); " + property + " = " + (size - 1) + " or less would fit"));
                }
            }
        }

        private static void AtLeastOneIfSet(string name, int layer, LayerSpec spec, string property, List<Problem> problems)
        {
            if (spec.Find(property) is { } setting)
            {
                AtLeastOne(name, layer, property, (int)setting.Number, problems);
            }
        }

        private static void AtLeastOne(string name, int layer, int position, string what, int value, List<Problem> problems)
        {
            if (value < 1)
            {
                problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Positional(position), name + ": " + what + " = " + Text.Int(value) + " is out of range: it must be at least 1"));
            }
        }

        private static void AtLeastOne(string name, int layer, string property, int value, List<Problem> problems)
        {
            if (value < 1)
            {
                problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named(property), name + ": " + property + " = " + Text.Int(value) + " is out of range: it must be at least 1"));
            }
        }

        private static void NotNegative(string name, int layer, string property, int value, List<Problem> problems)
        {
            if (value < 0)
            {
                problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named(property), name + ": " + property + " = " + Text.Int(value) + " is out of range: it must be 0 or more"));
            }
        }

        private static void DefinedRounding(string name, int layer, int rounding, List<Problem> problems)
        {
            if (rounding is < 0 or > 2)
            {
                problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Rounding"), name + ": Rounding = " + Text.Int(rounding) + " is not a defined OutputRounding value; OutputRounding.Exact, OutputRounding.Floor or OutputRounding.Ceil would fit"));
            }
        }
    }

    /// <summary>Size arithmetic in long, saturating rather than wrapping, and the CNN003 "too large" problem.</summary>
    internal static class Sizes
    {
        /// <summary>A product of non-negative sizes that saturates at <see cref="long.MaxValue"/> instead of wrapping.</summary>
        public static long Mul(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

        public static Problem TooLarge(string name, int layer, string what, long value) =>
            new(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Attribute, name + ": " + what + " = " + Text.Grouped(value) + " floats is too large to compute (above int.MaxValue = 2,147,483,647); smaller sizes would fit");
    }
}
