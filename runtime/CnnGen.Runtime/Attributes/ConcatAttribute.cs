using System;

namespace CnnGen
{
    /// <summary>
    /// The outputs of the named layers stacked along depth, in the given order (the current volume only if it is
    /// named): their widths and heights must be equal; the depth is the sum. It has no member.
    /// </summary>
    /// <example><code>[Conv(16, 1, Name = "E1")] [Relu] [Conv(16, 3, Padding = 1, From = "Squeeze", Name = "E3")] [Relu] [Concat("E1", "E3")]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class ConcatAttribute : Attribute
    {
        /// <summary>Stacks the outputs of <paramref name="layers"/> (names or default names) along depth.</summary>
        public ConcatAttribute(params string[] layers)
        {
            Layers = layers;
        }

        /// <summary>The layers whose outputs are stacked, in order.</summary>
        public string[] Layers { get; }

        /// <summary>A name for this layer's output, so that a later <c>From</c>, <c>Add</c> or <c>Concat</c> can read it (a C# identifier). It gets no member.</summary>
        public string? Name { get; set; }
    }
}
