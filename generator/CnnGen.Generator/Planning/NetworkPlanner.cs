using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;
using CnnGen.Shapes;

namespace CnnGen.Generator.Planning
{
    /// <summary>
    /// Decides, once per network, how every layer runs: the scalar kernel's source plane and unroll level, the vector
    /// kernel and its blocking, where repacked weights sit, the forward steps and their buffers, and the scratch sizes.
    /// Sizes are computed in long; a vector kernel whose buffers would not fit an int is not planned (the scalar
    /// kernel serves), so no emitted literal can overflow.
    /// </summary>
    internal static class NetworkPlanner
    {
        /// <summary>The widest vector the kernels are sized for (AVX-512).</summary>
        public const int MaxLanes = 16;

        /// <summary>A vector kernel whose scratch or packed weight would exceed 2^28 floats (1 GiB) is not planned.</summary>
        private const long MaxVectorBuffer = 1L << 28;

        /// <summary>A conv whose window and stride both pass this on one axis takes the scalar kernel (its phases are not counted).</summary>
        private const int MaxPhaseTaps = 4096;

        public static NetworkPlan Plan(NetworkModel network)
        {
            var layers = new List<LayerPlan>();
            long packed = 0;
            foreach (LayerModel layer in network.Layers)
            {
                if (!layer.HasMembers)
                {
                    continue;
                }

                KernelPlan? vector = VectorPlan(layer, out string? scalarOnly);
                int packedOffset = -1;
                if (vector is { PackedLength: > 0 })
                {
                    if (packed + vector.PackedLength > MaxVectorBuffer)
                    {
                        // All the repacked weights together would pass 1 GiB: a position conv reads PyTorch's layout
                        // instead, any other layer keeps its scalar kernel.
                        if (vector is ConvPositionsPlan positions)
                        {
                            vector = positions with { Packed = 0 };
                        }
                        else
                        {
                            vector = null;
                            scalarOnly = "The repacked weights of the network would be over 1 GiB";
                        }
                    }
                    else
                    {
                        packedOffset = (int)packed;
                        packed += vector.PackedLength;
                    }
                }

                layers.Add(new LayerPlan(layer, ScalarPlanOf(layer), vector, packedOffset, scalarOnly));
            }

            // Batch norms folded into the conv or fully-connected layer before them: their weights and biases, folded when
            // the parameters are set, sit one after another in _folded (a fold that would take it over 1 GiB is not made:
            // that batch norm runs as a pass of its own).
            var unfoldable = new HashSet<int>();
            List<ForwardStep> steps;
            long folded;
            var plain = new List<LayerPlan>(layers);
            while (true)
            {
                steps = Steps(network, unfoldable);
                folded = 0;
                layers = new List<LayerPlan>(plain);
                int over = -1;
                foreach (ForwardStep step in steps)
                {
                    if (step.Folded < 0)
                    {
                        continue;
                    }

                    int at = PlanAt(layers, step.Layer);
                    LayerModel layer = layers[at].Layer;
                    long length = (long)layer.Weight.Length + layer.Output.Depth;
                    if (folded + length > MaxVectorBuffer)
                    {
                        over = step.Folded;
                        break;
                    }

                    layers[at] = layers[at] with { FoldedBias = !layer.HasBias, FoldedBatchNorm = step.Folded, FoldedOffset = (int)folded };
                    folded += length;
                }

                if (over < 0)
                {
                    break;
                }

                unfoldable.Add(over);
            }

            foreach (ForwardStep step in steps)
            {
                if (step.FusedRelu && network.Layers[step.Last].Kind == LayerKind.Relu6)
                {
                    int at = PlanAt(layers, step.Layer);
                    layers[at] = layers[at] with { FusedCeiling = 6f };
                }
            }

            CarryPadding(network, layers, steps);
            CarryWide(network, layers, steps);
            CarryCells(network, layers, steps);
            EquatableArray<int> slots = AssignSlots(network, steps, out int activation);
            FuseAdds(network, layers, steps);

            int padded = 0, phases = 0, wide = 0;
            foreach (LayerPlan plan in layers)
            {
                if (plan.Scalar.Padded)
                {
                    padded = Math.Max(padded, plan.Scalar.SourcePlane * plan.Layer.Input.Depth);
                }

                phases = Math.Max(phases, plan.Vector?.PhaseLength ?? 0);
                wide = Math.Max(wide, plan.Vector?.WideLength ?? 0);
            }

            var scratch = new ScratchPlan(activation, slots, padded, phases, wide);

            // A network of fully-connected layers only (ReLU fused, batch norms folded) runs ForwardBatch in blocks of
            // samples: each weight is then read once per block instead of once per sample (matrix-vector → matrix-matrix).
            int most = BlockSamples;
            while (most > 8 && (long)most * ((long)activation + wide) > MaxVectorBuffer)
            {
                most /= 2;
            }

            bool blocked = steps.Count > 0 && (long)most * ((long)activation + wide) <= MaxVectorBuffer && steps.All(step =>
                network.Layers[step.Layer].Kind == LayerKind.FullyConnected
                && layers.First(p => p.Layer.Index == step.Layer).Vector is FullyConnectedPlan
                && (!step.FusedRelu || network.Layers[step.Last].Kind == LayerKind.Relu));
            return new NetworkPlan(network, EquatableArray.From(layers), EquatableArray.From(steps), scratch, (int)packed, (int)folded)
            {
                BlockSamples = blocked ? most : 0,
            };
        }

        /// <summary>
        /// The most samples per block in ForwardBatch's blocked path (<see cref="NetworkPlan.BlockSamples"/>): 4 groups of the
        /// block kernel's 8-sample register tile, each weight strip read from L2 once for all 4 (in-process, the autoencoder's
        /// batch of 256 took 0.85 of the old kernel's time on two threads and 0.80 on one in blocks of 32, against 0.87 and
        /// 0.92 in blocks of 8; blocks of 16 between). A network too large for blocks of 32 takes 16 or 8.
        /// </summary>
        public const int BlockSamples = 32;

