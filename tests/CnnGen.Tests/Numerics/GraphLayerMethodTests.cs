using System;
using System.Linq;
using System.Reflection;
using CnnGen.Reference;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// The static layer methods contract v2 adds (section 7.3): <c>Bn1(input, weight, bias, runningMean, runningVar,
    /// output)</c> and the global pools, against the reference kernels; and a conv without bias whose batch norm
    /// Forward folds in still computes the conv alone from its own method.
    /// </summary>
    public sealed class GraphLayerMethodTests
    {
        private const string Source = """
            using System;
            using CnnGen;

            [Input(7, 5, 6)] [Conv(6, 3, Padding = 1, Bias = false)] [BatchNorm(Epsilon = 0.001f)] [Relu] [GlobalAvgPool] [FullyConnected(4)]
            public partial class Methods
            {
                public static void RunConv(float[] x, float[] w, float[] y) => Conv1(x, w, y);
                public static void RunBn(float[] x, float[] g, float[] b, float[] m, float[] v, float[] y) => Bn1(x, g, b, m, v, y);
                public static void RunAvg(float[] x, float[] y) => GlobalAvgPool1(x, y);
            }

            [Input(9, 3, 4)] [GlobalMaxPool]
            public partial class MaxMethod
            {
                public static void Run(float[] x, float[] y) => GlobalMaxPool1(x, y);
            }
            """;

        private static readonly Lazy<Assembly> Compiled = new(() =>
        {
            CompileResult result = TestCompiler.Compile(Source);
            result.AssertClean();
            return result.Load();
        });

        private static void Call(string type, string method, params object[] arguments) =>
            Compiled.Value.GetType(type, throwOnError: true)!.GetMethod(method)!.Invoke(null, arguments);

        [Fact]
        public void Bn1_computes_an_evaluation_mode_batch_norm_with_its_epsilon()
        {
            var random = new Random(5);
            float[] x = Numbers.Random(random, 7 * 5 * 6, 3f), g = Numbers.Random(random, 6), b = Numbers.Random(random, 6), m = Numbers.Random(random, 6);
            float[] v = Numbers.Random(random, 6).Select(e => 0.01f + Math.Abs(e)).ToArray();
            var y = new float[x.Length];
            Call("Methods", "RunBn", x, g, b, m, v, y);
            var expected = new float[x.Length];
            ReferenceLayers.BatchNorm(x, 7, 5, 6, g, b, m, v, 0.001f, expected);
            Numbers.AssertClose(expected, y, "Bn1");
        }

        [Fact]
        public void The_global_pool_methods_compute_each_channels_mean_and_max()
        {
            var random = new Random(6);
            float[] x = Numbers.Random(random, 7 * 5 * 6);
            var y = new float[6];
            Call("Methods", "RunAvg", x, y);
            var expected = new float[6];
            ReferenceLayers.GlobalAvgPool(x, 7, 5, 6, expected);
            Numbers.AssertClose(expected, y, "GlobalAvgPool1");

            float[] z = Numbers.Random(random, 9 * 3 * 4);
            z[30] = float.NaN; // channel 1
            var max = new float[4];
            Call("MaxMethod", "Run", z, max);
            var expectedMax = new float[4];
            ReferenceLayers.GlobalMaxPool(z, 9, 3, 4, expectedMax);
            Assert.True(float.IsNaN(max[1]));
            Numbers.AssertClose(expectedMax, max, "GlobalMaxPool1");
        }

        [Fact]
        public void A_conv_whose_batch_norm_is_folded_in_Forward_still_runs_alone_without_a_bias()
        {
            var random = new Random(7);
            float[] x = Numbers.Random(random, 7 * 5 * 6), w = Numbers.Random(random, 6 * 6 * 9);
            var y = new float[7 * 5 * 6];
            Call("Methods", "RunConv", x, w, y);
            var expected = new float[y.Length];
            ReferenceLayers.Conv2d(x, 7, 5, 6, w, ReadOnlySpan<float>.Empty, 6, 1, Window2d.Square(3, 1, 1), OutputRounding.Exact, expected);
            Numbers.AssertClose(expected, y, "Conv1 alone");
        }
    }
}
