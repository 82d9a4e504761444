using System;

namespace CnnGen
{
    /// <summary>
    /// Softmax over depth at each position (y, x): out[d] = e^(x[d] − m) / Σ e^(x[i] − m), m the largest x[i] (numerically
    /// stable), as PyTorch's <c>softmax(dim=1)</c> on NCHW. After a fully-connected layer (a 1 × 1 × N volume) it is
    /// the softmax of the N outputs. It has no member.
    /// </summary>
    /// <example><code>[GlobalAvgPool] [FullyConnected(10)] [Softmax]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class SoftmaxAttribute : Attribute
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