        /// <summary>
        /// The steps of <c>Forward</c>, each producing one value another step (or the output) reads. A batch norm right
        /// after a conv or fully-connected layer is folded into it, and a ReLU right after one of those (or after such a
        /// batch norm, a batch norm of its own, or an Add) is fused into its store — but only where nothing else reads the value in between (a
        /// named layer's output is its own result). Every other layer is a step of its own. Buffers are assigned after.
        /// </summary>
        private static List<ForwardStep> Steps(NetworkModel network, HashSet<int> unfoldable)
        {
            IReadOnlyList<LayerModel> layers = network.Layers;
            int[] readers = new int[layers.Count];
            foreach (LayerModel layer in layers)
            {
                foreach (int source in layer.Reads)
                {
                    if (source >= 0)
                    {
                        readers[source]++;
                    }
                }
            }

            // Only the next layer reads layer i's output (and the network's output is not it).
            bool OnlyNextReads(int i) => i + 1 < layers.Count && readers[i] == 1 && layers[i + 1].Source == i && layers[i + 1].Reads.Count == 1;

            var steps = new List<ForwardStep>();
            for (int i = 0; i < layers.Count; i++)
            {
                LayerModel layer = layers[i];
                int last = i, folded = -1;
                bool relu = false;
                if (layer.HasParameters && OnlyNextReads(i) && layers[i + 1].Kind == LayerKind.BatchNorm && !unfoldable.Contains(i + 1))
                {
                    folded = ++last;
                }

                // A ReLU6 only into a conv, whose kernels are all emitted here (the others apply a plain ReLU).
                if (((layer.HasParameters || layer.Kind is LayerKind.Add or LayerKind.BatchNorm) && OnlyNextReads(last) && layers[last + 1].Kind == LayerKind.Relu) ||
                    (layer.Kind == LayerKind.Conv && OnlyNextReads(last) && layers[last + 1].Kind == LayerKind.Relu6))
                {
                    relu = true;
                    last++;
                }

                steps.Add(new ForwardStep(i, relu, layer.Reads, 0, false, folded, last));
                i = last;
            }

            return steps;
        }

        /// <summary>Where layer <paramref name="layer"/>'s plan is in <paramref name="layers"/> (−1: it has none, having no members).</summary>
        private static int PlanAt(List<LayerPlan> layers, int layer) => layers.FindIndex(p => p.Layer.Index == layer);

        /// <summary>
        /// The carried layout: where a conv's output rows are whole vectors (<see cref="ConvPositionsPlan.Direct"/>) or it is
        /// vectorized over its filters (<see cref="ConvFiltersPlan"/>: its cell-major result transposed into the planes) and the
        /// steps that read its value are one stride-1 conv that would copy it into padded phase planes and, maybe, Adds (a
        /// residual block's shortcut), the first conv stores its output in those planes in <c>Forward</c> (padding zeroed
        /// around it: see <see cref="PaddedPlanes.ZeroesRowGaps"/>), the second reads them as they are and the Adds read their operand from them: one copy of the
        /// activations fewer (ResNet-8's first 3x3 convs and their shortcut, a stride-2 conv's 3x3 successor).
        /// </summary>
        private static void CarryPadding(NetworkModel network, List<LayerPlan> layers, List<ForwardStep> steps)
        {
            for (int a = 0; a < steps.Count; a++)
            {
                ForwardStep writer = steps[a];
                int writerAt = PlanAt(layers, writer.Layer);
                if (network.Layers[writer.Layer].Kind != LayerKind.Conv || writerAt < 0 || layers[writerAt].Vector is not { } producer || producer is not (ConvPositionsPlan { Direct: true } or ConvFiltersPlan))
                {
                    continue;
                }

                // Every step that reads the value: one padded stride-1 conv, the rest Adds of it and another value.
                int value = writer.Last, reader = -1;
                bool carries = true;
                for (int s = a + 1; s < steps.Count && carries; s++)
                {
                    ForwardStep step = steps[s];
                    if (!step.Sources.Contains(value))
                    {
                        continue;
                    }

                    LayerModel layer = network.Layers[step.Layer];
                    if (layer.Kind == LayerKind.Add && step.Sources.Count == 2 && step.Sources[0] != step.Sources[1] && step.PaddedOperand < 0)
                    {
                        continue;
                    }

                    carries = reader < 0 && layer.Kind == LayerKind.Conv && layer.Window is { StrideX: 1, StrideY: 1 } && step.Sources.Count == 1 &&
                        layers[PlanAt(layers, step.Layer)].Vector is ConvPositionsPlan { ReadsInput: false, Phases: { PhasesX: 1, PhasesY: 1 } } or ConvFiltersPlan { ReadsInput: false, Phases: { PhasesX: 1, PhasesY: 1 } };
                    reader = s;
                }

                if (!carries || reader < 0)
                {
                    continue;
                }

                int readerAt = PlanAt(layers, steps[reader].Layer);
                KernelPlan copy = layers[readerAt].Vector!;
                PhaseLayout phases = copy is ConvPositionsPlan positions ? positions.Phases : ((ConvFiltersPlan)copy).Phases;
                Window window = network.Layers[steps[reader].Layer].Window!;
                var padded = new PaddedPlanes(phases.Width, phases.Height, window.PadLeft, window.PadTop, copy.PhaseLength);
                layers[writerAt] = layers[writerAt] with { Vector = producer is ConvPositionsPlan positionsProducer ? positionsProducer with { PaddedOutput = padded } : ((ConvFiltersPlan)producer) with { PaddedOutput = padded } };
                layers[readerAt] = layers[readerAt] with { Vector = copy with { PaddedInput = true } };
                steps[a] = writer with { PaddedOutput = padded };
                steps[reader] = steps[reader] with { PaddedInput = true };
                for (int s = a + 1; s < steps.Count; s++)
                {
                    if (s != reader && steps[s].Sources.Contains(value))
                    {
                        steps[s] = steps[s] with { PaddedOperand = steps[s].Sources[0] == value ? 0 : 1, OperandPlanes = padded };
                    }
                }
            }
        }

        /// <summary>
        /// The carried layout into a pool: a position conv that writes a wide output (rows as long as its phase rows, the
        /// columns past the output's width junk) and compacts it, read only by a pool vectorized along rows, leaves it
        /// uncompacted in <c>Forward</c> and the pool reads its rows at that length (its windows never reach the junk
        /// columns): one copy fewer (LeNet-5's first conv and pool).
        /// </summary>
        private static void CarryWide(NetworkModel network, List<LayerPlan> layers, List<ForwardStep> steps)
        {
            for (int a = 0; a + 1 < steps.Count; a++)
            {
                ForwardStep writer = steps[a];
                int writerAt = PlanAt(layers, writer.Layer);
                if (network.Layers[writer.Layer].Kind != LayerKind.Conv || writerAt < 0 || layers[writerAt].Vector is not ConvPositionsPlan { Direct: false, Straight: false, PaddedOutput: null } producer)
                {
                    continue;
                }

                int at = SoleReader(steps, a);
                if (at < 0 || network.Layers[steps[at].Layer].Kind is not (LayerKind.MaxPool or LayerKind.AvgPool))
                {
                    continue;
                }

                ForwardStep reader = steps[at];
                int readerAt = PlanAt(layers, reader.Layer);
                if (readerAt < 0 || layers[readerAt].Vector is not PoolRowsPlan pool)
                {
                    continue;
                }

                var wide = new WideRows(producer.RowLength, producer.WideChannel, producer.WideLength);
                layers[writerAt] = layers[writerAt] with { Vector = producer with { WideOutput = true } };
                layers[readerAt] = layers[readerAt] with { Vector = pool with { WideInput = wide } };
                steps[a] = writer with { WideOutputLength = wide.Length };
                steps[at] = reader with { WideInput = wide };
            }
        }

