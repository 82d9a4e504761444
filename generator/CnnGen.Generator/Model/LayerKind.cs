namespace CnnGen.Generator.Model
{
    /// <summary>The kinds of layer attribute.</summary>
    internal enum LayerKind
    {
        Conv,
        MaxPool,
        Relu,
        FullyConnected,
        AvgPool,
        GlobalAvgPool,
        GlobalMaxPool,
        BatchNorm,
        Relu6,
        LeakyRelu,
        Sigmoid,
        Tanh,
        HardSwish,
        Silu,
        Softmax,
        Add,
        Concat,
    }

    /// <summary>Facts about each kind that every stage shares: attribute name, positional parameters, default names.</summary>
    internal static class LayerKinds
    {
        /// <summary>Every kind, in declaration order (the reader matches attribute classes against these).</summary>
        public static readonly LayerKind[] All =
        {
            LayerKind.Conv, LayerKind.MaxPool, LayerKind.Relu, LayerKind.FullyConnected, LayerKind.AvgPool, LayerKind.GlobalAvgPool,
            LayerKind.GlobalMaxPool, LayerKind.BatchNorm, LayerKind.Relu6, LayerKind.LeakyRelu, LayerKind.Sigmoid, LayerKind.Tanh,
            LayerKind.HardSwish, LayerKind.Silu, LayerKind.Softmax, LayerKind.Add, LayerKind.Concat,
        };

        /// <summary>The attribute class name (in namespace CnnGen) of each kind.</summary>
        public static string AttributeName(LayerKind kind) => kind switch
        {
            LayerKind.Conv => "ConvAttribute",
            LayerKind.MaxPool => "MaxPoolAttribute",
            LayerKind.Relu => "ReluAttribute",
            LayerKind.AvgPool => "AvgPoolAttribute",
            LayerKind.FullyConnected => "FullyConnectedAttribute",
            _ => kind + "Attribute",
        };

        /// <summary>The attribute as written in source: Conv, MaxPool, Relu, FullyConnected.</summary>
        public static string ShortName(LayerKind kind) => AttributeName(kind).Substring(0, AttributeName(kind).Length - "Attribute".Length);

        /// <summary>The constructor's parameter names, in order (what a problem with a positional argument names).</summary>
        public static string[] Parameters(LayerKind kind) => kind switch
        {
            LayerKind.Conv => new[] { "filters", "size" },
            LayerKind.MaxPool or LayerKind.AvgPool => new[] { "size" },
            LayerKind.FullyConnected => new[] { "outputs" },
            LayerKind.Add => new[] { "layer" },
            LayerKind.Concat => new[] { "layers" },
            _ => new string[0],
        };

        /// <summary>
        /// Whether layers of this kind get a name and generated members (constants, a static layer method): conv, pools,
        /// fully connected and batch norm. Activations, softmax, Add and Concat get none; they have a name only when given one.
        /// </summary>
        public static bool HasMembers(LayerKind kind) => kind is LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool or LayerKind.FullyConnected
            or LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool or LayerKind.BatchNorm;

        /// <summary>Whether layers of this kind have a window (conv and pools).</summary>
        public static bool HasWindow(LayerKind kind) => kind is LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool;

        /// <summary>Whether layers of this kind are pools (a Stride of 0 means the window size; padding below the window).</summary>
        public static bool IsPool(LayerKind kind) => kind is LayerKind.MaxPool or LayerKind.AvgPool;

        /// <summary>Whether layers of this kind have a weight and a bias (conv, fully connected).</summary>
        public static bool HasParameters(LayerKind kind) => kind is LayerKind.Conv or LayerKind.FullyConnected;

        /// <summary>Whether layers of this kind have tensors in the weights file (conv, fully connected, batch norm).</summary>
        public static bool HasTensors(LayerKind kind) => HasParameters(kind) || kind == LayerKind.BatchNorm;

        /// <summary>Whether this kind is an element-wise activation (applied in the store of the layer before it where it can).</summary>
        public static bool IsActivation(LayerKind kind) => kind is LayerKind.Relu or LayerKind.Relu6 or LayerKind.LeakyRelu or LayerKind.Sigmoid
            or LayerKind.Tanh or LayerKind.HardSwish or LayerKind.Silu;

        /// <summary>How messages and comments call a layer without members: ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, HardSwish, SiLU, Softmax, Add, Concat.</summary>
        public static string DisplayName(LayerKind kind) => kind switch
        {
            LayerKind.Relu => "ReLU",
            LayerKind.Relu6 => "ReLU6",
            LayerKind.LeakyRelu => "LeakyReLU",
            LayerKind.Silu => "SiLU",
            _ => ShortName(kind),
        };

        /// <summary>The default name of the <paramref name="index"/>-th (1-based) layer of a kind: Conv1, Pool1, Fc1.</summary>
        public static string DefaultName(LayerKind kind, int index) => kind switch
        {
            LayerKind.Conv => "Conv" + index,
            LayerKind.MaxPool => "Pool" + index,
            LayerKind.FullyConnected => "Fc" + index,
            LayerKind.BatchNorm => "Bn" + index,
            _ => kind + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
