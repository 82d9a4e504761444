using System;
using System.Collections.Immutable;
using System.Linq;
using CnnGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CnnGen.Generator.Diagnostics
{
    /// <summary>
    /// Reports CNN001–CNN009 while the user types. It shares <see cref="NetworkParser"/> and the shape
    /// model with the generator, so what it reports is exactly why the generator emitted nothing.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class NetworkAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        }

        private static void AnalyzeType(SymbolAnalysisContext context)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            try
            {
                ParseOutcome? outcome = NetworkParser.Parse(type, context.CancellationToken);
                if (outcome is null)
                {
                    return;
                }

                foreach (FoundDiagnostic diagnostic in outcome.Diagnostics)
                {
                    context.ReportDiagnostic(diagnostic.ToDiagnostic());
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InternalError,
                    type.Locations.FirstOrDefault() ?? Location.None,
                    "CnnGen could not check " + type.Name + " (" + exception.GetType().Name + ": " + exception.Message + "); nothing was generated for it"));
            }
        }
    }
}