        /// <summary>The step after step <paramref name="a"/> that alone reads its value, reading nothing else itself; −1: none.</summary>
        private static int SoleReader(List<ForwardStep> steps, int a)
        {
            int[] readers = Enumerable.Range(a + 1, steps.Count - a - 1).Where(s => steps[s].Sources.Contains(steps[a].Last)).ToArray();
            return readers.Length == 1 && steps[readers[0]].Sources.Count == 1 ? readers[0] : -1;
        }

        /// <summary>
        /// The carried layout into a max pool: a filter-vector conv (its result cell-major, [cell][K], transposed into CHW at
        /// the end) read only by a max pool whose windows all lie inside the map leaves its output untransposed in
        /// <c>Forward</c>, and the pool takes each window's max over whole vectors of channels and writes CHW: a transpose of
        /// the pooled cells instead of the conv's, and no shuffles of even and odd lanes (LeNet-5's second conv and pool).
        /// </summary>
        private static void CarryCells(NetworkModel network, List<LayerPlan> layers, List<ForwardStep> steps)
        {
            for (int a = 0; a + 1 < steps.Count; a++)
            {
                ForwardStep writer = steps[a];
                int writerAt = PlanAt(layers, writer.Layer);
                if (network.Layers[writer.Layer].Kind != LayerKind.Conv || writerAt < 0 || layers[writerAt].Vector is not ConvFiltersPlan { PaddedOutput: null } producer)
                {
                    continue;
                }

                int at = SoleReader(steps, a);
                if (at < 0 || network.Layers[steps[at].Layer] is not { Kind: LayerKind.MaxPool } pool)
                {
                    continue;
                }

                ForwardStep reader = steps[at];
                int readerAt = PlanAt(layers, reader.Layer);
                Window window = pool.Window!;
                bool inside = !window.HasPadding &&
                    ((long)(pool.Output.Width - 1) * window.StrideX) + window.ExtentX <= pool.Input.Width &&
                    ((long)(pool.Output.Height - 1) * window.StrideY) + window.ExtentY <= pool.Input.Height;
                if (readerAt < 0 || layers[readerAt].Vector is not PoolRowsPlan rows || !inside)
                {
                    continue;
                }

                var cells = new CellRows(pool.Input.Width, pool.Input.Height, pool.Input.Depth);
                layers[writerAt] = layers[writerAt] with { Vector = producer with { CellsOutput = true } };
                layers[readerAt] = layers[readerAt] with { Vector = rows with { CellsInput = cells } };
                steps[a] = writer with { CellsOutput = true };
                steps[at] = reader with { CellsInput = cells };
            }
        }

        /// <summary>
        /// An Add whose operand a position conv makes and nothing else reads, written where the conv wrote it (in place over
        /// it), is done by the conv in <c>Forward</c>'s vector steps: each sum gets the other operand (the residual) added
        /// as it is stored, then the Add's ReLU, if any (ResNet-8's three residual Adds: a pass over each block's output
        /// fewer; in-process 1-2 %, L1 1 %). The residual must be made by a step before the conv, not be the network's
        /// input (the caller's array: fused, MobileNetV2's block measured 1-2 % slower), and be CHW or, for a conv whose
        /// output rows are whole vectors, in a conv's padded planes. Where the Add is the last step, the conv stores into
        /// the output. The scalar steps keep the Add. Runs after the buffers are assigned.
        /// </summary>
        private static void FuseAdds(NetworkModel network, List<LayerPlan> layers, List<ForwardStep> steps)
        {
            var stepOf = new Dictionary<int, int>();
            for (int s = 0; s < steps.Count; s++)
            {
                stepOf[steps[s].Last] = s;
            }

            for (int s = 0; s < steps.Count; s++)
            {
                ForwardStep add = steps[s];
                LayerModel layer = network.Layers[add.Layer];
                if (layer.Kind != LayerKind.Add || add.Sources.Count != 2 || add.Sources[0] == add.Sources[1] || (add.FusedRelu && network.Layers[add.Last].Kind != LayerKind.Relu))
                {
                    continue;
                }

                for (int k = 0; k < 2; k++)
                {
                    int value = layer.Reads[k], other = layer.Reads[1 - k];
                    // The conv writes where the Add does: in place over the conv's value, or (the Add last) into the output.
                    if (value < 0 || !stepOf.TryGetValue(value, out int c) || c >= s || steps[c].Add is not null ||
                        (steps[c].Target != add.Target && !(add.Target == Slots.Output && steps[c].Target >= 0)))
                    {
                        continue;
                    }

                    // The residual is ready when the conv runs; nothing but the Add reads the conv's output.
                    int readers = steps.Count(step => network.Layers[step.Layer].Reads.Contains(value));
                    bool ready = other >= 0 && stepOf.TryGetValue(other, out int made) && made < c;
                    int at = PlanAt(layers, steps[c].Layer);
                    if (readers != 1 || !ready || network.Layers[steps[c].Layer].Kind != LayerKind.Conv || at < 0 ||
                        layers[at].Vector is not ConvPositionsPlan { PaddedOutput: null, WideOutput: false } conv || !(conv.Direct || conv.Straight) ||
                        (add.PaddedOperand == 1 - k && !conv.Direct))
                    {
                        continue;
                    }

                    PaddedPlanes? planes = add.PaddedOperand == 1 - k ? add.OperandPlanes : null;
                    layers[at] = layers[at] with { Vector = conv with { AddsResidual = true, ResidualPlanes = planes } };
                    if (add.Target == Slots.Output)
                    {
                        // The Add is the last step: the conv stores into the output, and the scalar steps' Add runs there in place.
                        int[] sources = add.Sources.ToArray();
                        sources[k] = Slots.Output;
                        add = add with { Sources = EquatableArray.From(sources), InPlace = k == 0 };
                        steps[c] = steps[c] with { Target = Slots.Output };
                    }

                    steps[c] = steps[c] with { Add = new FusedAdd(add.Sources[1 - k], planes, add.FusedRelu, add.Layer) };
                    steps[s] = add with { FusedIntoConv = true };
                    break;
                }
            }
        }

