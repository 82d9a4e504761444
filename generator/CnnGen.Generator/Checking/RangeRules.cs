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
        }

        public static void Check(string name, int layer, LayerSpec spec, List<Problem> problems)
        {
            switch (spec.Kind)
            {
                case LayerKind.Conv:
                    AtLeastOne(name, layer, 0, "filters", spec.Argument(0), problems);
                    AtLeastOne(name, layer, 1, "size", spec.Argument(1), problems);
                    AtLeastOne(name, layer, "Stride", spec.Int("Stride", 1), problems);
                    NotNegative(name, layer, "Padding", spec.Int("Padding", 0), problems);
                    int depth = spec.Int("Depth", 0);
                    if (depth < 0)
                    {
                        problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Depth"), name + ": Depth = " + Text.Int(depth) + " is out of range: it must be 0 (the input depth) or the input depth itself"));
                    }

                    int rounding = spec.Int("Rounding", 0);
                    if (rounding == (int)RoundingMode.Ceil)
                    {
                        problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Rounding"), name + ": Rounding = Ceil applies to pools only; Rounding = Exact or Floor would fit a conv"));
                    }
                    else
                    {
                        DefinedRounding(name, layer, rounding, problems);
                    }

                    break;

                case LayerKind.MaxPool:
                    int size = spec.Argument(0);
                    AtLeastOne(name, layer, 0, "size", size, problems);
                    int stride = spec.Int("Stride", 0);
                    if (stride < 0)
                    {
                        problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Stride"), name + ": Stride = " + Text.Int(stride) + " is out of range: it must be at least 1, or 0 for the window size"));
                    }

                    int padding = spec.Int("Padding", 0);
                    NotNegative(name, layer, "Padding", padding, problems);
                    if (size >= 1 && padding >= size)
                    {
                        problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Padding"), name + ": Padding = " + Text.Int(padding) + " must be below the window size " + size + " (a window would lie wholly in the \u2212\u221E padding); Padding = " + (size - 1) + " or less would fit"));
                    }

                    DefinedRounding(name, layer, spec.Int("Rounding", 0), problems);
                    break;

                case LayerKind.FullyConnected:
                    AtLeastOne(name, layer, 0, "outputs", spec.Argument(0), problems);
                    break;
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
                problems.Add(new Problem(DiagnosticIds.ValueOutOfRange, layer, ArgumentRef.Named("Rounding"), name + ": Rounding = " + Text.Int(rounding) + " is not a defined OutputRounding value; Exact, Floor or Ceil would fit"));
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
