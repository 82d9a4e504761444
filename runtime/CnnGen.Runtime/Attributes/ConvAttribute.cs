using System;

namespace CnnGen
{
    /// <summary>
    /// A convolution layer: K = <see cref="Filters"/> filters of F × F × D1 (F = <see cref="Size"/>,
    /// spanning the full input depth), stride S, zero padding P. The output is
    /// W2 = (W1 − F + 2P)/S + 1, H2 likewise, D2 = K; the layer has F·F·D1·K weights and K biases,
    /// laid out as PyTorch's <c>Conv2d</c>: weight [K][D1][F][F], bias [K].
    /// </summary>
    /// <example><code>[Input(32, 32, 3)] [Conv(16, 3, Stride = 2, Padding = 1, Rounding = OutputRounding.Floor)]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConvAttribute : Attribute
    {
        /// <summary>A convolution with <paramref name="filters"/> filters of <paramref name="size"/> × <paramref name="size"/>.</summary>
        public ConvAttribute(int filters, int size)
        {
            Filters = filters;
            Size = size;
        }

        /// <summary>K, the number of filters (the output depth).</summary>
        public int Filters { get; }

        /// <summary>F, the filter width and height.</summary>
        public int Size { get; }

        /// <summary>S, the step between windows (default 1).</summary>
        public int Stride { get; set; } = 1;

        /// <summary>P, zero cells added on every side of the input (default 0).</summary>
        public int Padding { get; set; }

        /// <summary>The filter depth: 0 (default) takes the input depth; any other value must equal it (CNN004).</summary>
        public int Depth { get; set; }

        /// <summary>The layer's member name (a C# identifier); default <c>Conv1</c>, <c>Conv2</c>, ….</summary>
        public string? Name { get; set; }

        /// <summary>How a non-integral output size is handled; <see cref="OutputRounding.Ceil"/> is for pools only.</summary>
        public OutputRounding Rounding { get; set; }
    }
}
