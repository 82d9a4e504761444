using System;
using System.Linq;
using System.Runtime.Intrinsics;
using CnnGen.Runtime;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// The runtime's fully-connected kernel on the widest vectors this run has (CI's other passes take the narrower ones),
    /// over a weight packed by Layout.PackFullyConnectedWeight in panels of 32 outputs: Run against a sum in double
    /// precision, and RunBlock (ForwardBatch's blocks) against Run on each sample bit for bit. The shapes cover every block
    /// the kernel has on each vector width: whole panels in fours, twos and ones, a 16-wide last panel, outputs that stop
    /// inside a panel, one input and odd input counts, with and without bias and ReLU.
    /// </summary>
    public sealed class FullyConnectedKernelTests
    {
        // outputs, padded outputs (whole 16-float vectors), inputs
        private static readonly int[][] Shapes =
        {
            new[] { 1, 16, 1 },
            new[] { 16, 16, 37 },
            new[] { 30, 32, 2 },
            new[] { 32, 32, 37 },
            new[] { 40, 48, 37 },
            new[] { 64, 64, 9 },
            new[] { 70, 80, 37 },
            new[] { 96, 96, 5 },
            new[] { 128, 128, 37 },
            new[] { 150, 160, 37 },
            new[] { 200, 208, 64 },
            new[] { 250, 256, 3 },
            new[] { 10, 16, 640 },
        };

        public static TheoryData<int, int, int> RunShapes()
        {
            var data = new TheoryData<int, int, int>();
            foreach (int[] s in Shapes)
            {
                data.Add(s[0], s[1], s[2]);
            }

            return data;
        }

        public static TheoryData<int, int, int, int, bool, bool> BlockShapes()
        {
            var data = new TheoryData<int, int, int, int, bool, bool>();
            int[] samples = { 1, 3, 8, 13, 16, 32, 35 };
            for (int i = 0; i < Shapes.Length; i++)
            {
                for (int k = 0; k < samples.Length; k++)
                {
                    int variant = (i + k) % 4; // bias and ReLU in all four combinations
                    data.Add(Shapes[i][0], Shapes[i][1], Shapes[i][2], samples[k], variant % 2 == 0, variant < 2);
                }
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(RunShapes))]
        public void Run_equals_a_sum_in_double_precision(int outputs, int padded, int inputs)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                CheckRun<Simd512, Vector512<float>>(outputs, padded, inputs);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                CheckRun<Simd256, Vector256<float>>(outputs, padded, inputs);
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                CheckRun<Simd128, Vector128<float>>(outputs, padded, inputs);
            }
        }

        [Theory]
        [MemberData(nameof(BlockShapes))]
        public void RunBlock_equals_Run_on_each_sample_bit_for_bit(int outputs, int padded, int inputs, int samples, bool hasBias, bool relu)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                CheckBlock<Simd512, Vector512<float>>(outputs, padded, inputs, samples, hasBias, relu);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                CheckBlock<Simd256, Vector256<float>>(outputs, padded, inputs, samples, hasBias, relu);
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                CheckBlock<Simd128, Vector128<float>>(outputs, padded, inputs, samples, hasBias, relu);
            }
        }

        private static float[] Pack(float[] weight, int outputs, int padded, int inputs)
        {
            // Poisoned first, so a padding column the packer forgot to zero shows.
            float[] packed = Enumerable.Repeat(float.NaN, inputs * padded).ToArray();
            Layout.PackFullyConnectedWeight(weight, outputs, inputs, padded, packed);
            return packed;
        }

        private static void CheckRun<TS, TV>(int outputs, int padded, int inputs)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            var random = new Random((outputs * 131) + inputs);
            float[] x = Numbers.Random(random, inputs);
            float[] weight = Numbers.Random(random, outputs * inputs);
            float[] bias = Numbers.Random(random, outputs, 0.5f);
            float[] packed = Pack(weight, outputs, padded, inputs);
            var actual = new float[outputs];
            FullyConnectedKernel.Run<TS, TV>(x, packed, bias, actual, relu: true, padded, new float[padded]);
            for (int j = 0; j < outputs; j++)
            {
                double sum = bias[j], size = Math.Abs(bias[j]);
                for (int i = 0; i < inputs; i++)
                {
                    sum += (double)weight[(j * inputs) + i] * x[i];
                    size += Math.Abs((double)weight[(j * inputs) + i] * x[i]);
                }

                double expected = Math.Max(0, sum);
                Assert.True(Math.Abs(actual[j] - expected) <= 1e-6 * (size + 1), "output " + j + ": " + actual[j] + ", expected " + expected);
            }
        }

        private static void CheckBlock<TS, TV>(int outputs, int padded, int inputs, int samples, bool hasBias, bool relu)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            var random = new Random((outputs * 7) + (inputs * 3) + samples);
            float[] x = Numbers.Random(random, samples * inputs);
            float[] packed = Pack(Numbers.Random(random, outputs * inputs), outputs, padded, inputs);
            float[] bias = hasBias ? Numbers.Random(random, outputs) : Array.Empty<float>();
            var blocked = new float[samples * outputs];
            FullyConnectedKernel.RunBlock<TS, TV>(x, packed, bias, blocked, relu, padded, new float[samples * padded], samples);
            var one = new float[outputs];
            for (int b = 0; b < samples; b++)
            {
                FullyConnectedKernel.Run<TS, TV>(x.AsSpan(b * inputs, inputs), packed, bias, one, relu, padded, new float[padded]);
                Assert.True(blocked.AsSpan(b * outputs, outputs).SequenceEqual(one), "sample " + b + " of " + samples);
            }
        }
    }
}
