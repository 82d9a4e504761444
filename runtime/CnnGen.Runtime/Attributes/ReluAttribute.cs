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
    }
}
