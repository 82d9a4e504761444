using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Checking
{
    /// <summary>CNN010's text: every layer's output shape and parameter count, and the graph (which layer reads which), in one line.</summary>
    internal static class ShapeReport
    {
        /// <summary>
        /// "LeNet5: input 32x32x3; Conv1+ReLU 28x28x6 (456 parameters); Pool1 14x14x6; …; 61,706 parameters in all". A layer
        /// that reads another than the one before it says so ("Conv4 from Stem 16x16x32"), Add and Concat name their
        /// operands ("Add(Main) 16x16x32", "Concat(E1, E3) 6x6x32"), a named layer without members shows its name ("Stem=ReLU").
        /// </summary>
        public static string Of(NetworkModel network)
        {
            var parts = new List<string> { "input " + network.Input };
            IReadOnlyList<LayerModel> layers = network.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                LayerModel layer = layers[i];
                bool follows = layer.Source == i - 1;
                if (layer.IsActivation || layer.Kind == LayerKind.Softmax)
                {
                    string activation = LayerKinds.DisplayName(layer.Kind) + (layer.Kind == LayerKind.LeakyRelu ? "(" + Text.Float(layer.Value) + ")" : string.Empty);
                    bool append = follows && i > 0 && layer.Name.Length == 0 && !layers[i - 1].IsActivation && layers[i - 1].Kind != LayerKind.Softmax;
                    if (append)
                    {
                        parts[parts.Count - 1] = AppendToName(parts[parts.Count - 1], "+" + activation);
                    }
                    else
                    {
                        parts.Add(Named(layer, activation) + (follows ? string.Empty : " from " + NameOf(layers, layer.Source)));
                    }

                    continue;
                }

                string label = layer.Kind switch
                {
                    LayerKind.Add => Named(layer, "Add(" + NameOf(layers, layer.Sources[1]) + ")"),
                    LayerKind.Concat => Named(layer, "Concat(" + string.Join(", ", layer.Sources.Select(s => NameOf(layers, s))) + ")"),
                    _ => layer.Name,
                };
                if (!follows && layer.Kind != LayerKind.Concat)
                {
                    label += " from " + NameOf(layers, layer.Source);
                }

                string shape = layer.Kind is LayerKind.FullyConnected or LayerKind.GlobalAvgPool or LayerKind.GlobalMaxPool ? Text.Literal(layer.Output.Depth) : layer.Output.ToString();
                long count = (long)layer.Weight.Length + layer.Bias.Length + layer.Mean.Length + layer.Variance.Length;
                parts.Add(label + " " + shape + (count > 0 ? " (" + Text.Grouped(count) + " parameters)" : string.Empty));
            }

            return network.Class.Name + ": " + string.Join("; ", parts) + "; " + Text.Grouped(network.ParameterCount) + " parameters in all";
        }

        private static string Named(LayerModel layer, string what) => layer.Name.Length > 0 && !layer.HasMembers ? layer.Name + "=" + what : what;

        private static string NameOf(IReadOnlyList<LayerModel> layers, int index) =>
            index < 0 ? "input" : layers[index].Name.Length > 0 ? layers[index].Name : LayerKinds.DisplayName(layers[index].Kind) + " (layer " + (index + 1) + ")";

        /// <summary>"Conv1 28x28x6 (456 parameters)" + "+ReLU" → "Conv1+ReLU 28x28x6 (456 parameters)".</summary>
        private static string AppendToName(string part, string suffix)
        {
            int space = part.IndexOf(' ');
            return space < 0 ? part + suffix : part.Substring(0, space) + suffix + part.Substring(space);
        }
    }
}
