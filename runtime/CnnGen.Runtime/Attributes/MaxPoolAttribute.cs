using System;

namespace CnnGen
{
    /// <summary>
    /// A max-pool layer: the maximum of each F × F window (F = <see cref="Size"/>) of each activation
    /// map independently, stride S, padding P (padded cells are −∞, NaN propagates, as PyTorch's
    /// <c>max_pool2d</c>). The output is W2 = (W1 − F + 2P)/S + 1, H2 likewise, D2 = D1.
    /// </summary>
    /// <example><code>[MaxPool(3, Stride = 2, Rounding = OutputRounding.Floor)]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class MaxPoolAttribute : Attribute
    {
        /// <summary>A max pool over <paramref name="size"/> × <paramref name="size"/> windows.</summary>
        public MaxPoolAttribute(int size)
        {
            Size = size;
        }

        /// <summary>F, the window width and height.</summary>
        public int Size { get; }

        /// <summary>S, the step between windows; 0 (default) means the window size.</summary>
        public int Stride { get; set; }

        /// <summary>P, −∞ cells added on every side (default 0; must be below <see cref="Size"/>).</summary>
        public int Padding { get; set; }

        /// <summary>The layer's member name (a C# identifier); default <c>Pool1</c>, <c>Pool2</c>, ….</summary>
        public string? Name { get; set; }

        /// <summary>How a non-integral output size is handled: Exact (error), Floor or Ceil (PyTorch's ceil_mode).</summary>
        public OutputRounding Rounding { get; set; }
    }
}
