using System;

namespace CnnGen
{
    /// <summary>
    /// A fully-connected layer with <see cref="Outputs"/> outputs: out = W·x + b, where x is the
    /// previous volume flattened in CHW order. Weight [out][in] and bias [out], as PyTorch's <c>Linear</c>.
    /// Its output is a 1 × 1 × <see cref="Outputs"/> volume.
    /// </summary>
    /// <example><code>[FullyConnected(120)] [Relu] [FullyConnected(10)]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class FullyConnectedAttribute : Attribute
    {
        /// <summary>A fully-connected layer with <paramref name="outputs"/> outputs.</summary>
        public FullyConnectedAttribute(int outputs)
        {
            Outputs = outputs;
        }

        /// <summary>The number of outputs.</summary>
        public int Outputs { get; }

        /// <summary>Whether the layer adds a bias (default true); <c>false</c> is PyTorch's <c>bias=False</c>: no bias tensor, no bias parameters.</summary>
        public bool Bias { get; set; } = true;

        /// <summary>The <c>state_dict</c> prefix of the layer's tensors (letters, digits, '_' and '.'): default the layer name with its first letter lower-cased.</summary>
        public string? Key { get; set; }

        /// <summary>The layer's member name (a C# identifier); default <c>Fc1</c>, <c>Fc2</c>, ….</summary>
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
