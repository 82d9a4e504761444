using System;

namespace CnnGen
{
    /// <summary>
    /// A sigmoid activation: 1 / (1 + e^−x) (<c>sigmoid</c>), element-wise, as PyTorch's. It has no member: <c>Forward</c> applies it in the store of the
    /// layer before it where it can, else as a pass of its own.
    /// </summary>
    /// <example><code>[FullyConnected(1)] [Sigmoid]   // a probability</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SigmoidAttribute : Attribute
    {
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
