using System;
using System.Collections.Immutable;
using System.Linq;
using CnnGen.Generator.Checking;
using CnnGen.Generator.Model;
using CnnGen.Generator.Parsing;
using CnnGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CnnGen.Generator.Diagnostics
{
    /// <summary>
    /// Reports every problem of a network while the user types (CNN001–CNN007, CNN009, CNN010), with the fixes the code
    /// fixes offer. It shares the reader, the checks and the planner with the generator, so what it reports is exactly
    /// why the generator emitted nothing; it is also the one that reports an internal failure of those stages (CNN008).
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
            ReadResult? read = null;
            try
            {
                read = NetworkReader.Read(type, context.CancellationToken);
                if (read is null)
                {
                    return;
                }

                foreach (Problem problem in read.Problems)
                {
                    context.ReportDiagnostic(ProblemLocations.ToDiagnostic(problem, read));
                }

                if (read.Spec is null)
                {
                    return;
                }

                CheckResult check = NetworkChecker.Check(read.Spec, analyze: true, context.CancellationToken);
                foreach (Problem problem in check.Problems)
                {
                    context.ReportDiagnostic(ProblemLocations.ToDiagnostic(problem, read));
                }

                if (check.Model is { } model)
                {
                    NetworkPlan plan = NetworkPlanner.Plan(model);
                    foreach (Problem note in PlanNotes.NotUnrolled(plan))
                    {
                        context.ReportDiagnostic(ProblemLocations.ToDiagnostic(note, read));
                    }

                    context.ReportDiagnostic(ProblemLocations.ToDiagnostic(new Problem(DiagnosticIds.ShapeReport, Problem.ClassName, ArgumentRef.Attribute, ShapeReport.Of(model)), read));
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InternalError,
                    read?.ClassLocation ?? type.Locations.FirstOrDefault() ?? Location.None,
                    "CnnGen could not check " + type.Name + " (" + exception.GetType().Name + ": " + exception.Message + "); no layers were generated for it"));
            }
        }
    }
}
