using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>Absurd but legal contract v2 declarations, compiled once.</summary>
    public sealed class EdgeGeometryFixture
    {
        public static readonly IReadOnlyList<NetSpec> Specs = new[]
        {
            // A 1x1 input, a Same conv with a stride of 1000, a 1x1 average pool, a bias-free fully connected layer.
            new NetSpec(1, 1, 1, new[]
            {
                LayerSpec.Windowed(Kind.Conv, 1, new Window2d(1, 1, 1000, 1000, 0, 0, 0, 0), PaddingMode.Same),
                LayerSpec.Windowed(Kind.AvgPool, 0, Window2d.Square(1, 1, 0)),
                LayerSpec.Fc(1) with { Bias = false, Properties = "Bias = false" },
            }),

            // A window as high as the input, grouped, without bias; a 3x1 pool with the size-less constructor.
            new NetSpec(3, 200, 2, new[]
            {
                LayerSpec.Windowed(Kind.Conv, 4, new Window2d(1, 200, 1, 1, 0, 0, 0, 0), groups: 2, bias: false, verbose: true),
                LayerSpec.Windowed(Kind.Pool, 0, new Window2d(3, 1, 3, 1, 0, 0, 0, 0), verbose: true),
            }),

            // Dilation 100 with padding 100 on a 5x5 depthwise conv: every tap but the centre reads padding.
            new NetSpec(5, 5, 3, new[] { LayerSpec.Windowed(Kind.Conv, 3, new Window2d(3, 3, 1, 1, 100, 100, 100, 100, 100, 100), rounding: OutputRounding.Floor, groups: 3) }),

            // SameLower with a dilation across only, then an average pool with Ceil that leaves the padding out.
            new NetSpec(40, 7, 1, new[]
            {
                LayerSpec.Windowed(Kind.Conv, 1, new Window2d(7, 7, 2, 2, 0, 0, 0, 0, 3, 1), PaddingMode.SameLower),
                LayerSpec.Relu(),
                LayerSpec.Windowed(Kind.AvgPool, 0, new Window2d(2, 2, 2, 2, 1, 1, 0, 0), rounding: OutputRounding.Ceil, countIncludePadding: false),
            }),

            // A 1x1 grouped conv striding across only with padding on the right, then a Same max pool at stride 1.
            new NetSpec(64, 2, 8, new[]
            {
                LayerSpec.Windowed(Kind.Conv, 16, new Window2d(1, 1, 2, 1, 0, 1, 0, 0), groups: 8),
                LayerSpec.Windowed(Kind.Pool, 0, new Window2d(2, 2, 1, 1, 0, 0, 0, 0), PaddingMode.Same),
            }),

            // A 7x1 depthwise window at stride 2 with Same padding on 100-wide rows (the kernel that reads the input
            // itself), then an average pool over the whole map.
            new NetSpec(100, 3, 4, new[]
            {
                LayerSpec.Windowed(Kind.Conv, 4, new Window2d(7, 1, 2, 2, 0, 0, 0, 0), PaddingMode.Same, groups: 4, bias: false),
                LayerSpec.Windowed(Kind.AvgPool, 0, new Window2d(50, 2, 50, 2, 0, 0, 0, 0), rounding: OutputRounding.Floor),
            }),

            // A 2x2 input floored by Input's rounding through a stride far past the input and a dilated padded pool.
            new NetSpec(2, 2, 1, new[]
            {
                LayerSpec.Windowed(Kind.Conv, 1, new Window2d(2, 2, 5, 5, 1, 1, 1, 1)),
                LayerSpec.Windowed(Kind.Pool, 0, new Window2d(3, 3, 7, 7, 2, 2, 2, 2, 2, 2)),
            }) { Rounding = OutputRounding.Floor },

            // One long row: a dilated 9-wide Same window, then a grouped strided conv.
            new NetSpec(300, 1, 1, new[]
            {
                LayerSpec.Windowed(Kind.Conv, 2, new Window2d(9, 1, 2, 1, 0, 0, 0, 0, 4, 4), PaddingMode.Same),
                LayerSpec.Windowed(Kind.Conv, 2, new Window2d(3, 1, 2, 1, 1, 1, 0, 0), rounding: OutputRounding.Floor, groups: 2),
            }),
        };

        /// <summary>
        /// 2x2 stride-2 pools on rows of every width class (narrower than a vector of 4, 8 or 16 outputs, whole vectors, odd
        /// input widths that drop a column), where the vector kernel does every output column (its load pairs end where
        /// the windows end).
        /// </summary>
        public static readonly IReadOnlyList<NetSpec> PoolRows = new[] { 4, 5, 10, 14, 27, 28, 29, 33, 56, 57 }.SelectMany(width => new[]
        {
            new NetSpec(width, 4, 3, new[] { LayerSpec.Windowed(Kind.Pool, 0, Window2d.Square(2, 2, 0)) }) { Rounding = OutputRounding.Floor },
            new NetSpec(width, 4, 3, new[] { LayerSpec.Windowed(Kind.AvgPool, 0, Window2d.Square(2, 2, 0)) }) { Rounding = OutputRounding.Floor },
            new NetSpec(width, 5, 2, new[] { LayerSpec.Windowed(Kind.Pool, 0, Window2d.Square(2, 2, 1)) }) { Rounding = OutputRounding.Floor },
        }).ToArray();

        /// <summary>
        /// Max pools that read a filter-vector conv's cell-major output in Forward (the pool's …VectorCells kernel): 2x2 stride
        /// 2 on 16 channels, overlapping 3x3 stride-2 windows on 32 (two 16-float vectors a cell).
        /// </summary>
        public static readonly IReadOnlyList<NetSpec> CellsPools = new[]
        {
            new NetSpec(12, 12, 6, new[] { LayerSpec.Conv(16, 3), LayerSpec.Pool(2, 2) }),
            new NetSpec(9, 9, 4, new[] { LayerSpec.Conv(32, 3, 1, 1), LayerSpec.Pool(3, 2, rounding: OutputRounding.Floor) }),
        };

        public EdgeGeometryFixture() => Networks = new CompiledNetworks(
            Specs.Select((s, i) => ("EdgeGeometry" + i, s)).Concat(PoolRows.Select((s, i) => ("PoolRow" + i, s))).Concat(CellsPools.Select((s, i) => ("CellsPool" + i, s))).ToList());

        public CompiledNetworks Networks { get; }
    }

    public sealed class EdgeGeometryTests : IClassFixture<EdgeGeometryFixture>
    {
        private readonly EdgeGeometryFixture _fixture;

        public EdgeGeometryTests(EdgeGeometryFixture fixture) => _fixture = fixture;

        public static IEnumerable<object[]> Indices() => Enumerable.Range(0, EdgeGeometryFixture.Specs.Count).Select(i => new object[] { i });

        public static IEnumerable<object[]> PoolRowIndices() => Enumerable.Range(0, EdgeGeometryFixture.PoolRows.Count).Select(i => new object[] { i });

        [Theory]
        [MemberData(nameof(Indices))]
        public void Absurd_but_legal_geometry_matches_the_reference_on_every_path(int index) =>
            Check("EdgeGeometry" + index, EdgeGeometryFixture.Specs[index], index, input => { });

        [Theory]
        [MemberData(nameof(PoolRowIndices))]
        public void The_last_column_of_a_2x2_stride_2_pool_matches_the_reference_on_every_path(int index)
        {
            NetSpec spec = EdgeGeometryFixture.PoolRows[index];
            int width = spec.Width, pad = spec.Layers[0].Geometry!.Value.PadLeft, outWidth = ((width + (2 * pad) - 2) / 2) + 1;
            int lastColumn = Math.Min(width - 1, (2 * (outWidth - 1)) - pad + 1); // the last window's last column inside the input
            Check("PoolRow" + index, spec, index, input =>
            {
                input[lastColumn] = float.NaN; // channel 0, row 0
                input[(width * spec.Height) + (2 * width) + lastColumn] = 50f; // channel 1, row 2: the largest value
            });
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        public void A_max_pool_over_a_convs_cells_propagates_NaN_and_keeps_the_largest_value_on_every_path(int index)
        {
            NetSpec spec = EdgeGeometryFixture.CellsPools[index];
            Assert.Contains(spec.Plan().Steps.AsEnumerable(), st => st.CellsInput is not null);
            Check("CellsPool" + index, spec, index, input =>
            {
                input[(spec.Width * 4) + 5] = float.NaN; // channel 0, row 4: a NaN in some windows of every channel
                input[(spec.Width * spec.Height) + spec.Width - 1] = 80f; // channel 1, row 0, the last column
            });
        }

        /// <summary>The network's layer methods and Forward on every kernel path against the reference, on a random input <paramref name="edit"/> changes.</summary>
        private void Check(string className, NetSpec spec, int seed, Action<float[]> edit)
        {
            (ITestNetwork net, float[] parameters, float[] input) = _fixture.Networks.Prepare(className, spec, new Random(seed));
            edit(input);
            ReferenceRun reference = spec.RunReference(input, parameters);
            Assert.Equal(reference.ParameterCount, parameters.Length);
            Assert.Equal(input.Any(float.IsNaN), reference.Output.Any(float.IsNaN));

            KernelPaths.AssertLayerMethods(net, reference, spec.ToString());
            net.SetParameters(parameters);
            KernelPaths.AssertEveryPath(net, input, reference.Output, spec.ToString());
        }
    }
}
