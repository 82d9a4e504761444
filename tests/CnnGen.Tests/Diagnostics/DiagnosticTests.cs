using System;
using System.Linq;
using CnnGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics
{
    /// <summary>Each id: the id, the exact message, and the exact location (the text it must underline, found in the source).</summary>
    public sealed class DiagnosticTests
    {
        private const string Usings = "using CnnGen;\n\nnamespace App;\n\n";

        /// <summary>
        /// Compiles <paramref name="source"/> and asserts the analyzer reports exactly one <paramref name="id"/> with
        /// <paramref name="message"/>, underlining the <paramref name="occurrence"/>-th occurrence of <paramref name="underlined"/>,
        /// and that the generator emitted nothing for the class.
        /// </summary>
        private static void AssertDiagnostic(string source, string id, string underlined, string message, int occurrence = 1)
        {
            string full = Usings + source;
            CompileResult result = TestCompiler.Compile(full);
            var found = result.AnalyzerDiagnostics.Where(d => d.Id == id).ToList();
            Assert.True(found.Count == 1, $"expected one {id}, got:\n" + string.Join("\n", result.All));
            Diagnostic diagnostic = found[0];
            Assert.Equal(message, diagnostic.GetMessage());
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);

            int start = -1;
            for (int i = 0; i < occurrence; i++)
            {
                start = full.IndexOf(underlined, start + 1, StringComparison.Ordinal);
            }

            Assert.True(start >= 0, "the expected text is not in the source");
            int line = full.Take(start).Count(c => c == '\n');
            int column = start - (full.LastIndexOf('\n', Math.Max(0, start - 1)) + 1);
            FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
            Assert.True(diagnostic.Location.IsInSource);
            Assert.Equal((line, column), (span.StartLinePosition.Line, span.StartLinePosition.Character));
            Assert.Equal(underlined.Length, diagnostic.Location.SourceSpan.Length);

            if (id is "CNN005" or "CNN006")
            {
                Assert.Empty(result.GeneratedTrees); // the class itself is the problem: nothing can be added to it
            }
            else
            {
                result.AssertPlaceholdersOnly();
            }

            Assert.DoesNotContain(result.All, d => d.Id is "AD0001" or "CS8785" or "CNN008");
        }

        [Fact]
        public void CNN001_points_at_the_second_conv_with_the_numbers_and_fitting_choices()
        {
            AssertDiagnostic(
                "[Input(32, 32, 3)]\n[Conv(6, 5)] [Relu]\n[MaxPool(2)]\n[Conv(16, 5, Stride = 2)]\npublic partial class Net { }",
                "CNN001",
                "Conv(16, 5, Stride = 2)",
                "Conv2: output width (14 − 5 + 2·0)/2 + 1 = 5.5 is not an integer; Stride = 1 or 3, PaddingMode = PaddingMode.Same, or Rounding = OutputRounding.Floor (here, or on Input for the whole network), would fit");
        }

        [Fact]
        public void CNN001_offers_a_padding_when_one_fits()
        {
            AssertDiagnostic(
                "[Input(32, 32, 3)] [Conv(6, 4, Stride = 3)]\npublic partial class Net { }",
                "CNN001",
                "Conv(6, 4, Stride = 3)",
                "Conv1: output width (32 − 4 + 2·0)/3 + 1 = 10.33 is not an integer; Stride = 2 or 4, Padding = 1, PaddingMode = PaddingMode.Same, or Rounding = OutputRounding.Floor (here, or on Input for the whole network), would fit");
        }

        [Fact]
        public void CNN001_reports_height_when_only_the_height_fails_and_pools_may_ceil()
        {
            AssertDiagnostic(
                "[Input(8, 9, 2)]\n[MaxPool(2)]\npublic partial class Net { }",
                "CNN001",
                "MaxPool(2)",
                "Pool1: output height (9 − 2 + 2·0)/2 + 1 = 4.5 is not an integer; Stride = 1, PaddingMode = PaddingMode.Same, or Rounding = OutputRounding.Floor or OutputRounding.Ceil (here, or on Input for the whole network), would fit");
        }

        [Fact]
        public void CNN001_offers_only_values_after_which_the_whole_network_fits()
        {
            // Stride = 29 would fit the pool, but leave a 2x2 map the 3x3 conv after it does not fit (CNN002).
            AssertDiagnostic(
                "[Input(32, 32, 3)] [MaxPool(3, Stride = 2)] [Conv(4, 3)]\npublic partial class Net { }",
                "CNN001",
                "MaxPool(3, Stride = 2)",
                "Pool1: output width (32 − 3 + 2·0)/2 + 1 = 15.5 is not an integer; Stride = 1, PaddingMode = PaddingMode.Same, or Rounding = OutputRounding.Floor or OutputRounding.Ceil (here, or on Input for the whole network), would fit");

            // Rounding = OutputRounding.Floor would fit the first conv, but leave a 3x3 map the 4x4 conv after it does not fit (CNN002).
            AssertDiagnostic(
                "[Input(9, 9, 1)] [Conv(8, 4, Stride = 2)] [Conv(2, 4)]\npublic partial class Net { }",
                "CNN001",
                "Conv(8, 4, Stride = 2)",
                "Conv1: output width (9 − 4 + 2·0)/2 + 1 = 3.5 is not an integer; Stride = 1, or PaddingMode = PaddingMode.Same, would fit");
        }

        [Fact]
        public void CNN002_reports_a_filter_larger_than_its_padded_input()
        {
            AssertDiagnostic(
                "[Input(12, 12, 1)]\n[Conv(4, 5)]\n[MaxPool(2)]\n[Conv(8, 5)]\npublic partial class Net { }",
                "CNN002",
                "Conv(8, 5)",
                "Conv2: the 5x5 window does not fit the 4x4 input with Padding = 0: output width (4 − 5 + 2·0)/1 + 1 = 0 is below 1; Size = 4, or Padding = 1, would fit");
        }

        [Theory]
        [InlineData("[Input(0, 4, 1)]", "0", "Input: width = 0 is out of range: it must be at least 1", 1)]
        [InlineData("[Input(4, 4, 1)] [Conv(0, 3)]", "0", "Conv1: filters = 0 is out of range: it must be at least 1", 1)]
        [InlineData("[Input(4, 4, 1)] [Conv(2, 3, Stride = 0)]", "Stride = 0", "Conv1: Stride = 0 is out of range: it must be at least 1", 1)]
        [InlineData("[Input(4, 4, 1)] [Conv(2, 3, Padding = -1)]", "Padding = -1", "Conv1: Padding = −1 is out of range: it must be 0 or more", 1)]
        [InlineData("[Input(4, 4, 1)] [MaxPool(2, Padding = 2)]", "Padding = 2", "Pool1: Padding = 2 must be below the window size 2 (a window would lie wholly in the −∞ padding); Padding = 1 or less would fit", 1)]
        [InlineData("[Input(4, 4, 1)] [MaxPool(2, Stride = -1)]", "Stride = -1", "Pool1: Stride = −1 is out of range: it must be at least 1, or 0 for the window size", 1)]
        [InlineData("[Input(4, 4, 1)] [Conv(2, 1, Rounding = OutputRounding.Ceil)]", "Rounding = OutputRounding.Ceil", "Conv1: Rounding = OutputRounding.Ceil applies to pools only; OutputRounding.Exact or OutputRounding.Floor would fit a conv", 1)]
        [InlineData("[Input(4, 4, 1)] [MaxPool(2, Rounding = (OutputRounding)7)]", "Rounding = (OutputRounding)7", "Pool1: Rounding = 7 is not a defined OutputRounding value; OutputRounding.Exact, OutputRounding.Floor or OutputRounding.Ceil would fit", 1)]
        [InlineData("[Input(4, 4, 1)] [FullyConnected(-3)]", "-3", "Fc1: outputs = −3 is out of range: it must be at least 1", 1)]
        [InlineData("[Input(height: 0, depth: 1, width: 4)]", "height: 0", "Input: height = 0 is out of range: it must be at least 1", 1)]
        [InlineData("[Input(4, 4, 1)] [Conv(size: 3, filters: -1)]", "filters: -1", "Conv1: filters = −1 is out of range: it must be at least 1", 1)]
        [InlineData("[Input(100000, 100000, 3)]", "Input(100000, 100000, 3)", "Input: input volume 100000x100000x3 = 30,000,000,000 floats is too large to compute (above int.MaxValue = 2,147,483,647); smaller sizes would fit", 1)]
        [InlineData("[Input(40000, 40000, 1)] [Conv(2, 1)]", "Conv(2, 1)", "Conv1: output volume 40000x40000x2 = 3,200,000,000 floats is too large to compute (above int.MaxValue = 2,147,483,647); smaller sizes would fit", 1)]
        [InlineData("[Input(1000, 1000, 3)] [FullyConnected(1000)]", "FullyConnected(1000)", "Fc1: weight 1000x3000000 = 3,000,000,000 floats is too large to compute (above int.MaxValue = 2,147,483,647); smaller sizes would fit", 1)]
        public void CNN003_points_at_the_argument_out_of_range(string attributes, string underlined, string message, int occurrence)
        {
            AssertDiagnostic(attributes + "\npublic partial class Net { }", "CNN003", underlined, message, occurrence);
        }

        [Fact]
        public void CNN004_points_at_the_depth_argument()
        {
            AssertDiagnostic(
                "[Input(8, 8, 3)]\n[Conv(6, 3, Depth = 4)]\npublic partial class Net { }",
                "CNN004",
                "Depth = 4",
                "Conv1: Depth = 4 does not match the input depth 3 (filters span the full input depth); Depth = 3, or no Depth, would fit");
        }

        [Theory]
        [InlineData("[Conv(6, 3)]\npublic partial class Net { }", "Net has layer attributes but no [Input(width, height, depth)]; add one before the first layer")]
        [InlineData("[Conv(6, 3)] [Input(8, 8, 3)]\npublic partial class Net { }", "[Input] must be the first layer attribute of Net; move it before [Conv]")]
        [InlineData("[Input(8, 8, 3)]\npublic partial class Net { }\n[Conv(6, 3)]\npublic partial class Net { }", "the layer attributes of Net are split over 2 declarations; put them all on one declaration, in layer order")]
        public void CNN005_points_at_the_class_name(string source, string message)
        {
            AssertDiagnostic(source, "CNN005", "Net", message, occurrence: 1);
        }

        [Theory]
        [InlineData("[Input(8, 8, 3)] [Conv(6, 3)]\npublic class Net { }", "Net", "Net must be partial so the generator can add its layers: declare it 'partial class Net'")]
        [InlineData("[Input(8, 8, 3)] [Conv(6, 3)]\npublic partial class Net<T> { }", "Net", "Net is generic; a network class cannot have type parameters")]
        [InlineData("[Input(8, 8, 3)] [Conv(6, 3)]\npublic static partial class Net { }", "Net", "Net is static; a network is instantiated, so remove 'static'")]
        [InlineData("public class Outer\n{\n    [Input(8, 8, 3)] [Conv(6, 3)]\n    public partial class Net { }\n}", "Net", "Outer, which contains Net, must be partial too: declare it 'partial class Outer'")]
        public void CNN006_points_at_the_class_name(string source, string underlined, string message)
        {
            AssertDiagnostic(source, "CNN006", underlined, message);
        }

        [Theory]
        [InlineData("[Conv(6, 3, Name = \"class\")]", "Name = \"class\"", "Conv1: Name = \"class\" is a C# keyword; a name such as \"Class\" would fit")]
        [InlineData("[Conv(6, 3, Name = \"1x\")]", "Name = \"1x\"", "Conv1: Name = \"1x\" is not a valid C# identifier; a name such as \"Conv1\" would fit")]
        [InlineData("[Conv(6, 3, Name = \"Forward\")]", "Name = \"Forward\"", "Conv1: Name = \"Forward\" clashes with the generated member Forward; choose another name")]
        [InlineData("[Conv(6, 3, Name = \"Net\")]", "Name = \"Net\"", "Conv1: Name = \"Net\" is the name of the network class itself; choose another name")]
        [InlineData("[Conv(6, 1, Name = \"Conv2\")] [Conv(6, 1)]", "Name = \"Conv2\"", "Conv1: Name = \"Conv2\" is already the name of layer 2 (Conv); layer names must be unique in the network; choose another name")]
        [InlineData("[Conv(6, 1, Name = \"Stem\")] [MaxPool(1, Name = \"Stem\")]", "Name = \"Stem\"", "Pool1: Name = \"Stem\" is already the name of layer 1 (Conv); layer names must be unique in the network; choose another name", 2)]
        [InlineData("[Conv(6, 1, Name = \"Fc1InputWidth\")] [FullyConnected(3)]", "Name = \"Fc1InputWidth\"", "Conv1: Name = \"Fc1InputWidth\" clashes with the generated member Fc1InputWidth of layer Fc1; choose another name")]
        public void CNN007_points_at_the_name(string layers, string underlined, string message, int occurrence = 1)
        {
            AssertDiagnostic("[Input(8, 8, 3)] " + layers + "\npublic partial class Net { }", "CNN007", underlined, message, occurrence);
        }

        [Fact]
        public void CNN009_is_information_and_the_network_is_still_generated()
        {
            CompileResult result = TestCompiler.Compile(Usings + "[Input(16, 16, 64)]\n[Conv(8, 3, Padding = 1)]\npublic partial class Net { }");
            Diagnostic info = Assert.Single(result.AnalyzerDiagnostics);
            Assert.Equal("CNN009", info.Id);
            Assert.Equal(DiagnosticSeverity.Info, info.Severity);
            Assert.Equal("Conv1: F·F·D = 3·3·64 = 576 multiply-adds per output exceed the unroll budget of 256; the loop over input depth stays a loop, the 3x3 window is unrolled inside", info.GetMessage());
            Assert.Equal(5, info.Location.GetLineSpan().StartLinePosition.Line);
            Assert.Single(result.GeneratedTrees);
            Assert.Empty(result.CompilerDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        }

        [Fact]
        public void Shape_errors_after_a_broken_layer_are_not_guessed()
        {
            // The first conv fails; the second would fail only because of guesses about the first, so it is not reported.
            CompileResult result = TestCompiler.Compile(Usings + "[Input(14, 14, 1)] [Conv(2, 5, Stride = 2)] [Conv(2, 9)]\npublic partial class Net { }");
            Assert.Equal(new[] { "CNN001" }, result.AnalyzerDiagnostics.Select(d => d.Id).ToArray());
        }

        [Fact]
        public void A_valid_network_has_no_diagnostics_at_all()
        {
            CompileResult result = TestCompiler.Compile(Usings + "[Input(32, 32, 3)] [Conv(6, 5)] [Relu] [MaxPool(2)] [FullyConnected(10)]\npublic partial class Net { }");
            Assert.Empty(result.All);
            Assert.Single(result.GeneratedTrees);
        }

        [Fact]
        public void CNN010_the_shape_report_is_off_by_default_and_lists_every_layer_when_enabled()
        {
            string source = Usings + "[Input(32, 32, 3)]\n[Conv(6, 5)] [Relu] [MaxPool(2)]\n[Conv(16, 5, Name = \"Features\")] [Relu] [MaxPool(2)]\n[FullyConnected(10)]\npublic partial class Net { }";
            Assert.DoesNotContain(TestCompiler.Compile(source).AnalyzerDiagnostics, d => d.Id == "CNN010");

            var compilation = TestCompiler.CreateCompilation(source);
            compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
                new System.Collections.Generic.Dictionary<string, ReportDiagnostic> { ["CNN010"] = ReportDiagnostic.Warn }));
            CompileResult result = TestCompiler.Compile(compilation);
            Diagnostic report = Assert.Single(result.AnalyzerDiagnostics, d => d.Id == "CNN010");
            Assert.Equal(
                "Net: input 32x32x3; Conv1+ReLU 28x28x6 (456 parameters); Pool1 14x14x6; Features+ReLU 10x10x16 (2,416 parameters); Pool2 5x5x16; Fc1 10 (4,010 parameters); 6,882 parameters in all",
                report.GetMessage());
            int line = report.Location.GetLineSpan().StartLinePosition.Line;
            Assert.Equal(8, line); // the line of "public partial class Net"
            Assert.Equal("Net", report.Location.SourceTree!.ToString().Substring(report.Location.SourceSpan.Start, report.Location.SourceSpan.Length));
        }

        [Fact]
        public void CNN010_shows_the_graph_which_layer_reads_which()
        {
            string source = Usings + "[Input(16, 16, 3, Rounding = OutputRounding.Floor)]\n" +
                "[Conv(8, 3, Padding = 1, Bias = false)] [BatchNorm] [Relu(Name = \"Stem\")]\n" +
                "[Conv(8, 3, Padding = 1)] [Relu6]\n" +
                "[Conv(8, 1, From = \"Stem\")] [Add(\"Conv2\")] [Relu]\n" +
                "[Concat(\"Stem\", \"Input\")] [GlobalAvgPool] [FullyConnected(3)] [Softmax]\n" +
                "public partial class Net { }";
            var compilation = TestCompiler.CreateCompilation(source);
            compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
                new System.Collections.Generic.Dictionary<string, ReportDiagnostic> { ["CNN010"] = ReportDiagnostic.Warn }));
            Diagnostic report = Assert.Single(TestCompiler.Compile(compilation).AnalyzerDiagnostics, d => d.Id == "CNN010");
            Assert.Equal(
                "Net: input 16x16x3; Conv1 16x16x8 (216 parameters); Bn1 16x16x8 (32 parameters); Stem=ReLU; Conv2+ReLU6 16x16x8 (584 parameters); " +
                "Conv3 from Stem 16x16x8 (72 parameters); Add(Conv2)+ReLU 16x16x8; Concat(Stem, input) 16x16x11; GlobalAvgPool1 11; Fc1+Softmax 3 (36 parameters); 940 parameters in all",
                report.GetMessage());
        }

        [Fact]
        public void A_diagnostic_can_be_suppressed_with_a_pragma()
        {
            CompileResult result = TestCompiler.Compile(Usings + "#pragma warning disable CNN009\n[Input(16, 16, 64)] [Conv(8, 3, Padding = 1)]\npublic partial class Net { }\n#pragma warning restore CNN009");
            Assert.True(result.AnalyzerDiagnostics.All(d => d.IsSuppressed), string.Join("\n", result.AnalyzerDiagnostics));
        }
    }
}
