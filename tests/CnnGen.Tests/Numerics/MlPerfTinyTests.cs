using System;
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
    /// The four MLPerf Tiny reference models as samples/MlPerfTiny declares them (the sample's own source files, compiled
    /// here with the generator), with the weights PyTorch saved (tools/make_mlperf_tiny.py): each model's Forward equals
    /// PyTorch's eval() outputs on the script's 100 inputs, and SaveSafetensors writes back exactly the tensors PyTorch
    /// saved (names, dtypes, shapes and bytes), which is what load_state_dict(strict=True) needs.
    /// </summary>
    public sealed class MlPerfTinyTests
    {
        // Class name, data name, the seed of the script's inputs (samples/MlPerfTiny/TestInputs.cs).
        public static readonly TheoryData<string, string, uint> Models = new()
        {
            { "MlPerfTiny.ResNet8", "resnet8", 1000 },
            { "MlPerfTiny.DsCnn", "ds_cnn", 2000 },
            { "MlPerfTiny.MobileNetV1", "mobilenet_v1", 3000 },
            { "MlPerfTiny.Autoencoder", "autoencoder", 4000 },
        };

        private static readonly Lazy<Assembly> Compiled = new(Compile);

        private static string Sample => Path.Combine(Repository.Root, "samples", "MlPerfTiny");

        private static Assembly Compile()
        {
            // The sample's declarations and input generator as they are, plus each model declared as a test network.
            var sources = Directory.GetFiles(Path.Combine(Sample, "Models"), "*.cs").Where(f => !f.EndsWith("IModel.cs", StringComparison.Ordinal))
                .Append(Path.Combine(Sample, "TestInputs.cs"))
                .Select(File.ReadAllText)
                .Append("namespace MlPerfTiny { public partial class ResNet8 : CnnGen.Tests.Infrastructure.IGraphNetwork { } public partial class DsCnn : CnnGen.Tests.Infrastructure.IGraphNetwork { } " +
                        "public partial class MobileNetV1 : CnnGen.Tests.Infrastructure.IGraphNetwork { } public partial class Autoencoder : CnnGen.Tests.Infrastructure.IGraphNetwork { } }")
                .ToArray();
            CompileResult result = TestCompiler.Compile(sources);
            result.AssertClean();
            return result.Load();
        }

        private static (IGraphNetwork Net, int InputLength, int OutputLength) Load(string className, string name)
        {
            Type type = Compiled.Value.GetType(className, throwOnError: true)!;
            var net = (IGraphNetwork)Activator.CreateInstance(type)!;
            using (FileStream weights = File.OpenRead(Path.Combine(Sample, "data", name + ".safetensors")))
            {
                net.LoadSafetensors(weights);
            }

            return (net, (int)type.GetField("InputLength")!.GetRawConstantValue()!, (int)type.GetField("OutputLength")!.GetRawConstantValue()!);
        }

        private static float[] Input(uint seed, int index, int length)
        {
            var input = new float[length];
            Compiled.Value.GetType("MlPerfTiny.TestInputs", throwOnError: true)!.GetMethod("Fill")!
                .CreateDelegate<FillInput>()(seed, index, input);
            return input;
        }

        private delegate void FillInput(uint seed, int index, Span<float> sample);

        [Theory]
        [MemberData(nameof(Models))]
        public void Forward_equals_PyTorch_on_100_inputs(string className, string name, uint seed)
        {
            (IGraphNetwork net, int inputLength, int outputLength) = Load(className, name);
            byte[] bytes = File.ReadAllBytes(Path.Combine(Sample, "data", name + ".outputs.bin"));
            float[] expected = Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, i * 4)).ToArray();
            Assert.Equal(100 * outputLength, expected.Length);

            var output = new float[outputLength];
            var inputs = new float[100 * inputLength];
            for (int i = 0; i < 100; i++)
            {
                float[] input = Input(seed, i, inputLength);
                input.CopyTo(inputs, i * inputLength);
                net.Forward(input, output);
                Numbers.AssertClose(expected.AsSpan(i * outputLength, outputLength), output, $"{name}, input {i}");
            }

            // The outputs depend on the input (on average each output moves by more than 0.3 between the 100 inputs), so a
            // wrong layer cannot hide behind outputs that are nearly the same for every input.
            double moves = Enumerable.Range(0, outputLength).Average(j =>
                Enumerable.Range(0, 100).Max(i => expected[(i * outputLength) + j]) - Enumerable.Range(0, 100).Min(i => expected[(i * outputLength) + j]));
            Assert.True(moves > 0.3, $"{name}'s outputs move by {moves} on average between inputs");

            var batch = new float[100 * outputLength];
            net.ForwardBatch(inputs, batch);
            Numbers.AssertClose(expected, batch, $"{name}, ForwardBatch");
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void SaveSafetensors_writes_back_what_PyTorch_saved(string className, string name, uint seed)
        {
            _ = seed;
            (IGraphNetwork net, _, _) = Load(className, name);
            using var saved = new MemoryStream();
            net.SaveSafetensors(saved);

            Dictionary<string, (string Dtype, long[] Shape, byte[] Data)> torch = Tensors(File.ReadAllBytes(Path.Combine(Sample, "data", name + ".safetensors")));
            Dictionary<string, (string Dtype, long[] Shape, byte[] Data)> ours = Tensors(saved.ToArray());
            Assert.Equal(torch.Keys.OrderBy(k => k, StringComparer.Ordinal), ours.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Contains(torch.Keys, k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
            foreach ((string key, (string dtype, long[] shape, byte[] data)) in torch)
            {
                Assert.Equal(dtype, ours[key].Dtype);
                Assert.Equal(shape, ours[key].Shape);
                Assert.True(data.AsSpan().SequenceEqual(ours[key].Data), key + "'s bytes differ");
            }
        }

        /// <summary>A .safetensors file read with a JSON parser, independently of the runtime's reader.</summary>
        private static Dictionary<string, (string Dtype, long[] Shape, byte[] Data)> Tensors(byte[] file)
        {
            long length = BitConverter.ToInt64(file, 0);
            using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)length));
            var tensors = new Dictionary<string, (string, long[], byte[])>();
            foreach (JsonProperty tensor in header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__"))
            {
                long begin = tensor.Value.GetProperty("data_offsets")[0].GetInt64(), end = tensor.Value.GetProperty("data_offsets")[1].GetInt64();
                tensors[tensor.Name] = (
                    tensor.Value.GetProperty("dtype").GetString()!,
                    tensor.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                    file.AsSpan((int)(8 + length + begin), (int)(end - begin)).ToArray());
            }

            return tensors;
        }
    }
}
