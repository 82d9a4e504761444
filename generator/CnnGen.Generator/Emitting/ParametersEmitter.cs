using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting
{
    /// <summary>The parameters: the flat PyTorch-layout array, the repacked copies, the constructor, <c>Parameters</c> and <c>SetParameters</c>.</summary>
    internal static class ParametersEmitter
    {
        public static void Emit(SourceWriter w, NetworkPlan plan)
        {
            NetworkModel n = plan.Network;
            w.Line("// ---- Parameters, PyTorch layout and state_dict order ----");
            w.Line();
            w.Line(Code.GeneratedCode);
            w.Line("private readonly float[] " + GeneratedNames.ParameterField + " = new float[" + GeneratedNames.ParameterCount + "];");
            if (plan.PackedLength > 0)
            {
                w.Line();
                w.Line("// Weights repacked for the vector kernels that read another layout (filter-vector conv [D][Fy][Fx][K], fully connected [inputs][outputs padded to 16]), refreshed by SetParameters.");
                w.Line(Code.GeneratedCode);
                w.Line("private readonly float[] " + GeneratedNames.PackedField + " = new float[" + Text.Literal(plan.PackedLength) + "];");
            }

            w.Line();
            w.Line("/// <summary>Creates the network with every parameter zero; load real ones with <see cref=\"" + GeneratedNames.SetParameters + "\"/>.</summary>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public " + plan.Class.Identifier + "()"))
            {
            }

            w.Line();
            w.Line("/// <summary>All " + Text.Grouped(n.ParameterCount) + " parameters, flat, in PyTorch layout: each layer that has them in declaration order, weight then bias.</summary>");
            w.Line("/// <remarks>");
            foreach (LayerModel layer in n.Layers)
            {
                if (layer.HasParameters)
                {
                    w.Doc(layer.Name + ": weight at " + layer.Weight.Offset + " (" + layer.Weight.Length + "), bias at " + layer.Bias.Offset + " (" + layer.Bias.Length + ").<br/>");
                }
            }

            w.Line("/// </remarks>");
            w.Line(Code.GeneratedCode);
            w.Line("public " + Code.ReadOnlySpan + " " + GeneratedNames.Parameters + " => " + GeneratedNames.ParameterField + ";");
            w.Line();
            w.Doc(
                "<summary>Replaces all parameters (same order and length as <see cref=\"" + GeneratedNames.Parameters + "\"/>); the next <see cref=\"" + GeneratedNames.Forward + "\"/> uses them.</summary>",
                "<param name=\"values\">" + Text.Literal(n.ParameterCount) + " floats.</param>",
                "<exception cref=\"global::System.ArgumentException\">The length is not <see cref=\"" + GeneratedNames.ParameterCount + "\"/>; nothing changes.</exception>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public void " + GeneratedNames.SetParameters + "(" + Code.ReadOnlySpan + " values)"))
            {
                w.Line(Code.Check + ".Length(values.Length, " + GeneratedNames.ParameterCount + ", \"values\", \"" + GeneratedNames.ParameterCount + "\");");
                w.Line("values.CopyTo(" + GeneratedNames.ParameterField + ");");
                foreach (LayerPlan layer in plan.Layers)
                {
                    if (layer.Vector is { PackedLength: > 0 } vector)
                    {
                        string name = layer.Name;
                        w.Line(Packing.Call(
                            layer,
                            "values.Slice(" + GeneratedNames.WeightOffset(name) + ", " + GeneratedNames.WeightLength(name) + ")",
                            "new " + Code.Span + "(" + GeneratedNames.PackedField + ", " + Text.Literal(layer.PackedOffset) + ", " + Text.Literal(vector.PackedLength) + ")") + ";");
                    }
                }
            }

            w.Line();
        }
    }
}