        /// <summary>
        /// Gives each step's value a buffer: the network's output for the last step, else a slot of the activation scratch
        /// that no value still to be read holds (slots are sized to the largest value they hold, laid one after another). An
        /// element-wise step (activation, batch norm, Add) whose source is a slot read by nothing after it rewrites it in
        /// place. Sources are rewritten from layer indices into buffers.
        /// </summary>
        private static EquatableArray<int> AssignSlots(NetworkModel network, List<ForwardStep> steps, out int total)
        {
            IReadOnlyList<LayerModel> layers = network.Layers;

            // The step whose value is each layer's output (a folded or fused layer's value is its step's).
            var stepOf = new Dictionary<int, int>();
            for (int s = 0; s < steps.Count; s++)
            {
                for (int l = steps[s].Layer; l <= steps[s].Last; l++)
                {
                    stepOf[l] = s;
                }
            }

            // The last step that reads each step's value.
            int[] lastRead = new int[steps.Count];
            for (int s = 0; s < steps.Count; s++)
            {
                lastRead[s] = -1;
            }

            for (int s = 0; s < steps.Count; s++)
            {
                foreach (int source in steps[s].Sources)
                {
                    if (source >= 0)
                    {
                        lastRead[stepOf[source]] = s;
                    }
                }
            }

            // The last step writes the output; so does the step before a run of element-wise steps at the end (an activation,
            // batch norm or softmax that alone reads its source), which then run in place on the output.
            bool[] toOutput = new bool[steps.Count];
            int[] readCount = new int[steps.Count];
            foreach (ForwardStep step in steps)
            {
                foreach (int source in step.Sources)
                {
                    if (source >= 0)
                    {
                        readCount[stepOf[source]]++;
                    }
                }
            }

            for (int s = steps.Count - 1; s >= 0; s--)
            {
                toOutput[s] = s == steps.Count - 1 || toOutput[s];
                LayerModel first = layers[steps[s].Layer];
                bool elementWise = (first.IsActivation || first.Kind is LayerKind.BatchNorm or LayerKind.Softmax) && steps[s].Sources.Count == 1;
                int source = steps[s].Source;
                if (!toOutput[s] || !elementWise || source < 0 || readCount[stepOf[source]] != 1)
                {
                    break;
                }

                toOutput[stepOf[source]] = true;
            }

            var sizes = new List<int>();
            var holder = new List<int>(); // per slot: the step whose value it holds now, −1 when free
            int[] bufferOf = new int[steps.Count];
            for (int s = 0; s < steps.Count; s++)
            {
                ForwardStep step = steps[s];
                LayerModel produced = layers[step.Last];
                int length = Math.Max(produced.Output.Length, Math.Max(step.PaddedOutput?.Length ?? 0, step.WideOutputLength));
                var sources = new int[step.Sources.Count];
                for (int k = 0; k < sources.Length; k++)
                {
                    sources[k] = step.Sources[k] < 0 ? Slots.Input : bufferOf[stepOf[step.Sources[k]]];
                }

                int target;
                bool inPlace = false;
                if (toOutput[s])
                {
                    target = Slots.Output;
                    inPlace = sources[0] == Slots.Output;
                }
                else
                {
                    // In place: an element-wise step over a slot whose value nothing after this step reads.
                    bool elementWise = layers[step.Layer].IsActivation || layers[step.Layer].Kind is LayerKind.BatchNorm or LayerKind.Add;
                    target = -1;
                    if (elementWise)
                    {
                        foreach (int source in step.Sources)
                        {
                            // Not in place over a value in padded planes (the carried layout): the step writes CHW there. (An Add
                            // would work even so, each store landing behind the operand cells still to read, but nothing relies on it.)
                            if (source >= 0 && bufferOf[stepOf[source]] >= 0 && lastRead[stepOf[source]] == s && steps[stepOf[source]].PaddedOutput is null)
                            {
                                target = bufferOf[stepOf[source]];
                                inPlace = target == sources[0];
                                break;
                            }
                        }
                    }

                    if (target < 0)
                    {
                        // A free slot: the smallest that holds the value, else the largest (grown to hold it).
                        for (int k = 0; k < holder.Count; k++)
                        {
                            if (holder[k] >= 0 && lastRead[holder[k]] >= s)
                            {
                                continue;
                            }

                            bool better = target < 0 ||
                                (sizes[k] >= length ? sizes[target] < length || sizes[k] < sizes[target] : sizes[target] < length && sizes[k] > sizes[target]);
                            if (better)
                            {
                                target = k;
                            }
                        }

                        if (target < 0)
                        {
                            target = holder.Count;
                            holder.Add(-1);
                            sizes.Add(0);
                        }
                    }

                    holder[target] = s;
                    sizes[target] = Math.Max(sizes[target], length);
                }

                bufferOf[s] = target;
                steps[s] = step with { Sources = EquatableArray.From(sources), Target = target, InPlace = inPlace };
            }

            var offsets = new int[sizes.Count];
            long sum = 0;
            for (int k = 0; k < sizes.Count; k++)
            {
                offsets[k] = (int)sum;
                sum += RoundUp(sizes[k], MaxLanes); // each slot starts on a 64-byte boundary of the aligned scratch
            }

            // The checker keeps every volume under int.MaxValue; a network of many such slots is capped by the arena's int.
            total = (int)Math.Min(sum, int.MaxValue);
            return EquatableArray.From(offsets);
        }

        private static ScalarPlan ScalarPlanOf(LayerModel layer)
        {
            if (layer.Window is not { } window)
            {
                return new ScalarPlan(UnrollLevel.Full, false, 0, 0);
            }

            Volume input = layer.Input;
            long extentX = ShapeMath.WindowExtent(layer.Output.Width, window.ExtentX, window.StrideX);
            long extentY = ShapeMath.WindowExtent(layer.Output.Height, window.ExtentY, window.StrideY);
            bool padded = window.HasPadding || extentX > input.Width || extentY > input.Height;
            // The checker has made sure these fit an int (CNN003 otherwise).
            int width = padded ? (int)Math.Max(extentX, (long)input.Width + window.PadLeft + window.PadRight) : input.Width;
            int height = padded ? (int)Math.Max(extentY, (long)input.Height + window.PadTop + window.PadBottom) : input.Height;
            return new ScalarPlan(Unrolling.Scalar(layer), padded, width, height);
        }

