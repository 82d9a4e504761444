using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Planning;
using CnnGen.Reference;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Generation
{
    /// <summary>
    /// Which vector kernel the planner picks for the layer shapes of the MLPerf Tiny models, where the choice was measured
    /// (bench/RESULTS.md): a change of heuristics that moves one of them off its kernel shows here, not only as a slower
    /// benchmark.
    /// </summary>
    public sealed class KernelChoiceTests
    {
        private static KernelPlan? FirstKernel(NetSpec spec) => spec.Plan().Layers[0].Vector;

        [Fact]
        public void The_keyword_spotting_stem_runs_over_gathered_columns()
        {
            // 10x49x1, 64 filters of 10 high x 4 wide, stride 2, Same: few taps on one input channel (G4, DS-CNN's conv1).
            var spec = new NetSpec(10, 49, 1, new[] { LayerSpec.Windowed(Kind.Conv, 64, new Window2d(4, 10, 2, 2, 0, 0, 0, 0), PaddingMode.Same) });
            Assert.IsType<ConvColumnsPlan>(FirstKernel(spec));
        }

        [Theory]
        [InlineData(32, 32, 1, 17, 32, 15, 0, 17, 16)]   // F: rows of 17 now 32 apart, the odd columns' phase 15 cells in, the even columns' right pad unread
        [InlineData(32, 32, 0, 17, 32, 0, 0, 17, 16)]    // ResNet-8's stack2.conv1 (padding right only): rows 32 apart, nothing skewed, the odd columns' right pad unread
        [InlineData(64, 4, 2, 34, 64, 15, 15, 34, 33)]   // padding 2 on both sides of a 5-wide window: both phases skewed (15 + 34 cells: rows 64 apart)
        public void A_direct_stride_2_conv_reads_phase_rows_aligned_to_16_floats(int width, int height, int pad, int phaseWidth, int pitch, int skewEven, int skewOdd, int readEven, int readOdd)
        {
            int size = pad == 2 ? 5 : 3;
            Window2d window = pad == 0 ? new Window2d(3, 3, 2, 2, 0, 1, 0, 1) : Window2d.Square(size, 2, pad);
            var spec = new NetSpec(width, height, 8, new[] { LayerSpec.Windowed(Kind.Conv, 8, window, rounding: OutputRounding.Floor) });
            var plan = Assert.IsType<ConvPositionsPlan>(FirstKernel(spec));
            Assert.True(plan.Direct && plan.Phases.Aligned);
            Assert.Equal((phaseWidth, pitch, skewEven, skewOdd, readEven, readOdd), (plan.Phases.Width, plan.Phases.RowPitch, plan.Phases.SkewEven, plan.Phases.SkewOdd, plan.Phases.ReadEven, plan.Phases.ReadOdd));
        }

        [Fact]
        public void Aligned_rows_never_cost_a_layer_its_vector_kernel_nor_more_than_double_the_copy()
        {
            // 2048 channels of 32x2048 at stride 2: aligned rows (32 for 17) would pass the scratch limit; the rows of 17 fit.
            var huge = new NetSpec(32, 2048, 2048, new[] { LayerSpec.Windowed(Kind.Conv, 16, Window2d.Square(3, 2, 1), rounding: OutputRounding.Floor) });
            var plan = Assert.IsType<ConvPositionsPlan>(FirstKernel(huge));
            Assert.False(plan.Phases.Aligned);
            Assert.Equal(17, plan.Phases.RowPitch);

            // Padding 3 into phase rows of 19 would take rows 48 apart (skew 14 + 19 cells): more than twice 19, left unaligned.
            var wide = new NetSpec(32, 8, 4, new[] { LayerSpec.Windowed(Kind.Conv, 8, new Window2d(7, 3, 2, 2, 3, 3, 1, 1), rounding: OutputRounding.Floor) });
            var widePlan = Assert.IsType<ConvPositionsPlan>(FirstKernel(wide));
            Assert.True(widePlan.Direct);
            Assert.False(widePlan.Phases.Aligned);
        }

        [Fact]
        public void A_weight_too_large_to_repack_keeps_the_position_kernel_in_pytorchs_layout()
        {
            // 2048 -> 16384 filters of 3x3: 302 M floats, past the 2^28 floats all repacked weights may take together.
            var huge = new NetSpec(16, 16, 2048, new[] { LayerSpec.Conv(16384, 3, 1, 1, OutputRounding.Floor) });
            var plan = Assert.IsType<ConvPositionsPlan>(FirstKernel(huge));
            Assert.True(plan.EightFilters);
            Assert.Equal(0, plan.Packed);

            // The same conv at 512 -> 1024 filters repacks its weight.
            var large = new NetSpec(16, 16, 512, new[] { LayerSpec.Conv(1024, 3, 1, 1, OutputRounding.Floor) });
            Assert.Equal(512 * 1024 * 9, Assert.IsType<ConvPositionsPlan>(FirstKernel(large)).Packed);
        }

        [Theory]
        [InlineData(3, 1, 1, true)]    // ResNet-8's 3x3 into 3x3: 2 cells between rows, a pad row below
        [InlineData(5, 2, 2, true)]    // 4 cells between rows
        [InlineData(7, 3, 3, false)]   // 6 cells between rows: more than the steps zero, PadBorders writes them
        [InlineData(3, 1, 0, false)]   // no pad row below: the last row's cells would pass its plane
        public void A_conv_storing_into_the_next_convs_planes_zeroes_the_cells_between_rows_itself_when_they_are_few(int size, int padding, int padBottom, bool inKernel)
        {
            var spec = new NetSpec(16, 6, 2, new[]
            {
                LayerSpec.Conv(4, 3, 1, 1),
                LayerSpec.Windowed(Kind.Conv, 2, new Window2d(size, size, 1, 1, padding, padding, padding, padBottom)),
            });
            var plan = Assert.IsType<ConvPositionsPlan>(FirstKernel(spec));
            PaddedPlanes padded = Assert.IsType<PaddedPlanes>(plan.PaddedOutput);
            Assert.Equal(16 + (2 * padding), padded.Width);
            Assert.Equal(inKernel, padded.ZeroesRowGaps(16, 6));
        }

        [Fact]
        public void A_deep_conv_on_an_8x8_map_is_vectorized_over_its_filters()
        {
            // ResNet-8's stack 3: 16x16x32 -> 8x8x64 at stride 2 (64 cells would fill 80 lanes of position vectors).
            var spec = new NetSpec(16, 16, 32, new[] { LayerSpec.Windowed(Kind.Conv, 64, new Window2d(3, 3, 2, 2, 0, 0, 0, 0), PaddingMode.Same) });
            Assert.IsType<ConvFiltersPlan>(FirstKernel(spec));
        }

        [Theory]
        [InlineData(56, 56, 64, 64, 3, 1, 0, 3, 8)]  // D: 38 KB of input rows per step, 8 filters x 3 vectors: no chunks (4 x 3 on AVX2 neither)
        [InlineData(56, 56, 64, 60, 3, 1, 16, 5, 4)] // D's shape with 60 filters (not a multiple of 8): 4 filters x 5 vectors
        [InlineData(32, 32, 32, 64, 3, 2, 0, 3, 8)]  // F: 3x3 stride 2, two column phases, 8 x 3: no chunks
        [InlineData(32, 32, 32, 60, 3, 2, 16, 5, 4)] // F's shape with 60 filters: chunks of 16, 4 x 5
        [InlineData(9, 2, 64, 60, 3, 1, 16, 3, 4)]   // 2 rows of 10 positions: 2 vectors, too few for steps of 5
        [InlineData(28, 28, 256, 64, 1, 1, 0, 3, 8)] // 1x1 over 256 channels (49 KB): a 1x1 never takes chunks; blocks of 8 all the same
        [InlineData(14, 8, 64, 60, 3, 1, 16, 4, 4)]  // 8 rows of 15: 8 vectors, too few for steps of 5, whole steps of 4
        [InlineData(56, 56, 40, 60, 5, 1, 10, 5, 4)] // 40 channels, 5x5, 60 filters: chunks of 10
        [InlineData(56, 56, 40, 64, 5, 1, 0, 3, 8)]  // the same with 64 filters: 8 x 3, no chunks
        [InlineData(28, 28, 64, 128, 1, 1, 0, 3, 8)] // E: 1x1, 12 KB: no chunks (they measured 20 % slower), 8 x 3 (7-9 % faster than 4 x 5)
        [InlineData(28, 28, 64, 60, 1, 1, 0, 5, 4)]  // E's shape with 60 filters: 49 vectors in steps of 5 (3-4 % faster than 3)
        [InlineData(32, 32, 32, 32, 3, 1, 0, 3, 8)]  // 32x32x32 3x3: 26 KB, no chunks
        [InlineData(32, 32, 32, 36, 3, 1, 0, 5, 4)]  // 36 filters: 4 x 5 (64 vectors: 11 steps of 5, 3 of 3)
        [InlineData(32, 32, 3, 32, 3, 1, 0, 5, 4)]   // C: 3 input channels, 4 x 5 (blocks of 8 measured 1-2 % slower there)
        [InlineData(56, 56, 37, 64, 3, 1, 0, 3, 8)]  // no chunk size from 8 to 16 divides 37 (rows of 57: 200 vectors)
        [InlineData(32, 32, 16, 16, 3, 1, 0, 3, 8)]  // ResNet-8's stack 1: 64 vectors, 21 steps of 3 and one of 1
        public void A_position_conv_over_many_channels_takes_them_in_chunks_and_on_many_positions_a_larger_step(int width, int height, int depth, int filters, int size, int stride, int chunk, int vectors, int rowsOf16)
        {
            var spec = new NetSpec(width, height, depth, new[] { LayerSpec.Conv(filters, size, stride, size / 2, OutputRounding.Floor) });
            var plan = Assert.IsType<ConvPositionsPlan>(FirstKernel(spec));
            Assert.Equal((chunk, vectors, rowsOf16, 4, 3), (plan.Chunk, plan.Vectors, plan.RowsOf16, plan.Rows, plan.NarrowVectors));
        }

        [Theory]
        [InlineData(13, 13, 0, 2, 2, 0, OutputRounding.Floor, true)]   // LeNet-5's second conv (9x9 here) into 2x2 stride 2, Floor: carried
        [InlineData(14, 14, 0, 3, 1, 0, OutputRounding.Exact, true)]   // overlapping 3x3 windows at stride 1: carried
        [InlineData(13, 13, 0, 2, 2, 0, OutputRounding.Ceil, false)]   // Ceil: the last window of the 9x9 map is partial
        [InlineData(14, 14, 0, 3, 2, 1, OutputRounding.Floor, false)]  // a padded pool
        [InlineData(14, 14, 1, 2, 2, 0, OutputRounding.Exact, false)]  // an average pool (only max pools read cells)
        public void A_filter_vector_conv_leaves_its_cells_to_a_max_pool_whose_windows_lie_inside_the_map(int width, int height, int average, int size, int stride, int padding, OutputRounding rounding, bool carried)
        {
            var pool = LayerSpec.Windowed(average == 1 ? Kind.AvgPool : Kind.Pool, 0, new Window2d(size, size, stride, stride, padding, padding, padding, padding), rounding: rounding);
            var spec = new NetSpec(width, height, 6, new[] { LayerSpec.Conv(16, 5), LayerSpec.Relu(), pool, LayerSpec.Conv(4, 1) });
            NetworkPlan plan = spec.Plan();
            var conv = Assert.IsType<ConvFiltersPlan>(plan.Layers[0].Vector);
            var rows = Assert.IsType<PoolRowsPlan>(plan.Layers.Single(l => l.Layer.Kind is Generator.Model.LayerKind.MaxPool or Generator.Model.LayerKind.AvgPool).Vector);
            Assert.Equal((carried, carried), (conv.CellsOutput, rows.CellsInput is not null));
            Assert.Equal((carried ? 1 : 0, carried ? 1 : 0), (plan.Steps.AsEnumerable().Count(st => st.CellsOutput), plan.Steps.AsEnumerable().Count(st => st.CellsInput is not null)));
        }

        [Theory]
        [InlineData(56, 56, 64, 64, 3, 1, 0, true)]   // D: rows of 56 in wide rows of 57, compacted as the steps store them
        [InlineData(28, 28, 3, 6, 5, 1, 0, true)]     // A (LeNet-5's conv1 on 3 channels): rows of 28 in wide rows of 32
        [InlineData(56, 56, 64, 60, 3, 1, 0, false)]  // D's shape with 60 filters: chunks of channels, whose sums wait in the wide rows
        [InlineData(15, 15, 8, 8, 3, 1, 0, false)]    // rows of 15, shorter than a vector: compacted at the end
        [InlineData(32, 32, 32, 64, 3, 2, 0, false)]  // F: rows of 16, whole vectors (direct): nothing to compact
        [InlineData(28, 28, 8, 8, 3, 1, 1, false)]    // into a max pool that reads the wide rows in Forward (the carried wide layout)
        [InlineData(28, 28, 8, 8, 3, 1, 2, true)]     // into a padded conv (only rows of whole vectors go straight into its padded planes)
        [InlineData(28, 28, 8, 8, 3, 1, 3, true)]     // into a fully-connected layer
        public void A_position_conv_stores_compacted_straight_into_the_output_where_nothing_else_reads_its_wide_rows(int width, int height, int depth, int filters, int size, int stride, int next, bool compacts)
        {
            var layers = new List<LayerSpec> { LayerSpec.Conv(filters, size, stride, size == 5 ? 0 : size / 2, OutputRounding.Floor) };
            layers.AddRange(next switch
            {
                1 => new[] { LayerSpec.Pool(2, 2) },
                2 => new[] { LayerSpec.Conv(4, 3, 1, 1) },
                3 => new[] { LayerSpec.Fc(10) },
                _ => Array.Empty<LayerSpec>(),
            });
            var spec = new NetSpec(width + (size == 5 ? 4 : 0), height + (size == 5 ? 4 : 0), depth, layers.ToArray());
            var plan = Assert.IsType<ConvPositionsPlan>(FirstKernel(spec));
            Assert.Equal(compacts, plan.CompactStores);
        }

        [Theory]
        [InlineData(56, 56, 64, 64, 3, 1, true, false)]  // D: 3192 positions, 200 vectors of 16 (66 steps of 3, 2 of 1); 399 of 8 and 798 of 4: whole steps
        [InlineData(32, 32, 32, 64, 3, 2, true, true)]   // F: 256 positions, 16 vectors of 16 (5 steps of 3, 1 of 1), 32 of 8 (10 and 2)
        [InlineData(16, 6, 16, 16, 3, 1, false, false)]  // 6 rows of 16: 6, 12 and 24 vectors, whole steps of 3 at every width
        [InlineData(19, 2, 16, 8, 3, 1, false, true)]    // 2 rows of 20 (19 and the shared padding column): 3 vectors of 16, 5 of 8
        public void Blocks_of_eight_filters_with_16_float_vectors_blocks_of_four_with_narrower_ones(int width, int height, int depth, int filters, int size, int stride, bool tailOf16, bool tailOfNarrower)
        {
            var spec = new NetSpec(width, height, depth, new[] { LayerSpec.Conv(filters, size, stride, size / 2, OutputRounding.Floor) });
            var plan = Assert.IsType<ConvPositionsPlan>(FirstKernel(spec));
            Assert.True(plan.EightFilters);
            Assert.Equal(filters * depth * size * size, plan.Packed); // the weight repacked in blocks of 8 filters
            Assert.Equal((8, 4, 3, 3, 0), (plan.RowsOf16, plan.Rows, plan.Vectors, plan.NarrowVectors, plan.NarrowAfter));
            Assert.Equal((tailOf16, tailOfNarrower), (plan.TailOf16, plan.TailOfNarrower));
        }

        [Theory]
        [InlineData(32, 32, 32, 60, 3, 2, 5, 2)] // F's shape, 60 filters: 16 vectors of 16 floats, 5 + 5 + 3 + 3 (not 5 + 5 + 5 + 1)
        [InlineData(56, 56, 64, 60, 3, 1, 5, 0)] // D's shape, 60 filters: rows of 57, 200 vectors, whole steps of 5
        [InlineData(30, 30, 64, 60, 3, 1, 5, 3)] // rows of 31 (wide, compacted after): 59 vectors, 10 steps of 5 then 3 of 3
        [InlineData(40, 40, 64, 60, 3, 2, 5, 4)] // 20x20 at stride 2 in phase rows of 21: 27 vectors, 3 steps of 5 then 4 of 3
        [InlineData(16, 12, 64, 60, 3, 1, 3, 0)] // 12 vectors: no step of 5 would be left, so steps of 3 alone
        public void With_16_float_vectors_the_steps_after_the_large_ones_cover_the_rest_without_one_vector_steps(int width, int height, int depth, int filters, int size, int stride, int big, int narrowAfter)
        {
            var spec = new NetSpec(width, height, depth, new[] { LayerSpec.Conv(filters, size, stride, size / 2, OutputRounding.Floor) });
            var plan = Assert.IsType<ConvPositionsPlan>(FirstKernel(spec));
            Assert.Equal((big, 3, narrowAfter), (plan.Vectors, plan.NarrowVectors, plan.NarrowAfter));
            int vectors = plan.WideChannel / 16;
            Assert.Equal(0, (vectors - (narrowAfter * plan.NarrowVectors)) % plan.Vectors);
        }

        [Fact]
        public void A_depthwise_conv_on_narrow_rows_runs_over_flat_planes()
        {
            // DS-CNN's depthwise 3x3 on 5x25x64.
            var spec = new NetSpec(5, 25, 64, new[] { LayerSpec.Windowed(Kind.Conv, 64, Window2d.Square(3, 1, 1), groups: 64) });
            Assert.IsType<DepthwiseFlatPlan>(FirstKernel(spec));
        }

        [Fact]
        public void A_stride_2_depthwise_conv_on_rows_a_vector_wide_reads_its_input()
        {
            // MobileNet's 48x48x16 -> 24x24x16 depthwise at stride 2 (output rows of 24: vectors over positions).
            var spec = new NetSpec(48, 48, 16, new[] { LayerSpec.Windowed(Kind.Conv, 16, new Window2d(3, 3, 2, 2, 0, 1, 0, 1), groups: 16) });
            Assert.True(FirstKernel(spec) is DepthwisePlan { Strided: true });
        }

        [Theory]
        [InlineData(48, 2)]   // MobileNet's 48x48 -> 24x24: columns 0 to 22 in vectors, two 16-float vectors (not four, two repeated)
        [InlineData(112, 4)]  // G2's 112x112 -> 56x56: columns 0 to 54, four vectors
        [InlineData(256, 4)]  // wider rows: blocks of four vectors
        public void The_stride_2_depthwise_streams_rows_past_two_output_rows_in_blocks_no_wider_than_its_columns(int width, int vectors)
        {
            var spec = new NetSpec(width, width, 16, new[] { LayerSpec.Windowed(Kind.Conv, 16, new Window2d(3, 3, 2, 2, 0, 1, 0, 1), groups: 16) });
            var plan = Assert.IsType<DepthwisePlan>(FirstKernel(spec));
            Assert.Equal((2, vectors, true), (plan.LiveRows, plan.BlockVectors, plan.StreamedEdges));
        }

        [Fact]
        public void A_stride_2_depthwise_with_more_than_six_live_rows_takes_the_phase_copy_kernel()
        {
            // A 3x4 window dilated 3 down at stride 1 down: each input row feeds 10 output rows, more accumulators than registers.
            var spec = new NetSpec(65, 64, 8, new[] { LayerSpec.Windowed(Kind.Conv, 8, new Window2d(3, 4, 2, 1, 0, 0, 0, 0, 1, 3), groups: 8) });
            Assert.True(FirstKernel(spec) is DepthwisePlan { Strided: false });
        }

        [Fact]
        public void MobileNets_narrow_strided_and_last_depthwise_convs_run_over_channels_and_its_stride_1_ones_over_flat_planes()
        {
            // MobileNetV1 0.25's stride-2 24x24 -> 12x12, 12x12 -> 6x6 and 6x6 -> 3x3, Same and explicit, and stride-1 3x3
            // depthwise convs: vectors over the 32 to 256 channels.
            Assert.IsType<DepthwiseChannelsPlan>(FirstKernel(new NetSpec(24, 24, 32, new[] { LayerSpec.Windowed(Kind.Conv, 32, new Window2d(3, 3, 2, 2, 0, 0, 0, 0), PaddingMode.Same, groups: 32) })));
            Assert.IsType<DepthwiseChannelsPlan>(FirstKernel(new NetSpec(12, 12, 64, new[] { LayerSpec.Windowed(Kind.Conv, 64, new Window2d(3, 3, 2, 2, 0, 1, 0, 1), groups: 64) })));
            Assert.IsType<DepthwiseChannelsPlan>(FirstKernel(new NetSpec(6, 6, 128, new[] { LayerSpec.Windowed(Kind.Conv, 128, new Window2d(3, 3, 2, 2, 0, 1, 0, 1), groups: 128) })));
            Assert.IsType<DepthwiseChannelsPlan>(FirstKernel(new NetSpec(3, 3, 256, new[] { LayerSpec.Windowed(Kind.Conv, 256, Window2d.Square(3, 1, 1), groups: 256) })));

            // Its stride-1 6x6 and 12x12 ones stay on the flat planes (faster there: the copies to channels-last cost more),
            // and its 24x24 one on rows.
            Assert.IsType<DepthwiseFlatPlan>(FirstKernel(new NetSpec(6, 6, 128, new[] { LayerSpec.Windowed(Kind.Conv, 128, Window2d.Square(3, 1, 1), groups: 128) })));
            Assert.IsType<DepthwiseFlatPlan>(FirstKernel(new NetSpec(12, 12, 64, new[] { LayerSpec.Windowed(Kind.Conv, 64, Window2d.Square(3, 1, 1), groups: 64) })));
            Assert.IsType<DepthwisePlan>(FirstKernel(new NetSpec(24, 24, 32, new[] { LayerSpec.Windowed(Kind.Conv, 32, Window2d.Square(3, 1, 1), groups: 32) })));
        }

        [Fact]
        public void A_pool_over_the_whole_map_runs_the_global_pool()
        {
            var spec = new NetSpec(5, 25, 64, new[] { LayerSpec.Windowed(Kind.AvgPool, 0, new Window2d(5, 25, 5, 25, 0, 0, 0, 0)) });
            Assert.IsType<WholeMapPoolPlan>(FirstKernel(spec));
        }
    }
}
