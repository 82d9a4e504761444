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
    /// The window of a conv or pool, per axis (x is the width axis): size, stride and the padding on each side.
    /// v1 declarations give square windows with equal padding on every side.
    /// </summary>
    internal sealed record Window(int SizeX, int SizeY, int StrideX, int StrideY, int PadLeft, int PadRight, int PadTop, int PadBottom)
    {
        public static Window Square(int size, int stride, int padding) => new(size, size, stride, stride, padding, padding, padding, padding);

        public int Taps => SizeX * SizeY;

        public bool HasPadding => PadLeft > 0 || PadRight > 0 || PadTop > 0 || PadBottom > 0;

        /// <summary>Square with equal padding: describable as F, S, P.</summary>
        public bool IsSquare => SizeX == SizeY && StrideX == StrideY && PadLeft == PadRight && PadTop == PadBottom && PadLeft == PadTop;

        /// <summary>"F=5 S=1 P=0" (or per axis when the window is not square).</summary>
        public override string ToString() => IsSquare
            ? "F=" + SizeX + " S=" + StrideX + " P=" + PadLeft
            : "F=" + SizeX + "x" + SizeY + " S=" + StrideX + "x" + StrideY + " P=" + PadLeft + "," + PadTop + "," + PadRight + "," + PadBottom;
    }

    /// <summary>Where a tensor of a layer sits in the flat parameters.</summary>
    internal readonly record struct Slice(int Offset, int Length);

    /// <summary>
    /// One layer with every shape resolved. <see cref="Name"/> is its member name (empty for a ReLU) and
    /// <see cref="Identifier"/> the same name as written alone in C# (<c>@nameof</c> for a layer named <c>nameof</c>).
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
        Slice Bias)
    {
        public bool HasParameters => LayerKinds.HasParameters(Kind);

        public bool HasMembers => LayerKinds.HasMembers(Kind);

        /// <summary>Multiply-adds (conv) or comparisons (pool) per output value: Fy·Fx·D or Fy·Fx.</summary>
        public long WindowTerms => Window is null ? 0 : Kind == LayerKind.Conv ? (long)Window.Taps * Input.Depth : Window.Taps;
    }

    /// <summary>A whole checked network: every shape known and valid, nothing Roslyn.</summary>
    internal sealed record NetworkModel(ClassSpec Class, Volume Input, EquatableArray<LayerModel> Layers, int ParameterCount)
    {
        /// <summary>The network's output: the last layer's, or the input when there are no layers.</summary>
        public Volume Output => Layers.Count == 0 ? Input : Layers[Layers.Count - 1].Output;
    }
}