        /// <summary>The layer's vector kernel, or null when the scalar kernel serves every machine (and why).</summary>
        private static KernelPlan? VectorPlan(LayerModel layer, out string? scalarOnly)
        {
            KernelPlan? plan;
            switch (layer.Kind)
            {
                case LayerKind.FullyConnected:
                {
                    int padded = RoundUp(layer.Output.Depth, MaxLanes);
                    long packed = (long)layer.Input.Length * padded;
                    plan = packed <= MaxVectorBuffer ? new FullyConnectedPlan(padded, (int)packed) : null;
                    scalarOnly = "The packed weight would be over 1 GiB";
                    break;
                }

                case LayerKind.GlobalAvgPool:
                case LayerKind.GlobalMaxPool:
                case LayerKind.BatchNorm:
                    // Passes over whole planes: the runtime's GraphKernels serve every machine.
                    scalarOnly = "It runs as a pass of the runtime's GraphKernels";
                    return null;

                case LayerKind.MaxPool:
                case LayerKind.AvgPool:
                    plan = PoolPlan(layer);
                    scalarOnly = layer.Window!.StrideX > 2 ? "A pool stride over 2 across has no vector kernel" : "The window is over the unroll budget";
                    break;

                default:
                    plan = ConvPlan(layer);
                    scalarOnly = "The vector kernel's buffers would be over 1 GiB";
                    break;
            }

            if (plan is not null)
            {
                scalarOnly = null;
            }

            return plan;
        }

        private static KernelPlan? PoolPlan(LayerModel layer)
        {
            Window window = layer.Window!;
            if (WholeMapPoolPlan.Fits(layer))
            {
                return new WholeMapPoolPlan();
            }

            if (PoolSumsPlan.Fits(layer))
            {
                int paddedWidth = window.PadLeft + layer.Input.Width + window.PadRight;
                return new PoolSumsPlan(Math.Max(1, Math.Min(layer.Output.Height, PoolSumsPlan.MaxFloats / paddedWidth)), paddedWidth);
            }

            if (window.StrideX > 2 || window.Taps > Unrolling.Budget)
            {
                return null;
            }

            // Output columns whose whole window lies inside the input row: x·Sx − Pleft ≥ 0 and x·Sx − Pleft + Fdx − 1 ≤ W − 1
            // (Fdx the dilated width). With stride 2 each load pair at a tap t covers columns t and t + 1 of every output's
            // window (even and odd lanes); without dilation the odd lanes are the next tap, so pairs start at taps 0, 2, 4…
            // and the last pair reads one column past the window when the window has an odd width (or is dilated): that
            // column must be inside too. A window of even width (2x2 pools) ends where its last pair ends.
            int first = (window.PadLeft + window.StrideX - 1) / window.StrideX;
            long reach = window.DilationX == 1 && window.SizeX % 2 == 0 ? window.ExtentX - 1 : window.ExtentX;
            long last = window.StrideX == 2
                ? ShapeMath.FloorDiv((long)layer.Input.Width - 1 - reach + window.PadLeft, 2)
                : (long)layer.Input.Width - window.ExtentX + window.PadLeft;
            last = Math.Min(last, layer.Output.Width - 1);
            return new PoolRowsPlan(first, (int)Math.Max(last, first - 1));
        }

