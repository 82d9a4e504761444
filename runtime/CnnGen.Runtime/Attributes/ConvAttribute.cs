using System;

namespace CnnGen
{
    /// <summary>
    /// A convolution layer: K = <see cref="Filters"/> filters of Fy × Fx × D1/G (spanning the input depth, or its share of
    /// it with <see cref="Groups"/>), stride S, dilation, zero padding. Per axis the output is
    /// (W + Pbegin + Pend − Fd)/S + 1 with Fd = Dilation·(F − 1) + 1 (W2 = (W1 − F + 2P)/S + 1 for a plain square window),
    /// and D2 = K; the layer has K·(D1/G)·Fy·Fx weights and K biases, laid out as PyTorch's <c>Conv2d</c>:
    /// weight [K][D1/G][Fy][Fx], bias [K]. Properties left unwritten take the defaults below; a per-axis or per-side
    /// property, when written, wins over the general one (<see cref="PaddingLeft"/> over <see cref="PaddingX"/> over
    /// <see cref="Padding"/>).
    /// </summary>
    /// <example><code>[Input(32, 32, 3)] [Conv(16, 3, Stride = 2, Padding = 1, Rounding = OutputRounding.Floor)]
    /// [Input(10, 49, 1)] [Conv(64, SizeX = 4, SizeY = 10, Stride = 2, PaddingMode = PaddingMode.Same)]   // keyword spotting's stem
    /// [Conv(32, 3, Padding = 1, Groups = 32, Bias = false)]                                                // depthwise</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConvAttribute : Attribute
    {
        /// <summary>A convolution with <paramref name="filters"/> filters of <paramref name="size"/> × <paramref name="size"/>.</summary>
        public ConvAttribute(int filters, int size)
        {
            Filters = filters;
            Size = size;
        }

        /// <summary>A convolution with <paramref name="filters"/> filters whose window is given per axis by <see cref="SizeX"/> and <see cref="SizeY"/> (both needed).</summary>
        public ConvAttribute(int filters)
        {
            Filters = filters;
        }

        /// <summary>K, the number of filters (the output depth).</summary>
        public int Filters { get; }

        /// <summary>F, the filter width and height (0 with the constructor that takes none).</summary>
        public int Size { get; }

        /// <summary>Fx, the filter width; when not written, <see cref="Size"/>.</summary>
        public int SizeX { get; set; }

        /// <summary>Fy, the filter height; when not written, <see cref="Size"/>.</summary>
        public int SizeY { get; set; }

        /// <summary>S, the step between windows on both axes (default 1).</summary>
        public int Stride { get; set; } = 1;

        /// <summary>The step across (width axis); when not written, <see cref="Stride"/>.</summary>
        public int StrideX { get; set; }

        /// <summary>The step down (height axis); when not written, <see cref="Stride"/>.</summary>
        public int StrideY { get; set; }

        /// <summary>The spacing of the window's taps on both axes (default 1): the window covers Dilation·(F − 1) + 1 cells.</summary>
        public int Dilation { get; set; } = 1;

        /// <summary>The dilation across; when not written, <see cref="Dilation"/>.</summary>
        public int DilationX { get; set; }

        /// <summary>The dilation down; when not written, <see cref="Dilation"/>.</summary>
        public int DilationY { get; set; }

        /// <summary>P, zero cells added on every side of the input (default 0).</summary>
        public int Padding { get; set; }

        /// <summary>Zero cells left and right; when not written, <see cref="Padding"/>.</summary>
        public int PaddingX { get; set; }

        /// <summary>Zero cells above and below; when not written, <see cref="Padding"/>.</summary>
        public int PaddingY { get; set; }

        /// <summary>Zero cells on the left; when not written, <see cref="PaddingX"/> (ONNX <c>pads</c> are per side).</summary>
        public int PaddingLeft { get; set; }

        /// <summary>Zero cells on the right; when not written, <see cref="PaddingX"/>.</summary>
        public int PaddingRight { get; set; }

        /// <summary>Zero cells at the top; when not written, <see cref="PaddingY"/>.</summary>
        public int PaddingTop { get; set; }

        /// <summary>Zero cells at the bottom; when not written, <see cref="PaddingY"/>.</summary>
        public int PaddingBottom { get; set; }

        /// <summary>
        /// <see cref="CnnGen.PaddingMode.Same"/>: output ⌈W/S⌉ per axis, the padding worked out (TensorFlow's <c>same</c>);
        /// then no padding property nor a <see cref="Rounding"/> may be written.
        /// </summary>
        public PaddingMode PaddingMode { get; set; }

        /// <summary>The filter depth: 0 (default) takes the input depth; any other value must equal it (CNN004).</summary>
        public int Depth { get; set; }

        /// <summary>
        /// G (default 1): the input channels and the filters split into G groups, filter k reading only the D1/G channels of
        /// its group g = k / (K/G). Depth and K must both divide by it. Depthwise: <c>Groups</c> = D1 (K = D1·multiplier).
        /// </summary>
        public int Groups { get; set; } = 1;

        /// <summary>Whether the layer adds a bias (default true); <c>false</c> is PyTorch's <c>bias=False</c>: no bias tensor, no bias parameters.</summary>
        public bool Bias { get; set; } = true;

        /// <summary>The <c>state_dict</c> prefix of the layer's tensors (letters, digits, '_' and '.'): default the layer name with its first letter lower-cased.</summary>
        public string? Key { get; set; }

        /// <summary>The layer's member name (a C# identifier); default <c>Conv1</c>, <c>Conv2</c>, ….</summary>
        public string? Name { get; set; }

        /// <summary>
        /// The layer whose output this layer reads (its <c>Name</c>, or a default name such as <c>Conv1</c>): an earlier
        /// layer instead of the one just before. With <see cref="AddAttribute"/> and <see cref="ConcatAttribute"/> this
        /// declares residual and branching networks.
        /// </summary>
        /// <example><code>[Conv(32, 1, Stride = 2, Bias = false, From = "Stem")]   // a projection shortcut reading layer Stem</code></example>
        public string? From { get; set; }

        /// <summary>How a non-integral output size is handled; when not written, the network's (<see cref="InputAttribute.Rounding"/>). <see cref="OutputRounding.Ceil"/> is for pools only.</summary>
        public OutputRounding Rounding { get; set; }
    }
}
