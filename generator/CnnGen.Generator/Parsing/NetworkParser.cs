using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Parsing
{
    /// <summary>A diagnostic found while parsing, with its real (suppressible) location. Never leaves the analyzer.</summary>
    internal readonly struct FoundDiagnostic
    {
        public FoundDiagnostic(DiagnosticDescriptor descriptor, Location location, string message, ImmutableDictionary<string, string?>? properties = null)
        {
            Descriptor = descriptor;
            Location = location;
            Message = message;
            Properties = properties ?? ImmutableDictionary<string, string?>.Empty;
        }

        /// <summary>Data for the code fixes: "Fix0", "Fix1", … as "Property|Value|Output" (empty Value: remove), or "AddPartial".</summary>
        public ImmutableDictionary<string, string?> Properties { get; }

        public DiagnosticDescriptor Descriptor { get; }

        public Location Location { get; }

        public string Message { get; }

        public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location, Properties, Message);
    }

    /// <summary>What parsing a class found: a model to emit (only when nothing is wrong) and the diagnostics.</summary>
    internal sealed class ParseOutcome
    {
        public ParseOutcome(NetworkModel? model, List<FoundDiagnostic> diagnostics)
        {
            Model = model;
            Diagnostics = diagnostics;
        }

        public NetworkModel? Model { get; }

        public List<FoundDiagnostic> Diagnostics { get; }
    }

    /// <summary>
    /// Turns the CnnGen attributes on a class into plain specs, checks them with <see cref="ShapeChecker"/>,
    /// and maps every problem back to the attribute or argument that causes it. Shared by the analyzer
    /// (which reports) and the generator (which emits only a clean model).
    /// </summary>
    internal static class NetworkParser
    {
        public const string Namespace = "CnnGen";
        public const string InputAttributeName = "CnnGen.InputAttribute";

        /// <summary>Diagnostic property keys for the code fixes.</summary>
        public const string FixKey = "Fix";

        public const string AddPartialKey = "AddPartial";

        private static readonly string[][] PositionalNames =
        {
            new[] { "width", "height", "depth" }, // Input
            new[] { "filters", "size" },           // Conv
            new[] { "size" },                      // MaxPool
            Array.Empty<string>(),                 // Relu
            new[] { "outputs" },                   // FullyConnected
        };

        /// <summary>Parses <paramref name="type"/>; null when it carries no CnnGen layer attribute.</summary>
        public static ParseOutcome? Parse(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            var found = new List<Found>();
            foreach (AttributeData attribute in type.GetAttributes())
            {
                int kind = KindOf(attribute.AttributeClass);
                if (kind < 0)
                {
                    continue;
                }

                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                found.Add(new Found(attribute, kind, syntax));
            }

            if (found.Count == 0)
            {
                return null;
            }

            var diagnostics = new List<FoundDiagnostic>();

            // Source order: by file, then position. (Attributes split over files are an error anyway.)
            found.Sort((a, b) =>
            {
                int byFile = string.CompareOrdinal(a.Syntax?.SyntaxTree.FilePath, b.Syntax?.SyntaxTree.FilePath);
                return byFile != 0 ? byFile : (a.Syntax?.SpanStart ?? 0).CompareTo(b.Syntax?.SpanStart ?? 0);
            });

            TypeDeclarationSyntax? declaration = found.Select(f => f.Syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>()).FirstOrDefault(d => d is not null)
                ?? type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            Location classLocation = declaration?.Identifier.GetLocation() ?? type.Locations.FirstOrDefault() ?? Location.None;

            bool classOk = CheckClass(type, classLocation, diagnostics, cancellationToken);

            // Half-typed or otherwise unbound attributes: the compiler reports them; we wait for valid code.
            foreach (Found f in found)
            {
                if (f.Attribute.AttributeConstructor is null ||
                    f.Attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error) ||
                    f.Attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
                {
                    return new ParseOutcome(null, diagnostics);
                }
            }

            if (!CheckStructure(type, found, classLocation, diagnostics))
            {
                return new ParseOutcome(null, diagnostics);
            }

            InputSpec input = ReadInput(found[0].Attribute);
            var specs = new List<LayerSpec>(found.Count - 1);
            for (int i = 1; i < found.Count; i++)
            {
                specs.Add(ReadLayer(found[i].Kind, found[i].Attribute));
            }

            CheckResult result = ShapeChecker.Check(type.Name, input, specs, cancellationToken);
            foreach (Problem problem in result.Problems.Concat(result.Notes))
            {
                Location location = problem.Layer == Problem.ClassName
                    ? classLocation
                    : LocationOf(found[problem.Layer + 1], problem.Slot) ?? classLocation;
                ImmutableDictionary<string, string?>? properties = null;
                if (problem.Fixes is { Count: > 0 } fixes)
                {
                    var builder = ImmutableDictionary.CreateBuilder<string, string?>();
                    for (int i = 0; i < fixes.Count; i++)
                    {
                        builder.Add(FixKey + i, fixes[i].Property + "|" + (fixes[i].Value ?? string.Empty) + "|" + fixes[i].Output);
                    }

                    properties = builder.ToImmutable();
                }

                diagnostics.Add(new FoundDiagnostic(DiagnosticDescriptors.ForId(problem.Id), location, problem.Message, properties));
            }

            if (!classOk || result.Layers is null)
            {
                return new ParseOutcome(null, diagnostics);
            }

            return new ParseOutcome(BuildModel(type, input, result), diagnostics);
        }

        private static NetworkModel BuildModel(INamedTypeSymbol type, InputSpec input, CheckResult result)
        {
            var containing = new List<ContainingType>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                containing.Insert(0, new ContainingType(KeywordOf(outer), outer.Name));
            }

            LayerModel[] layers = result.Layers!;
            int outputLength = input.Width * input.Height * input.Depth;
            int maxActivation = outputLength;
            int maxPadded = 0;
            foreach (LayerModel layer in layers)
            {
                outputLength = layer.OutputLength;
                maxActivation = Math.Max(maxActivation, layer.OutputLength);
                if (layer.NeedsPaddedCopy)
                {
                    maxPadded = Math.Max(maxPadded, layer.SourceLength);
                }
            }

            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
            return new NetworkModel(
                ns,
                new EquatableArray<ContainingType>(containing.ToArray()),
                KeywordOf(type),
                type.Name,
                HintNameOf(type),
                input.Width,
                input.Height,
                input.Depth,
                new EquatableArray<LayerModel>(layers),
                (int)result.ParameterCount,
                outputLength,
                maxActivation,
                maxPadded);
        }

        private static bool CheckClass(INamedTypeSymbol type, Location classLocation, List<FoundDiagnostic> diagnostics, CancellationToken cancellationToken)
        {
            int before = diagnostics.Count;
            void Report(string message) => diagnostics.Add(new FoundDiagnostic(DiagnosticDescriptors.BadClass, classLocation, message));
            void ReportPartial(string message) => diagnostics.Add(new FoundDiagnostic(
                DiagnosticDescriptors.BadClass, classLocation, message, ImmutableDictionary<string, string?>.Empty.Add(AddPartialKey, "true")));

            if (type.TypeKind != TypeKind.Class)
            {
                Report(type.Name + " is a " + KeywordOf(type) + "; a network must be a class (partial class " + type.Name + ")");
            }
            else if (type.IsStatic)
            {
                Report(type.Name + " is static; a network is instantiated, so remove 'static'");
            }

            if (type.IsGenericType)
            {
                Report(type.Name + " is generic; a network class cannot have type parameters");
            }

            if (!IsPartial(type, cancellationToken))
            {
                ReportPartial(type.Name + " must be partial so the generator can add its layers: declare it 'partial " + KeywordOf(type) + " " + type.Name + "'");
            }

            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                if (!IsPartial(outer, cancellationToken))
                {
                    ReportPartial(outer.Name + ", which contains " + type.Name + ", must be partial too: declare it 'partial " + KeywordOf(outer) + " " + outer.Name + "'");
                }

                if (outer.IsGenericType)
                {
                    Report(outer.Name + ", which contains " + type.Name + ", is generic; a network cannot be nested in a generic type");
                }
            }

            return diagnostics.Count == before;
        }

        private static bool CheckStructure(INamedTypeSymbol type, List<Found> found, Location classLocation, List<FoundDiagnostic> diagnostics)
        {
            int before = diagnostics.Count;
            void Report(string message) => diagnostics.Add(new FoundDiagnostic(DiagnosticDescriptors.BadStructure, classLocation, message));

            int declarations = found
                .Select(f => f.Syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>())
                .Where(d => d is not null)
                .Distinct()
                .Count();
            if (declarations > 1)
            {
                Report("the layer attributes of " + type.Name + " are split over " + declarations + " declarations; put them all on one declaration, in layer order");
            }

            int inputs = found.Count(f => f.Kind == InputKind);
            if (inputs == 0)
            {
                Report(type.Name + " has layer attributes but no [Input(width, height, depth)]; add one before the first layer");
            }
            else if (inputs > 1)
            {
                Report(type.Name + " has " + inputs + " [Input] attributes; a network has exactly one, before its first layer");
            }
            else if (found[0].Kind != InputKind)
            {
                Report("[Input] must be the first layer attribute of " + type.Name + "; move it before [" + ShortName(found[0].Kind) + "]");
            }

            return diagnostics.Count == before;
        }

        private static InputSpec ReadInput(AttributeData attribute) =>
            new(IntArg(attribute, 0), IntArg(attribute, 1), IntArg(attribute, 2));

        private static LayerSpec ReadLayer(int kind, AttributeData attribute)
        {
            int Named(string name, int fallback)
            {
                foreach (KeyValuePair<string, TypedConstant> pair in attribute.NamedArguments)
                {
                    if (pair.Key == name && pair.Value.Value is int value)
                    {
                        return value;
                    }
                }

                return fallback;
            }

            string? name = null;
            foreach (KeyValuePair<string, TypedConstant> pair in attribute.NamedArguments)
            {
                if (pair.Key == "Name")
                {
                    name = pair.Value.Value as string;
                }
            }

            return (LayerKind)(kind - 1) switch
            {
                LayerKind.Conv => new LayerSpec(LayerKind.Conv, IntArg(attribute, 0), IntArg(attribute, 1), Named("Stride", 1), Named("Padding", 0), Named("Depth", 0), name, Named("Rounding", 0)),
                LayerKind.MaxPool => new LayerSpec(LayerKind.MaxPool, 0, IntArg(attribute, 0), Named("Stride", 0), Named("Padding", 0), 0, name, Named("Rounding", 0)),
                LayerKind.FullyConnected => new LayerSpec(LayerKind.FullyConnected, IntArg(attribute, 0), 0, 1, 0, 0, name, 0),
                _ => LayerSpec.Relu(),
            };
        }

        private static int IntArg(AttributeData attribute, int index) =>
            index < attribute.ConstructorArguments.Length && attribute.ConstructorArguments[index].Value is int value ? value : 0;

        private static Location? LocationOf(Found found, ArgumentSlot slot)
        {
            AttributeSyntax? syntax = found.Syntax;
            if (syntax is null)
            {
                return null;
            }

            AttributeArgumentSyntax? argument = null;
            SeparatedSyntaxList<AttributeArgumentSyntax> arguments = syntax.ArgumentList?.Arguments ?? default;
            switch (slot)
            {
                case ArgumentSlot.Positional0:
                case ArgumentSlot.Positional1:
                case ArgumentSlot.Positional2:
                    int index = slot - ArgumentSlot.Positional0;
                    string[] names = PositionalNames[found.Kind];
                    string? parameter = index < names.Length ? names[index] : null;
                    argument = arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameter);
                    if (argument is null)
                    {
                        var positional = arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
                        argument = index < positional.Count ? positional[index] : null;
                    }

                    break;
                case ArgumentSlot.Attribute:
                    break;
                default:
                    string property = slot.ToString();
                    argument = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == property);
                    break;
            }

            return (argument ?? (SyntaxNode)syntax).GetLocation();
        }

        private const int InputKind = 0;

        /// <summary>0 for Input, 1 + <see cref="LayerKind"/> for layers, −1 for anything else.</summary>
        private static int KindOf(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null || attributeClass.ContainingType is not null ||
                attributeClass.ContainingNamespace is not { Name: Namespace } ns || !ns.ContainingNamespace.IsGlobalNamespace)
            {
                return -1;
            }

            return attributeClass.Name switch
            {
                "InputAttribute" => InputKind,
                "ConvAttribute" => 1 + (int)LayerKind.Conv,
                "MaxPoolAttribute" => 1 + (int)LayerKind.MaxPool,
                "ReluAttribute" => 1 + (int)LayerKind.Relu,
                "FullyConnectedAttribute" => 1 + (int)LayerKind.FullyConnected,
                _ => -1,
            };
        }

        private static string ShortName(int kind) => kind switch
        {
            InputKind => "Input",
            1 => "Conv",
            2 => "MaxPool",
            3 => "Relu",
            _ => "FullyConnected",
        };

        private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration &&
                    !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return false;
                }
            }

            return type.DeclaringSyntaxReferences.Length > 0;
        }

        private static string KeywordOf(INamedTypeSymbol type) => type.TypeKind switch
        {
            TypeKind.Struct => type.IsRecord ? "record struct" : "struct",
            TypeKind.Interface => "interface",
            TypeKind.Enum => "enum",
            TypeKind.Delegate => "delegate",
            _ => type.IsRecord ? "record" : "class",
        };

        private static string HintNameOf(INamedTypeSymbol type)
        {
            string full = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty);
            var builder = new StringBuilder(full.Length + 5);
            foreach (char c in full)
            {
                builder.Append(char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_');
            }

            return builder.Append(".g.cs").ToString();
        }

        private readonly struct Found
        {
            public Found(AttributeData attribute, int kind, AttributeSyntax? syntax)
            {
                Attribute = attribute;
                Kind = kind;
                Syntax = syntax;
            }

            public AttributeData Attribute { get; }

            public int Kind { get; }

            public AttributeSyntax? Syntax { get; }
        }
    }
}
