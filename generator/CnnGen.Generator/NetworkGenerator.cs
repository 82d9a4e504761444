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
    /// the user types, and a network with errors gets placeholders for its instance members only. Its own report is CNN008 for a failure while emitting,
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
            IncrementalValuesProvider<NetworkOutput> outputs = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    NetworkReader.InputAttributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (context, cancellationToken) => ReadSpec(context, cancellationToken))
                .WithTrackingName(Steps.Spec)
                .Where(static spec => spec is not null)
                .Select(static (spec, cancellationToken) => OutputOf(spec!, cancellationToken))
                .WithTrackingName(Steps.Plan);

            context.RegisterSourceOutput(outputs, static (context, output) => Emit(context, output));
        }

        /// <summary>What a well-formed declaration gets: its plan, or, when its layers have errors, placeholders for its class.</summary>
        private sealed record NetworkOutput(NetworkPlan? Plan, ClassSpec Class);

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

        /// <summary>
        /// The plan of a valid network; for one with errors (the analyzer reports them), no plan: its class gets
        /// placeholders. Only what emitting needs: no fix search, no messages kept.
        /// </summary>
        private static NetworkOutput OutputOf(NetworkSpec spec, CancellationToken cancellationToken)
        {
            try
            {
                NetworkModel? model = NetworkChecker.Check(spec, analyze: false, cancellationToken).Model;
                return new NetworkOutput(model is null ? null : NetworkPlanner.Plan(model), spec.Class);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return new NetworkOutput(null, spec.Class); // the analyzer runs the same checks and planner and reports CNN008
            }
        }

        private static void Emit(SourceProductionContext context, NetworkOutput output)
        {
            if (output.Plan is not NetworkPlan plan)
            {
                // A network with errors: the members an interface may ask for, as placeholders, so that a command-line build
                // shows the CNN errors (csc does not run analyzers once declarations have errors, such as CS0535).
                context.AddSource(output.Class.HintName, SourceText.From(NetworkEmitter.EmitPlaceholder(output.Class), System.Text.Encoding.UTF8));
                return;
            }

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
                    "CnnGen could not generate " + plan.Class.Name + " (" + exception.GetType().Name + ": " + exception.Message + "); only placeholders were generated for it"));
                context.AddSource(plan.Class.HintName, SourceText.From(NetworkEmitter.EmitPlaceholder(plan.Class), System.Text.Encoding.UTF8));
            }
        }
    }
}
