using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using CnnGen.Generator;
using CnnGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CnnGen.Tests.Generation
{
    /// <summary>The pipeline caches: edits that do not change a network re-run no emit step, and no step holds a Roslyn object.</summary>
    public sealed class IncrementalTests
    {
        private const string Network = "using CnnGen;\nnamespace App;\n[Input(16, 16, 3)] [Conv(4, 3)] [Relu] [MaxPool(2)] [FullyConnected(5)]\npublic partial class Net\n{\n}\n";

        private static readonly string[] TrackedSteps = { NetworkGenerator.Steps.Spec, NetworkGenerator.Steps.Plan };

        private static GeneratorRunResult RunTwice(Func<CSharpCompilation, CSharpCompilation> edit)
        {
            CSharpCompilation compilation = TestCompiler.CreateCompilation(Network, "namespace App; public class Other { }");
            GeneratorDriver driver = TestCompiler.CreateDriver().RunGenerators(compilation);
            GeneratorRunResult first = driver.GetRunResult().Results.Single();
            Assert.Single(first.GeneratedSources);
            AssertNoRoslynObjects(first);

            driver = driver.RunGenerators(edit(compilation));
            return driver.GetRunResult().Results.Single();
        }

        [Fact]
        public void An_unrelated_file_edit_leaves_every_step_cached()
        {
            GeneratorRunResult second = RunTwice(c =>
            {
                SyntaxTree other = c.SyntaxTrees.Single(t => t.ToString().Contains("class Other"));
                return c.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText("namespace App; public class Other { public int X; }", TestCompiler.ParseOptions, other.FilePath));
            });

            // ForAttributeWithMetadataName re-runs its transform on a new compilation (semantics may have moved);
            // it finds an equal model ("Unchanged"), so every step after it, emission included, is Cached.
            Assert.All(
                second.TrackedSteps[NetworkGenerator.Steps.Spec].SelectMany(s => s.Outputs),
                o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
            Assert.All(second.TrackedSteps[NetworkGenerator.Steps.Plan].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

            Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }

        [Fact]
        public void An_edit_inside_the_network_class_reparses_but_does_not_re_emit()
        {
            GeneratorRunResult second = RunTwice(c =>
            {
                SyntaxTree tree = c.SyntaxTrees.Single(t => t.ToString().Contains("class Net"));
                string edited = Network.Replace("{\n}", "{\n    public int Helper() => 42;\n}");
                return c.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(edited, TestCompiler.ParseOptions, tree.FilePath));
            });

            // The transform ran again on the edited class, found an equal model, and everything after it was cached.
            Assert.All(second.TrackedSteps[NetworkGenerator.Steps.Spec].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
            Assert.All(second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }

        [Fact]
        public void Changing_a_layer_re_emits()
        {
            GeneratorRunResult second = RunTwice(c =>
            {
                SyntaxTree tree = c.SyntaxTrees.Single(t => t.ToString().Contains("class Net"));
                return c.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Network.Replace("Conv(4, 3)", "Conv(8, 3)"), TestCompiler.ParseOptions, tree.FilePath));
            });

            Assert.Contains(second.TrackedSteps[NetworkGenerator.Steps.Spec].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
            Assert.Contains("public const int Conv1OutputDepth = 8;", second.GeneratedSources.Single().SourceText.ToString());
        }

        private static void AssertNoRoslynObjects(GeneratorRunResult result)
        {
            foreach (string step in TrackedSteps)
            {
                foreach (IncrementalGeneratorRunStep run in result.TrackedSteps[step])
                {
                    foreach ((object value, _) in run.Outputs)
                    {
                        Visit(value, new HashSet<object>(ReferenceEqualityComparer.Instance), step);
                    }
                }
            }
        }

        /// <summary>Walks an object graph (fields, arrays) and fails on any symbol, syntax node, tree, compilation or location.</summary>
        private static void Visit(object? value, HashSet<object> seen, string path)
        {
            if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
            {
                return;
            }

            Assert.False(
                value is ISymbol or SyntaxNode or SyntaxTree or Compilation or Location or SemanticModel or AttributeData,
                $"{path} holds a Roslyn object of type {value.GetType()}");

            if (value is IEnumerable sequence)
            {
                foreach (object? item in sequence)
                {
                    Visit(item, seen, path + "[]");
                }
            }

            foreach (FieldInfo field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                Visit(field.GetValue(value), seen, path + "." + field.Name);
            }
        }
    }
}
