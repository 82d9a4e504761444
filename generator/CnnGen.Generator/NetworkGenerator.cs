using System;
using System.Threading;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using CnnGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.Generator
{
    /// <summary>
    /// Emits the specialized layers of every class marked <c>[Input]</c>. It reports nothing about shapes:
    /// <see cref="NetworkAnalyzer"/> does, live while the user types; a network with errors gets no code.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetworkGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline steps, for the incremental tests.</summary>
        public static class Steps
        {
            public const string Network = "CnnGen.Network";
            public const string Valid = "CnnGen.ValidNetwork";
        }

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<GenerationInput> networks = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    NetworkParser.InputAttributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (context, cancellationToken) => Transform(context, cancellationToken))
                .WithTrackingName(Steps.Network)
                .Where(static input => input.Model is not null || input.Failure is not null)
                .WithTrackingName(Steps.Valid);

            context.RegisterSourceOutput(networks, static (context, input) => Execute(context, input));
        }

        private static GenerationInput Transform(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type)
            {
                return new GenerationInput(null, null);
            }

            try
            {
                ParseOutcome? outcome = NetworkParser.Parse(type, cancellationToken);
                return new GenerationInput(outcome?.Model, null);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                Location location = context.TargetNode is TypeDeclarationSyntax declaration
                    ? declaration.Identifier.GetLocation()
                    : context.TargetNode.GetLocation();
                return new GenerationInput(null, new Failure(type.Name, Describe(exception), LocationInfo.From(location)));
            }
        }

        private static void Execute(SourceProductionContext context, GenerationInput input)
        {
            if (input.Failure is { } failure)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InternalError,
                    failure.Location?.ToLocation() ?? Location.None,
                    "CnnGen could not read " + failure.ClassName + " (" + failure.Message + "); nothing was generated for it"));
                return;
            }

            NetworkModel model = input.Model!;
            string source;
            try
            {
                source = NetworkEmitter.Emit(model, context.CancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InternalError,
                    Location.None,
                    "CnnGen could not generate " + model.ClassName + " (" + Describe(exception) + "); nothing was generated for it"));
                return;
            }

            context.AddSource(model.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
        }

        private static string Describe(Exception exception) => exception.GetType().Name + ": " + exception.Message;

        /// <summary>What the pipeline carries: a clean model, or an internal failure. Never a Roslyn object.</summary>
        internal sealed record GenerationInput(NetworkModel? Model, Failure? Failure);

        /// <summary>An unexpected exception while reading a network.</summary>
        internal sealed record Failure(string ClassName, string Message, LocationInfo? Location);

        /// <summary>A location as plain values (only for internal-failure reports).</summary>
        internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
        {
            public static LocationInfo? From(Location location) =>
                location.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);

            public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
        }
    }
}
