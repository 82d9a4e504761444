using System;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Planning
{
    /// <summary>
    /// The unroll budgets. The scalar kernel unrolls up to <see cref="Budget"/> window terms per output value (CNN009
    /// reports a layer over it). A vector step repeats each unrolled tap once per accumulator (up to 16 multiply-adds
    /// per tap), so it unrolls less: a window of up to <see cref="VectorTaps"/> taps whole, otherwise each row of up to
    /// <see cref="VectorRow"/> taps, keeping loops over input channels and window rows. Measured on the benchmark
    /// cases: unrolling 3x3 and 5x5 windows row by row runs as fast as unrolling them whole (within 3 %) with half the
    /// generated source; keeping the taps of a row as a loop too made 5x5 convs 12–17 % slower.
    /// </summary>
    internal static class Unrolling
    {
        public const int Budget = 256;

        public const int VectorTaps = 4;

        public const int VectorRow = 16;

        /// <summary>The scalar kernel's level: the whole window when it fits the budget, else as much as fits.</summary>
        public static UnrollLevel Scalar(LayerModel layer)
        {
            Window window = layer.Window!;
            if (layer.WindowTerms <= Budget)
            {
                return UnrollLevel.Full;
            }

            if (layer.Kind == LayerKind.Conv && window.Taps <= Budget)
            {
                return UnrollLevel.Window;
            }

            return window.SizeX <= Budget ? UnrollLevel.Row : UnrollLevel.None;
        }

        /// <summary>A vector step's level: the window when it has at most <see cref="VectorTaps"/> taps, else its rows when they have at most <see cref="VectorRow"/>.</summary>
        public static UnrollLevel Vector(LayerModel layer)
        {
            Window window = layer.Window!;
            if (window.Taps <= VectorTaps)
            {
                return UnrollLevel.Window;
            }

            return window.SizeX <= VectorRow ? UnrollLevel.Row : UnrollLevel.None;
        }

        /// <summary>What stays a loop at <paramref name="level"/>, for comments and CNN009: "the loop over input depth stays a loop, …".</summary>
        public static string Describe(LayerModel layer, UnrollLevel level)
        {
            Window window = layer.Window!;
            string size = window.SizeX + "x" + window.SizeY;
            bool conv = layer.Kind == LayerKind.Conv;
            return level switch
            {
                UnrollLevel.Full => "the whole " + (conv ? size + "x" + layer.Input.Depth + " window" : size + " window") + " is unrolled",
                UnrollLevel.Window => "the loop over input depth stays a loop, the " + size + " window is unrolled inside",
                UnrollLevel.Row => "the loops over " + (conv ? "input depth and " : string.Empty) + "window rows stay loops, each row of " + window.SizeX + " is unrolled",
                UnrollLevel.None => "the window stays a loop",
                _ => throw new ArgumentOutOfRangeException(nameof(level)),
            };
        }
    }
}
