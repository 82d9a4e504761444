using System.Collections.Generic;

namespace CnnGen.Generator.Model
{
    /// <summary>
    /// Every identifier the generator writes into a network class, in one place: the emitters take their names
    /// from here, and the CNN007 clash check reads the same lists, so the two cannot drift apart. Layer members
    /// are the layer's name followed by a suffix; a bare layer name (the public layer method) is written with
    /// <see cref="Escape"/>.
    /// </summary>
    internal static class GeneratedNames
    {
        public const string InputWidth = "InputWidth";
        public const string InputHeight = "InputHeight";
        public const string InputDepth = "InputDepth";
        public const string InputLength = "InputLength";
        public const string OutputLength = "OutputLength";
        public const string ParameterCount = "ParameterCount";
        public const string Parameters = "Parameters";
        public const string SetParameters = "SetParameters";
        public const string Forward = "Forward";
        public const string ForwardBatch = "ForwardBatch";

        /// <summary>Forward's steps with the vector kernels of one width, and with the scalar kernels.</summary>
        public const string ForwardVector = "ForwardVector";
        public const string ForwardScalar = "ForwardScalar";
        public const string LoadSafetensors = "LoadSafetensors";
        public const string SaveSafetensors = "SaveSafetensors";

        /// <summary>The flat parameters, PyTorch layout.</summary>
        public const string ParameterField = "_parameters";

        /// <summary>Weights repacked for the vector kernels that need another layout.</summary>
        public const string PackedField = "_packed";

        /// <summary>The method that lists the tensors of the weights files.</summary>
        public const string TensorSpecs = "TensorSpecs";

        /// <summary>Per-thread scratch: two activation buffers, the padded input, the phase planes, the wide output.</summary>
        /// <summary>The per-thread activation scratch: the slots the forward steps read and write, one after another.</summary>
        public const string Activations = "t_activations";

        /// <summary>Weights and biases of the conv and fully-connected layers with a batch norm folded in, refreshed by SetParameters.</summary>
        public const string FoldedField = "_folded";

        /// <summary>The batch norms' num_batches_tracked, as the last weights file loaded had them (written back on save).</summary>
        public const string CountersField = "_batchesTracked";

        /// <summary>Forward as a delegate, made once, so that ForwardBatch allocates nothing after its first call.</summary>
        public const string ForwardDelegateField = "_forwardAction";

        /// <summary>ForwardBatch's blocked path (fully-connected networks): a block of samples through every step, its dispatch, its delegate and scratch.</summary>
        public const string ForwardBlock = "ForwardBlock";
        public const string ForwardBlockVector = "ForwardBlockVector";
        public const string ForwardBlockDelegateField = "_forwardBlockAction";
        public const string BlockActivations = "t_block";
        public const string MaxBlockLength = "MaxBlockLength";

        /// <summary>Zeros: the bias of a layer method whose layer has none but whose kernels add one (a batch norm is folded into it in Forward).</summary>
        public const string ZeroBias = "s_zeroBias";
        public const string Padded = "t_padded";
        public const string Phases = "t_phases";
        public const string Wide = "t_wide";

        /// <summary>Per-thread copy of a layer method's input when it overlaps the output (a call in place).</summary>
        public const string InputCopy = "t_input";

        /// <summary>Per-thread copy of ForwardBatch's inputs when they overlap the outputs.</summary>
        public const string InputsCopy = "t_inputs";

        /// <summary>Private constants: the largest length each scratch buffer needs.</summary>
        public const string MaxActivationLength = "MaxActivationLength";
        public const string MaxPaddedLength = "MaxPaddedLength";
        public const string MaxPhaseLength = "MaxPhaseLength";
        public const string MaxWideLength = "MaxWideLength";

        /// <summary>The most vectors a conv step and the most cells a filter-vector step computes together (bounds of the names below).</summary>
        public const int MaxStepVectors = 8;
        public const int MaxCells = 16;

        /// <summary>Members every network gets; a layer name may not produce one of these, nor may the class be named so.</summary>
        public static readonly string[] Fixed =
        {
            InputWidth, InputHeight, InputDepth, InputLength, OutputLength, ParameterCount, Parameters, SetParameters,
            Forward, ForwardBatch, ForwardVector, ForwardScalar, LoadSafetensors, SaveSafetensors, ParameterField, PackedField, TensorSpecs,
            Activations, FoldedField, CountersField, ForwardDelegateField, ForwardBlock, ForwardBlockVector, ForwardBlockDelegateField, BlockActivations, MaxBlockLength, ZeroBias, Padded, Phases, Wide, InputCopy, InputsCopy, MaxActivationLength, MaxPaddedLength, MaxPhaseLength, MaxWideLength,
        };

