using System;

namespace CnnGen
{
    /// <summary>
    /// An average-pool layer: the mean of each Fy × Fx window of each activation map, stride S (by default the window
    /// size), zero padding, as PyTorch's <c>avg_pool2d</c>. Per axis the output is (W + Pbegin + Pend − F)/S + 1, and D2 = D1.
    /// The divisor counts the padded cells a window covers when <see cref="CountIncludePadding"/> (PyTorch's default),
    /// else only the input cells; never the part of a <c>Ceil</c> window that lies past the padding (PyTorch's rule).
    /// </summary>
    /// <example><code>[AvgPool(3, Stride = 1, Padding = 1, CountIncludePadding = false)]
    /// [AvgPool(SizeX = 5, SizeY = 25)]   // the whole 5x25 map: keyword spotting's head</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AvgPoolAttribute : Attribute
    {
        /// <summary>An average pool over <paramref name="size"/> × <paramref name="size"/> windows.</summary>
        public AvgPoolAttribute(int size)
        {
            Size = size;
        }

        /// <summary>An average pool whose window is given per axis by <see cref="SizeX"/> and <see cref="SizeY"/> (both needed).</summary>
        public AvgPoolAttribute()
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

        /// <summary>P, zero cells added on every side (default 0; each side below the window size on its axis).</summary>
        public int Padding { get; set; }

        /// <summary>Zero cells left and right; when not written, <see cref="Padding"/>.</summary>
        public int PaddingX { get; set; }

        /// <summary>Zero cells above and below; when not written, <see cref="Padding"/>.</summary>
        public int PaddingY { get; set; }

        /// <summary>Zero cells on the left; when not written, <see cref="PaddingX"/>.</summary>
        public int PaddingLeft { get; set; }

        /// <summary>Zero cells on the right; when not written, <see cref="PaddingX"/>.</summary>
        public int PaddingRight { get; set; }

        /// <summary>Zero cells at the top; when not written, <see cref="PaddingY"/>.</summary>
        public int PaddingTop { get; set; }

        /// <summary>Zero cells at the bottom; when not written, <see cref="PaddingY"/>.</summary>
        public int PaddingBottom { get; set; }

        /// <summary><see cref="CnnGen.PaddingMode.Same"/>: output ⌈W/S⌉ per axis, the padding worked out; then no padding property nor a <see cref="Rounding"/> may be written.</summary>
        public PaddingMode PaddingMode { get; set; }

        /// <summary>Whether padded cells count in the divisor (default true, PyTorch's <c>count_include_pad</c>).</summary>
        public bool CountIncludePadding { get; set; } = true;

        /// <summary>The layer's member name (a C# identifier); default <c>AvgPool1</c>, <c>AvgPool2</c>, ….</summary>
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
