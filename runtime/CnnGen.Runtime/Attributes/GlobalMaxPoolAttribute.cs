using System;

namespace CnnGen
{
    /// <summary>
    /// Global max pooling: W × H × D → 1 × 1 × D, each channel's largest value; NaN wins, as <c>max_pool2d</c>.
    /// </summary>
    /// <example><code>[Conv(64, 3, Padding = 1)] [Relu] [GlobalMaxPool] [FullyConnected(10)]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalMaxPoolAttribute : Attribute
    {
        /// <summary>The layer's member name (a C# identifier); default <c>GlobalMaxPool1</c>, <c>GlobalMaxPool2</c>, ….</summary>
        public string? Name { get; set; }

        /// <summary>
        /// The layer whose output this layer reads (its <c>Name</c>, or a default name such as <c>Conv1</c>): an earlier
        /// layer instead of the one just before. With <see cref="AddAttribute"/> and <see cref="ConcatAttribute"/> this
        /// declares residual and branching networks.
        /// </summary>
        /// <example><code>[Conv(32, 1, Stride = 2, Bias = false, From = "Stem")]   // a projection shortcut reading layer Stem</code></example>
        public string? From { get; set; }
    }
}
