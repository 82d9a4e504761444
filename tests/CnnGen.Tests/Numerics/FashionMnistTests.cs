using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// The Fashion-MNIST networks trained in PyTorch (tools/train_fashion_mnist.py), declared with CnnGen attributes,
    /// load their committed .safetensors and predict what PyTorch predicted on the committed test images: LeNet-5
    /// (declared here) and the ResNet-8-style net (the sample's own declaration, compiled here with the generator).
    /// </summary>
    public sealed class FashionMnistTests
    {
        private static readonly NetSpec Spec = new(28, 28, 1, new[]
        {
            LayerSpec.Conv(6, 5, padding: 2), LayerSpec.Relu(), LayerSpec.Pool(2),
            LayerSpec.Conv(16, 5), LayerSpec.Relu(), LayerSpec.Pool(2),
            LayerSpec.Fc(120), LayerSpec.Relu(), LayerSpec.Fc(84), LayerSpec.Relu(), LayerSpec.Fc(10),
        });

        private static string DataDirectory() => Path.Combine(Repository.Root, "samples", "FashionMnist", "data");

        private static byte[] Unzip(string path)
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var memory = new MemoryStream();
            gzip.CopyTo(memory);
            return memory.ToArray();
        }

        [Fact]
        public void Forward_agrees_with_PyTorch_on_the_test_set()
        {
            string data = DataDirectory();
            byte[] torch = File.ReadAllBytes(Path.Combine(data, "torch_predictions.bin"));
            var networks = new CompiledNetworks(new[] { ("FashionLeNet", Spec) });
            ITestNetwork net = networks.Create("FashionLeNet");
            using (FileStream weights = File.OpenRead(Path.Combine(data, "lenet5.safetensors")))
            {
                net.GetType().GetMethod("LoadSafetensors", new[] { typeof(Stream) })!.Invoke(net, new object[] { weights });
            }

            Assess(net, torch, 0.89);
        }

        [Fact]
        public void The_ResNet_agrees_with_PyTorch_on_the_test_set_and_reaches_92_5_percent()
        {
            string source = File.ReadAllText(Path.Combine(Repository.Root, "samples", "FashionMnist", "FashionResNet8.cs"));
            CompileResult result = TestCompiler.Compile(source, "namespace FashionMnist { public partial class FashionResNet8 : CnnGen.Tests.Infrastructure.IGraphNetwork { } }");
            result.AssertClean();
            var net = (IGraphNetwork)Activator.CreateInstance(result.Load().GetType("FashionMnist.FashionResNet8", throwOnError: true)!)!;
            using (FileStream weights = File.OpenRead(Path.Combine(DataDirectory(), "resnet8.safetensors")))
            {
                net.LoadSafetensors(weights);
            }

            Assess(net, File.ReadAllBytes(Path.Combine(DataDirectory(), "torch_predictions_resnet8.bin")), 0.925);
        }

        /// <summary>
        /// Runs the 10,000 test images: at least 99.9 % of the predictions as PyTorch's (an image whose two best scores are
        /// within rounding may go either way), accuracy within 5 images of PyTorch's and at least <paramref name="floor"/>.
        /// </summary>
        private static void Assess(INetwork net, byte[] torch, double floor)
        {
            string data = DataDirectory();
            byte[] images = Unzip(Path.Combine(data, "t10k-images-idx3-ubyte.gz"));
            byte[] labels = Unzip(Path.Combine(data, "t10k-labels-idx1-ubyte.gz"));
            const int Count = 10000;
            Assert.Equal(16 + (Count * 784), images.Length);
            var input = new float[784];
            var scores = new float[10];
            int agree = 0, correct = 0, torchCorrect = 0;
            for (int i = 0; i < Count; i++)
            {
                for (int p = 0; p < 784; p++)
                {
                    input[p] = images[16 + (i * 784) + p] / 255f;
                }

                net.Forward(input, scores);
                int predicted = Array.IndexOf(scores, scores.Max());
                agree += predicted == torch[i] ? 1 : 0;
                correct += predicted == labels[8 + i] ? 1 : 0;
                torchCorrect += torch[i] == labels[8 + i] ? 1 : 0;
            }

            Assert.True(agree >= Count * 0.999, $"{agree} of {Count} predictions agree with PyTorch");
            Assert.True(Math.Abs(correct - torchCorrect) <= Count * 0.0005, $"accuracy {correct} vs PyTorch {torchCorrect} of {Count}");
            Assert.True(correct >= Count * floor, $"accuracy {correct} of {Count}");
        }
    }
}
