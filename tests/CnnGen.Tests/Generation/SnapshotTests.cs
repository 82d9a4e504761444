using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Generation
{
    /// <summary>The whole generated source of a handful of networks, compared exactly with committed files.</summary>
    public sealed class SnapshotTests
    {
        private static void Verify(string name, string declaration, string className)
        {
            CompileResult result = TestCompiler.Compile("using CnnGen;\n\nnamespace Samples;\n\n" + declaration);
            result.AssertClean();
            Snapshot.Match(name, result.GeneratedSource("Samples." + className + ".g.cs"));
        }

        [Fact]
        public void LeNet5() => Verify(
            "LeNet5",
            """
            [Input(32, 32, 3)]
            [Conv(6, 5)] [Relu] [MaxPool(2)]
            [Conv(16, 5, Stride = 1, Padding = 0)] [Relu] [MaxPool(2, Stride = 2)]
            [FullyConnected(120)] [Relu]
            [FullyConnected(84)] [Relu]
            [FullyConnected(10)]
            public partial class LeNet5 { }
            """,
            "LeNet5");

        [Fact]
        public void Strided_padded_conv() => Verify(
            "StridedPaddedConv",
            "[Input(9, 7, 2)] [Conv(3, 3, Stride = 2, Padding = 1)]\npublic partial class StridedPadded { }",
            "StridedPadded");

        [Fact]
        public void Stride_2_conv_into_whole_vector_rows_with_aligned_phase_rows() => Verify(
            "AlignedStride2Conv",
            "[Input(32, 3, 2)] [Conv(4, 3, Stride = 2, Padding = 1, Rounding = OutputRounding.Floor)] [Relu]\npublic partial class AlignedStride2 { }",
            "AlignedStride2");

        [Fact]
        public void Pointwise_conv() => Verify(
            "PointwiseConv",
            "[Input(6, 4, 5)] [Conv(2, 1, Name = \"Pointwise\")]\npublic partial class Pointwise1x1 { }",
            "Pointwise1x1");

        [Fact]
        public void Conv_over_channels_in_chunks() => Verify(
            "ChunkedChannelsConv",
            "[Input(40, 4, 64)] [Conv(12, 3, Padding = 1)] [Relu]\npublic partial class Chunked { }",
            "Chunked");

        [Fact]
        public void Conv_storing_its_rows_compacted_straight_into_the_output() => Verify(
            "CompactStoresConv",
            "[Input(20, 3, 8)] [Conv(8, 3, Padding = 1)] [Relu]\npublic partial class Compacting { }",
            "Compacting");

        [Fact]
        public void Conv_storing_into_the_next_convs_padded_planes() => Verify(
            "CarriedConvChain",
            "[Input(16, 4, 2)] [Conv(4, 3, Padding = 1)] [Relu] [Conv(2, 3, Padding = 1)]\npublic partial class Carried { }",
            "Carried");

        [Fact]
        public void Residual_add_fused_into_the_convs_store() => Verify(
            "FusedResidualAdd",
            "[Input(16, 4, 2)] [Conv(4, 3, Padding = 1)] [Relu(Name = \"Stem\")] [Conv(4, 3, Padding = 1)] [Add(\"Stem\")] [Relu] [Conv(2, 1)]\npublic partial class Residual { }",
            "Residual");

        [Fact]
        public void Depthwise_conv_copying_the_next_channel_between_row_blocks() => Verify(
            "DepthwisePipelined",
            "[Input(20, 6, 3)] [Conv(3, 3, Groups = 3, Padding = 1)] [Relu6]\npublic partial class Depthwise { }",
            "Depthwise");

        [Fact]
        public void Pool_3x3_stride_2_floor() => Verify(
            "Pool3Stride2Floor",
            "[Input(8, 8, 2)] [MaxPool(3, Stride = 2, Rounding = OutputRounding.Floor)] [Relu]\npublic partial class FloorPool { }",
            "FloorPool");

        [Fact]
        public void Window_over_the_unroll_budget() => Verify(
            "OverUnrollBudget",
            "public static partial class Models\n{\n    [Input(4, 4, 32)] [Conv(2, 3, Padding = 1)] [MaxPool(17, Padding = 7, Stride = 1, Rounding = OutputRounding.Ceil)]\n    public partial class Deep { }\n}",
            "Models+Deep");
    }
}
