using System.Collections.Generic;
using System.Collections.Immutable;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Diagnostics
{
    /// <summary>Every diagnostic CnnGen reports. Ids are tracked in AnalyzerReleases.*.md; each has a help page in docs/diagnostics/.</summary>
    internal static class DiagnosticDescriptors
    {
        /// <summary>Where the help pages live: the repository's docs/diagnostics/ folder.</summary>
        public const string HelpBase = "https://github.com/cnngen/CnnGen/blob/main/docs/diagnostics/";

        private const string Shapes = "CnnGen.Shapes";
        private const string Values = "CnnGen.Values";
        private const string Structure = "CnnGen.Structure";
        private const string Names = "CnnGen.Names";

        public static readonly DiagnosticDescriptor OutputNotInteger = Error(
            DiagnosticIds.OutputNotInteger, "Output size is not an integer", Shapes,
            "(W + Pbegin + Pend − Fd)/S + 1 must be an integer with Rounding = OutputRounding.Exact (Fd = Dilation·(F − 1) + 1). Change the stride or padding, use PaddingMode = PaddingMode.Same, or choose Rounding = OutputRounding.Floor (PyTorch's rounding; on [Input] for the whole network) or, for pools, OutputRounding.Ceil.");

        public static readonly DiagnosticDescriptor LayerDoesNotFit = Error(
            DiagnosticIds.LayerDoesNotFit, "Layer does not fit its input", Shapes,
            "The window is larger than the padded input, so the output would be smaller than 1x1.");

        public static readonly DiagnosticDescriptor ValueOutOfRange = Error(
            DiagnosticIds.ValueOutOfRange, "Value out of range", Values,
            "A size, count, stride, dilation or group count below 1, a negative padding, a pool padding not below its window size, Ceil rounding on a conv or on [Input], an undefined OutputRounding or PaddingMode value, or a size too large to compute.");

        public static readonly DiagnosticDescriptor DepthMismatch = Error(
            DiagnosticIds.DepthMismatch, "Depth does not match the input depth", Shapes,
            "Filters always span the full input depth: Depth may only restate the depth of the volume the layer receives.");

        public static readonly DiagnosticDescriptor BadStructure = Error(
            DiagnosticIds.BadStructure, "Network structure is invalid", Structure,
            "A network needs exactly one [Input(width, height, depth)] before its layer attributes, all on one declaration of the partial class.");

        public static readonly DiagnosticDescriptor BadClass = Error(
            DiagnosticIds.BadClass, "Network class must be a non-generic partial class", Structure,
            "The generator adds members to the network class: it and every type containing it must be partial, and none may be generic.");

        public static readonly DiagnosticDescriptor BadName = Error(
            DiagnosticIds.BadName, "Invalid or clashing layer name", Names,
            "A layer Name must be a C# identifier that is not a keyword, is unique in the network and does not clash with a generated member or the class's own name.");

        public static readonly DiagnosticDescriptor GroupsDoNotDivide = Error(
            DiagnosticIds.GroupsDoNotDivide, "Groups do not divide the depth or the filter count", Shapes,
            "A grouped conv splits its input channels and its filters into Groups equal parts: the input depth and the filter count must both divide by Groups (Groups = depth is a depthwise conv).");

        public static readonly DiagnosticDescriptor ConflictingSettings = Error(
            DiagnosticIds.ConflictingSettings, "Settings conflict", Values,
            "PaddingMode.Same and PaddingMode.SameLower compute the padding and the output size themselves: they cannot be combined with an explicit padding or a Rounding other than Exact.");

        public static readonly DiagnosticDescriptor SizeMissing = Error(
            DiagnosticIds.SizeMissing, "Window size missing on one axis", Values,
            "Conv(filters), MaxPool() and AvgPool() take no window size, so SizeX and SizeY must both be given.");

        public static readonly DiagnosticDescriptor BadKey = Error(
            DiagnosticIds.BadKey, "Invalid or duplicate Key", Names,
            "A Key is the state_dict prefix of a layer's tensors: a non-empty string of letters, digits, '_' and '.', different from every other layer's key (a layer without Key uses its name with the first letter lower-cased).");

        public static readonly DiagnosticDescriptor BadReference = Error(
            DiagnosticIds.BadReference, "Layer reference not found", "CnnGen.Graph",
            "From, Add and Concat read the output of an earlier layer, named by its Name or its default name (Conv1, Bn2, …); activations, Softmax, Add and Concat have a name only when given one. A reference to an unknown, a later or the same layer, and a Concat that names no layer, are errors.");

        public static readonly DiagnosticDescriptor ShapesDiffer = Error(
            DiagnosticIds.ShapesDiffer, "Add or Concat of different shapes", "CnnGen.Graph",
            "Add sums two volumes element by element, so their widths, heights and depths must be equal (there is no broadcasting); Concat stacks volumes along depth, so their widths and heights must be equal.");

        public static readonly DiagnosticDescriptor InternalError = Error(
            DiagnosticIds.InternalError, "CnnGen failed unexpectedly", "CnnGen.Internal",
            "An unexpected failure inside CnnGen. Nothing was generated for this network. Please report it with the declaration.");

        public static readonly DiagnosticDescriptor NotUnrolled = new(
            DiagnosticIds.NotUnrolled,
            "Layer too large to unroll fully",
            "{0}",
            "CnnGen.Performance",
            DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            description: "The window of this layer has more terms than the unroll budget, so part of it stays a loop. The code is still specialized; this is information, not a problem.",
            helpLinkUri: HelpBase + DiagnosticIds.NotUnrolled + ".md");

        public static readonly DiagnosticDescriptor ShapeReport = new(
            DiagnosticIds.ShapeReport,
            "Network shapes",
            "{0}",
            "CnnGen.Shapes",
            DiagnosticSeverity.Info,
            isEnabledByDefault: false,
            description: "Lists each layer's output shape and parameter count, so the inferred shapes show in the build log. Off by default; enable it with dotnet_diagnostic.CNN010.severity = suggestion (or warning) in .editorconfig.",
            helpLinkUri: HelpBase + DiagnosticIds.ShapeReport + ".md");

        public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
            OutputNotInteger, LayerDoesNotFit, ValueOutOfRange, DepthMismatch, BadStructure, BadClass, BadName, InternalError, NotUnrolled, ShapeReport,
            GroupsDoNotDivide, ConflictingSettings, SizeMissing, BadKey, BadReference, ShapesDiffer);

        private static readonly Dictionary<string, DiagnosticDescriptor> ById = CreateIndex();

        public static DiagnosticDescriptor ForId(string id) => ById[id];

        private static Dictionary<string, DiagnosticDescriptor> CreateIndex()
        {
            var index = new Dictionary<string, DiagnosticDescriptor>();
            foreach (DiagnosticDescriptor descriptor in All)
            {
                index[descriptor.Id] = descriptor;
            }

            return index;
        }

        private static DiagnosticDescriptor Error(string id, string title, string category, string description) =>
            new(id, title, "{0}", category, DiagnosticSeverity.Error, isEnabledByDefault: true, description: description, helpLinkUri: HelpBase + id + ".md");
    }
}
