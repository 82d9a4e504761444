using System;

namespace CnnGen
{
    /// <summary>
    /// Declares the input volume of a network: width × height ×
    /// depth (W1 × H1 × D1), stored CHW. Exactly one, and the first layer attribute.
    /// </summary>
    /// <example><code>[Input(32, 32, 3)] [Conv(6, 5)] [Relu] [MaxPool(2)] [FullyConnected(10)]
    /// public partial class TinyNet { }
    ///
    /// [Input(224, 224, 3, Rounding = OutputRounding.Floor)]   // PyTorch's rounding for the whole network</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public sealed class InputAttribute : Attribute
    {
        /// <summary>Declares a <paramref name="width"/> × <paramref name="height"/> × <paramref name="depth"/> input volume.</summary>
        public InputAttribute(int width, int height, int depth)
        {
            Width = width;
            Height = height;
            Depth = depth;
        }

        /// <summary>W1, the input width (the W1 of W2 = (W1 − F + 2P)/S + 1 for the first layer).</summary>
        public int Width { get; }

        /// <summary>H1, the input height.</summary>
        public int Height { get; }

        /// <summary>D1, the input depth (channels).</summary>
        public int Depth { get; }

        /// <summary>
        /// The rounding of every layer of the network that does not write its own (default <see cref="OutputRounding.Exact"/>):
        /// <c>Rounding = OutputRounding.Floor</c> once here ports a PyTorch model whose strides do not divide evenly.
        /// </summary>
        public OutputRounding Rounding { get; set; }
    }
}
