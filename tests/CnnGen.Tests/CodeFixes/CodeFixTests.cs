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
        private static async Task Verify(string source, string fixedSource, string equivalenceKey, int iterations = 1, string? fixedReport = null, string? title = null)
        {
            var test = new CSharpCodeFixTest<NetworkAnalyzer, NetworkCodeFixProvider, DefaultVerifier>
            {
                TestCode = "using CnnGen;\n\n" + source,
                FixedCode = "using CnnGen;\n\n" + fixedSource,
                CodeActionEquivalenceKey = equivalenceKey,
                NumberOfFixAllIterations = 1, // Fix All fixes every occurrence in one pass
                NumberOfIncrementalIterations = iterations,
                // Reference assemblies from Basic.Reference.Assemblies: nothing is downloaded at test time.
                ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
            };
            if (title is not null)
            {
                test.CodeActionVerifier = (action, verifier) => verifier.Equal(title, action.Title);
            }

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
            "CnnGen.Set Padding = 1",
            fixedReport: "Net: input 32x32x3; Conv1 11x11x6 (294 parameters); 294 parameters in all");

        [Fact]
        public Task CNN001_stride_fix_replaces_the_stride_already_written() => Verify(
            "[Input(32, 32, 3)] [{|CNN001:Conv(6, 4, Stride = 3)|}]\npublic partial class Net { }",
            "[Input(32, 32, 3)] [Conv(6, 4, Stride = 4)]\npublic partial class Net { }",
            "CnnGen.Set Stride = 4");

        [Fact]
        public Task CNN001_rounding_fix() => Verify(
            "[Input(14, 14, 6)] [{|CNN001:Conv(16, 5, Stride = 2)|}]\npublic partial class Net { }",
            "[Input(14, 14, 6)] [Conv(16, 5, Stride = 2, Rounding = OutputRounding.Floor)]\npublic partial class Net { }",
            "CnnGen.Set Rounding = OutputRounding.Floor");

        [Fact]
        public Task CNN001_stride_fix_keeps_the_layers_after_it_valid() => Verify(
            "[Input(32, 32, 3)] [{|CNN001:MaxPool(3, Stride = 2)|}] [Conv(4, 3)]\npublic partial class Net { }",
            "[Input(32, 32, 3)] [MaxPool(3, Stride = 1)] [Conv(4, 3)]\npublic partial class Net { }",
            "CnnGen.Set Stride = 1",
            fixedReport: "Net: input 32x32x3; Pool1 30x30x3; Conv1 28x28x4 (112 parameters); 112 parameters in all");

        [Fact]
        public void CNN001_offers_no_fix_that_breaks_a_later_layer()
        {
            // Stride = 29 fits the pool but leaves 2x2 for the 3x3 conv; Rounding = Floor fits the first conv but leaves 3x3 for
            // the 4x4 conv after it (here or for the whole network).
            foreach ((string source, string[] absent) in new[]
            {
                ("[Input(32, 32, 3)] [MaxPool(3, Stride = 2)] [Conv(4, 3)]", new[] { "Stride|29|", "Stride|31|" }),
                ("[Input(9, 9, 1)] [Conv(8, 4, Stride = 2)] [Conv(2, 4)]", new[] { "Rounding|OutputRounding.Floor|", "Input.Rounding|" }),
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
        public Task CNN001_same_padding_replaces_the_padding_written() => Verify(
            "[Input(14, 14, 6)] [{|CNN001:Conv(16, 5, Stride = 2, Padding = 1)|}]\npublic partial class Net { }",
            "[Input(14, 14, 6)] [Conv(16, 5, Stride = 2, PaddingMode = PaddingMode.Same)]\npublic partial class Net { }",
            "CnnGen.Set PaddingMode = PaddingMode.Same, removing Padding",
            fixedReport: "Net: input 14x14x6; Conv1 7x7x16 (2,416 parameters); 2,416 parameters in all");

        [Fact]
        public Task CNN001_pytorch_rounding_for_the_whole_network_fixes_every_layer_at_once() => Verify(
            "[Input(64, 64, 3)] [{|CNN001:Conv(16, 7, Stride = 2, Padding = 3)|}] [Relu] [{|CNN001:MaxPool(3, Stride = 2, Padding = 1)|}]\npublic partial class Net { }",
            "[Input(64, 64, 3, Rounding = OutputRounding.Floor)] [Conv(16, 7, Stride = 2, Padding = 3)] [Relu] [MaxPool(3, Stride = 2, Padding = 1)]\npublic partial class Net { }",
            "CnnGen.Use PyTorch rounding for the whole network (Rounding = OutputRounding.Floor on Input)",
            fixedReport: "Net: input 64x64x3; Conv1+ReLU 32x32x16 (2,368 parameters); Pool1 16x16x16; 2,368 parameters in all");

        [Fact]
        public Task CNN001_fix_all_sets_the_same_rounding_on_every_layer() => Verify(
            "[Input(14, 14, 6)] [{|CNN001:Conv(16, 5, Stride = 2)|}] [{|CNN001:MaxPool(2, Stride = 2)|}]\npublic partial class Net { }",
            "[Input(14, 14, 6)] [Conv(16, 5, Stride = 2, Rounding = OutputRounding.Floor)] [MaxPool(2, Stride = 2, Rounding = OutputRounding.Floor)]\npublic partial class Net { }",
            "CnnGen.Set Rounding = OutputRounding.Floor",
            iterations: 2);

        [Fact]
        public Task CNN011_nearest_group_count_that_divides() => Verify(
            "[Input(16, 16, 6)] [Conv(8, 3, {|CNN011:Groups = 4|})]\npublic partial class Net { }",
            "[Input(16, 16, 6)] [Conv(8, 3, Groups = 2)]\npublic partial class Net { }",
            "CnnGen.Set Groups = 2");

        [Fact]
        public Task CNN011_group_count_above_the_depth_gets_the_largest_that_divides() => Verify(
            "[Input(8, 8, 12)] [Conv(18, 1, {|CNN011:Groups = 100|})]\npublic partial class Net { }",
            "[Input(8, 8, 12)] [Conv(18, 1, Groups = 6)]\npublic partial class Net { }",
            "CnnGen.Set Groups = 6");

        [Fact]
        public Task CNN001_padding_far_out_of_range_gets_the_nearest_that_fits() => Verify(
            "[Input(5, 5, 1)] [{|CNN001:{|CNN003:Conv(1, 3, Stride = 3, Padding = 1000000000)|}|}]\npublic partial class Net { }",
            "[Input(5, 5, 1)] [Conv(1, 3, Stride = 3, Padding = 2)]\npublic partial class Net { }",
            "CnnGen.Set Padding = 2");

        [Fact]
        public Task CNN012_remove_the_padding_same_replaces() => Verify(
            "[Input(16, 16, 6)] [Conv(8, 3, PaddingMode = PaddingMode.Same, {|CNN012:Padding = 1|})]\npublic partial class Net { }",
            "[Input(16, 16, 6)] [Conv(8, 3, PaddingMode = PaddingMode.Same)]\npublic partial class Net { }",
            "CnnGen.Remove Padding");

        [Fact]
        public Task CNN013_the_missing_size_makes_the_window_square() => Verify(
            "[Input(16, 16, 6)] [Conv(8, {|CNN013:SizeX = 3|})]\npublic partial class Net { }",
            "[Input(16, 16, 6)] [Conv(8, SizeX = 3, SizeY = 3)]\npublic partial class Net { }",
            "CnnGen.Set SizeY = 3");

        [Fact]
        public Task CNN002_largest_size_that_fits() => Verify(
            "[Input(12, 12, 1)] [Conv(4, 5)] [MaxPool(2)] [{|CNN002:Conv(8, 5)|}]\npublic partial class Net { }",
            "[Input(12, 12, 1)] [Conv(4, 5)] [MaxPool(2)] [Conv(8, 4)]\npublic partial class Net { }",
            "CnnGen.Set Size = 4");

        [Fact]
        public Task CNN002_padding_that_fits() => Verify(
            "[Input(12, 12, 1)] [Conv(4, 5)] [MaxPool(2)] [{|CNN002:Conv(8, 5)|}]\npublic partial class Net { }",
            "[Input(12, 12, 1)] [Conv(4, 5)] [MaxPool(2)] [Conv(8, 5, Padding = 1)]\npublic partial class Net { }",
            "CnnGen.Set Padding = 1");

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
        public Task CNN015_a_reference_that_differs_only_by_case_uses_the_layer_name() => Verify(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Relu(Name = \"Stem\")] [Conv(4, 3, Padding = 1, {|CNN015:From = \"stem\"|})]\npublic partial class Net { }",
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Relu(Name = \"Stem\")] [Conv(4, 3, Padding = 1, From = \"Stem\")]\npublic partial class Net { }",
            "CnnGen.Use \"Stem\"",
            title: "Use \"Stem\"");

        [Fact]
        public Task CNN015_the_case_fix_replaces_only_the_Concat_argument_it_is_on() => Verify(
            "[Input(8, 8, 3)] [Conv(4, 1, Name = \"A\")] [Conv(2, 1, From = \"A\", Name = \"B\")] [Concat(\"A\", {|CNN015:\"b\"|})]\npublic partial class Net { }",
            "[Input(8, 8, 3)] [Conv(4, 1, Name = \"A\")] [Conv(2, 1, From = \"A\", Name = \"B\")] [Concat(\"A\", \"B\")]\npublic partial class Net { }",
            "CnnGen.Use \"B\"",
            title: "Use \"B\"");

        [Fact]
        public Task CNN006_adds_partial_to_the_class_and_its_containers() => Verify(
            "public class Outer\n{\n    [Input(8, 8, 3)] [Conv(6, 3)]\n    public class {|CNN006:{|CNN006:Net|}|} { }\n}",
            "public partial class Outer\n{\n    [Input(8, 8, 3)] [Conv(6, 3)]\n    public partial class Net { }\n}",
            "CnnGen.AddPartial");
    }
}
