using CnnGen.Shapes;

namespace CnnGen.Generator.Model
{
    /// <summary>A W × H × D volume, stored CHW. Every length of a checked network fits an int.</summary>
    internal readonly record struct Volume(int Width, int Height, int Depth)
    {
        public int Plane => Width * Height;

        public int Length => Width * Height * Depth;

        /// <summary>"14x14x6".</summary>
        public override string ToString() => Text.Shape(Width, Height, Depth);
    }

    /// <summary>
    /// The window of a conv or pool, per axis (x is the width axis): size (taps), stride, dilation (the spacing of the taps)
    /// and the padding on each side. v1 declarations give square windows, dilation 1, with equal padding on every side.
    /// </summary>
    internal sealed record Window(int SizeX, int SizeY, int StrideX, int StrideY, int PadLeft, int PadRight, int PadTop, int PadBottom, int DilationX = 1, int DilationY = 1)
    {
        public static Window Square(int size, int stride, int padding) => new(size, size, stride, stride, padding, padding, padding, padding);

        public int Taps => SizeX * SizeY;

        /// <summary>The cells the window covers across: DilationX·(SizeX − 1) + 1.</summary>
        public long ExtentX => ((long)DilationX * (SizeX - 1)) + 1;

        /// <summary>The cells the window covers down.</summary>
        public long ExtentY => ((long)DilationY * (SizeY - 1)) + 1;

        public bool HasPadding => PadLeft > 0 || PadRight > 0 || PadTop > 0 || PadBottom > 0;

        public bool IsDilated => DilationX != 1 || DilationY != 1;

        /// <summary>Square, undilated, with equal padding: describable as F, S, P.</summary>
        public bool IsSquare => SizeX == SizeY && StrideX == StrideY && PadLeft == PadRight && PadTop == PadBottom && PadLeft == PadTop && !IsDilated;

        /// <summary>"F=5 S=1 P=0", or per axis ("F=4x10 S=2x2 P=1,4,2,5 D=1x1": left, top, right, bottom).</summary>
        public override string ToString() => IsSquare
            ? "F=" + SizeX + " S=" + StrideX + " P=" + PadLeft
            : "F=" + SizeX + "x" + SizeY + " S=" + StrideX + "x" + StrideY + " P=" + PadLeft + "," + PadTop + "," + PadRight + "," + PadBottom + (IsDilated ? " D=" + DilationX + "x" + DilationY : string.Empty);
    }

    /// <summary>Where a tensor of a layer sits in the flat parameters.</summary>
    internal readonly record struct Slice(int Offset, int Length);

    /// <summary>
    /// One layer with every shape resolved. <see cref="Name"/> is its member name (empty for a ReLU) and
    /// <see cref="Identifier"/> the same name as written alone in C# (<c>@nameof</c> for a layer named <c>nameof</c>);
    /// <see cref="Key"/> the state_dict prefix of its tensors. A conv has <see cref="Groups"/> (1 unless grouped) and a
    /// <see cref="Bias"/> of length 0 when it has none; an average pool counts padding in its divisor when
    /// <see cref="CountIncludePadding"/>. <see cref="Sources"/> are the layers whose outputs it reads (−1: the network's
    /// input): the layer before it or its <c>From</c>, then an <c>Add</c>'s other operand, or a <c>Concat</c>'s layers.
    /// A batch norm's weight and bias are <see cref="Weight"/> and <see cref="Bias"/>, its running statistics
    /// <see cref="Mean"/> and <see cref="Variance"/>; <see cref="Value"/> is its ε, or a leaky ReLU's slope.
    /// <see cref="FusedCeiling"/> is set only on the view a layer's kernels have (<c>LayerPlan.Kernel</c>): the upper clamp
    /// of the activation Forward fuses into them (6 for a ReLU6; +∞ for a ReLU).
    /// </summary>
    internal sealed record LayerModel(
        LayerKind Kind,
        int Index,
        string Name,
        string Identifier,
        Volume Input,
        Volume Output,
        Window? Window,
        RoundingMode Rounding,
        Slice Weight,
        Slice Bias,
        int Groups = 1,
        string Key = "",
        bool CountIncludePadding = true,
        EquatableArray<int> Sources = default,
        float Value = 0f,
        Slice Mean = default,
        Slice Variance = default,
        float FusedCeiling = float.PositiveInfinity)
    {
        /// <summary>The layer (or −1, the input) this layer's main input comes from.</summary>
        public int Source => Sources.Count > 0 ? Sources[0] : Index - 1;

        /// <summary>Every layer whose output it reads: <see cref="Sources"/>, or the layer before it when none are given (a model built by hand).</summary>
        public EquatableArray<int> Reads => Sources.Count > 0 ? Sources : EquatableArray.Of(Index - 1);

        public bool HasParameters => LayerKinds.HasParameters(Kind);

        public bool HasBias => Bias.Length > 0;

        /// <summary>Input channels per group: the depth each filter reads.</summary>
        public int GroupDepth => Input.Depth / Groups;

        /// <summary>A depthwise conv: one input channel per group.</summary>
        public bool IsDepthwise => Kind == LayerKind.Conv && Groups > 1 && Groups == Input.Depth;

        public bool HasMembers => LayerKinds.HasMembers(Kind);

        public bool IsActivation => LayerKinds.IsActivation(Kind);

        /// <summary>Multiply-adds (conv) or comparisons and additions (pool) per output value: Fy·Fx·D/G or Fy·Fx.</summary>
        public long WindowTerms => Window is null ? 0 : Kind == LayerKind.Conv ? (long)Window.Taps * GroupDepth : Window.Taps;
    }

    /// <summary>A whole checked network: every shape known and valid, nothing Roslyn.</summary>
    internal sealed record NetworkModel(ClassSpec Class, Volume Input, EquatableArray<LayerModel> Layers, int ParameterCount)
    {
        /// <summary>The network's output: the last layer's, or the input when there are no layers.</summary>
        public Volume Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;
    }
}
