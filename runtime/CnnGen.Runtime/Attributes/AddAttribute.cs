using System;

namespace CnnGen
{
    /// <summary>
    /// Element-wise sum of the current volume and the output of an earlier layer (a residual shortcut): both must have
    /// the same width, height and depth (no broadcasting). It has no member.
    /// </summary>
    /// <example><code>[Conv(32, 3, Padding = 1, Bias = false)] [BatchNorm] [Add("Stem")] [Relu]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class AddAttribute : Attribute
    {
        /// <summary>Adds the output of <paramref name="layer"/> (its <c>Name</c> or default name) to the current volume.</summary>
        public AddAttribute(string layer)
        {
            Layer = layer;
        }

        /// <summary>The layer whose output is added.</summary>
        public string Layer { get; }

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
