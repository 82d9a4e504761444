using System.Collections.Generic;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Checking
{
    /// <summary>CNN010's text: every layer's output shape and parameter count, in one line.</summary>
    internal static class ShapeReport
    {
        /// <summary>"LeNet5: input 32x32x3; Conv1+ReLU 28x28x6 (456 parameters); Pool1 14x14x6; …; 61,706 parameters in all".</summary>
        public static string Of(NetworkModel network)
        {
            var parts = new List<string> { "input " + network.Input };
            IReadOnlyList<LayerModel> layers = network.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                LayerModel layer = layers[i];
                if (layer.Kind == LayerKind.Relu)
                {
                    if (i == 0 || layers[i - 1].Kind == LayerKind.Relu)
                    {
                        parts.Add("ReLU");
                    }

                    continue;
                }

                string name = layer.Name + (i + 1 < layers.Count && layers[i + 1].Kind == LayerKind.Relu ? "+ReLU" : string.Empty);
                string shape = layer.Kind == LayerKind.FullyConnected ? Text.Literal(layer.Output.Depth) : layer.Output.ToString();
                parts.Add(name + " " + shape + (layer.HasParameters ? " (" + Text.Grouped((long)layer.Weight.Length + layer.Bias.Length) + " parameters)" : string.Empty));
            }

            return network.Class.Name + ": " + string.Join("; ", parts) + "; " + Text.Grouped(network.ParameterCount) + " parameters in all";
        }
    }
}
