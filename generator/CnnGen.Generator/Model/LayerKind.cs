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
    }

    /// <summary>Facts about each kind that every stage shares: attribute name, positional parameters, default names.</summary>
    internal static class LayerKinds
    {
        /// <summary>The attribute class name (in namespace CnnGen) of each kind.</summary>
        public static string AttributeName(LayerKind kind) => kind switch
        {
            LayerKind.Conv => "ConvAttribute",
            LayerKind.MaxPool => "MaxPoolAttribute",
            LayerKind.Relu => "ReluAttribute",
            LayerKind.AvgPool => "AvgPoolAttribute",
            _ => "FullyConnectedAttribute",
        };

        /// <summary>The attribute as written in source: Conv, MaxPool, Relu, FullyConnected.</summary>
        public static string ShortName(LayerKind kind) => AttributeName(kind).Substring(0, AttributeName(kind).Length - "Attribute".Length);

        /// <summary>The constructor's parameter names, in order (what a problem with a positional argument names).</summary>
        public static string[] Parameters(LayerKind kind) => kind switch
        {
            LayerKind.Conv => new[] { "filters", "size" },
            LayerKind.MaxPool or LayerKind.AvgPool => new[] { "size" },
            LayerKind.FullyConnected => new[] { "outputs" },
            _ => new string[0],
        };

        /// <summary>Whether layers of this kind get a name and generated members (ReLU gets none).</summary>
        public static bool HasMembers(LayerKind kind) => kind != LayerKind.Relu;

        /// <summary>Whether layers of this kind have a window (conv and pools).</summary>
        public static bool HasWindow(LayerKind kind) => kind is LayerKind.Conv or LayerKind.MaxPool or LayerKind.AvgPool;

        /// <summary>Whether layers of this kind are pools (a Stride of 0 means the window size; padding below the window).</summary>
        public static bool IsPool(LayerKind kind) => kind is LayerKind.MaxPool or LayerKind.AvgPool;

        /// <summary>Whether layers of this kind have a weight and a bias.</summary>
        public static bool HasParameters(LayerKind kind) => kind is LayerKind.Conv or LayerKind.FullyConnected;

        /// <summary>The default name of the <paramref name="index"/>-th (1-based) layer of a kind: Conv1, Pool1, Fc1.</summary>
        public static string DefaultName(LayerKind kind, int index) => kind switch
        {
            LayerKind.Conv => "Conv" + index,
            LayerKind.MaxPool => "Pool" + index,
            LayerKind.FullyConnected => "Fc" + index,
            LayerKind.AvgPool => "AvgPool" + index,
            _ => "Relu" + index,
        };
    }
}
