using System;

namespace CnnGen
{
    /// <summary>
    /// Global average pooling: W × H × D → 1 × 1 × D, each channel's mean (<c>adaptive_avg_pool2d(x, 1)</c>).
    /// </summary>
    /// <example><code>[Conv(64, 3, Padding = 1)] [Relu] [GlobalAvgPool] [FullyConnected(10)]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class GlobalAvgPoolAttribute : Attribute
    {
        /// <summary>The layer's member name (a C# identifier); default <c>GlobalAvgPool1</c>, <c>GlobalAvgPool2</c>, ….</summary>
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
