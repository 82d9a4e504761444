using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// Contract v2's layers and graphs against PyTorch (tools/make_fixtures_v2.py, Fixtures/v2): every new attribute alone
    /// (activations at and around their kinks and on NaN and ±∞, softmax of large logits, batch norm with non-trivial
    /// running statistics and ε, global pools, average pools with and without the padding in the divisor and Ceil),
    /// Add and Concat, and whole blocks (ResNet basic blocks with and without a projection shortcut, a torchvision-keyed
    /// ResNet, a MobileNetV2 inverted residual, a SqueezeNet fire module, a DS-CNN block, an autoencoder), each declared
    /// with the attributes as written in the fixture, its weights loaded through <c>LoadSafetensors</c> from the
    /// <c>state_dict</c> PyTorch saved, run by <c>Forward</c> in <c>eval()</c> mode's numbers.
    /// </summary>
    public sealed class GraphFixtureTests : IClassFixture<GraphFixtureTests.Compiled>
    {
        private readonly Compiled _compiled;

        public GraphFixtureTests(Compiled compiled)
        {
            _compiled = compiled;
        }

        public static IEnumerable<object[]> Names => Fixture.Load().Select(c => new object[] { c.Name });

        [Theory]
        [MemberData(nameof(Names))]
        public void Forward_matches_PyTorch_with_the_state_dict_it_saved(string name)
        {
            Fixture c = _compiled.Cases[name];
            IGraphNetwork net = _compiled.Create(c);
            using (FileStream weights = File.OpenRead(c.WeightsPath))
            {
                net.LoadSafetensors(weights);
            }

            var output = new float[c.Output.Length];
            net.Forward(c.Input, output);
            Numbers.AssertClose(c.Output, output, name + " (" + c.Declaration + ")");

            // The same through ForwardBatch, two samples: each sample's result is Forward's.
            var outputs = new float[2 * c.Output.Length];
            net.ForwardBatch(c.Input.Concat(c.Input).ToArray(), outputs);
            Numbers.AssertClose(c.Output, outputs.AsSpan(0, c.Output.Length), name + ", ForwardBatch sample 0");
            Numbers.AssertClose(c.Output, outputs.AsSpan(c.Output.Length), name + ", ForwardBatch sample 1");
        }

        [Theory]
        [MemberData(nameof(Names))]
        public void SaveSafetensors_writes_back_the_tensors_PyTorch_wrote_num_batches_tracked_included(string name)
        {
            Fixture c = _compiled.Cases[name];
            IGraphNetwork net = _compiled.Create(c);
            byte[] original = File.ReadAllBytes(c.WeightsPath);
            net.LoadSafetensors(new MemoryStream(original));

            var saved = new MemoryStream();
            net.SaveSafetensors(saved);
            Dictionary<string, (string DType, int[] Shape, byte[] Data)> expected = Tensors(original), written = Tensors(saved.ToArray());
            Assert.Equal(expected.Keys.OrderBy(k => k, StringComparer.Ordinal), written.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach ((string tensor, (string dtype, int[] shape, byte[] data)) in expected)
            {
                Assert.Equal(dtype, written[tensor].DType);
                Assert.Equal(shape, written[tensor].Shape);
                Assert.True(data.AsSpan().SequenceEqual(written[tensor].Data), tensor + ": the bytes written differ from those loaded");
            }

            // And the file written loads into a fresh instance that computes the same.
            IGraphNetwork again = _compiled.Create(c);
            again.LoadSafetensors(new MemoryStream(saved.ToArray()));
            Assert.True(net.Parameters.SequenceEqual(again.Parameters));
        }

        [Fact]
        public void The_fixtures_cover_every_new_attribute_and_keep_a_nonzero_num_batches_tracked()
        {
            string all = string.Join(" ", _compiled.Cases.Values.Select(c => c.Declaration));
            foreach (string attribute in new[] { "[GlobalAvgPool", "[GlobalMaxPool", "[BatchNorm", "[Relu6", "[LeakyRelu", "[Sigmoid", "[Tanh", "[HardSwish", "[Silu", "[Softmax", "[Add(", "[Concat(", "From = ", "Key = ", "CountIncludePadding = false", "Epsilon = " })
            {
                Assert.Contains(attribute, all, StringComparison.Ordinal);
            }

            Fixture block = _compiled.Cases["resnet_block_projection"];
            Dictionary<string, (string DType, int[] Shape, byte[] Data)> tensors = Tensors(File.ReadAllBytes(block.WeightsPath));
            (string dtype, int[] shape, byte[] data) = tensors["bn1.num_batches_tracked"];
            Assert.Equal("I64", dtype);
            Assert.Empty(shape);
            Assert.Equal(7, BinaryPrimitives.ReadInt64LittleEndian(data));
        }

        /// <summary>Name → dtype, shape and bytes of every tensor of a safetensors file.</summary>
        private static Dictionary<string, (string DType, int[] Shape, byte[] Data)> Tensors(byte[] file)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
            using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, length));
            var result = new Dictionary<string, (string, int[], byte[])>(StringComparer.Ordinal);
            foreach (JsonProperty p in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
            {
                int begin = p.Value.GetProperty("data_offsets")[0].GetInt32(), end = p.Value.GetProperty("data_offsets")[1].GetInt32();
                result[p.Name] = (p.Value.GetProperty("dtype").GetString()!, p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), file.AsSpan(8 + length + begin, end - begin).ToArray());
            }

            return result;
        }

        /// <summary>One case of Fixtures/v2/v2_cases.json.</summary>
        public sealed record Fixture(string Name, string Declaration, float[] Input, float[] Output)
        {
            public string ClassName => "Graph_" + Name;

            public string WeightsPath => Path.Combine(AppContext.BaseDirectory, "Fixtures", "v2", Name + ".safetensors");

            public static IReadOnlyList<Fixture> Load()
            {
                using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "v2", "v2_cases.json")));
                return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Fixture(
                    c.GetProperty("name").GetString()!,
                    c.GetProperty("declaration").GetString()!,
                    Floats(c.GetProperty("input")),
                    Floats(c.GetProperty("output")))).ToList();
            }

            /// <summary>Numbers, with non-finite values written as the strings "NaN", "Infinity" and "-Infinity".</summary>
            private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
                ? e.GetString() switch { "NaN" => float.NaN, "Infinity" => float.PositiveInfinity, "-Infinity" => float.NegativeInfinity, var s => throw new FormatException(s) }
                : (float)e.GetDouble()).ToArray();
        }

        /// <summary>Every fixture network compiled once, in one compilation, with warnings as errors.</summary>
        public sealed class Compiled
        {
            private readonly Assembly _assembly;

            public Compiled()
            {
                Cases = Fixture.Load().ToDictionary(c => c.Name);
                _assembly = TestCompiler.CompileNetworks(Cases.Values.Select(c => (c.Declaration, c.ClassName)));
            }

            public IReadOnlyDictionary<string, Fixture> Cases { get; }

            public IGraphNetwork Create(Fixture c) => (IGraphNetwork)Activator.CreateInstance(_assembly.GetType(c.ClassName, throwOnError: true)!)!;
        }
    }
}
