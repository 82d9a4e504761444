using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Parsing
{
    /// <summary>
    /// What reading a class found: the plain <see cref="NetworkSpec"/> (null when the class or the attribute structure
    /// is wrong, or an attribute is still half-typed), the problems of the class and the structure (CNN005, CNN006),
    /// and, for the analyzer to place diagnostics, the attribute syntax in layer order (the <c>[Input]</c> first).
    /// </summary>
    internal sealed class ReadResult
    {
        public ReadResult(NetworkSpec? spec, List<Problem> problems, IReadOnlyList<AttributeSyntax?> attributes, IReadOnlyList<int> kinds, Location classLocation)
        {
            Spec = spec;
            Problems = problems;
            Attributes = attributes;
            Kinds = kinds;
            ClassLocation = classLocation;
        }

        public NetworkSpec? Spec { get; }

        public List<Problem> Problems { get; }

        public IReadOnlyList<AttributeSyntax?> Attributes { get; }

        /// <summary>Per attribute: <see cref="NetworkReader.InputKind"/> or a <see cref="LayerKind"/> as int.</summary>
        public IReadOnlyList<int> Kinds { get; }

        public Location ClassLocation { get; }
    }

    /// <summary>
    /// Turns the CnnGen attributes on a class into plain specs: the only part of CnnGen that reads Roslyn symbols and
    /// syntax (besides the analyzer placing diagnostics). Identifier rules are applied here, where Roslyn's are at hand.
    /// </summary>
    internal static class NetworkReader
    {
        public const string Namespace = "CnnGen";
        public const string InputAttributeName = "CnnGen.InputAttribute";

        /// <summary>The kind number of <c>[Input]</c> (layers are their <see cref="LayerKind"/>).</summary>
        public const int InputKind = -1;

        private static readonly string[] InputParameters = { "width", "height", "depth" };

        /// <summary>Reads <paramref name="type"/>; null when it carries no CnnGen layer attribute or has no name yet.</summary>
        public static ReadResult? Read(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            if (type.Name.Length == 0)
            {
                // A declaration still being typed ("partial class {}"): the compiler reports it; there is nothing to name.
                return null;
            }

            var found = new List<(AttributeData Attribute, int Kind, AttributeSyntax? Syntax)>();
            foreach (AttributeData attribute in type.GetAttributes())
            {
                if (KindOf(attribute.AttributeClass) is int kind)
                {
                    found.Add((attribute, kind, attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax));
                }
            }

            if (found.Count == 0)
            {
                return null;
            }

            // Source order: by file, then position. (Attributes split over files are an error anyway.)
            found.Sort((a, b) =>
            {
                int byFile = string.CompareOrdinal(a.Syntax?.SyntaxTree.FilePath, b.Syntax?.SyntaxTree.FilePath);
                return byFile != 0 ? byFile : (a.Syntax?.SpanStart ?? 0).CompareTo(b.Syntax?.SpanStart ?? 0);
            });

            TypeDeclarationSyntax? declaration = found.Select(f => f.Syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>()).FirstOrDefault(d => d is not null)
                ?? type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<TypeDeclarationSyntax>().FirstOrDefault();
            Location classLocation = declaration?.Identifier.GetLocation() ?? type.Locations.FirstOrDefault() ?? Location.None;
            var attributes = found.Select(f => f.Syntax).ToList();
            var kinds = found.Select(f => f.Kind).ToList();

            var problems = new List<Problem>();
            CheckClass(type, problems, cancellationToken);
            if (declaration is { Identifier.IsMissing: true })
            {
                return null;
            }

            // Half-typed or otherwise unbound attributes: the compiler reports them; we wait for valid code.
            foreach ((AttributeData attribute, _, _) in found)
            {
                if (attribute.AttributeConstructor is null ||
                    attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error) ||
                    attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error))
                {
                    return new ReadResult(null, problems, attributes, kinds, classLocation);
                }
            }

            CheckStructure(type, found.Select(f => (f.Kind, f.Syntax)).ToList(), problems);
            if (problems.Count > 0)
            {
                return new ReadResult(null, problems, attributes, kinds, classLocation);
            }

            AttributeData input = found[0].Attribute;
            var spec = new NetworkSpec(
                ReadClass(type),
                new InputSpec(IntArgument(input, 0), IntArgument(input, 1), IntArgument(input, 2), IntProperty(input, "Rounding")),
                EquatableArray.From(found.Skip(1).Select(f => ReadLayer((LayerKind)f.Kind, f.Attribute))));
            return new ReadResult(spec, problems, attributes, kinds, classLocation);
        }

        /// <summary>The constructor parameter names of an attribute kind, in order.</summary>
        public static string[] ParametersOf(int kind) => kind == InputKind ? InputParameters : LayerKinds.Parameters((LayerKind)kind);

        private static LayerSpec ReadLayer(LayerKind kind, AttributeData attribute)
        {
            var arguments = new int[attribute.ConstructorArguments.Length];
            var references = new List<string>();
            for (int i = 0; i < arguments.Length; i++)
            {
                TypedConstant argument = attribute.ConstructorArguments[i];
                arguments[i] = argument.Kind != TypedConstantKind.Array && argument.Value is int value ? value : 0;
                if (argument.Kind == TypedConstantKind.Array)
                {
                    if (argument.IsNull)
                    {
                        continue; // Concat(null): no names, reported as an empty Concat
                    }

                    // Concat(params string[] layers): the names in order.
                    references.AddRange(argument.Values.Select(v => v.Value as string ?? string.Empty));
                }
                else if (argument.Type?.SpecialType == SpecialType.System_String)
                {
                    references.Add(argument.Value as string ?? string.Empty);
                }
            }

            var settings = new List<Setting>();
            NameSpec? name = null;
            foreach (KeyValuePair<string, TypedConstant> pair in attribute.NamedArguments)
            {
                object? value = pair.Value.Value;
                if (pair.Key == "Name")
                {
                    name = value is string text ? new NameSpec(text, ValidityOf(text)) : null;
                    continue;
                }

                settings.Add(value switch
                {
                    string text => new Setting(pair.Key, 0, text),
                    bool flag => new Setting(pair.Key, flag ? 1 : 0, null),
                    int number => new Setting(pair.Key, number, null),
                    float number => new Setting(pair.Key, number, null),
                    double number => new Setting(pair.Key, number, null),
                    _ => new Setting(pair.Key, 0, null),
                });
            }

            return new LayerSpec(kind, new EquatableArray<int>(arguments), EquatableArray.From(settings), name, EquatableArray.From(references));
        }

        private static int IntArgument(AttributeData attribute, int index) =>
            index < attribute.ConstructorArguments.Length && attribute.ConstructorArguments[index].Value is int value ? value : 0;

        private static int IntProperty(AttributeData attribute, string property)
        {
            foreach (KeyValuePair<string, TypedConstant> pair in attribute.NamedArguments)
            {
                if (pair.Key == property && pair.Value.Value is int value)
                {
                    return value;
                }
            }

            return 0;
        }

        private static NameValidity ValidityOf(string name)
        {
            if (!SyntaxFacts.IsValidIdentifier(name))
            {
                return NameValidity.NotIdentifier;
            }

            if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None)
            {
                return NameValidity.Keyword;
            }

            return SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? NameValidity.ContextualKeyword : NameValidity.Identifier;
        }

        /// <summary>A name as C# must write it to mean the identifier: <c>@class</c>, <c>@nameof</c>, or the name itself.</summary>
        private static string Escaped(string name) =>
            SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        private static ClassSpec ReadClass(INamedTypeSymbol type)
        {
            var containing = new List<ContainingType>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                containing.Insert(0, new ContainingType(KeywordOf(outer), Escaped(outer.Name)));
            }

            var parts = new List<string>();
            for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            {
                parts.Insert(0, Escaped(ns.Name));
            }

            return new ClassSpec(type.Name, Escaped(type.Name), KeywordOf(type), string.Join(".", parts), EquatableArray.From(containing), HintNameOf(type));
        }

        private static void CheckClass(INamedTypeSymbol type, List<Problem> problems, CancellationToken cancellationToken)
        {
            void Report(string message, bool addPartial = false) => problems.Add(new Problem(
                DiagnosticIds.BadClass,
                Problem.ClassName,
                ArgumentRef.Attribute,
                message,
                addPartial ? EquatableArray.Of(new Fix(FixProtocol.AddPartial, null, string.Empty)) : default));

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
                Report(type.Name + " must be partial so the generator can add its layers: declare it 'partial " + KeywordOf(type) + " " + type.Name + "'", addPartial: true);
            }

            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                if (!IsPartial(outer, cancellationToken))
                {
                    Report(outer.Name + ", which contains " + type.Name + ", must be partial too: declare it 'partial " + KeywordOf(outer) + " " + outer.Name + "'", addPartial: true);
                }

                if (outer.IsGenericType)
                {
                    Report(outer.Name + ", which contains " + type.Name + ", is generic; a network cannot be nested in a generic type");
                }
            }
        }

        private static void CheckStructure(INamedTypeSymbol type, List<(int Kind, AttributeSyntax? Syntax)> found, List<Problem> problems)
        {
            void Report(string message) => problems.Add(new Problem(DiagnosticIds.BadStructure, Problem.ClassName, ArgumentRef.Attribute, message));

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
                Report("[Input] must be the first layer attribute of " + type.Name + "; move it before [" + LayerKinds.ShortName((LayerKind)found[0].Kind) + "]");
            }
        }

        /// <summary><see cref="InputKind"/> for Input, a <see cref="LayerKind"/> for layers, null for anything else.</summary>
        private static int? KindOf(INamedTypeSymbol? attributeClass)
        {
            if (attributeClass is null || attributeClass.ContainingType is not null ||
                attributeClass.ContainingNamespace is not { Name: Namespace } ns || !ns.ContainingNamespace.IsGlobalNamespace)
            {
                return null;
            }

            if (attributeClass.Name == "InputAttribute")
            {
                return InputKind;
            }

            foreach (LayerKind kind in LayerKinds.All)
            {
                if (attributeClass.Name == LayerKinds.AttributeName(kind))
                {
                    return (int)kind;
                }
            }

            return null;
        }

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

        /// <summary>
        /// The generated file's name: namespace parts joined by '.', containing types and the class by '+', and any
        /// character that is not a letter, a digit or '_' written as '-' and its code, so two classes never share a
        /// file name ('-' and '+' cannot appear in a C# name).
        /// </summary>
        private static string HintNameOf(INamedTypeSymbol type)
        {
            var names = new List<string>();
            for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
            {
                names.Insert(0, t.Name);
            }

            var parts = new List<string>();
            for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            {
                parts.Insert(0, ns.Name);
            }

            string full = (parts.Count > 0 ? string.Join(".", parts) + "." : string.Empty) + string.Join("+", names);
            var builder = new StringBuilder(full.Length + 5);
            foreach (char c in full)
            {
                if (char.IsLetterOrDigit(c) || c is '.' or '+' or '_')
                {
                    builder.Append(c);
                }
                else
                {
                    builder.Append('-').Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            return builder.Append(".g.cs").ToString();
        }
    }
}
