using System.Collections.Generic;

namespace CnnGen.Generator.Model
{
    /// <summary>The kinds of layer attribute.</summary>
    internal enum LayerKind
    {
        Conv,
        MaxPool,
        Relu,
        FullyConnected,
    }

    /// <summary>Which part of an attribute a problem points at.</summary>
    internal enum ArgumentSlot
    {
        /// <summary>The whole attribute.</summary>
        Attribute,

        /// <summary>First constructor argument (Input width, Conv filters, MaxPool size, FullyConnected outputs).</summary>
        Positional0,

        /// <summary>Second constructor argument (Input height, Conv size).</summary>
        Positional1,

        /// <summary>Third constructor argument (Input depth).</summary>
        Positional2,
        Stride,
        Padding,
        Depth,
        Name,
        Rounding,
    }

    /// <summary>The values written in <c>[Input(width, height, depth)]</c>.</summary>
    internal sealed record InputSpec(int Width, int Height, int Depth);

    /// <summary>
    /// The values written in one layer attribute, before any shape is known. <see cref="Count"/> is
    /// the filter count of a conv or the output count of a fully-connected layer.
    /// </summary>
    internal sealed record LayerSpec(
        LayerKind Kind,
        int Count,
        int Size,
        int Stride,
        int Padding,
        int Depth,
        string? Name,
        int Rounding)
    {
        public static LayerSpec Relu() => new(LayerKind.Relu, 0, 0, 0, 0, 0, null, 0);
    }

    /// <summary>A problem found in a declaration, pointing at a layer (or the input, or the class) and an argument.</summary>
    /// <summary>
    /// A change that makes a layer valid, for code fixes: set <see cref="Property"/> (Stride, Padding, Size,
    /// Rounding, Depth) to <see cref="Value"/> (null removes it), giving an output of <see cref="Output"/>.
    /// </summary>
    internal sealed record Fix(string Property, string? Value, string Output);

    internal sealed record Problem(string Id, int Layer, ArgumentSlot Slot, string Message, IReadOnlyList<Fix>? Fixes = null)
    {
        /// <summary><see cref="Layer"/> value for the <c>[Input]</c> attribute.</summary>
        public const int InputLayer = -1;

        /// <summary><see cref="Layer"/> value for the class name.</summary>
        public const int ClassName = -2;
    }
}