        private static KernelPlan? ConvPlan(LayerModel layer)
        {
            Window window = layer.Window!;
            Volume input = layer.Input, output = layer.Output;
            ScalarPlan source = ScalarPlanOf(layer);
            int sx = window.StrideX, sy = window.StrideY;
            int phaseWidth = (int)(((long)source.SourceWidth + sx - 1) / sx);
            int phaseHeight = (int)(((long)source.SourceHeight + sy - 1) / sy);

            // Only the phases some tap reads: tap fx reads phase (fx·Dx) mod Sx, which repeats every Sx taps at most. A window
            // and a stride both over MaxPhaseTaps on one axis (absurd, but legal) take the scalar kernel rather than a walk
            // over a billion taps here.
            if (Math.Min(window.SizeX, sx) > MaxPhaseTaps || Math.Min(window.SizeY, sy) > MaxPhaseTaps)
            {
                return null;
            }

            int phasesX = 0, phasesY = 0;
            for (int fx = 0; fx < Math.Min(window.SizeX, sx); fx++)
            {
                phasesX = (int)Math.Max(phasesX, ((long)fx * window.DilationX % sx) + 1);
            }

            for (int fy = 0; fy < Math.Min(window.SizeY, sy); fy++)
            {
                phasesY = (int)Math.Max(phasesY, ((long)fy * window.DilationY % sy) + 1);
            }

            var phases = new PhaseLayout(phaseWidth, phaseHeight, phasesX, phasesY, input.Depth);
            // The floats a step reads past its first cell, and the phase copy with the slack the last vectors read past it.
            long Reach(long pitch, int skew) => ((window.ExtentY - 1) / sy * pitch) + ((window.ExtentX - 1) / sx) + skew;
            long CopyLength(long pitch, long reachPast) => ((long)phases.PhasesX * phases.PhasesY * input.Depth * pitch * phaseHeight) + reachPast + MaxLanes;
            long reach = Reach(phaseWidth, 0);
            long phaseCopy = CopyLength(phaseWidth, reach);
            int outputCells = output.Plane;

            // Depthwise: its own kernel, the taps held in registers (up to 8x8; a larger window takes the general one); on
            // small maps of many channels, vectors over the channels; on planes of narrow rows at stride 1, over the flat
            // plane with lane masks.
            if (DepthwiseChannelsPlan.Fits(layer))
            {
                long copies = ((long)input.Plane + output.Plane) * input.Depth;
                long packedWeight = (long)window.Taps * input.Depth;
                if (copies <= MaxVectorBuffer && packedWeight <= MaxVectorBuffer)
                {
                    return new DepthwiseChannelsPlan((int)copies, (int)packedWeight);
                }
            }

            if (DepthwiseFlatPlan.Fits(layer))
            {
                int paddedHeight = window.PadTop + input.Height + window.PadBottom;
                long planes = (long)paddedHeight * input.Width * input.Depth;
                long masks = ((long)output.Plane + MaxLanes) * window.SizeX;
                if (planes + DepthwiseFlatPlan.Slack * 2 <= MaxVectorBuffer && masks <= MaxVectorBuffer)
                {
                    return new DepthwiseFlatPlan(paddedHeight, DepthwiseFlatPlan.Slack, (int)planes, (int)masks);
                }
            }

            if (layer.IsDepthwise && window.Taps <= 64)
            {
                return DepthwisePlanOf(layer, source, phases, phaseCopy);
            }

            // Output rows a whole number of 16-float vectors long: vectors never cross a row, so positions are the
            // output's own cells (q = y·W2 + x) and the kernel stores straight into the CHW output.
            bool direct = output.Width % MaxLanes == 0;

            long positions = (long)output.Height * (direct ? output.Width : phaseWidth);
            long wideChannel = RoundUp(positions, MaxLanes);

            // Vectors over positions would waste over a ninth of their lanes on the junk columns of the wide rows, and the
            // filters fill whole vectors: vectorize over the filters instead, a cell broadcast at a time (with up to 4 filter
            // vectors per step). ResNet-8's 8x8 maps (64 cells in 80 lanes): its stride-2 16x16x32 -> 8x8x64 conv 27 -> 17.5 us.
            // An input of 4 channels or fewer only past a quarter: below that the conv over gathered columns (next) is faster
            // (the keyword-spotting stem G4: 3.6 us there, 6.7 us over the filters).
            bool deep = input.Depth > 4;
            if (!direct && layer.Groups == 1 && output.Depth % MaxLanes == 0 && (long)outputCells * (deep ? 9 : 4) < wideChannel * (deep ? 8 : 3))
            {
                long cellMajor = (long)outputCells * output.Depth;
                if (Math.Max(Math.Max(phaseCopy, cellMajor), layer.Weight.Length) > MaxVectorBuffer)
                {
                    return null;
                }

                bool reads = sx == 1 && sy == 1 && !source.Padded;
                long sourceLength = reads ? input.Length : phaseCopy;
                (int narrowCells, int narrowVectors) = FilterTile.NarrowStep(output.Depth, output.Width);
                var narrowTile = new FilterTile(narrowCells, narrowVectors, false, FilterTile.FilterBlocksOutside(layer.Weight.Length, output.Height, sourceLength, output.Depth, narrowVectors));

                // On 512-bit vectors a 1x1 conv reading its input takes its cells across rows (the plane is one row).
                bool flat = reads && phases.Width == output.Width && output.Height > 1;
                int rowCells = flat ? output.Plane : output.Width, tileRows = flat ? 1 : output.Height;
                (int wideCells, int wideVectors) = FilterTile.WideStep(output.Depth, rowCells);
                var wideTile = new FilterTile(wideCells, wideVectors, flat, FilterTile.FilterBlocksOutside(layer.Weight.Length, tileRows, sourceLength, output.Depth, wideVectors));
                return new ConvFiltersPlan(phases, reads, narrowTile, wideTile, Unrolling.Vector(layer), reads ? 0 : (int)phaseCopy, (int)cellMajor, layer.Weight.Length);
            }

            // Few taps over a small plane whose rows are not whole vectors: gather the taps into columns once and multiply
            // along them (no phase rows wider than the output, no compaction). The keyword-spotting stem (G4) 8.0 -> 5.0 us;
            // a deep input (E: 64 channels, 1x1) measured slower so (82 against 63 us): the gather copies the whole input.
            long taps = (long)input.Depth * window.Taps;
            if (!direct && layer.Groups == 1 && input.Depth <= 4 && taps <= 64 && sy <= 4 && output.Plane >= MaxLanes && output.Plane <= 4096 && output.Depth >= 8)
            {
                int block = output.Depth % 4 == 0 ? 4 : output.Depth % 2 == 0 ? 2 : 1;
                long phaseRows = output.Height + ((window.ExtentY - 1) / sy);
                long columns = (long)input.Depth * sy * window.SizeX * phaseRows * output.Width;
                long paddedHeight = source.SourceHeight + sy; // rows of zeros under it: every phase column takes the same rows
                long paddedLength = source.SourceWidth * paddedHeight * input.Depth;
                if (paddedLength + columns <= MaxVectorBuffer)
                {
                    return new ConvColumnsPlan((int)taps, block, (int)columns, source.SourceWidth, (int)paddedHeight, (int)paddedLength, (int)phaseRows);
                }
            }

            // Stride 1 with padding on both sides: a phase row's right padding and the next row's left padding can be the
            // same zeros, so a row needs only max(left, right) of them (D: rows of 57, not 58, so 1 junk column of 57 where 2
            // of 58). A window reaching across the right edge reads on into the next row's left padding, all zeros too; the
            // last row's reach goes on into the rows below, the next plane's left padding or the slack after the planes.
            // Output rows must still fit the phase rows: W + L + R − (Fdx − 1) ≤ W + max(L, R), so min(L, R) ≤ Fdx − 1
            // (a 1x1 conv with padding has output columns of padding alone: it keeps both).
            int padRight = phaseWidth - window.PadLeft - input.Width;
            if (sx == 1 && sy == 1 && !direct && window.PadLeft > 0 && padRight > 0 && Math.Min(window.PadLeft, padRight) <= window.ExtentX - 1)
            {
                phaseWidth = input.Width + Math.Max(window.PadLeft, padRight);
                phases = phases with { Width = phaseWidth };
                reach = ((window.ExtentY - 1) * (long)phaseWidth) + (window.ExtentX - 1);
                phaseCopy = ((long)input.Depth * phases.Plane) + reach + MaxLanes;
                positions = (long)output.Height * phaseWidth;
                wideChannel = RoundUp(positions, MaxLanes);
            }

            // Stride 2 across into output rows of whole vectors (F; ResNet-8's first stride-2 conv): phase rows a multiple of
            // 16 floats apart, each column phase starting as many cells into its row as put its first input cell on a 64-byte
            // boundary. Rows of 17 (padding 1) start anywhere in a cache line, and the copy's row stores split lines: F's
            // 32x32x32 copy took 10 us of its 80, about 3.5 with aligned rows. The cells outside a phase row are never read.
            // Only where the rows at most double (the copy's memory) and the aligned copy still fits the scratch limit.
            if (direct && sx == 2 && phases.PhasesX == 2)
            {
                int skewEven = AlignSkew((window.PadLeft + (window.PadLeft & 1)) / 2);
                int skewOdd = AlignSkew((window.PadLeft + 1 - (window.PadLeft & 1)) / 2);
                long alignedPitch = RoundUp((long)Math.Max(skewEven, skewOdd) + phaseWidth, MaxLanes);
                long alignedReach = Reach(alignedPitch, Math.Max(skewEven, skewOdd));
                long alignedCopy = CopyLength(alignedPitch, alignedReach);
                bool fits = alignedPitch <= 2L * phaseWidth && alignedCopy + Math.Max(0, wideChannel - (alignedPitch * phaseHeight)) <= MaxVectorBuffer;
                // The cells of each column phase the taps read: output columns 0 .. W2 - 1 from each tap's column on.
                // A later tap reads at least as many cells, so the last tap of each parity decides (the last two taps).
                int readEven = 0, readOdd = 0;
                for (int fx = Math.Max(0, window.SizeX - 2); fx < window.SizeX; fx++)
                {
                    long cx = (long)fx * window.DilationX;
                    int cells = (int)Math.Min(phaseWidth, output.Width + (cx / 2));
                    readEven = cx % 2 == 0 ? Math.Max(readEven, cells) : readEven;
                    readOdd = cx % 2 == 1 ? Math.Max(readOdd, cells) : readOdd;
                }

                if (fits && (alignedPitch != phaseWidth || skewEven != 0 || skewOdd != 0))
                {
                    phases = phases with { Pitch = (int)alignedPitch, SkewEven = skewEven, SkewOdd = skewOdd, ReadEven = readEven, ReadOdd = readOdd };
                    reach = alignedReach;
                    phaseCopy = alignedCopy;
                }
            }

            // A block of filters never spans two groups: its size divides the filters per group.
            int k = output.Depth, perGroup = k / layer.Groups;
            int rows = perGroup % 4 == 0 ? 4 : perGroup % 6 == 0 ? 6 : perGroup % 3 == 0 ? 3 : perGroup % 2 == 0 ? 2 : 1;
            // Rows x Vectors accumulators plus the input vectors and a weight fit AVX2's 16 registers. AVX-512's 32 allow
            // more, where there are vectors for two such steps: with chunks, Narrow + 2 (4 x 5, or 6 for fewer filters); 4 x 5
            // without; 6 x 4 (below); and 8 x 3 where the filters go in eights (below, in place of 4 x 5). Elsewhere larger
            // blocks are used only where they cover the positions exactly.
            int narrow = rows == 4 ? 3 : rows == 6 ? 2 : 4;
            int vectors = narrow;
            long count = wideChannel / MaxLanes;
            int chunk = ChannelChunk(layer, phases, rows == 6 ? 4 : narrow); // a six-filter step reads 4 vectors of positions on AVX-512
            if (chunk > 0 && count >= 2 * (narrow + 2))
            {
                // With the channels in chunks the larger blocks are faster (unless the positions are too few for two of
                // them): in alternating in-process runs, D 1,775 us without chunks, 1,642 with chunks and 4 filters x 3
                // vectors, 1,580 with 4 x 5 (4 x 6 no faster, 4 x 7 spills: 20 % slower); F 78.0, 76.4 and 74.0 us.
                vectors = Math.Min(narrow + 2, 24 / rows);
            }
            else if (rows == 4 && count >= 2 * (narrow + 2))
            {
                // Without chunks too, 4 x 5: ResNet-8's 32x32x16 convs took steps of 5 and 3 in place of 4, 0.9-1.8 % less for
                // the whole net in alternating runs. A 1x1 conv likewise (once measured slower, no longer): in alternating
                // in-process runs E (28x28x64 -> 128) 3.3-4 % less, L2's two 1x1 convs 1.3-2.3 % less of the block,
                // MobileNetV1 and ResNet-8 within 1 %. (Those whose filters go in eights, these included, now take 8 x 3 below.)
                vectors = narrow + 2;
            }

            if (rows == 6 && count >= 4)
            {
                // Six filters a block (LeNet-5's conv1), 6 x 4 with 16-float vectors where 6 x 2 fills AVX2's registers: each
                // input vector loaded serves six filters, not three. In alternating in-process runs, 32x32x3 -> 28x28x6 at 5x5
                // took 7.46 us against 8.46 with 3 x 4 (AVX2: 13.9 against 19.1 us), LeNet-5 N3 2-6 % less.
                vectors = 4;
            }

            for (int nr = narrow + 1; vectors == narrow && nr <= narrow + 2 && rows * nr <= 24 && count % vectors != 0; nr++)
            {
                if (count % nr == 0)
                {
                    vectors = nr;
                }
            }

            // Phase rows exactly as long as output rows (a 1x1 window, say) and whole vectors per channel: the wide
            // output is the CHW output itself. With stride 1 and no padding the one phase plane is the input itself.
            // With stride 1 and no padding the one phase plane is the input itself, and neither a straight nor a direct
            // kernel reads past a plane's last cell: read the input (MobileNet's 1x1 conv on 48x48x8 copied it verbatim first).
            bool straight = !direct && phaseWidth == output.Width && positions % MaxLanes == 0;
            bool readsInput = (straight || direct) && sx == 1 && sy == 1 && !window.HasPadding;
            long phaseLength = readsInput ? 0 : phaseCopy + Math.Max(0, wideChannel - phases.Plane);
            long wideLength = direct || straight ? 0 : wideChannel * k;
            if (Math.Max(phaseLength, wideLength) > MaxVectorBuffer)
            {
                return null;
            }

            // Eight filters a block with 16-float vectors, 8 x 3, where the filters per group divide by 8 and a group has 8 input
            // channels or more: each input vector loaded serves eight filters (3 vector loads and 8 broadcasts per 24
            // multiply-adds; 4 x 5: 5 and 4 per 20). AVX2's 16 registers keep blocks of 4 (8 x 1 would load as much as it
            // multiplies). In alternating in-process runs against 4 x 5, outputs bit-identical: F 3-9 % less, L1 5-7 %, G3
            // 3-4 %, G5 1-4 %, D 0-3 %, ResNet-8 1-4 %, E (1x1) 7-9 %, L2 0-4 %, MobileNetV1 1 %; C (3 input channels) 1-2 %
            // more, so not there. (With 8 x 2 steps in place of one-vector ones at the end, F was 2-3 % slower.)
            // Such a step takes all its input channels at once: loading each vector of positions for eight filters, it reads
            // the rows half as often as a 4 x 5 step, and the hardware prefetch keeps up with them. In alternating in-process
            // runs against chunks of 16, outputs bit-identical: D (64 channels, rows of 38 KB) 2.3 % less, F 1.4 %, 128
            // channels 3x3 on 28x28 (77 KB) 2.0 % (chunks of 32 or 64 there: 1.5 and 1.9 %). The chunk is the layer's, so
            // its 4 x 3 steps on narrower vectors take none either: on AVX2 D and F the same, 128 channels 1.9 % less.
            int rowsOf16 = rows;
            if (rows == 4 && perGroup % 8 == 0 && layer.GroupDepth >= 8)
            {
                rowsOf16 = 8;
                vectors = narrow;
                chunk = 0;
            }

            // With 16-float vectors, the vectors the big steps leave go in narrow steps where a number of them covers the rest
            // exactly, as few big steps fewer as that needs (F's 16 vectors: 5 + 5 + 3 + 3, not 5 + 5 + 5 + 1). Where no big
            // step is left (12 vectors: 4 steps of 3), the narrow steps are the only ones.
            int narrowAfter = 0;
            if (vectors != narrow && count % vectors != 0)
            {
                // The remainder left for narrow steps repeats every narrow values of big at most: none in those, none at all.
                for (long big = count / vectors; big >= 0 && big >= (count / vectors) - narrow; big--)
                {
                    if ((count - (big * vectors)) % narrow == 0)
                    {
                        narrowAfter = (int)((count - (big * vectors)) / narrow);
                        if (big == 0)
                        {
                            vectors = narrow;
                            narrowAfter = 0;
                        }

                        break;
                    }
                }
            }

            // Vectors left after the big steps, for some width (16, 8 or 4 floats), go one at a time. (A two-vector step for them
            // as well measured no faster over a whole layer, and was a fifth of the generated source of a deep network.)
            bool tail = false;
            foreach (int lanes in new[] { 16, 8, 4 })
            {
                tail |= !(lanes == 16 && narrowAfter > 0) && ((positions + lanes - 1) / lanes) % (lanes == 16 ? vectors : narrow) != 0;
            }

            return new ConvPositionsPlan(phases, readsInput, direct, straight, (int)positions, (int)wideChannel, rows, vectors, narrow, narrowAfter, tail, Unrolling.Vector(layer), (int)phaseLength, (int)wideLength, chunk)
            {
                RowsOf16 = rowsOf16,
                Packed = rowsOf16 > rows ? layer.Weight.Length : 0,
                OutputWidth = output.Width,
            };
        }

