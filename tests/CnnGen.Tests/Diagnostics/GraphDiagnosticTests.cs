using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics
{
    /// <summary>
    /// Contract v2 sections 7.3 and 7.5: graphs (<c>From</c>, <c>Add</c>, <c>Concat</c>) and the ranges of the new layers —
    /// CNN015 (a reference to an unknown, later or the same layer, an empty Concat), CNN016 (Add and Concat shapes) and
    /// CNN003 (Epsilon, Slope): each diagnostic's id, exact message and exact location, each reported once, and a residual
    /// network that reports nothing.
    /// </summary>
    public sealed class GraphDiagnosticTests
    {
        private const string Usings = "using CnnGen;\n\nnamespace App;\n\n";
        private const string Class = "\npublic partial class Net { }";

        /// <summary>
        /// Asserts that <paramref name="markup"/>, compiled with the generator and the analyzer, reports exactly the marked
        /// diagnostics and no other warning or error: each <c>{|CNN015:text|}</c> is one diagnostic of that id underlining
        /// exactly that text, with the message of the same position in <paramref name="messages"/> (source order). The
        /// generator reports none of them again and emits nothing for the class.
        /// </summary>
        private static void AssertReported(string markup, params string[] messages)
        {
            (string source, List<(string Id, int Start, int Length)> expected) = Parse(Usings + markup);
            Assert.True(expected.Count == messages.Length, $"{expected.Count} marked spans but {messages.Length} messages");
            CompileResult result = TestCompiler.Compile(source);
            Assert.DoesNotContain(result.All, d => d.Id is "AD0001" or "CS8785" or "CNN008");
            Assert.Empty(result.CompilerDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));

            var found = result.AnalyzerDiagnostics
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .OrderBy(d => d.Location.SourceSpan.Start)
                .ToList();
            string Describe(IEnumerable<Diagnostic> ds) => string.Join("\n", ds.Select(d => $"{d.Id} '{source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}': {d.GetMessage()}"));
            Assert.True(found.Count == expected.Count, $"expected {expected.Count} diagnostics, got {found.Count}:\n" + Describe(found));
            for (int i = 0; i < found.Count; i++)
            {
                Diagnostic d = found[i];
                (string id, int start, int length) = expected[i];
                Assert.True(d.Location.IsInSource);
                Assert.Equal(DiagnosticSeverity.Error, d.Severity);
                Assert.Equal(id, d.Id);
                Assert.Equal(messages[i], d.GetMessage());
                Assert.Equal(source.Substring(start, length), source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
                Assert.Equal((start, length), (d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
            }

            // Reported once: the generator does not repeat what the analyzer reports, and emits placeholders only.
            Assert.DoesNotContain(result.GeneratorDiagnostics, d => expected.Any(e => e.Id == d.Id));
            result.AssertPlaceholdersOnly();
        }

        /// <summary>The source without its <c>{|ID:…|}</c> marks, and each mark's id and span in it.</summary>
        private static (string Source, List<(string Id, int Start, int Length)> Spans) Parse(string markup)
        {
            var spans = new List<(string, int, int)>();
            var text = new System.Text.StringBuilder();
            int i = 0;
            while (i < markup.Length)
            {
                if (markup.AsSpan(i).StartsWith("{|", StringComparison.Ordinal))
                {
                    int colon = markup.IndexOf(':', i);
                    int end = markup.IndexOf("|}", colon, StringComparison.Ordinal);
                    string id = markup.Substring(i + 2, colon - i - 2);
                    string inner = markup.Substring(colon + 1, end - colon - 1);
                    spans.Add((id, text.Length, inner.Length));
                    text.Append(inner);
                    i = end + 2;
                }
                else
                {
                    text.Append(markup[i++]);
                }
            }

            return (text.ToString(), spans);
        }

        private static void AssertNothingReported(string source)
        {
            CompileResult result = TestCompiler.Compile(Usings + source);
            var reported = result.All.Where(d => d.Severity > DiagnosticSeverity.Hidden).ToList();
            Assert.True(reported.Count == 0, "Unexpected diagnostics:\n" + string.Join("\n", reported));
            Assert.Single(result.GeneratedTrees);
        }

        // ---- CNN015: a reference that finds no earlier layer ----

        [Fact]
        public void CNN015_unknown_name_in_From_lists_the_names_before_it()
        {
            // The ReLU has no name, so it is not listed; Stem, Bn1 and Pool1 are.
            AssertReported(
                "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1, Name = \"Stem\")] [BatchNorm] [Relu] [MaxPool(2)] [Conv(4, 1, {|CNN015:From = \"Steam\"|})]" + Class,
                "Conv2: From = \"Steam\" names no layer; the layers before it are Stem, Bn1, Pool1, and \"Input\" is the network's input");
        }

        [Fact]
        public void CNN015_unknown_name_in_Add_points_at_the_string()
        {
            AssertReported(
                "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Conv(4, 3, Padding = 1)] [Add({|CNN015:\"Conv3\"|})]" + Class,
                "Add (layer 3): Add(\"Conv3\") names no layer; the layers before it are Conv1, Conv2, and \"Input\" is the network's input");
        }

        [Fact]
        public void CNN015_unknown_names_in_Concat_point_at_each_argument()
        {
            // Arguments 1 and 3 name no layer, argument 2 does: two diagnostics, each on its own string.
            AssertReported(
                "[Input(8, 8, 3)] [Conv(4, 1, Name = \"Squeeze\")] [Conv(4, 1, Name = \"E1\")] [Conv(4, 3, Padding = 1, From = \"Squeeze\", Name = \"E3\")] [Concat({|CNN015:\"E2\"|}, \"E1\", {|CNN015:\"E5\"|})]" + Class,
                "Concat (layer 4): Concat argument 1 \"E2\" names no layer; the layers before it are Squeeze, E1, E3, and \"Input\" is the network's input",
                "Concat (layer 4): Concat argument 3 \"E5\" names no layer; the layers before it are Squeeze, E1, E3, and \"Input\" is the network's input");
        }

        [Fact]
        public void CNN015_unknown_name_as_the_third_Concat_argument_alone()
        {
            AssertReported(
                "[Input(8, 8, 3)] [Conv(4, 1, Name = \"A\")] [Conv(2, 1, From = \"A\", Name = \"B\")] [Concat(\"A\", \"B\", {|CNN015:\"C\"|})]" + Class,
                "Concat (layer 3): Concat argument 3 \"C\" names no layer; the layers before it are A, B, and \"Input\" is the network's input");
        }

        [Theory]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1, {|CNN015:From = \"Head\"|})] [FullyConnected(10, Name = \"Head\")]",
            "Conv1: From = \"Head\" names layer 2 (FullyConnected), which comes after this one; a layer can only read an earlier layer's output")]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Add({|CNN015:\"Out\"|})] [Relu(Name = \"Out\")]",
            "Add (layer 2): Add(\"Out\") names layer 3 (Relu), which comes after this one; a layer can only read an earlier layer's output")]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 1, Name = \"A\")] [Concat(\"A\", {|CNN015:\"Conv2\"|})] [Conv(4, 1)]",
            "Concat (layer 2): Concat argument 2 \"Conv2\" names layer 3 (Conv), which comes after this one; a layer can only read an earlier layer's output")]
        public void CNN015_a_later_layer(string layers, string message)
        {
            AssertReported(layers + Class, message);
        }

        [Theory]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1, Name = \"Stem\", {|CNN015:From = \"Stem\"|})]",
            "Stem: From = \"Stem\" names this layer itself; a layer reads the output of an earlier layer")]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Add({|CNN015:\"Sum\"|}, Name = \"Sum\")]",
            "Sum: Add(\"Sum\") names this layer itself; a layer reads the output of an earlier layer")]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [BatchNorm({|CNN015:From = \"Bn1\"|})]",
            "Bn1: From = \"Bn1\" names this layer itself; a layer reads the output of an earlier layer")]
        public void CNN015_the_layer_itself(string layers, string message)
        {
            AssertReported(layers + Class, message);
        }

        [Theory]
        [InlineData("[Input(8, 8, 3)] [Conv(4, 1)] [{|CNN015:Concat|}]")]
        [InlineData("[Input(8, 8, 3)] [Conv(4, 1)] [{|CNN015:Concat()|}]")]
        public void CNN015_an_empty_Concat_points_at_the_attribute(string layers)
        {
            AssertReported(
                layers + Class,
                "Concat (layer 2): Concat names no layer; it needs the layers whose outputs it stacks along depth, e.g. Concat(\"E1\", \"E3\")");
        }

        [Theory]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Relu] [Conv(4, 3, Padding = 1)] [Add({|CNN015:\"Relu1\"|})]",
            "Add (layer 4): Add(\"Relu1\") names no layer; layer 2 (Relu) has no name: an activation, Softmax, Add or Concat has one only when given one, such as Relu(Name = \"Relu1\")")]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Sigmoid] [Conv(4, 3, Padding = 1, {|CNN015:From = \"Sigmoid1\"|})]",
            "Conv2: From = \"Sigmoid1\" names no layer; layer 2 (Sigmoid) has no name: an activation, Softmax, Add or Concat has one only when given one, such as Sigmoid(Name = \"Sigmoid1\")")]
        public void CNN015_an_activation_has_no_default_name_to_refer_to(string layers, string message)
        {
            AssertReported(layers + Class, message);
        }

        [Fact]
        public void CNN015_a_name_that_differs_only_by_case_names_the_layer_meant_and_offers_it()
        {
            string markup = "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1)] [Relu(Name = \"Stem\")] [Conv(4, 3, Padding = 1, {|CNN015:From = \"stem\"|})]" + Class;
            AssertReported(markup, "Conv2: From = \"stem\" names no layer; names are case-sensitive, and layer 2 is \"Stem\"");

            // The fix travels with the diagnostic (the code fix test applies it).
            CompileResult result = TestCompiler.Compile(Parse(Usings + markup).Source);
            Diagnostic diagnostic = Assert.Single(result.AnalyzerDiagnostics, d => d.Id == "CNN015");
            Assert.Equal("Reference|\"Stem\"||", Assert.Single(diagnostic.Properties).Value);
        }

        [Fact]
        public void CNN015_the_input_spelled_in_another_case()
        {
            AssertReported(
                "[Input(8, 8, 3)] [Conv(3, 3, Padding = 1)] [Add({|CNN015:\"input\"|})]" + Class,
                "Add (layer 2): Add(\"input\") names no layer; names are case-sensitive, and the network's input is \"Input\"");
        }

        [Fact]
        public void CNN015_no_named_layer_before_the_reference()
        {
            AssertReported(
                "[Input(8, 8, 3)] [Relu] [Add({|CNN015:\"Stem\"|})]" + Class,
                "Add (layer 2): Add(\"Stem\") names no layer; no layer before it has a name (give one a Name, or use a default name such as Conv1), and \"Input\" is the network's input");
        }

        // ---- CNN016: Add and Concat of different shapes ----

        [Theory]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1, Name = \"Stem\")] [Conv(8, 3, Padding = 1)] [Add({|CNN016:\"Stem\"|})]",
            "Add (layer 3): Add needs two volumes of the same shape (no broadcasting), but the volume before it is 8x8x8 and Stem's output is 8x8x4; a 1x1 conv on the shortcut (Conv(8, 1, From = …)) would match the depths")]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1, Name = \"Stem\")] [Conv(4, 3, SizeY = 1)] [Add({|CNN016:\"Stem\"|})]",
            "Add (layer 3): Add needs two volumes of the same shape (no broadcasting), but the volume before it is 6x8x4 and Stem's output is 8x8x4; the two branches must end in the same width, height and depth (check their strides, paddings and filter counts)")]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1, Name = \"Stem\")] [Conv(4, 2, Stride = 2)] [Add({|CNN016:\"Stem\"|})]",
            "Add (layer 3): Add needs two volumes of the same shape (no broadcasting), but the volume before it is 4x4x4 and Stem's output is 8x8x4; a stride-2 1x1 conv on the shortcut would halve its width and height")]
        [InlineData(
            "[Input(8, 8, 3)] [Conv(4, 3, Padding = 1, Name = \"Stem\")] [Conv(8, 1, Name = \"Wide\")] [Relu] [Add({|CNN016:\"Stem\"|}, From = \"Wide\")]",
            "Add (layer 4): Add needs two volumes of the same shape (no broadcasting), but Wide's output is 8x8x8 and Stem's output is 8x8x4; a 1x1 conv on the shortcut (Conv(8, 1, From = …)) would match the depths")]
        public void CNN016_Add_of_two_shapes_points_at_the_layer_added(string layers, string message)
        {
            AssertReported(layers + Class, message);
        }

        [Fact]
        public void CNN016_Concat_of_a_different_height_points_at_that_argument()
        {
            // B is 8 wide and 6 high; C matches A. Only B is reported.
            AssertReported(
                "[Input(8, 8, 3)] [Conv(4, 1, Name = \"A\")] [Conv(4, 3, SizeX = 1, From = \"A\", Name = \"B\")] [Conv(2, 1, From = \"A\", Name = \"C\")] [Concat(\"A\", {|CNN016:\"B\"|}, \"C\")]" + Class,
                "Concat (layer 4): Concat stacks along depth, so every width and height must be equal, but A's output is 8x8x4 and B's output is 8x6x4; a pool or a strided conv on the larger branch, or padding on the smaller, would make them equal");
        }

        // ---- CNN003: the ranges of the new layers ----

        [Theory]
        [InlineData("[BatchNorm({|CNN003:Epsilon = 0f|})]", "Bn1: Epsilon = 0 is out of range: it must be above 0 and finite (PyTorch's default is 1e-5f)")]
        [InlineData("[BatchNorm({|CNN003:Epsilon = -1f|})]", "Bn1: Epsilon = −1 is out of range: it must be above 0 and finite (PyTorch's default is 1e-5f)")]
        [InlineData("[BatchNorm({|CNN003:Epsilon = float.NaN|})]", "Bn1: Epsilon = NaN is out of range: it must be above 0 and finite (PyTorch's default is 1e-5f)")]
        [InlineData("[BatchNorm({|CNN003:Epsilon = float.PositiveInfinity|})]", "Bn1: Epsilon = ∞ is out of range: it must be above 0 and finite (PyTorch's default is 1e-5f)")]
        [InlineData("[BatchNorm(Name = \"Norm\", {|CNN003:Epsilon = 0f|})]", "Norm: Epsilon = 0 is out of range: it must be above 0 and finite (PyTorch's default is 1e-5f)")]
        [InlineData("[LeakyRelu({|CNN003:Slope = float.NaN|})]", "LeakyRelu (layer 2): Slope = NaN is out of range: it must be a finite number (PyTorch's default is 0.01f)")]
        public void CNN003_Epsilon_and_Slope(string layer, string message)
        {
            AssertReported("[Input(8, 8, 4)] [Conv(4, 3)] " + layer + Class, message);
        }

        // ---- Declarations that fit ----

        [Fact]
        public void The_contracts_TinyResNet_reports_no_problem()
        {
            // API.md 7.3, as written there. Its only diagnostic is CNN009's information that Conv3 (3·3·32 taps per
            // output) is not unrolled fully: no warning, no error, no graph diagnostic.
            CompileResult result = TestCompiler.Compile(Usings +
                "[Input(32, 32, 3, Rounding = OutputRounding.Floor)]      // stride 2 on 32: (32 − 3 + 2)/2 + 1 = 16.5 → 16\n" +
                "[Conv(16, 3, Padding = 1, Bias = false)] [BatchNorm] [Relu(Name = \"Stem\")]\n" +
                "[Conv(32, 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm] [Relu]\n" +
                "[Conv(32, 3, Padding = 1, Bias = false)] [BatchNorm(Name = \"Main\")]\n" +
                "[Conv(32, 1, Stride = 2, Bias = false, From = \"Stem\")] [BatchNorm] [Add(\"Main\")] [Relu]\n" +
                "[GlobalAvgPool] [FullyConnected(10)] [Softmax]\n" +
                "public partial class TinyResNet { }");
            var reported = result.All.Where(d => d.Severity > DiagnosticSeverity.Hidden).ToList();
            Assert.True(reported.Count == 1, "Unexpected diagnostics:\n" + string.Join("\n", reported));
            Assert.Equal(
                ("CNN009", DiagnosticSeverity.Info, "Conv3: F·F·D = 3·3·32 = 288 multiply-adds per output exceed the unroll budget of 256; the loop over input depth stays a loop, the 3x3 window is unrolled inside"),
                (reported[0].Id, reported[0].Severity, reported[0].GetMessage()));
            Assert.Single(result.GeneratedTrees);
        }

        [Theory]
        [InlineData("[Input(8, 8, 4)] [Conv(4, 3, Padding = 1)] [BatchNorm(Epsilon = 1e-3f)] [LeakyRelu(Slope = -0.2f)] [Add(\"Conv1\")]")]
        [InlineData("[Input(8, 8, 4)] [Conv(4, 1, Name = \"E1\")] [Relu] [Conv(6, 3, Padding = 1, From = \"E1\", Name = \"E3\")] [Relu(Name = \"R3\")] [Concat(\"R3\", \"E1\", \"E1\")] [GlobalMaxPool] [Softmax]")]
        [InlineData("[Input(8, 8, 4)] [Conv(4, 3, Padding = 1)] [Relu] [Add(\"Input\")] [Conv(2, 1, From = \"Input\")] [Concat(\"Input\", \"Conv2\")]")]
        [InlineData("[Input(6, 1, 1)] [FullyConnected(4)] [BatchNorm] [Tanh(Name = \"T\")] [FullyConnected(4, From = \"Bn1\")] [Add(\"T\")] [HardSwish] [Silu] [Relu6]")]
        public void Graph_declarations_that_fit_report_nothing(string layers)
        {
            AssertNothingReported(layers + Class);
        }
    }
}