        /// <summary>The per-layer constants, as suffixes of the layer name.</summary>
        public static readonly string[] ShapeConstants =
        {
            "InputWidth", "InputHeight", "InputDepth", "InputLength", "OutputWidth", "OutputHeight", "OutputDepth", "OutputLength",
        };

        public static readonly string[] ParameterConstants = { "WeightOffset", "WeightLength", "BiasOffset", "BiasLength" };

        /// <summary>A batch norm's running statistics in <c>Parameters</c> (its weight and bias have the <see cref="ParameterConstants"/>).</summary>
        public static readonly string[] StatisticsConstants = { "RunningMeanOffset", "RunningMeanLength", "RunningVarOffset", "RunningVarLength" };

        public static string Constant(string layer, string suffix) => layer + suffix;

        public static string LayerInputLength(string layer) => layer + "InputLength";

        public static string LayerOutputLength(string layer) => layer + "OutputLength";

        public static string WeightOffset(string layer) => layer + "WeightOffset";

        public static string WeightLength(string layer) => layer + "WeightLength";

        public static string BiasOffset(string layer) => layer + "BiasOffset";

        public static string BiasLength(string layer) => layer + "BiasLength";

        /// <summary>The scalar kernel (every machine; the reference form of the layer).</summary>
        public static string Scalar(string layer) => layer + "Scalar";

        /// <summary>The generic vector kernel.</summary>
        public static string Vector(string layer) => layer + "Vector";

        /// <summary>A pool's vector kernel over the wide output of the conv before it (Forward's carried layout).</summary>
        public static string VectorWide(string layer) => layer + "VectorWide";

        /// <summary>A max pool's kernel over the cell-major output of the filter-vector conv before it (Forward's carried layout).</summary>
        public static string VectorCells(string layer) => layer + "VectorCells";

        /// <summary>A conv step over <paramref name="vectors"/> vectors of output positions.</summary>
        public static string Step(string layer, int vectors) => layer + "Step" + vectors;

        /// <summary>A conv step of <paramref name="vectors"/> vectors and blocks of 8 filters (taken with 16-float vectors where narrower ones take 4).</summary>
        public static string EightFilterStep(string layer, int vectors) => layer + "Step" + vectors + "x8";

        /// <summary>A filter-vector conv step over <paramref name="cells"/> output cells.</summary>
        public static string Cells(string layer, int cells) => layer + "Cells" + cells;

        /// <summary>A filter-vector conv step over <paramref name="cells"/> output cells on 512-bit vectors only (a larger step).</summary>
        public static string WideCells(string layer, int cells) => layer + "Cells" + cells + "Wide";

        /// <summary>The per-thread cache of a layer method's repacked weight.</summary>
        public static string PackCache(string layer) => "t_" + layer + "Packed";

        /// <summary>Every member the generator may emit for a layer of <paramref name="kind"/> called <paramref name="name"/>.</summary>
        public static IEnumerable<string> MembersOf(LayerKind kind, string name)
        {
            if (!LayerKinds.HasMembers(kind))
            {
                yield break;
            }

            yield return name;
            yield return Scalar(name);
            yield return Vector(name);
            if (kind is LayerKind.MaxPool or LayerKind.AvgPool)
            {
                yield return VectorWide(name);
            }

            if (kind is LayerKind.MaxPool)
            {
                yield return VectorCells(name);
            }

            foreach (string suffix in ShapeConstants)
            {
                yield return Constant(name, suffix);
            }

            if (LayerKinds.HasTensors(kind))
            {
                yield return PackCache(name);
                foreach (string suffix in ParameterConstants)
                {
                    yield return Constant(name, suffix);
                }
            }

            if (kind == LayerKind.BatchNorm)
            {
                foreach (string suffix in StatisticsConstants)
                {
                    yield return Constant(name, suffix);
                }
            }

            if (kind == LayerKind.Conv)
            {
                for (int v = 1; v <= MaxStepVectors; v++)
                {
                    yield return Step(name, v);
                    yield return EightFilterStep(name, v);
                }

                for (int c = 1; c <= MaxCells; c++)
                {
                    yield return Cells(name, c);
                    yield return WideCells(name, c);
                }
            }
        }

        /// <summary>
        /// The one escaping rule for a name written alone: a contextual keyword gets an @ (<c>@nameof</c>), so it can
        /// never be read as the keyword. Reserved keywords never get here (CNN007), and names with a suffix
        /// (<c>nameofInputWidth</c>) are never keywords.
        /// </summary>
        public static string Escape(string name, NameValidity validity) =>
            validity == NameValidity.ContextualKeyword ? "@" + name : name;
    }
}
