using System.Linq;
using System.Threading.Tasks;
using Basic.Reference.Assemblies;
using CnnGen.CodeFixes;
using CnnGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CnnGen.Tests.CodeFixes
{
    /// <summary>
    /// Each fix is offered on the diagnostic, produces the expected code, and that code has no CnnGen
    /// diagnostic left (the framework re-runs the analyzer on the fixed code and fails on anything unexpected).
    /// </summary>
    public sealed class CodeFixTests
    {
        private static async Task Verify(string source, string fixedSource, string equivalenceKey, int iterations = 1, string? fixedReport = null)
        {
            var test = new CSharpCodeFixTest<NetworkAnalyzer, NetworkCodeFixProvider, DefaultVerifier>
            {
                TestCode = "using CnnGen;\n\n" + source,
                FixedCode = "using CnnGen;\n\n" + fixedSource,
                CodeActionEquivalenceKey = equivalenceKey,
                NumberOfFixAllIterations = iterations,
                NumberOfIncrementalIterations = iterations,
                // Reference assemblies from Basic.Reference.Assemblies: nothing is downloaded at test time.
                ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            };
            test.TestState.AdditionalReferences.AddRange(Net100.References.All);
            test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(InputAttribute).Assembly.Location));
            if (fixedReport is null)
            {
                // The shape report (off by default in builds) would list the fixed network's shapes.
                test.DisabledDiagnostics.Add("CNN010");
            }
            else
            {
                // The report on the fixed code proves the fix's title told the truth about the output.
                test.FixedState.ExpectedDiagnostics.Add(new DiagnosticResult("CNN010", DiagnosticSeverity.Info).WithSpan(4, 22, 4, 25).WithArguments(fixedReport));
            }

            await test.RunAsync();
        }

        [Fact]
        public Task CNN001_padding_fix_shows_the_resulting_output() => Verify(
            "[Input(32, 32, 3)] [{|CNN001:Conv(6, 4, Stride = 3)|}]\npublic partial class Net { }",
            "[Input(32, 32, 3)] [Conv(6, 4, Stride = 3, Padding = 1)]\npublic partial class Net { }",
            "CnnGen.Set Padding = 1 (output 11x11x6)",
            fixedReport: "Net: input 32x32x3; Conv1 11x11x6 (294 parameters); 294 parameters in all");

        [Fact]
        public Task CNN001_stride_fix_replaces_the_stride_already_written() => Verify(
            "[Input(32, 32, 3)] [{|CNN001:Conv(6, 4, Stride = 3)|}]\npublic partial class Net { }",
            "[Input(32, 32, 3)] [Conv(6, 4, Stride = 4)]\npublic partial class Net { }",
            "CnnGen.Set Stride = 4 (output 8x8x6)");

        [Fact]
        public Task CNN001_rounding_fix() => Verify(
            "[Input(14, 14, 6)] [{|CNN001:Conv(16, 5, Stride = 2)|}]\npublic partial class Net { }",
            "[Input(14, 14, 6)] [Conv(16, 5, Stride = 2, Rounding = OutputRounding.Floor)]\npublic partial class Net { }",
            "CnnGen.Set Rounding = OutputRounding.Floor (output 5x5x16)");

        [Fact]
        public Task CNN001_stride_fix_keeps_the_layers_after_it_valid() => Verify(
            "[Input(32, 32, 3)] [{|CNN001:MaxPool(3, Stride = 2)|}] [Conv(4, 3)]\npublic partial class Net { }",
            "[Input(32, 32, 3)] [MaxPool(3, Stride = 1)] [Conv(4, 3)]\npublic partial class Net { }",
            "CnnGen.Set Stride = 1 (output 30x30x3)",
            fixedReport: "Net: input 32x32x3; Pool1 30x30x3; Conv1 28x28x4 (112 parameters); 112 parameters in all");

        [Fact]
        public void CNN001_offers_no_fix_that_breaks_a_later_layer()
        {
            // Stride = 29 fits the pool but leaves 2x2 for the 3x3 conv; Rounding = Floor fits the conv but leaves 9x9 for the pool.
            foreach ((string source, string[] absent) in new[]
            {
                ("[Input(32, 32, 3)] [MaxPool(3, Stride = 2)] [Conv(4, 3)]", new[] { "Stride|29|", "Stride|31|" }),
                ("[Input(28, 28, 1)] [Conv(8, 3, Stride = 3, Padding = 0)] [MaxPool(2)]", new[] { "Rounding|OutputRounding.Floor|" }),
            })
            {
                Infrastructure.CompileResult result = Infrastructure.TestCompiler.Compile("using CnnGen;\n" + source + "\npublic partial class Net { }");
                Diagnostic diagnostic = Assert.Single(result.AnalyzerDiagnostics, d => d.Id == "CNN001");
                var offered = diagnostic.Properties.Values.ToList();
                Assert.NotEmpty(offered);
                Assert.All(absent, fix => Assert.DoesNotContain(offered, o => o!.StartsWith(fix, System.StringComparison.Ordinal)));
            }
        }

        [Fact]
        public Task CNN002_largest_size_that_fits() => Verify(
            "[Input(12, 12, 1)] [Conv(4, 5)] [MaxPool(2)] [{|CNN002:Conv(8, 5)|}]\npublic partial class Net { }",
            "[Input(12, 12, 1)] [Conv(4, 5)] [MaxPool(2)] [Conv(8, 4)]\npublic partial class Net { }",
            "CnnGen.Set Size = 4 (output 1x1x8)");

        [Fact]
        public Task CNN002_padding_that_fits() => Verify(
            "[Input(12, 12, 1)] [Conv(4, 5)] [MaxPool(2)] [{|CNN002:Conv(8, 5)|}]\npublic partial class Net { }",
            "[Input(12, 12, 1)] [Conv(4, 5)] [MaxPool(2)] [Conv(8, 5, Padding = 1)]\npublic partial class Net { }",
            "CnnGen.Set Padding = 1 (output 2x2x8)");

        [Fact]
        public Task CNN004_set_depth() => Verify(
            "[Input(8, 8, 3)] [Conv(6, 3, {|CNN004:Depth = 4|})]\npublic partial class Net { }",
            "[Input(8, 8, 3)] [Conv(6, 3, Depth = 3)]\npublic partial class Net { }",
            "CnnGen.Set Depth = 3");

        [Fact]
        public Task CNN004_remove_depth() => Verify(
            "[Input(8, 8, 3)] [Conv(6, 3, {|CNN004:Depth = 4|})]\npublic partial class Net { }",
            "[Input(8, 8, 3)] [Conv(6, 3)]\npublic partial class Net { }",
            "CnnGen.Remove Depth");

        [Fact]
        public Task CNN006_adds_partial_to_the_class_and_its_containers() => Verify(
            "public class Outer\n{\n    [Input(8, 8, 3)] [Conv(6, 3)]\n    public class {|CNN006:{|CNN006:Net|}|} { }\n}",
            "public partial class Outer\n{\n    [Input(8, 8, 3)] [Conv(6, 3)]\n    public partial class Net { }\n}",
            "CnnGen.AddPartial");
    }
}
