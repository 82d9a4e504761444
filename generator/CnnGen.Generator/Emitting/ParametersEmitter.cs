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
                w.Line("// Weights repacked for the vector kernels that read another layout (filter-vector conv [D][Fy][Fx][K], position-vector conv in blocks of 8 filters [K/8][D][Fy][Fx][8], fully connected in panels of 32 outputs [outputs/32][inputs][32], outputs padded to 16), refreshed by SetParameters.");
                w.Line(Code.GeneratedCode);
                w.Line("private readonly float[] " + GeneratedNames.PackedField + " = new float[" + Text.Literal(plan.PackedLength) + "];");
            }

            if (plan.FoldedLength > 0)
            {
                w.Line();
                w.Line("// Weights and biases with the batch norm after them folded in (weight * gamma / sqrt(var + eps); bias likewise, less the mean), for Forward, refreshed by SetParameters.");
                w.Line(Code.GeneratedCode);
                w.Line("private readonly float[] " + GeneratedNames.FoldedField + " = new float[" + Text.Literal(plan.FoldedLength) + "];");
            }

            int zeros = 0;
            foreach (LayerPlan layer in plan.Layers)
            {
                zeros = layer.FoldedBias ? System.Math.Max(zeros, layer.Layer.Output.Depth) : zeros;
            }

            if (zeros > 0)
            {
                w.Line();
                w.Line("// The bias a layer method passes to kernels that add one although the layer has none (a batch norm is folded into it in Forward).");
                w.Line(Code.GeneratedCode);
                w.Line("private static readonly float[] " + GeneratedNames.ZeroBias + " = new float[" + Text.Literal(zeros) + "];");
            }

            int counters = 0;
            foreach (LayerModel layer in n.Layers)
            {
                counters += layer.Kind == LayerKind.BatchNorm ? 1 : 0;
            }

            if (counters > 0)
            {
                w.Line();
                w.Line("// Each batch norm's num_batches_tracked from the last weights file loaded (0 before), written back by SaveSafetensors so that PyTorch's load_state_dict(strict=True) accepts the file.");
                w.Line(Code.GeneratedCode);
                w.Line("private readonly long[] " + GeneratedNames.CountersField + " = new long[" + counters + "];");
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
                else if (layer.Kind == LayerKind.BatchNorm)
                {
                    w.Doc(layer.Name + ": weight at " + layer.Weight.Offset + ", bias at " + layer.Bias.Offset + ", running mean at " + layer.Mean.Offset + ", running variance at " + layer.Variance.Offset + " (" + layer.Input.Depth + " each).<br/>");
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
                    string name = layer.Name;
                    string weight = "values.Slice(" + GeneratedNames.WeightOffset(name) + ", " + GeneratedNames.WeightLength(name) + ")";
                    if (layer.FoldedOffset >= 0)
                    {
                        LayerModel l = layer.Layer, bn = n.Layers[layer.FoldedBatchNorm];
                        string folded = "new " + Code.Span + "(" + GeneratedNames.FoldedField + ", " + Text.Literal(layer.FoldedOffset) + ", " + GeneratedNames.WeightLength(name) + ")";
                        string foldedBias = "new " + Code.Span + "(" + GeneratedNames.FoldedField + ", " + Text.Literal((long)layer.FoldedOffset + l.Weight.Length) + ", " + l.Output.Depth + ")";
                        string bias = l.HasBias ? "values.Slice(" + GeneratedNames.BiasOffset(name) + ", " + GeneratedNames.BiasLength(name) + ")" : "default";
                        string bnName = bn.Name;
                        w.Line("// " + bnName + " folded into " + name + ".");
                        w.Line("global::CnnGen.Runtime.GraphKernels.FoldBatchNorm(" + weight + ", " + bias + ", values.Slice(" + GeneratedNames.WeightOffset(bnName) + ", " + bn.Input.Depth + "), values.Slice(" + GeneratedNames.BiasOffset(bnName) + ", " + bn.Input.Depth + "), " +
                            "values.Slice(" + GeneratedNames.Constant(bnName, "RunningMeanOffset") + ", " + bn.Input.Depth + "), values.Slice(" + GeneratedNames.Constant(bnName, "RunningVarOffset") + ", " + bn.Input.Depth + "), " + Text.FloatLiteral(bn.Value) + ", " + l.Output.Depth + ", " + folded + ", " + foldedBias + ");");
                        weight = folded;
                    }

                    if (layer.Vector is { PackedLength: > 0 } vector)
                    {
                        w.Line(Packing.Call(
                            layer,
                            weight,
                            "new " + Code.Span + "(" + GeneratedNames.PackedField + ", " + Text.Literal(layer.PackedOffset) + ", " + Text.Literal(vector.PackedLength) + ")") + ";");
                    }
                }
            }

            w.Line();
        }
    }
}
