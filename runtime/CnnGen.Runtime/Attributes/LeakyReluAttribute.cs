using System;

namespace CnnGen
{
    /// <summary>
    /// A leaky ReLU: x when x ≥ 0, else <see cref="Slope"/>·x (<c>leaky_relu</c>), element-wise, as PyTorch's. It has no member: <c>Forward</c> applies it in the store of the
    /// layer before it where it can, else as a pass of its own.
    /// </summary>
    /// <example><code>[Conv(16, 3)] [LeakyRelu(Slope = 0.2f)]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class LeakyReluAttribute : Attribute
    {
        /// <summary>The slope for negative inputs (default 0.01, PyTorch's <c>negative_slope</c>); any finite value.</summary>
        public float Slope { get; set; } = 0.01f;

        /// <summary>A name for this layer's output, so that a later <c>From</c>, <c>Add</c> or <c>Concat</c> can read it (a C# identifier). It gets no member.</summary>
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