        /// <summary>Cells before a phase row's column <paramref name="first"/> that put it on a 16-float boundary.</summary>
        private static int AlignSkew(int first) => (MaxLanes - (first % MaxLanes)) % MaxLanes;

        /// <summary>
        /// Input channels per chunk of a position conv's step. A step reads, for each input channel, a few phase rows of
        /// its vectors of positions plus the window's reach; with many channels those rows do not stay in L1 while the
        /// step goes through the filter blocks (each reading them all). Past 32 KB of them, the step takes the channels
        /// 16 (or a divisor from 8 to 15) at a time. Measured in alternating in-process runs: D (64 channels, 3x3 on
        /// 56x56, 38 KB) 6-8 % faster with 16 or 32 channels a chunk (3 % with 4; 7.5 % on AVX2, 4 filters x 3 vectors
        /// both), F (32 channels, 3x3 stride 2) 2 %. Never for windows of fewer than 4 taps, whose sums would be reloaded
        /// every few multiply-adds: E (64 channels, 1x1) was 20 % slower with chunks of 16. 0: no chunks. (Those were
        /// 4-filter steps on every width, with the kernels of then. A layer whose 16-float steps now take 8 filters takes no
        /// chunks at all, its narrower 4-filter steps included: those measured the same without, D 1.000 and 128 channels
        /// on 28x28 1.019 in favour.)
        /// </summary>
        internal static int ChannelChunk(LayerModel layer, PhaseLayout phases, int vectors)
        {
            Window window = layer.Window!;
            if (window.Taps < 4)
            {
                return 0;
            }

            long rows = (long)window.SizeY * phases.PhasesX;
            long rowFloats = ((long)vectors * MaxLanes) + ((window.ExtentX - 1) / window.StrideX);
            long bytes = layer.GroupDepth * rows * rowFloats * sizeof(float);
            if (bytes <= 32 * 1024)
            {
                return 0;
            }

            for (int chunk = 16; chunk >= 8; chunk--)
            {
                if (layer.GroupDepth % chunk == 0 && chunk < layer.GroupDepth)
                {
                    return chunk;
                }
            }

            return 0;
        }

