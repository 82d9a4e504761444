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

        public static void EmitLayer(SourceWriter w, LayerModel l)
        {
            string name = l.Name;
            Constant(w, GeneratedNames.Constant(name, "InputWidth"), l.Input.Width, name + " input width.");
            Constant(w, GeneratedNames.Constant(name, "InputHeight"), l.Input.Height, name + " input height.");
            Constant(w, GeneratedNames.Constant(name, "InputDepth"), l.Input.Depth, name + " input depth.");
            Constant(w, GeneratedNames.Constant(name, "InputLength"), l.Input.Length, name + " input length, " + l.Input + ".");
            Constant(w, GeneratedNames.Constant(name, "OutputWidth"), l.Output.Width, name + " output width" + (l.Window is null ? string.Empty : LayerText.AxisFormula(l, width: true)) + ".");
            Constant(w, GeneratedNames.Constant(name, "OutputHeight"), l.Output.Height, name + " output height" + (l.Window is null ? string.Empty : LayerText.AxisFormula(l, width: false)) + ".");
            Constant(w, GeneratedNames.Constant(name, "OutputDepth"), l.Output.Depth, name + " output depth.");
            Constant(w, GeneratedNames.Constant(name, "OutputLength"), l.Output.Length, name + " output length, " + l.Output + ".");
            if (l.HasParameters)
            {
                Constant(w, GeneratedNames.Constant(name, "WeightOffset"), l.Weight.Offset, "Where " + name + "'s weight starts in <c>Parameters</c>.");
                Constant(w, GeneratedNames.Constant(name, "WeightLength"), l.Weight.Length, name + " weight length, PyTorch layout " + LayerText.WeightShape(l) + ".");
                Constant(w, GeneratedNames.Constant(name, "BiasOffset"), l.Bias.Offset, "Where " + name + "'s bias starts in <c>Parameters</c>.");
                Constant(w, GeneratedNames.Constant(name, "BiasLength"), l.Bias.Length, name + " bias length, [" + l.Output.Depth + "].");
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
