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
        private const string Graph = "global::CnnGen.Runtime.GraphKernels";

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
                "<param name=\"output\">Receives <see cref=\"" + GeneratedNames.OutputLength + "\"/> floats; it may overlap the input (the input is then copied first).</param>",
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
                    w.Line("input = " + Code.Scratch + ".Unaliased(input, output, ref " + GeneratedNames.InputCopy + "); // called in place: the steps read a copy");
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
                "<param name=\"outputs\">Receives N * <see cref=\"" + GeneratedNames.OutputLength + "\"/> floats; they may overlap the inputs (the inputs are then copied first).</param>",
                "<exception cref=\"global::System.ArgumentException\">The lengths do not describe the same whole number of samples; nothing is written.</exception>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public void " + GeneratedNames.ForwardBatch + "(" + Code.ReadOnlySpan + " inputs, " + Code.Span + " outputs)"))
            {
                w.Line("int count = " + Code.Check + ".Batch(inputs.Length, outputs.Length, " + GeneratedNames.InputLength + ", " + GeneratedNames.OutputLength + ");");
                if (plan.Steps.Count > 0)
                {
                    w.Line("inputs = " + Code.Scratch + ".Unaliased(inputs, outputs, ref " + GeneratedNames.InputsCopy + "); // called in place: the samples read a copy");
                }

                int block = plan.BlockSamples;
                if (block > 0)
                {
                    string b = Text.Literal(block);
                    string delegateField = GeneratedNames.ForwardBlockDelegateField + " ??= " + GeneratedNames.ForwardBlock;
                    w.Line("// Blocks of 8 to " + b + " samples through every layer (each weight read once per block, a few blocks per core), on vector machines,");
                    w.Line("// then what is left in blocks of 8; the last few one by one.");
                    w.Line("int block = global::CnnGen.Runtime.Simd128.IsSupported ? global::CnnGen.Runtime.Batch.BlockSamples(count, " + b + ") : 0;");
                    w.Line("int done = 0;");
                    using (w.Block("if (block > 0)"))
                    {
                        w.Line("int blocks = count / block;");
                        w.Line("global::CnnGen.Runtime.Batch.Run(inputs, outputs, blocks, block * " + GeneratedNames.InputLength + ", block * " + GeneratedNames.OutputLength + ", " + delegateField + ");");
                        w.Line("done = blocks * block;");
                        w.Line("int eights = (count - done) / 8;");
                        w.Line("global::CnnGen.Runtime.Batch.Run(inputs.Slice(done * " + GeneratedNames.InputLength + "), outputs.Slice(done * " + GeneratedNames.OutputLength + "), eights, 8 * " + GeneratedNames.InputLength + ", 8 * " + GeneratedNames.OutputLength + ", " + delegateField + ");");
                        w.Line("done += eights * 8;");
                    }

                    w.Line("global::CnnGen.Runtime.Batch.Run(inputs.Slice(done * " + GeneratedNames.InputLength + "), outputs.Slice(done * " + GeneratedNames.OutputLength + "), count - done, " + GeneratedNames.InputLength + ", " + GeneratedNames.OutputLength + ", " + GeneratedNames.ForwardDelegateField + " ??= " + GeneratedNames.Forward + ");");
                }
                else
                {
                    w.Line("global::CnnGen.Runtime.Batch.Run(inputs, outputs, count, " + GeneratedNames.InputLength + ", " + GeneratedNames.OutputLength + ", " + GeneratedNames.ForwardDelegateField + " ??= " + GeneratedNames.Forward + ");");
                }
            }

            w.Line();
            w.Line("// Forward as a delegate, made on the first ForwardBatch: later calls allocate nothing.");
            w.Line(Code.GeneratedCode);
            w.Line("private global::CnnGen.Runtime.ForwardAction? " + GeneratedNames.ForwardDelegateField + ";");
            if (plan.BlockSamples > 0)
            {
                EmitBlock(w, plan);
            }

            w.Line();
            EmitScratch(w, plan);
        }

        private static void EmitSteps(SourceWriter w, NetworkPlan plan, bool vector)
        {
            ScratchPlan scratch = plan.Scratch;
            NetworkModel n = plan.Network;
            if (scratch.SlotOffsets.Count > 0)
            {
                w.Line(Code.Span + " a = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.Activations + ", " + GeneratedNames.MaxActivationLength + ");");
            }

            if (plan.Steps.Any(s => n.Layers[s.Layer].HasParameters || n.Layers[s.Layer].Kind == LayerKind.BatchNorm))
            {
                w.Line(Code.ReadOnlySpan + " p = " + GeneratedNames.ParameterField + ";");
            }

            if (plan.FoldedLength > 0)
            {
                w.Line(Code.ReadOnlySpan + " f = " + GeneratedNames.FoldedField + ";");
            }

            string generic = vector ? "<TS, TV>" : string.Empty;
            foreach (ForwardStep step in plan.Steps)
            {
                LayerModel l = n.Layers[step.Layer];
                LayerModel last = n.Layers[step.Last];
                string source = Span(plan, step.Source, l.Input.Length);
                string target = Span(plan, step.Target, last.Output.Length);
                w.Line("// " + Describe(plan, step) + (step.InPlace ? ", in place" : string.Empty));
                if (vector && step.FusedIntoConv)
                {
                    ForwardStep conv = plan.Steps.First(other => other.Add?.AddLayer == step.Layer);
                    w.Line("// Done by " + Label(n, conv.Layer) + " as it stored its sums (above).");
                    continue;
                }

                switch (l.Kind)
                {
                    case LayerKind.Relu:
                        w.Line(Relu + "(" + source + ", " + target + ");");
                        continue;
                    case LayerKind.Relu6:
                        w.Line(Graph + ".Relu6" + generic + "(" + source + ", " + target + ");");
                        continue;
                    case LayerKind.LeakyRelu:
                        w.Line(Graph + ".LeakyRelu(" + source + ", " + target + ", " + Text.FloatLiteral(l.Value) + ");");
                        continue;
                    case LayerKind.Sigmoid:
                    case LayerKind.Tanh:
                    case LayerKind.HardSwish:
                    case LayerKind.Silu:
                        w.Line(Graph + "." + l.Kind + "(" + source + ", " + target + ");");
                        continue;
                    case LayerKind.Softmax:
                        w.Line(Graph + ".Softmax" + generic + "(" + source + ", " + target + ", " + l.Input.Depth + ", " + Text.Literal(l.Input.Plane) + ");");
                        continue;
                    case LayerKind.Add when vector && step.OperandPlanes is { } planes:
                    {
                        // One operand in the padded planes a conv stored for the next conv (the carried layout); a + b = b + a.
                        int k = step.PaddedOperand;
                        w.Line("// " + Label(n, l.Sources[k]) + " read in the padded planes its conv stored for the next conv");
                        string plain = Span(plan, step.Sources[1 - k], l.Input.Length), padded = Span(plan, step.Sources[k], planes.Length);
                        w.Line(Graph + ".AddPadded" + generic + "(" + plain + ", " + padded + ", " + target + ", relu: " + (step.FusedRelu ? "true" : "false") + ", "
                            + l.Input.Width + ", " + l.Input.Height + ", " + l.Input.Depth + ", " + planes.Width + ", " + Text.Literal(planes.Plane) + ", " + Text.Literal(planes.Origin) + ");");
                        continue;
                    }

                    case LayerKind.Add:
                        w.Line(Graph + ".Add" + generic + "(" + source + ", " + Span(plan, step.Sources[1], l.Input.Length) + ", " + target + ", relu: " + (step.FusedRelu ? "true" : "false") + ");");
                        continue;
                    case LayerKind.Concat:
                    {
                        int offset = 0;
                        for (int k = 0; k < step.Sources.Count; k++)
                        {
                            int length = l.Sources[k] < 0 ? n.Input.Length : n.Layers[l.Sources[k]].Output.Length;
                            w.Line(Graph + ".Place(" + Span(plan, step.Sources[k], length) + ", " + target + ", " + Text.Literal(offset) + ");");
                            offset += length;
                        }

                        continue;
                    }

                    case LayerKind.GlobalAvgPool:
                    case LayerKind.GlobalMaxPool:
                        w.Line(Graph + "." + l.Kind + (l.Kind == LayerKind.GlobalAvgPool ? generic : string.Empty) + "(" + source + ", " + target + ", " + l.Input.Depth + ", " + Text.Literal(l.Input.Plane) + ");");
                        continue;
                    case LayerKind.BatchNorm:
                        w.Line(Graph + ".BatchNorm" + generic + "(" + source + ", " + target + ", " + Statistics(l) + ", " + Text.FloatLiteral(l.Value) + ", " + l.Input.Depth + ", " + Text.Literal(l.Input.Plane) + ", relu: " + (step.FusedRelu ? "true" : "false") + ");");
                        continue;
                }

                LayerPlan layer = plan.Layers.First(p => p.Layer.Index == l.Index);
                string kernel = !vector || layer.Vector is null
                    ? GeneratedNames.Scalar(l.Name)
                    : GeneratedNames.Vector(l.Name) + "<TS, TV>";
                if (!l.HasParameters)
                {
                    if (vector && step.WideInput is { } wide)
                    {
                        // The carried layout: the conv before left its wide output uncompacted for this pool.
                        w.Line(GeneratedNames.VectorWide(l.Name) + "<TS, TV>(" + Span(plan, step.Source, wide.Length) + ", " + target + ");");
                        continue;
                    }

                    if (vector && step.CellsInput is not null)
                    {
                        // The carried layout: the conv before left its output cell-major (HWC) for this pool.
                        w.Line(GeneratedNames.VectorCells(l.Name) + "<TS, TV>(" + source + ", " + target + ");");
                        continue;
                    }

                    w.Line(kernel + "(" + source + ", " + target + ");");
                    continue;
                }

                // A folded batch norm: the weight and bias with it folded in (refreshed by SetParameters).
                string weight = layer.FoldedOffset >= 0 ? "f.Slice(" + Text.Literal(layer.FoldedOffset) + ", " + GeneratedNames.WeightLength(l.Name) + ")" : Weight(l);
                string bias = layer.FoldedOffset >= 0 ? "f.Slice(" + Text.Literal((long)layer.FoldedOffset + l.Weight.Length) + ", " + l.Output.Depth + ")" : Bias(l);
                string arguments;
                if (vector && layer.Vector is { PackedLength: > 0 } packed)
                {
                    arguments = "new " + Code.ReadOnlySpan + "(" + GeneratedNames.PackedField + ", " + Text.Literal(layer.PackedOffset) + ", " + Text.Literal(packed.PackedLength) + "), " + bias;
                }
                else
                {
                    arguments = weight + ", " + bias;
                }

                // The carried layout (vector kernels only): this conv's output stored in the padded planes the next conv reads,
                // or its input read from them.
                string carried = string.Empty;
                if (vector && layer.Vector is not null)
                {
                    if (step.PaddedInput)
                    {
                        source = Span(plan, step.Source, layer.Vector.PhaseLength); // the planes the conv before wrote: as long as this conv's copy
                        carried += ", paddedIn: true";
                    }

                    if (step.PaddedOutput is { } padded)
                    {
                        target = Span(plan, step.Target, padded.Length);
                        carried += ", paddedOut: true";
                    }

                    if (step.WideOutputLength > 0)
                    {
                        target = Span(plan, step.Target, step.WideOutputLength);
                        carried += ", wideOut: true";
                    }

                    if (step.CellsOutput)
                    {
                        carried += ", cellsOut: true";
                    }

                    if (step.Add is { } add)
                    {
                        // The Add after this conv, fused in: each sum gets the residual added (then the Add's ReLU) as it is stored.
                        LayerModel sum = n.Layers[add.AddLayer];
                        w.Line("// " + Label(n, add.AddLayer) + " fused into the store: + " + Label(n, sum.Reads[0] == step.Last ? sum.Reads[1] : sum.Reads[0]) + (add.Planes is null ? string.Empty : " (read in the padded planes its conv stored)") + (add.Relu ? ", then ReLU" : string.Empty));
                        carried += ", residual: " + Span(plan, add.Buffer, add.Planes?.Length ?? last.Output.Length) + ", addRelu: " + (add.Relu ? "true" : "false");
                    }
                }

                w.Line(kernel + "(" + source + ", " + arguments + ", " + target + ", relu: " + (step.FusedRelu ? "true" : "false") + carried + ");");
            }
        }

        /// <summary>
        /// ForwardBatch's blocked path for a network of fully-connected layers: up to <see cref="NetworkPlan.BlockSamples"/>
        /// samples (Batch.BlockSamples chooses) through each step together (FullyConnectedKernel.RunBlock), their activations
        /// in slots that many times larger.
        /// </summary>
        private static void EmitBlock(SourceWriter w, NetworkPlan plan)
        {
            int block = plan.BlockSamples;
            string b = Text.Literal(block);
            ScratchPlan scratch = plan.Scratch;
            NetworkModel n = plan.Network;
            int sums = plan.Layers.Max(p => p.Vector?.WideLength ?? 0);
            w.Line();
            w.Line("// ForwardBatch's blocks: up to " + b + " samples one after another, in and out.");
            w.Line(Code.GeneratedCode);
            using (w.Block("private void " + GeneratedNames.ForwardBlock + "(" + Code.ReadOnlySpan + " input, " + Code.Span + " output)"))
            {
                using (w.Block("if (global::CnnGen.Runtime.Simd512.IsSupported)"))
                {
                    w.Line(GeneratedNames.ForwardBlockVector + "<global::CnnGen.Runtime.Simd512, global::System.Runtime.Intrinsics.Vector512<float>>(input, output);");
                }

                using (w.Block("else if (global::CnnGen.Runtime.Simd256.IsSupported)"))
                {
                    w.Line(GeneratedNames.ForwardBlockVector + "<global::CnnGen.Runtime.Simd256, global::System.Runtime.Intrinsics.Vector256<float>>(input, output);");
                }

                using (w.Block("else"))
                {
                    w.Line(GeneratedNames.ForwardBlockVector + "<global::CnnGen.Runtime.Simd128, global::System.Runtime.Intrinsics.Vector128<float>>(input, output);");
                }
            }

            w.Line();
            w.Line("// The steps of Forward on a block of up to " + b + " samples, each fully-connected layer reading its weight once for all of them;");
            w.Line("// each slot holds its samples one after another, at " + b + " times its offset in Forward.");
            w.Line(Code.GeneratedCode);
            using (w.Block("private void " + GeneratedNames.ForwardBlockVector + "<TS, TV>(" + Code.ReadOnlySpan + " input, " + Code.Span + " output) " + Code.VectorConstraint))
            {
                w.Line("int samples = input.Length / " + GeneratedNames.InputLength + ";");
                w.Line(Code.Span + " a = " + Code.Scratch + ".Aligned(ref " + GeneratedNames.BlockActivations + ", " + GeneratedNames.MaxBlockLength + ");");
                w.Line(Code.Span + " sums = a.Slice(" + Text.Literal((long)block * scratch.ActivationLength) + ", " + Text.Literal((long)block * sums) + ");");
                if (plan.Steps.Any(s => n.Layers[s.Layer].HasBias))
                {
                    w.Line(Code.ReadOnlySpan + " p = " + GeneratedNames.ParameterField + ";");
                }

                if (plan.FoldedLength > 0)
                {
                    w.Line(Code.ReadOnlySpan + " f = " + GeneratedNames.FoldedField + ";");
                }

                foreach (ForwardStep step in plan.Steps)
                {
                    LayerModel l = n.Layers[step.Layer];
                    LayerPlan layer = plan.Layers.First(p => p.Layer.Index == l.Index);
                    var fc = (FullyConnectedPlan)layer.Vector!;
                    string source = BlockSpan(plan, step.Source, l.Input.Length);
                    string target = BlockSpan(plan, step.Target, l.Output.Length);
                    string bias = layer.FoldedOffset >= 0 ? "f.Slice(" + Text.Literal((long)layer.FoldedOffset + l.Weight.Length) + ", " + l.Output.Depth + ")" : Bias(l);
                    string packed = "new " + Code.ReadOnlySpan + "(" + GeneratedNames.PackedField + ", " + Text.Literal(layer.PackedOffset) + ", " + Text.Literal(fc.PackedLength) + ")";
                    w.Line("// " + Describe(plan, step));
                    w.Line("global::CnnGen.Runtime.FullyConnectedKernel.RunBlock<TS, TV>(" + source + ", " + packed + ", " + bias + ", " + target + ", relu: " + (step.FusedRelu ? "true" : "false") + ", " + Text.Literal(fc.PaddedOutputs) + ", sums.Slice(0, samples * " + Text.Literal(fc.PaddedOutputs) + "), samples);");
                }
            }

            w.Line();
            w.Line("// ForwardBlock as a delegate, made on the first ForwardBatch.");
            w.Line(Code.GeneratedCode);
            w.Line("private global::CnnGen.Runtime.ForwardAction? " + GeneratedNames.ForwardBlockDelegateField + ";");
            w.Line();
            Size(w, GeneratedNames.MaxBlockLength, (int)(((long)block * scratch.ActivationLength) + ((long)block * sums)), "the largest block's activations (" + b + " samples per slot) and the sums of its widest layer");
            Field(w, GeneratedNames.BlockActivations, true);
        }

        private static string BlockSpan(NetworkPlan plan, int buffer, int length) => buffer switch
        {
            Slots.Input => "input",
            Slots.Output => "output",
            _ => "a.Slice(" + Text.Literal((long)plan.BlockSamples * plan.Scratch.SlotOffsets[buffer]) + ", samples * " + Text.Literal(length) + ")",
        };

        /// <summary>"Conv2 + Bn2 folded, ReLU fused: 16x16x16 -> 16x16x32", "Add(Main), ReLU fused", "ReLU6 on 8x8x16".</summary>
        private static string Describe(NetworkPlan plan, ForwardStep step)
        {
            NetworkModel n = plan.Network;
            LayerModel l = n.Layers[step.Layer];
            string what;
            if (l.HasMembers)
            {
                what = LayerText.Describe(l) + (step.Folded >= 0 ? ", " + n.Layers[step.Folded].Name + " folded in" : string.Empty);
            }
            else
            {
                string name = l.Name.Length > 0 ? l.Name + " = " : string.Empty;
                what = l.Kind switch
                {
                    LayerKind.Add => name + "Add: " + Label(n, l.Source) + " + " + Label(n, l.Sources[1]) + ", " + l.Output,
                    LayerKind.Concat => name + "Concat along depth: " + string.Join(", ", l.Sources.Select(s => Label(n, s))) + " -> " + l.Output,
                    LayerKind.LeakyRelu => name + "LeakyReLU (slope " + Text.Float(l.Value) + ") on " + l.Input,
                    _ => name + LayerKinds.DisplayName(l.Kind) + " on " + l.Input,
                };
            }

            if (l.Source != step.Layer - 1 && l.Kind != LayerKind.Concat)
            {
                what += ", reading " + Label(n, l.Source);
            }

            return what + (step.FusedRelu ? ", " + LayerKinds.DisplayName(n.Layers[step.Last].Kind) + " fused" : string.Empty);
        }

        private static string Label(NetworkModel n, int layer) =>
            layer < 0 ? "the input" : n.Layers[layer].Name.Length > 0 ? n.Layers[layer].Name : LayerKinds.DisplayName(n.Layers[layer].Kind) + " (layer " + (layer + 1) + ")";

        private static string Weight(LayerModel l) => "p.Slice(" + GeneratedNames.WeightOffset(l.Name) + ", " + GeneratedNames.WeightLength(l.Name) + ")";

        private static string Bias(LayerModel l) => l.HasBias ? "p.Slice(" + GeneratedNames.BiasOffset(l.Name) + ", " + GeneratedNames.BiasLength(l.Name) + ")" : "default";

        /// <summary>A batch norm's weight, bias, running mean and running variance in <c>p</c>.</summary>
        private static string Statistics(LayerModel l) =>
            "p.Slice(" + GeneratedNames.WeightOffset(l.Name) + ", " + l.Input.Depth + "), p.Slice(" + GeneratedNames.BiasOffset(l.Name) + ", " + l.Input.Depth + "), " +
            "p.Slice(" + GeneratedNames.Constant(l.Name, "RunningMeanOffset") + ", " + l.Input.Depth + "), p.Slice(" + GeneratedNames.Constant(l.Name, "RunningVarOffset") + ", " + l.Input.Depth + ")";

        private static string Span(NetworkPlan plan, int buffer, int length) => buffer switch
        {
            Slots.Input => "input",
            Slots.Output => "output",
            _ => "a.Slice(" + Text.Literal(plan.Scratch.SlotOffsets[buffer]) + ", " + Text.Literal(length) + ")",
        };

        /// <summary>The per-thread scratch fields and their sizes: only those some step or kernel uses.</summary>
        private static void EmitScratch(SourceWriter w, NetworkPlan plan)
        {
            ScratchPlan s = plan.Scratch;
            if (plan.Layers.Count > 0 || plan.Steps.Count > 0)
            {
                w.Line("// Forward's or a layer method's input copied when it overlaps the output (a call in place), and ForwardBatch's inputs.");
                Field(w, GeneratedNames.InputCopy, true);
            }

            if (plan.Steps.Count > 0)
            {
                Field(w, GeneratedNames.InputsCopy, true);
            }

            if (s.SlotOffsets.Count == 0 && s.PaddedLength == 0 && s.PhaseLength == 0 && s.WideLength == 0)
            {
                return;
            }

            w.Line("// Per-thread scratch, allocated on a thread's first call: Forward may run on several threads at once.");
            if (s.SlotOffsets.Count > 0)
            {
                Size(w, GeneratedNames.MaxActivationLength, s.ActivationLength, "the activations Forward keeps: " + s.SlotOffsets.Count + " slot" + (s.SlotOffsets.Count == 1 ? string.Empty : "s") + " at " + string.Join(", ", s.SlotOffsets.Select(o => Text.Literal(o))));
                Field(w, GeneratedNames.Activations, true);
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
                Size(w, GeneratedNames.MaxWideLength, s.WideLength, "the largest wide output or row of sums (vector kernels), or a max pool's pooled cells");
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
