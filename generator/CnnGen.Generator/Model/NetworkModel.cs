using System;
using CnnGen.Shapes;

namespace CnnGen.Generator.Model
{
    /// <summary>A type that contains the network class, outermost first (keyword such as <c>class</c> or <c>record struct</c>).</summary>
    internal sealed record ContainingType(string Keyword, string Name);

    /// <summary>
    /// One layer with every shape resolved: what the emitter needs and nothing Roslyn.
    /// Conv and pool layers read a source plane of <see cref="SourceWidth"/> × <see cref="SourceHeight"/>:
    /// the input itself, or a padded copy when <see cref="NeedsPaddedCopy"/>.
    /// </summary>
    internal sealed record LayerModel(
        LayerKind Kind,
        string Name,
        int InputWidth,
        int InputHeight,
        int InputDepth,
        int OutputWidth,
        int OutputHeight,
        int OutputDepth,
        int Size,
        int Stride,
        int Padding,
        RoundingMode Rounding,
        int WeightOffset,
        int WeightLength,
        int BiasOffset,
        int BiasLength,
        bool NeedsPaddedCopy,
        int SourceWidth,
        int SourceHeight)
    {
        public int InputLength => InputWidth * InputHeight * InputDepth;

        public int OutputLength => OutputWidth * OutputHeight * OutputDepth;

        public int SourceLength => SourceWidth * SourceHeight * InputDepth;

        public bool HasParameters => Kind is LayerKind.Conv or LayerKind.FullyConnected;

        public bool HasMethod => Kind != LayerKind.Relu;

        /// <summary>Multiply-adds (conv) or comparisons (pool) per output value: F·F·D or F·F.</summary>
        public long WindowTerms => Kind == LayerKind.Conv ? (long)Size * Size * InputDepth : (long)Size * Size;
    }

    /// <summary>A whole network, ready to emit.</summary>
    internal sealed record NetworkModel(
        string Namespace,
        EquatableArray<ContainingType> ContainingTypes,
        string Keyword,
        string ClassName,
        string HintName,
        int InputWidth,
        int InputHeight,
        int InputDepth,
        EquatableArray<LayerModel> Layers,
        int ParameterCount,
        int OutputLength,
        int MaxActivationLength,
        int MaxPaddedLength)
    {
        public int InputLength => InputWidth * InputHeight * InputDepth;
    }

    /// <summary>How much of a conv or pool window is unrolled into straight-line code.</summary>
    internal enum UnrollLevel
    {
        /// <summary>The whole F × F × D window (conv) or F × F window (pool).</summary>
        Full,

        /// <summary>The loop over input depth stays; the F × F window is unrolled inside.</summary>
        Window,

        /// <summary>Loops over depth and rows stay; one row of F is unrolled.</summary>
        Row,

        /// <summary>Nothing is unrolled.</summary>
        None,
    }

    /// <summary>The unroll budget: the most straight-line terms one output value may take.</summary>
    internal static class Unrolling
    {
        public const int Budget = 256;

        public static UnrollLevel LevelOf(LayerModel layer)
        {
            if (layer.WindowTerms <= Budget)
            {
                return UnrollLevel.Full;
            }

            long window = (long)layer.Size * layer.Size;
            if (layer.Kind == LayerKind.Conv && window <= Budget)
            {
                return UnrollLevel.Window;
            }

            return layer.Size <= Budget ? UnrollLevel.Row : UnrollLevel.None;
        }

        public static string Describe(LayerModel layer, UnrollLevel level)
        {
            string window = layer.Size + "x" + layer.Size;
            return level switch
            {
                UnrollLevel.Window => "the loop over input depth stays a loop, the " + window + " window is unrolled inside",
                UnrollLevel.Row => "the loops over " + (layer.Kind == LayerKind.Conv ? "input depth and " : string.Empty) + "window rows stay loops, each row of " + layer.Size + " is unrolled",
                UnrollLevel.None => "the window stays a loop",
                _ => throw new ArgumentOutOfRangeException(nameof(level)),
            };
        }
    }
}
