using System;
using System.Linq;
using CnnGen.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Diagnostics
{
    /// <summary>
    /// Contract v2 section 7.1, 7.2 and 7.5: per-axis geometry, dilation, one-sided and Same padding, groups, Bias and Key —
    /// each diagnostic's id, exact message and exact location, and declarations that must stay clean.
    /// </summary>
    public sealed class GeometryDiagnosticTests
    {
        private const string Usings = "using CnnGen;\n\nnamespace App;\n\n";
        private const string Floor = "Rounding = OutputRounding.Floor (here, or on Input for the whole network)";

        /// <summary>The <paramref name="id"/> diagnostics of <paramref name="source"/>, each as (message, underlined text), in source order.</summary>
        private static (string Message, string Underlined)[] Found(string source, string id)
        {
            string full = Usings + source;
            CompileResult result = TestCompiler.Compile(full);
            Assert.DoesNotContain(result.All, d => d.Id is "AD0001" or "CS8785" or "CNN008");
            return result.AnalyzerDiagnostics
                .Where(d => d.Id == id)
                .OrderBy(d => d.Location.SourceSpan.Start)
                .Select(d =>
                {
                    Assert.Equal(DiagnosticSeverity.Error, d.Severity);
                    return (d.GetMessage(), full.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
                })
                .ToArray();
        }

        private static void AssertOne(string source, string id, string underlined, string message)
        {
            (string Message, string Underlined)[] found = Found(source, id);
            Assert.True(found.Length == 1, $"expected one {id}, got {found.Length}: " + string.Join(" | ", found.Select(f => f.Message)));
            Assert.Equal(message, found[0].Message);
            Assert.Equal(underlined, found[0].Underlined);
        }

        private static void AssertClean(string source)
        {
            CompileResult result = TestCompiler.Compile(Usings + source);
            result.AssertClean();
            Assert.Single(result.GeneratedTrees);
        }

        [Fact]
        public void CNN001_reports_every_layer_that_is_not_whole_in_one_pass()
        {
            // A ResNet stem on 64x64 as PyTorch declares it: every stride-2 layer floors. Each is reported, later ones from
            // the floored size of the ones before.
            (string Message, string Underlined)[] found = Found(
                "[Input(64, 64, 3)]\n[Conv(16, 7, Stride = 2, Padding = 3)] [Relu] [MaxPool(3, Stride = 2, Padding = 1)]\n[Conv(32, 3, Stride = 2, Padding = 1)]\npublic partial class Net { }",
                "CNN001");
            Assert.Equal(
                new[]
                {
                    ("Conv1: output width (64 − 7 + 2·3)/2 + 1 = 32.5 is not an integer; Stride = 1 or 3, PaddingMode = PaddingMode.Same, or " + Floor + ", would fit", "Conv(16, 7, Stride = 2, Padding = 3)"),
                    ("Pool1: output width (32 − 3 + 2·1)/2 + 1 = 16.5 is not an integer; Stride = 1, PaddingMode = PaddingMode.Same, or Rounding = OutputRounding.Floor or OutputRounding.Ceil (here, or on Input for the whole network), would fit", "MaxPool(3, Stride = 2, Padding = 1)"),
                    ("Conv2: output width (16 − 3 + 2·1)/2 + 1 = 8.5 is not an integer; Stride = 1 or 3, PaddingMode = PaddingMode.Same, or " + Floor + ", would fit", "Conv(32, 3, Stride = 2, Padding = 1)"),
                },
                found);
        }

        [Fact]
        public void Input_rounding_is_every_layers_default_and_a_layer_rounding_still_wins()
        {
            AssertClean("[Input(64, 64, 3, Rounding = OutputRounding.Floor)]\n[Conv(16, 7, Stride = 2, Padding = 3)] [Relu] [MaxPool(3, Stride = 2, Padding = 1)]\n[Conv(32, 3, Stride = 2, Padding = 1)]\npublic partial class Net { }");
            AssertOne(
                "[Input(64, 64, 3, Rounding = OutputRounding.Floor)]\n[Conv(16, 7, Stride = 2, Padding = 3, Rounding = OutputRounding.Exact)]\npublic partial class Net { }",
                "CNN001",
                "Conv(16, 7, Stride = 2, Padding = 3, Rounding = OutputRounding.Exact)",
                "Conv1: output width (64 − 7 + 2·3)/2 + 1 = 32.5 is not an integer; Stride = 1 or 3, PaddingMode = PaddingMode.Same, or Rounding = OutputRounding.Floor, would fit");
        }

        [Fact]
        public void CNN001_shows_one_sided_padding_and_the_axis_that_fails()
        {
            AssertOne(
                "[Input(10, 50, 1)]\n[Conv(8, 10, SizeX = 4, StrideY = 2, PaddingTop = 4, PaddingBottom = 5)]\npublic partial class Net { }",
                "CNN001",
                "Conv(8, 10, SizeX = 4, StrideY = 2, PaddingTop = 4, PaddingBottom = 5)",
                "Conv1: output height (50 + 4 + 5 − 10)/2 + 1 = 25.5 is not an integer; StrideY = 1, PaddingMode = PaddingMode.Same, or " + Floor + ", would fit");
        }

        [Fact]
        public void CNN001_shows_the_dilated_window()
        {
            AssertOne(
                "[Input(32, 32, 3)]\n[Conv(8, 3, Dilation = 2, Stride = 2, Padding = 1)]\npublic partial class Net { }",
                "CNN001",
                "Conv(8, 3, Dilation = 2, Stride = 2, Padding = 1)",
                "Conv1: output width (32 + 1 + 1 − 5)/2 + 1 = 15.5 is not an integer (dilated window 2·(3 − 1) + 1 = 5); Stride = 1, PaddingMode = PaddingMode.Same, or " + Floor + ", would fit");
        }

        [Fact]
        public void CNN001_never_offers_a_stride_that_collapses_the_map()
        {
            // Stride = 29 would fit (a 2x2 output from 32x32) but is noise beside the other choices.
            (string Message, string Underlined)[] found = Found("[Input(32, 32, 3)] [MaxPool(3, Stride = 2)]\npublic partial class Net { }", "CNN001");
            Assert.Equal("Pool1: output width (32 − 3 + 2·0)/2 + 1 = 15.5 is not an integer; Stride = 1, PaddingMode = PaddingMode.Same, or Rounding = OutputRounding.Floor or OutputRounding.Ceil (here, or on Input for the whole network), would fit", Assert.Single(found).Message);
        }

        [Fact]
        public void CNN002_shows_dilation_and_one_sided_padding()
        {
            AssertOne(
                "[Input(5, 5, 3)]\n[Conv(8, 3, PaddingLeft = 1, PaddingRight = 2, Dilation = 3)]\npublic partial class Net { }",
                "CNN002",
                "Conv(8, 3, PaddingLeft = 1, PaddingRight = 2, Dilation = 3)",
                "Conv1: the 3x3 window (dilation 3x3) does not fit the 5x5 input with padding 1, 2 across and 0, 0 down: output height (5 + 0 + 0 − 7)/1 + 1 = −1 is below 1 (dilated window 3·(3 − 1) + 1 = 7); Size = 2, or Padding = 1, would fit");
        }

        [Theory]
        [InlineData("[Conv(2, 3, Dilation = 0)]", "Dilation = 0", "Conv1: Dilation = 0 is out of range: it must be at least 1")]
        [InlineData("[MaxPool(2, DilationY = -1)]", "DilationY = -1", "Pool1: DilationY = −1 is out of range: it must be at least 1")]
        [InlineData("[Conv(2, 3, SizeX = 0)]", "SizeX = 0", "Conv1: SizeX = 0 is out of range: it must be at least 1")]
        [InlineData("[Conv(2, 3, StrideY = 0)]", "StrideY = 0", "Conv1: StrideY = 0 is out of range: it must be at least 1")]
        [InlineData("[AvgPool(2, StrideX = -2)]", "StrideX = -2", "AvgPool1: StrideX = −2 is out of range: it must be at least 1, or 0 for the window size")]
        [InlineData("[Conv(2, 3, PaddingLeft = -1)]", "PaddingLeft = -1", "Conv1: PaddingLeft = −1 is out of range: it must be 0 or more")]
        [InlineData("[Conv(2, 3, Groups = 0)]", "Groups = 0", "Conv1: Groups = 0 is out of range: it must be at least 1")]
        [InlineData("[Conv(2, 3, PaddingMode = (PaddingMode)5)]", "PaddingMode = (PaddingMode)5", "Conv1: PaddingMode = 5 is not a defined PaddingMode value; PaddingMode.Explicit, PaddingMode.Same or PaddingMode.SameLower would fit")]
        [InlineData("[MaxPool(3, SizeY = 2, PaddingBottom = 2)]", "PaddingBottom = 2", "Pool1: PaddingBottom = 2 must be below the window size 2 (a window would lie wholly in the −∞ padding); PaddingBottom = 1 or less would fit")]
        [InlineData("[AvgPool(2, PaddingX = 2)]", "PaddingX = 2", "AvgPool1: PaddingX = 2 must be below the window size 2 (a window would lie wholly in the padding); PaddingX = 1 or less would fit")]
        [InlineData("[Conv(2, 3, Dilation = 1073741824)]", "Conv(2, 3, Dilation = 1073741824)", "Conv1: dilated window 1073741824·(3 − 1) + 1 = 2,147,483,649 floats is too large to compute (above int.MaxValue = 2,147,483,647); smaller sizes would fit")]
        public void CNN003_covers_the_new_ranges(string layer, string underlined, string message)
        {
            AssertOne("[Input(8, 8, 4)] " + layer + "\npublic partial class Net { }", "CNN003", underlined, message);
        }

        [Fact]
        public void CNN003_input_rounding_cannot_be_ceil()
        {
            AssertOne(
                "[Input(8, 8, 4, Rounding = OutputRounding.Ceil)] [MaxPool(3)]\npublic partial class Net { }",
                "CNN003",
                "Rounding = OutputRounding.Ceil",
                "Input: Rounding = OutputRounding.Ceil applies to pools only, and Input's Rounding is the default of every conv too; OutputRounding.Floor (PyTorch's default) or OutputRounding.Exact would fit, and a pool can still say Ceil itself");
        }

        [Theory]
        [InlineData("[Input(16, 16, 6)] [Conv(8, 3, Groups = 4)]", "Conv1: Groups = 4 does not divide the input depth 6 (each group reads depth/Groups channels and makes filters/Groups maps); Groups = 2 would fit")]
        [InlineData("[Input(16, 16, 8)] [Conv(6, 3, Groups = 4)]", "Conv1: Groups = 4 does not divide the filter count 6 (each group reads depth/Groups channels and makes filters/Groups maps); Groups = 2 would fit")]
        [InlineData("[Input(16, 16, 12)] [Conv(12, 3, Groups = 5)]", "Conv1: Groups = 5 does not divide the input depth 12 or the filter count 12 (each group reads depth/Groups channels and makes filters/Groups maps); Groups = 4 or 6 would fit")]
        [InlineData("[Input(8, 8, 12)] [Conv(18, 1, Groups = 100)]", "Conv1: Groups = 100 does not divide the input depth 12 or the filter count 18 (each group reads depth/Groups channels and makes filters/Groups maps); Groups = 6 would fit")]
        [InlineData("[Input(1, 1, 2147483646)] [Conv(2147483646, 1, Groups = 1073741824)]", "Conv1: Groups = 1073741824 does not divide the input depth 2147483646 or the filter count 2147483646 (each group reads depth/Groups channels and makes filters/Groups maps); Groups = 1073741823 or 2147483646 would fit")]
        public void CNN011_groups_must_divide_the_depth_and_the_filters(string layers, string message)
        {
            string groups = layers.Substring(layers.IndexOf("Groups", StringComparison.Ordinal)).TrimEnd(')', ']');
            AssertOne(layers + "\npublic partial class Net { }", "CNN011", groups, message);
        }

        [Fact]
        public void CNN012_same_padding_conflicts_with_explicit_padding_and_rounding()
        {
            (string Message, string Underlined)[] found = Found(
                "[Input(16, 16, 6)] [Conv(8, 3, PaddingMode = PaddingMode.Same, PaddingX = 1, Rounding = OutputRounding.Floor)]\npublic partial class Net { }",
                "CNN012");
            Assert.Equal(
                new[]
                {
                    ("Conv1: PaddingX = 1 conflicts with PaddingMode = PaddingMode.Same, which computes the padding itself; remove PaddingX, or set the padding explicitly without PaddingMode", "PaddingX = 1"),
                    ("Conv1: Rounding = OutputRounding.Floor conflicts with PaddingMode = PaddingMode.Same, whose output is always ⌈W/S⌉ (never a fraction); remove Rounding", "Rounding = OutputRounding.Floor"),
                },
                found);

            // Rounding = Exact says nothing Same does not: allowed.
            AssertClean("[Input(16, 16, 6)] [Conv(8, 3, PaddingMode = PaddingMode.SameLower, Rounding = OutputRounding.Exact)]\npublic partial class Net { }");
        }

        [Theory]
        [InlineData("[Conv(8, SizeX = 3)]", "SizeX = 3", "Conv1: Conv(filters) has no window size, so it needs both SizeX and SizeY; SizeY is missing; SizeY = 3 would make the window square")]
        [InlineData("[MaxPool(SizeY = 2)]", "SizeY = 2", "Pool1: MaxPool() has no window size, so it needs both SizeX and SizeY; SizeX is missing; SizeX = 2 would make the window square")]
        [InlineData("[AvgPool]", "AvgPool", "AvgPool1: AvgPool() has no window size, so it needs both SizeX and SizeY; SizeX and SizeY are missing; give both, or the size as the constructor's argument")]
        public void CNN013_a_size_missing_on_one_axis(string layer, string underlined, string message)
        {
            AssertOne("[Input(16, 16, 6)] " + layer + "\npublic partial class Net { }", "CNN013", underlined, message);
        }

        [Fact]
        public void CNN014_keys_must_be_valid_and_unique()
        {
            AssertOne(
                "[Input(8, 8, 3)] [Conv(4, 3, Key = \"a b\")]\npublic partial class Net { }",
                "CNN014",
                "Key = \"a b\"",
                "Conv1: Key = \"a b\" is not a valid state_dict key: it must be a non-empty string of letters, digits, '_' and '.', such as \"features.0\" or \"conv1\"");
            AssertOne(
                "[Input(8, 8, 3)] [Conv(4, 3, Key = \"\")]\npublic partial class Net { }",
                "CNN014",
                "Key = \"\"",
                "Conv1: Key = \"\" is not a valid state_dict key: it must be a non-empty string of letters, digits, '_' and '.', such as \"features.0\" or \"conv1\"");

            // An explicit key equal to another layer's default key: reported on the key written.
            AssertOne(
                "[Input(8, 8, 3)] [Conv(4, 3, Key = \"fc1\")] [FullyConnected(3)]\npublic partial class Net { }",
                "CNN014",
                "Key = \"fc1\"",
                "Conv1: Key = \"fc1\" is already the key of Fc1 (layer 2); each layer's tensors need a key of their own");

            // Two names that differ only in the first letter's case have the same default key.
            AssertOne(
                "[Input(8, 8, 3)] [Conv(4, 3)] [Conv(4, 3, Name = \"conv1\")]\npublic partial class Net { }",
                "CNN014",
                "Name = \"conv1\"",
                "conv1: its key \"conv1\" (its Name with the first letter lower-cased) is already the key of Conv1 (layer 1); each layer's tensors need a key of their own");
        }

        [Theory]
        [InlineData("[Input(10, 49, 1)] [Conv(64, 10, SizeX = 4, Stride = 2, PaddingMode = PaddingMode.Same)] [Conv(64, 3, Groups = 64, Padding = 1, Bias = false)] [Conv(64, 1, Bias = false)]")]
        [InlineData("[Input(7, 9, 2)] [Conv(4, SizeX = 2, SizeY = 3, StrideX = 3, StrideY = 1, DilationX = 2, PaddingLeft = 1, PaddingRight = 1, PaddingY = 2, Key = \"features.0\")]")]
        [InlineData("[Input(9, 8, 3)] [MaxPool(SizeX = 3, SizeY = 2, StrideX = 2, PaddingMode = PaddingMode.SameLower)] [AvgPool(2, CountIncludePadding = false, Padding = 1, Rounding = OutputRounding.Ceil)]")]
        [InlineData("[Input(8, 8, 6)] [Conv(12, 3, Groups = 6, Dilation = 2, Padding = 2)] [Conv(4, 1, Groups = 2)] [FullyConnected(3, Bias = false, Key = \"head\")]")]
        [InlineData("[Input(7, 7, 1)] [Conv(2, 1, Stride = 3)]")]
        public void V2_declarations_that_fit_have_no_diagnostics(string layers)
        {
            AssertClean(layers + "\npublic partial class Net { }");
        }
    }
}
