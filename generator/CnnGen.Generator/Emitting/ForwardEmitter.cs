using System.Linq;
using CnnGen.Generator.Emitting.Kernels;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting
{
    /// <summary><c>Forward</c> over the planned steps, <c>ForwardBatch</c>, and the per-thread scratch they and the kernels use.</summary>
    internal static class ForwardEmitter
    {
        private const string Relu = "global::CnnGen.Runtime.Layout.Relu";

        public static void Emit(SourceWriter w, NetworkPlan plan)
        {
            NetworkModel n = plan.Network;
            w.Line("// ---- The whole network ----");
            w.Line();
            bool fused = plan.Steps.Any(s => s.FusedRelu && n.Layers[s.Layer].HasParameters);
            w.Doc(
                "<summary>Runs the whole network on one sample" + (fused ? ", each ReLU after a conv or fully-connected layer fused into it" : string.Empty) + ".</summary>",
                "<remarks>Allocates nothing after the first call on a thread; safe to call from several threads at once.</remarks>",
                "<param name=\"input\">The input volume, " + n.Input + " CHW: <see cref=\"" + GeneratedNames.InputLength + "\"/> floats.</param>",
                "<param name=\"output\">Receives <see cref=\"" + GeneratedNames.OutputLength + "\"/> floats.</param>",
                "<exception cref=\"global::System.ArgumentException\">A span has the wrong length; nothing is written.</exception>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public void " + GeneratedNames.Forward + "(" + Code.ReadOnlySpan + " input, " + Code.Span + " output)"))
            {
                w.Line(Code.Check + ".Length(input.Length, " + GeneratedNames.InputLength + ", \"input\", \"" + GeneratedNames.InputLength + " = " + n.Input + "\");");
                w.Line(Code.Check + ".Length(output.Length, " + GeneratedNames.OutputLength + ", \"output\", \"" + GeneratedNames.OutputLength + "\");");
                if (plan.Steps.Count == 0)
                {
                    w.Line("// No layers: the output is the input.");
                    w.Line("input.CopyTo(output);");
                }
                else
                {
                    w.Line("// The widest vectors this machine runs, chosen once for the whole pass (the JIT keeps only the branch taken).");
                    string keyword = "if";
                    foreach ((string simd, string vector) in DispatchEmitter.Widths)
                    {
                        using (w.Block(keyword + " (" + simd + ".IsSupported)"))
                        {
                            w.Line(GeneratedNames.ForwardVector + "<" + simd + ", " + vector + ">(input, output);");
                        }

                        keyword = "else if";
                    }

                    using (w.Block("else"))
                    {
                        w.Line(GeneratedNames.ForwardScalar + "(input, output);");
                    }
                }
            }

            if (plan.Steps.Count > 0)
            {
                w.Line();
                w.Line("// The steps of Forward with vector kernels of width TS (a layer without one runs its scalar kernel).");
                w.Line(Code.GeneratedCode);
                    using (w.Block("private void " + GeneratedNames.ForwardVector + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.Span + " output) " + Code.VectorConstraint))
                {
                    EmitSteps(w, plan, vector: true);
                }

                w.Line();
                w.Line("// The steps of Forward with the scalar kernels, for machines without vector instructions.");
                w.Line(Code.GeneratedCode);
                    using (w.Block("private void " + GeneratedNames.ForwardScalar + "(" + Code.ReadOnlySpan + " input, " + Code.Span + " output)"))
                {
                    EmitSteps(w, plan, vector: false);
                }
            }

            w.Line();
            w.Doc(
                "<summary>Runs <see cref=\"" + GeneratedNames.Forward + "\"/> on N samples laid one after another, spread over the machine's cores.</summary>",
                "<param name=\"inputs\">N * <see cref=\"" + GeneratedNames.InputLength + "\"/> floats.</param>",
                "<param name=\"outputs\">Receives N * <see cref=\"" + GeneratedNames.OutputLength + "\"/> floats.</param>",
                "<exception cref=\"global::System.ArgumentException\">The lengths do not describe the same whole number of samples; nothing is written.</exception>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public void " + GeneratedNames.ForwardBatch + "(" + Code.ReadOnlySpan + " inputs, " + Code.Span + " outputs)"))
            {
                w.Line("int count = " + Code.Check + ".Batch(inputs.Length, outputs.Length, " + GeneratedNames.InputLength + ", " + GeneratedNames.OutputLength + ");");
                w.Line("global::CnnGen.Runtime.Batch.Run(inputs, outputs, count, " + GeneratedNames.InputLength + ", " + GeneratedNames.OutputLength + ", " + GeneratedNames.Forward + ");");
            }

            w.Line();
            EmitScratch(w, plan);
        }

        private static void EmitSteps(SourceWriter w, NetworkPlan plan, bool vector)
        {
            ScratchPlan scratch = plan.Scratch;
            if (scratch.UsesA)
            {
                w.Line(Code.Span + " a = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.ActivationA + ", " + GeneratedNames.MaxActivationLength + ");");
            }

            if (scratch.UsesB)
            {
                w.Line(Code.Span + " b = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.ActivationB + ", " + GeneratedNames.MaxActivationLength + ");");
            }

            if (plan.Steps.Any(s => plan.Network.Layers[s.Layer].HasParameters))
            {
                w.Line(Code.ReadOnlySpan + " p = " + GeneratedNames.ParameterField + ";");
            }

            foreach (ForwardStep step in plan.Steps)
            {
                LayerModel l = plan.Network.Layers[step.Layer];
                string source = Span(step.Source, l.Input.Length);
                string target = Span(step.Target, l.Output.Length);
                if (l.Kind == LayerKind.Relu)
                {
                    w.Line("// ReLU on " + l.Input + (step.InPlace ? ", in place" : string.Empty));
                    w.Line(Relu + "(" + source + ", " + target + ");");
                    continue;
                }

                w.Line("// " + LayerText.Describe(l) + (step.FusedRelu ? ", ReLU fused" : string.Empty));
                LayerPlan layer = plan.Layers.First(p => p.Layer.Index == l.Index);
                string kernel = !vector || layer.Vector is null
                    ? GeneratedNames.Scalar(l.Name)
                    : GeneratedNames.Vector(l.Name) + "<TS, TV>";
                if (!l.HasParameters)
                {
                    w.Line(kernel + "(" + source + ", " + target + ");");
                    continue;
                }

                string arguments;
                if (vector && layer.Vector is { PackedLength: > 0 } packed)
                {
                    arguments = "new " + Code.ReadOnlySpan + "(" + GeneratedNames.PackedField + ", " + Text.Literal(layer.PackedOffset) + ", " + Text.Literal(packed.PackedLength) + "), " + Bias(l);
                }
                else
                {
                    arguments = Weight(l) + ", " + Bias(l);
                }

                w.Line(kernel + "(" + source + ", " + arguments + ", " + target + ", relu: " + (step.FusedRelu ? "true" : "false") + ");");
            }
        }

        private static string Weight(LayerModel l) => "p.Slice(" + GeneratedNames.WeightOffset(l.Name) + ", " + GeneratedNames.WeightLength(l.Name) + ")";

        private static string Bias(LayerModel l) => l.HasBias ? "p.Slice(" + GeneratedNames.BiasOffset(l.Name) + ", " + GeneratedNames.BiasLength(l.Name) + ")" : "default";

        private static string Span(Buffer buffer, int length) => buffer switch
        {
            Buffer.Input => "input",
            Buffer.Output => "output",
            Buffer.A => "a.Slice(0, " + Text.Literal(length) + ")",
            _ => "b.Slice(0, " + Text.Literal(length) + ")",
        };

        /// <summary>The per-thread scratch fields and their sizes: only those some step or kernel uses.</summary>
        private static void EmitScratch(SourceWriter w, NetworkPlan plan)
        {
            ScratchPlan s = plan.Scratch;
            if (!s.UsesA && !s.UsesB && s.PaddedLength == 0 && s.PhaseLength == 0 && s.WideLength == 0)
            {
                return;
            }

            w.Line("// Per-thread scratch, allocated on a thread's first call: Forward may run on several threads at once.");
            if (s.UsesA || s.UsesB)
            {
                Size(w, GeneratedNames.MaxActivationLength, s.ActivationLength, "the largest activation");
                Field(w, GeneratedNames.ActivationA, s.UsesA);
                Field(w, GeneratedNames.ActivationB, s.UsesB);
            }

            if (s.PaddedLength > 0)
            {
                Size(w, GeneratedNames.MaxPaddedLength, s.PaddedLength, "the largest padded copy of a layer input (scalar kernels)");
                Field(w, GeneratedNames.Padded, true);
            }

            if (s.PhaseLength > 0)
            {
                Size(w, GeneratedNames.MaxPhaseLength, s.PhaseLength, "the largest phase copy of a layer input (vector conv kernels)");
                Field(w, GeneratedNames.Phases, true);
            }

            if (s.WideLength > 0)
            {
                Size(w, GeneratedNames.MaxWideLength, s.WideLength, "the largest wide output or row of sums (vector kernels)");
                Field(w, GeneratedNames.Wide, true);
            }
        }

        private static void Size(SourceWriter w, string name, int length, string what)
        {
            w.Line("// Floats in " + what + ".");
            w.Line("private const int " + name + " = " + Text.Literal(length) + ";");
        }

        private static void Field(SourceWriter w, string name, bool used)
        {
            if (used)
            {
                w.Line(Code.GeneratedCode);
                w.Line("[global::System.ThreadStatic] private static float[]? " + name + ";");
            }
        }
    }
}
