using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting
{
    /// <summary>
    /// The public constants: the network's volumes and parameter count, and each layer's shapes and parameter slices.
    /// They carry no <c>[GeneratedCode]</c>: a constant has no code for a coverage or analysis tool to skip, and the
    /// attribute would be a third of the constants' text.
    /// </summary>
    internal static class ConstantsEmitter
    {
        public static void EmitNetwork(SourceWriter w, NetworkPlan plan)
        {
            NetworkModel n = plan.Network;
            Constant(w, GeneratedNames.InputWidth, n.Input.Width, "Width W1 of the input volume.");
            Constant(w, GeneratedNames.InputHeight, n.Input.Height, "Height H1 of the input volume.");
            Constant(w, GeneratedNames.InputDepth, n.Input.Depth, "Depth D1 (channels) of the input volume.");
            Constant(w, GeneratedNames.InputLength, n.Input.Length, "Length of <c>Forward</c>'s input: " + n.Input + " floats, CHW.");
            Constant(w, GeneratedNames.OutputLength, n.Output.Length, "Length of <c>Forward</c>'s output.");
            Constant(w, GeneratedNames.ParameterCount, n.ParameterCount, "All weights and biases: " + Text.Grouped(n.ParameterCount) + ".");
            w.Line();
        }

        /// <summary>The layer's constants, one per suffix <see cref="GeneratedNames"/> lists (the list CNN007 checks).</summary>
        public static void EmitLayer(SourceWriter w, LayerModel l)
        {
            string name = l.Name;
            foreach (string suffix in GeneratedNames.ShapeConstants)
            {
                (int value, string doc) = suffix switch
                {
                    "InputWidth" => (l.Input.Width, " input width."),
                    "InputHeight" => (l.Input.Height, " input height."),
                    "InputDepth" => (l.Input.Depth, " input depth."),
                    "InputLength" => (l.Input.Length, " input length, " + l.Input + "."),
                    "OutputWidth" => (l.Output.Width, " output width" + (l.Window is null ? string.Empty : LayerText.AxisFormula(l, width: true)) + "."),
                    "OutputHeight" => (l.Output.Height, " output height" + (l.Window is null ? string.Empty : LayerText.AxisFormula(l, width: false)) + "."),
                    "OutputDepth" => (l.Output.Depth, " output depth."),
                    "OutputLength" => (l.Output.Length, " output length, " + l.Output + "."),
                    _ => throw new System.InvalidOperationException("no value for the constant suffix " + suffix),
                };
                Constant(w, GeneratedNames.Constant(name, suffix), value, name + doc);
            }

            if (l.Kind == LayerKind.BatchNorm)
            {
                Constant(w, GeneratedNames.WeightOffset(name), l.Weight.Offset, "Where " + name + "'s weight (gamma, [" + l.Input.Depth + "]) starts in <c>Parameters</c>.");
                Constant(w, GeneratedNames.WeightLength(name), l.Weight.Length, name + " weight length.");
                Constant(w, GeneratedNames.BiasOffset(name), l.Bias.Offset, "Where " + name + "'s bias (beta, [" + l.Input.Depth + "]) starts in <c>Parameters</c>.");
                Constant(w, GeneratedNames.BiasLength(name), l.Bias.Length, name + " bias length.");
                Constant(w, GeneratedNames.Constant(name, "RunningMeanOffset"), l.Mean.Offset, "Where " + name + "'s running mean starts in <c>Parameters</c>.");
                Constant(w, GeneratedNames.Constant(name, "RunningMeanLength"), l.Mean.Length, name + " running mean length.");
                Constant(w, GeneratedNames.Constant(name, "RunningVarOffset"), l.Variance.Offset, "Where " + name + "'s running variance starts in <c>Parameters</c>.");
                Constant(w, GeneratedNames.Constant(name, "RunningVarLength"), l.Variance.Length, name + " running variance length.");
            }

            if (l.HasParameters)
            {
                foreach (string suffix in GeneratedNames.ParameterConstants)
                {
                    (int value, string doc) = suffix switch
                    {
                        "WeightOffset" => (l.Weight.Offset, "Where " + name + "'s weight starts in <c>Parameters</c>."),
                        "WeightLength" => (l.Weight.Length, name + " weight length, PyTorch layout " + LayerText.WeightShape(l) + "."),
                        "BiasOffset" => (l.Bias.Offset, "Where " + name + "'s bias starts in <c>Parameters</c>."),
                        "BiasLength" => (l.Bias.Length, l.HasBias ? name + " bias length, [" + l.Output.Depth + "]." : name + " has no bias (Bias = false): 0."),
                        _ => throw new System.InvalidOperationException("no value for the constant suffix " + suffix),
                    };
                    Constant(w, GeneratedNames.Constant(name, suffix), value, doc);
                }
            }

            w.Line();
        }

        private static void Constant(SourceWriter w, string name, int value, string doc)
        {
            w.Line("/// <summary>" + doc + "</summary>");
            w.Line("public const int " + name + " = " + Text.Literal(value) + ";");
        }
    }
}
