using System;

namespace CnnGen
{
    /// <summary>
    /// A max-pool layer: the maximum of each Fy × Fx window of each activation map independently, stride S (by default the
    /// window size), dilation, padding (padded cells are −∞, NaN propagates, as PyTorch's <c>max_pool2d</c>). Per axis the
    /// output is (W + Pbegin + Pend − Fd)/S + 1 (W2 = (W1 − F + 2P)/S + 1 for a plain square window), and D2 = D1. A per-axis
    /// or per-side property, when written, wins over the general one.
    /// </summary>
    /// <example><code>[MaxPool(3, Stride = 2, Padding = 1, Rounding = OutputRounding.Floor)]   // ResNet's stem
    /// [MaxPool(SizeX = 2, SizeY = 1)]                                              // pairs of columns</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPoolAttribute : Attribute
    {
        /// <summary>A max pool over <paramref name="size"/> × <paramref name="size"/> windows.</summary>
        public MaxPoolAttribute(int size)
        {
            Size = size;
        }

        /// <summary>A max pool whose window is given per axis by <see cref="SizeX"/> and <see cref="SizeY"/> (both needed).</summary>
        public MaxPoolAttribute()
        {
        }

        /// <summary>F, the window width and height (0 with the constructor that takes none).</summary>
        public int Size { get; }

        /// <summary>Fx, the window width; when not written, <see cref="Size"/>.</summary>
        public int SizeX { get; set; }

        /// <summary>Fy, the window height; when not written, <see cref="Size"/>.</summary>
        public int SizeY { get; set; }

        /// <summary>S, the step between windows; 0 (default) means the window size, on each axis.</summary>
        public int Stride { get; set; }

        /// <summary>The step across; when not written, <see cref="Stride"/> (0: the window width).</summary>
        public int StrideX { get; set; }

        /// <summary>The step down; when not written, <see cref="Stride"/> (0: the window height).</summary>
        public int StrideY { get; set; }

        /// <summary>The spacing of the window's taps on both axes (default 1).</summary>
        public int Dilation { get; set; } = 1;

        /// <summary>The dilation across; when not written, <see cref="Dilation"/>.</summary>
        public int DilationX { get; set; }

        /// <summary>The dilation down; when not written, <see cref="Dilation"/>.</summary>
        public int DilationY { get; set; }

        /// <summary>P, −∞ cells added on every side (default 0; each side below the window size on its axis).</summary>
        public int Padding { get; set; }

        /// <summary>−∞ cells left and right; when not written, <see cref="Padding"/>.</summary>
        public int PaddingX { get; set; }

        /// <summary>−∞ cells above and below; when not written, <see cref="Padding"/>.</summary>
        public int PaddingY { get; set; }

        /// <summary>−∞ cells on the left; when not written, <see cref="PaddingX"/>.</summary>
        public int PaddingLeft { get; set; }

        /// <summary>−∞ cells on the right; when not written, <see cref="PaddingX"/>.</summary>
        public int PaddingRight { get; set; }

        /// <summary>−∞ cells at the top; when not written, <see cref="PaddingY"/>.</summary>
        public int PaddingTop { get; set; }

        /// <summary>−∞ cells at the bottom; when not written, <see cref="PaddingY"/>.</summary>
        public int PaddingBottom { get; set; }

        /// <summary><see cref="CnnGen.PaddingMode.Same"/>: output ⌈W/S⌉ per axis, the padding worked out; then no padding property nor a <see cref="Rounding"/> may be written.</summary>
        public PaddingMode PaddingMode { get; set; }

        /// <summary>The layer's member name (a C# identifier); default <c>Pool1</c>, <c>Pool2</c>, ….</summary>
        public string? Name { get; set; }

        /// <summary>
        /// The layer whose output this layer reads (its <c>Name</c>, or a default name such as <c>Conv1</c>): an earlier
        /// layer instead of the one just before. With <see cref="AddAttribute"/> and <see cref="ConcatAttribute"/> this
        /// declares residual and branching networks.
        /// </summary>
        /// <example><code>[Conv(32, 1, Stride = 2, Bias = false, From = "Stem")]   // a projection shortcut reading layer Stem</code></example>
        public string? From { get; set; }

        /// <summary>How a non-integral output size is handled: Exact (error), Floor or Ceil (PyTorch's ceil_mode); when not written, the network's.</summary>
        public OutputRounding Rounding { get; set; }
    }
}
