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

        /// <summary>The layer's member name (a C# identifier); default <c>Fc1</c>, <c>Fc2</c>, ….</summary>
        public string? Name { get; set; }
    }
}
