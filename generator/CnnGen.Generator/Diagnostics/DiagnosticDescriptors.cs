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
            "(W − F + 2P)/S + 1 must be an integer with Rounding = Exact. Change the stride or padding, or choose Rounding = Floor (PyTorch's default) or, for pools, Ceil.");

        public static readonly DiagnosticDescriptor LayerDoesNotFit = Error(
            DiagnosticIds.LayerDoesNotFit, "Layer does not fit its input", Shapes,
            "The window is larger than the padded input, so the output would be smaller than 1x1.");

        public static readonly DiagnosticDescriptor ValueOutOfRange = Error(
            DiagnosticIds.ValueOutOfRange, "Value out of range", Values,
            "A size, count or stride below 1, a negative padding, a pool padding not below its size, Ceil rounding on a conv, an undefined OutputRounding value, or a size too large to compute.");

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
            OutputNotInteger, LayerDoesNotFit, ValueOutOfRange, DepthMismatch, BadStructure, BadClass, BadName, InternalError, NotUnrolled, ShapeReport);

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
