using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The fully-connected vector kernel (<see cref="FullyConnectedPlan"/>): a call of the runtime's one shared
    /// <c>FullyConnectedKernel</c>, which gains nothing from literal sizes, with this layer's sizes and its row of sums.
    /// </summary>
    internal static class FullyConnectedVectorEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan layer, FullyConnectedPlan plan)
        {
            LayerModel l = layer.Kernel;
            int width = FullyConnectedPlan.PanelWidth, panels = (plan.PaddedOutputs + width - 1) / width;
            w.Line("// " + LayerText.Describe(l) + ", vectorized along the outputs: the packed weight is " + (panels == 1 ? string.Empty : panels + " panels, each ") + "[" + Text.Literal(l.Input.Length) + " inputs][" + System.Math.Min(plan.PaddedOutputs, width) + " outputs]" + (panels == 1 || plan.PaddedOutputs % width == 0 ? string.Empty : " (the last " + (plan.PaddedOutputs % width) + ")") + ",");
            w.Line("// each input broadcast and multiplied into vectors of outputs (the runtime's kernel, shared by every fully-connected layer).");
            w.Line(Code.GeneratedCode);
            using (w.Block("private static void " + GeneratedNames.Vector(l.Name) + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " packedWeight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu) " + Code.VectorConstraint))
            {
                w.Line(Code.Span + " sums = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Wide + ", " + GeneratedNames.MaxWideLength + ").Slice(0, " + plan.PaddedOutputs + ");");
                w.Line("global::CnnGen.Runtime.FullyConnectedKernel.Run<TS, TV>(input, packedWeight, bias, output, relu, " + plan.PaddedOutputs + ", sums);");
            }

            w.Line();
        }
    }
}
