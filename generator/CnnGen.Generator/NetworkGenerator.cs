using System;
using System.Threading;
using CnnGen.Generator.Checking;
using CnnGen.Generator.Diagnostics;
using CnnGen.Generator.Emitting;
using CnnGen.Generator.Model;
using CnnGen.Generator.Parsing;
using CnnGen.Generator.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CnnGen.Generator
{
    /// <summary>
    /// Emits the specialized layers of every class marked <c>[Input]</c>: read the attributes into a plain spec, check
    /// it, plan it, emit it. It reports nothing about the declaration: <see cref="NetworkAnalyzer"/> does, live while
    /// the user types, and a network with errors gets no code. Its own report is CNN008 for a failure while emitting,
    /// the one stage the analyzer does not run.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class NetworkGenerator : IIncrementalGenerator
    {
        /// <summary>Tracking names of the pipeline steps, for the incremental tests.</summary>
        public static class Steps
        {
            public const string Spec = "CnnGen.Spec";
            public const string Plan = "CnnGen.Plan";
        }

        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<NetworkPlan> plans = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    NetworkReader.InputAttributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (context, cancellationToken) => ReadSpec(context, cancellationToken))
                .WithTrackingName(Steps.Spec)
                .Where(static spec => spec is not null)
                .Select(static (spec, cancellationToken) => PlanOf(spec!, cancellationToken))
                .WithTrackingName(Steps.Plan)
                .Where(static plan => plan is not null)!;

            context.RegisterSourceOutput(plans, static (context, plan) => Emit(context, plan));
        }

        /// <summary>The plain spec of a declaration that reads cleanly, else null (the analyzer reports why).</summary>
        private static NetworkSpec? ReadSpec(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type)
            {
                return null;
            }

            try
            {
                return NetworkReader.Read(type, cancellationToken)?.Spec;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return null; // the analyzer runs the same reader and reports CNN008
            }
        }

        /// <summary>The plan of a valid network, else null. Only what emitting needs: no fix search, no messages kept.</summary>
        private static NetworkPlan? PlanOf(NetworkSpec spec, CancellationToken cancellationToken)
        {
            try
            {
                NetworkModel? model = NetworkChecker.Check(spec, analyze: false, cancellationToken).Model;
                return model is null ? null : NetworkPlanner.Plan(model);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return null; // the analyzer runs the same checks and planner and reports CNN008
            }
        }

        private static void Emit(SourceProductionContext context, NetworkPlan plan)
        {
            try
            {
                string source = NetworkEmitter.Emit(plan, context.CancellationToken);
                context.AddSource(plan.Class.HintName, SourceText.From(source, System.Text.Encoding.UTF8));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.InternalError,
                    Location.None,
                    "CnnGen could not generate " + plan.Class.Name + " (" + exception.GetType().Name + ": " + exception.Message + "); nothing was generated for it"));
            }
        }
    }
}
