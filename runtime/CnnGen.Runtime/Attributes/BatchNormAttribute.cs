using System;

namespace CnnGen
{
    /// <summary>
    /// Batch normalization in evaluation mode, per channel d: out = (x − running_mean[d]) / √(running_var[d] + ε) · weight[d]
    /// + bias[d], as PyTorch's <c>BatchNorm2d</c> (and <c>BatchNorm1d</c> after a fully-connected layer) in <c>eval()</c>.
    /// Parameters: <c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>, each [D]; the weights file also
    /// carries PyTorch's <c>num_batches_tracked</c>. Directly after a conv or fully-connected layer, <c>Forward</c> folds
    /// it into that layer's weights and bias when the parameters are set.
    /// </summary>
    /// <example><code>[Conv(32, 3, Padding = 1, Bias = false)] [BatchNorm] [Relu]</code></example>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    public sealed class BatchNormAttribute : Attribute
    {
        /// <summary>ε added to the variance (default 1e-5, PyTorch's <c>eps</c>); must be above 0 and finite.</summary>
        public float Epsilon { get; set; } = 1e-5f;

        /// <summary>The <c>state_dict</c> prefix of the layer's tensors (letters, digits, '_' and '.'): default the layer name with its first letter lower-cased.</summary>
        public string? Key { get; set; }

        /// <summary>The layer's member name (a C# identifier); default <c>Bn1</c>, <c>Bn2</c>, ….</summary>
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
