using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    public sealed class TorchNetworksFixture
    {
        public TorchNetworksFixture()
        {
            Cases = TorchCase.Load();
            Networks = new CompiledNetworks(Cases.Select(c => ("Torch_" + c.Name, c.ToSpec())).ToList());
        }

        public IReadOnlyList<TorchCase> Cases { get; }

        public CompiledNetworks Networks { get; }
    }

    /// <summary>The generated code (and the reference kernels) against results computed by PyTorch.</summary>
    public sealed class TorchFixtureTests : IClassFixture<TorchNetworksFixture>
    {
        private readonly TorchNetworksFixture _fixture;

        public TorchFixtureTests(TorchNetworksFixture fixture) => _fixture = fixture;

        public static IEnumerable<object[]> Names() => TorchCase.Load().Select(c => new object[] { c.Name });

        [Theory]
        [MemberData(nameof(Names))]
        public void Forward_matches_PyTorch(string name)
        {
            TorchCase c = _fixture.Cases.Single(x => x.Name == name);
            ITestNetwork net = _fixture.Networks.Create("Torch_" + name);
            net.SetParameters(c.Parameters);
            var y = new float[c.Y.Length];
            net.Forward(c.X, y);
            Numbers.AssertClose(c.Y, y, name + " Forward");
        }

        [Theory]
        [MemberData(nameof(Names))]
        public void Each_layer_method_matches_PyTorch(string name)
        {
            TorchCase c = _fixture.Cases.Single(x => x.Name == name);
            NetSpec spec = c.ToSpec();
            ITestNetwork net = _fixture.Networks.Create("Torch_" + name);
            float[] input = c.X;
            int offset = 0, method = 0;
            for (int i = 0; i < spec.Layers.Count; i++)
            {
                LayerSpec layer = spec.Layers[i];
                float[] expected = c.Steps[i];
                if (layer.HasMethod)
                {
                    int weights = layer.WeightCount(input.Length, spec.InputVolumes()[i].Depth);
                    int biases = layer.BiasCount;
                    var output = new float[expected.Length];
                    net.RunLayer(method++, input, c.Parameters.AsSpan(offset, weights), c.Parameters.AsSpan(offset + weights, biases), output);
                    offset += weights + biases;
                    Numbers.AssertClose(expected, output, $"{name} layer {i} ({layer})");
                }

                input = expected;
            }
        }

        [Theory]
        [MemberData(nameof(Names))]
        public void The_reference_kernels_match_PyTorch(string name)
        {
            TorchCase c = _fixture.Cases.Single(x => x.Name == name);
            ReferenceRun run = c.ToSpec().RunReference(c.X, c.Parameters);
            Assert.Equal(c.Parameters.Length, run.ParameterCount);
            Numbers.AssertClose(c.Y, run.Output, name + " reference");
        }

        [Fact]
        public void The_fixtures_cover_the_edge_cases()
        {
            var names = _fixture.Cases.Select(c => c.Name).ToHashSet();
            Assert.Contains("pool_padding_all_negative", names);
            Assert.Contains("pool_nan", names);
            Assert.Contains("pool_ceil_overhang", names);
            Assert.Contains("output_1x1", names);
            Assert.Contains("depth_1", names);
            Assert.Contains(_fixture.Cases.Single(c => c.Name == "pool_nan").Y, float.IsNaN);
            Assert.All(_fixture.Cases.Single(c => c.Name == "pool_padding_all_negative").Y, v => Assert.True(v < 0 && !float.IsInfinity(v)));
        }
    }
}
