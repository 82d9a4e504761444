using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// A conv storing its output into the next conv's padded planes (the carried layout), with each way the padding is
    /// written: the steps zeroing the few cells between rows as they store each row (2 or 4 of them), every pad cell
    /// written before the conv runs (6 cells between rows, or no pad row below), or a conv vectorized over its filters
    /// transposing its result into the planes with their padding. Compiled once.
    /// </summary>
    public sealed class CarriedLayoutFixture
    {
        public static readonly IReadOnlyList<NetSpec> Specs = new[]
        {
            Chain(new Window2d(3, 3, 1, 1, 1, 1, 1, 1)),
            Chain(new Window2d(5, 5, 1, 1, 2, 2, 2, 2)),
            Chain(new Window2d(7, 7, 1, 1, 3, 3, 3, 3)),
            Chain(new Window2d(3, 3, 1, 1, 1, 1, 1, 0)),
            Chain(new Window2d(3, 3, 1, 1, 2, 0, 1, 1)), // two cells left, none right

            // A conv vectorized over its filters (small maps) transposing its result into the next conv's planes: ResNet-8's
            // stack 3 (8x8x64), and a 5x5 map (neither cells nor rows whole blocks of 8) into planes with 2 cells each side.
            new NetSpec(16, 16, 32, new[] { LayerSpec.Windowed(Kind.Conv, 64, new Window2d(3, 3, 2, 2, 0, 0, 0, 0), PaddingMode.Same), LayerSpec.Relu(), LayerSpec.Conv(64, 3, 1, 1) }),
            new NetSpec(10, 10, 16, new[] { LayerSpec.Windowed(Kind.Conv, 32, new Window2d(3, 3, 2, 2, 0, 0, 0, 0), PaddingMode.Same), LayerSpec.Conv(16, 5, 1, 2) }),
        };

        public CarriedLayoutFixture() => Networks = new CompiledNetworks(Specs.Select((s, i) => ("Carried" + i, s)).ToList());

        public CompiledNetworks Networks { get; }

        /// <summary>32x6x3 through a 3x3 conv (rows of two 512-bit vectors), a ReLU, then a conv with <paramref name="window"/>.</summary>
        private static NetSpec Chain(Window2d window) =>
            new(32, 6, 3, new[] { LayerSpec.Conv(8, 3, 1, 1), LayerSpec.Relu(), LayerSpec.Windowed(Kind.Conv, 4, window) });
    }

    public sealed class CarriedLayoutTests : IClassFixture<CarriedLayoutFixture>
    {
        private readonly CarriedLayoutFixture _fixture;

        public CarriedLayoutTests(CarriedLayoutFixture fixture) => _fixture = fixture;

        public static IEnumerable<object[]> Indices() => Enumerable.Range(0, CarriedLayoutFixture.Specs.Count).Select(i => new object[] { i });

        [Theory]
        [MemberData(nameof(Indices))]
        public void Forward_through_the_carried_layout_matches_the_reference_whatever_its_scratch_held(int index)
        {
            NetSpec spec = CarriedLayoutFixture.Specs[index];
            (ITestNetwork net, float[] parameters, float[] input) = _fixture.Networks.Prepare("Carried" + index, spec, new Random(index + 40));
            ReferenceRun reference = spec.RunReference(input, parameters);
            net.SetParameters(parameters);

            // A first call, then every scratch array filled with NaN: a pad cell left unwritten shows as NaN in the output.
            var output = new float[reference.Output.Length];
            net.Forward(input, output);
            KernelPaths.PoisonScratch(net);
            Array.Fill(output, 0f);
            net.Forward(input, output);
            Numbers.AssertClose(reference.Output, output, spec + " after its scratch was filled with NaN");
            KernelPaths.AssertEveryPath(net, input, reference.Output, spec.ToString());
        }

        [Fact]
        public void Every_chain_carries_and_the_padding_is_written_each_way()
        {
            string[] generated = Enumerable.Range(0, CarriedLayoutFixture.Specs.Count).Select(i => _fixture.Networks.Result.GeneratedSource("Carried" + i + ".g.cs")).ToArray();
            Assert.All(generated, g => Assert.Contains("paddedOut: true", g, StringComparison.Ordinal));
            bool[] inKernel = generated.Select(g => g.Contains("Layout.PadPlaneEnds(", StringComparison.Ordinal)).ToArray();
            Assert.Equal(new[] { true, true, false, false, true, false, false }, inKernel);
            Assert.All(generated.Take(5).Where((g, i) => !inKernel[i]), g => Assert.Contains("Layout.PadBorders(", g, StringComparison.Ordinal));
            Assert.All(generated.Skip(5), g => Assert.Contains("Layout.ToChannelsPadded(", g, StringComparison.Ordinal));
        }
    }
}
