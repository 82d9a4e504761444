using System;

namespace CnnGen
{
    /// <summary>
    /// A ReLU activation, max(0, x) element-wise (NaN stays NaN, as in PyTorch). It has no member of
    /// its own: <c>Forward</c> fuses it into the store of the layer before it.
    /// </summary>
    /// <example><code>[Conv(6, 5)] [Relu] [MaxPool(2)]   // conv, then max(0, x), then pool</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ReluAttribute : Attribute
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
