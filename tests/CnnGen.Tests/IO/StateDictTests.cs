using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text.Json;
using CnnGen.Reference;
using CnnGen.Tests.Infrastructure;
using CnnGen.Tests.Numerics;
using Xunit;

namespace CnnGen.Tests.IO
{
    /// <summary>
    /// Contract v2 weights files: a <c>state_dict</c> PyTorch saved for a model with <c>bias=False</c> convs, a depthwise
    /// and a grouped conv, an average pool and a bias-free linear layer (tools/make_fixtures.py) loads unchanged through
    /// <c>Key</c>s, computes what PyTorch computed, and saves back under the same names and shapes.
    /// </summary>
    public sealed class StateDictTests
    {
        // nn.Sequential(Conv2d(3, 8, 3, stride=2, padding=1, bias=False), ReLU, Conv2d(8, 8, 3, padding=1, groups=8), ReLU,
        //               Conv2d(8, 16, 1, groups=2, bias=False), AvgPool2d(2), Flatten, Linear(256, 5, bias=False))
        private static readonly NetSpec Spec = new(15, 15, 3, new[]
        {
            LayerSpec.Windowed(Kind.Conv, 8, Window2d.Square(3, 2, 1), bias: false) with { Properties = "Stride = 2, Padding = 1, Bias = false, Key = \"0\"" },
            LayerSpec.Relu(),
            LayerSpec.Windowed(Kind.Conv, 8, Window2d.Square(3, 1, 1), groups: 8) with { Properties = "Padding = 1, Groups = 8, Key = \"2\"" },
            LayerSpec.Relu(),
            LayerSpec.Windowed(Kind.Conv, 16, Window2d.Square(1, 1, 0), groups: 2, bias: false) with { Properties = "Groups = 2, Bias = false, Key = \"4\"" },
            LayerSpec.Windowed(Kind.AvgPool, 0, Window2d.Square(2, 2, 0)),
            LayerSpec.Fc(5) with { Bias = false, Properties = "Bias = false, Key = \"7\"" },
        });

        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

        private static void Invoke(ITestNetwork net, string method, object argument)
        {
            try
            {
                net.GetType().GetMethod(method, new[] { argument.GetType() == typeof(string) ? typeof(string) : typeof(Stream) })!.Invoke(net, new[] { argument });
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        }

        /// <summary>The tensor names and shapes of a safetensors file, in header order.</summary>
        private static (string Name, int[] Shape)[] Header(byte[] file)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
            using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, length));
            return header.RootElement.EnumerateObject()
                .Where(p => p.Name != "__metadata__")
                .OrderBy(p => p.Value.GetProperty("data_offsets")[0].GetInt64())
                .Select(p => (p.Name, p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray()))
                .ToArray();
        }

        [Fact]
        public void A_PyTorch_state_dict_of_v2_layers_loads_unchanged_runs_as_PyTorch_and_saves_back_the_same_names_and_shapes()
        {
            using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Fixture("state_dict_v2.json")));
            float[] x = expected.RootElement.GetProperty("x").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            float[] y = expected.RootElement.GetProperty("y").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            string[] keys = expected.RootElement.GetProperty("keys").EnumerateArray().Select(e => e.GetString()!).ToArray();
            int[][] shapes = expected.RootElement.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();

            var networks = new CompiledNetworks(new[] { ("StateDictNet", Spec) });
            ITestNetwork net = networks.Create("StateDictNet");
            Invoke(net, "LoadSafetensors", Fixture("state_dict_v2.safetensors"));

            var output = new float[y.Length];
            net.Forward(x, output);
            Numbers.AssertClose(y, output, "Forward after loading PyTorch's state_dict");
            Numbers.AssertClose(y, Spec.RunReference(x, net.Parameters.ToArray()).Output, "reference kernels on the loaded parameters");

            using var saved = new MemoryStream();
            Invoke(net, "SaveSafetensors", saved);
            (string Name, int[] Shape)[] written = Header(saved.ToArray());
            Assert.Equal(keys, written.Select(t => t.Name));
            Assert.Equal(shapes, written.Select(t => t.Shape));
            Assert.Equal(Header(File.ReadAllBytes(Fixture("state_dict_v2.safetensors"))).Select(t => t.Name), written.Select(t => t.Name));

            ITestNetwork again = networks.Create("StateDictNet");
            saved.Position = 0;
            Invoke(again, "LoadSafetensors", saved);
            Assert.True(again.Parameters.SequenceEqual(net.Parameters), "a saved file loads back to the same parameters");
        }
    }
}