        private static DepthwisePlan? DepthwisePlanOf(LayerModel layer, ScalarPlan source, PhaseLayout phases, long phaseCopy)
        {
            Volume output = layer.Output;
            Window window = layer.Window!;

            // Rows of at least the widest vector go row by row into the output; narrower ones as one run of wide rows.
            bool wide = output.Width < MaxLanes;
            long positions = (long)output.Height * phases.Width;
            long wideChannel = RoundUp(positions, MaxLanes);
            bool readsInput = !wide && window.StrideX == 1 && window.StrideY == 1 && !source.Padded;

            // Stride 2 across on rows of at least 24 outputs (a 16-float vector and the edges): read the input as it is, the
            // even and odd columns split in registers. A per-channel phase copy of 32x112x112 cost 44 of the layer's 73 us.
            // At most 6 output rows live at once (their accumulators wait in registers): a tall dilated window at stride 1
            // down would hold more than the registers; it takes the phase-copy kernel below.
            if (!wide && window.StrideX == 2 && output.Width >= 24 && window.Taps <= 49 && DepthwisePlan.StridedOf(layer, phases) is { LiveRows: <= 6 } strided)
            {
                return strided;
            }

            // Rows narrower than a vector and a small input: the whole input copied into its phase planes once, before the
            // channels (per-channel copies of a few hundred floats cost more in calls and in loads waiting on stores just
            // made than they save in cache: MobileNet's stride-2 depthwise 6x6x128 10.5 -> 7.9 us in Forward).
            bool copiedOnce = !readsInput && wide && phaseCopy <= 64 * 1024;

            // Otherwise each channel is copied into its phase planes just before it is computed, so the copy is still in
            // the nearest cache when it is read (a whole-input copy of a 32x112x112 input does not fit L2: 1.6 MB).
            if (!readsInput && !copiedOnce)
            {
                phaseCopy -= (long)phases.PhasesX * phases.PhasesY * (phases.Depth - 1) * phases.Plane;
                phases = phases with { Depth = 1 };
            }

            long phaseLength = readsInput ? 0 : phaseCopy + (wide ? Math.Max(0, wideChannel - phases.Plane) : 0);
            long wideLength = wide ? wideChannel * output.Depth : 0;

            // At stride 1 with padding, one output channel per input channel, rows at least one vector wide: two padded planes,
            // channel c + 1 copied into one while channel c is computed from the other, so the taps never read a copy just
            // written (loads that straddle two recent stores wait for them): 144x28x28 3x3, 30 -> 26.5 us in-process.
            int multiplier = output.Depth / layer.Groups;
            bool pipelined = !readsInput && !wide && multiplier == 1 && output.Depth > 1 && window.StrideX == 1 && window.StrideY == 1 && window.HasPadding;
            if (pipelined)
            {
                phaseLength *= 2;
            }

            if (Math.Max(phaseLength, wideLength) > MaxVectorBuffer)
            {
                return null;
            }

            return new DepthwisePlan(phases, readsInput, multiplier, wide, (int)positions, (int)wideChannel, (int)phaseLength, (int)wideLength) { Pipelined = pipelined, CopiedOnce = copiedOnce };
        }

        private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

        private static long RoundUp(long value, int multiple) => (value + multiple - 1) / multiple * multiple;
    }
}
