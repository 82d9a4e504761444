using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>The scalar fully-connected kernel: one dot product per output over the flattened input.</summary>
    internal static class FullyConnectedScalarEmitter
    {
        public static void Emit(SourceWriter w, LayerPlan plan)
        {
            LayerModel l = plan.Kernel;
            int inputs = l.Input.Length;
            w.Line("// " + LayerText.Describe(l) + ": " + Text.Grouped(inputs) + " multiply-adds per output.");
            w.Line(Code.GeneratedCode);
            w.Line(Code.Optimized);
            using (w.Block("private static void " + GeneratedNames.Scalar(l.Name) + "(" + Code.ReadOnlySpan + " input, " + Code.ReadOnlySpan + " weight, " + Code.ReadOnlySpan + " bias, " + Code.Span + " output, bool relu)"))
            {
                using (w.For("j", l.Output.Depth, out Affine j))
                {
                    w.Line(Code.ReadOnlySpan + " row = weight.Slice(" + (j * inputs) + ", " + Text.Literal(inputs) + "); // weight[j, 0.." + (inputs - 1) + "]");
                    w.Line("float sum = 0f;");
                    using (w.For("i", inputs, out Affine i))
                    {
                        w.Line("sum += row[" + i + "] * input[" + i + "];");
                    }

                    if (l.HasBias)
                    {
                        w.Line("sum += bias[" + j + "];");
                    }
                    using (w.Block("if (relu && sum < 0f)"))
                    {
                        w.Line("sum = 0f; // NaN stays NaN, as torch.relu");
                    }

                    w.Line("output[" + j + "] = sum;");
                }
            }

            w.Line();
        }
    }
}
