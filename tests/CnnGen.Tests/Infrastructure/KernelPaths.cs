using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.Intrinsics;
using CnnGen.Runtime;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>Runs a generated network's forward pass on a chosen kernel path, whatever the dispatch would pick here.</summary>
    public static class KernelPaths
    {
        /// <summary>The paths this machine can run: its vector widths, and the scalar kernels (every machine).</summary>
        public static IEnumerable<string> Available
        {
            get
            {
                if (Simd512.IsSupported)
                {
                    yield return "avx512";
                }

                if (Simd256.IsSupported)
                {
                    yield return "avx2";
                }

                if (Simd128.IsSupported)
                {
                    yield return "vector128";
                }

                yield return "scalar";
            }
        }

        public static void Forward(object network, string path, float[] input, float[] output) => Forward(network, path, input, output.AsSpan());

        public static void Forward(object network, string path, ReadOnlySpan<float> input, Span<float> output)
        {
            Type type = network.GetType();
            MethodInfo method = path == "scalar"
                ? type.GetMethod("ForwardScalar", BindingFlags.Instance | BindingFlags.NonPublic)!
                : type.GetMethod("ForwardVector", BindingFlags.Instance | BindingFlags.NonPublic)!.MakeGenericMethod(path switch
                {
                    "avx512" => new[] { typeof(Simd512), typeof(Vector512<float>) },
                    "avx2" => new[] { typeof(Simd256), typeof(Vector256<float>) },
                    _ => new[] { typeof(Simd128), typeof(Vector128<float>) },
                });
            var run = method.CreateDelegate<ForwardAction>(network);
            run(input, output);
        }

        /// <summary>
        /// Forward on every path this process can run (each vector width and the scalar kernels) against <paramref name="expected"/>,
        /// into the start of a longer array of NaN: a cell left unwritten shows as NaN, a store past the output in the floats after it.
        /// </summary>
        public static void AssertEveryPath(object network, float[] input, float[] expected, string what)
        {
            foreach (string path in Available)
            {
                float[] buffer = PoisonedOutput(expected.Length);
                Forward(network, path, input, buffer.AsSpan(0, expected.Length));
                Numbers.AssertClose(expected, buffer[..expected.Length], $"{what}: Forward on the {path} path");
                AssertUntouched(buffer, expected.Length, $"{what}: Forward on the {path} path");
            }
        }

        /// <summary>An output of <paramref name="length"/> floats and 64 more after it, all NaN.</summary>
        private static float[] PoisonedOutput(int length)
        {
            var buffer = new float[length + 64];
            Array.Fill(buffer, float.NaN);
            return buffer;
        }

        /// <summary>The floats after the output are still NaN: nothing was stored past it.</summary>
        private static void AssertUntouched(float[] buffer, int length, string what)
        {
            for (int i = length; i < buffer.Length; i++)
            {
                if (!float.IsNaN(buffer[i]))
                {
                    throw new Xunit.Sdk.XunitException($"{what}: float {i - length} after the output was written ({buffer[i]}).");
                }
            }
        }

        /// <summary>
        /// Fills every [ThreadStatic] float array of the network's class this thread has (its activations, copies and wide
        /// outputs, allocated by a first call) with NaN: the next call must rely on nothing they held.
        /// </summary>
        public static void PoisonScratch(object network)
        {
            foreach (FieldInfo field in network.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Static))
            {
                if (field.FieldType == typeof(float[]) && field.IsDefined(typeof(ThreadStaticAttribute), false) && field.GetValue(null) is float[] scratch)
                {
                    Array.Fill(scratch, float.NaN);
                }
            }
        }

        /// <summary>Each layer method on the reference's input, weight and bias of its step, against the reference's output.</summary>
        public static void AssertLayerMethods(ITestNetwork network, ReferenceRun reference, string what)
        {
            int layer = 0;
            foreach (ReferenceStep step in reference.Steps)
            {
                float[] buffer = PoisonedOutput(step.Output.Length);
                network.RunLayer(layer, step.Input, step.Weight, step.Bias, buffer.AsSpan(0, step.Output.Length));
                Numbers.AssertClose(step.Output, buffer[..step.Output.Length], $"{what}: layer method {layer}");
                AssertUntouched(buffer, step.Output.Length, $"{what}: layer method {layer}");
                layer++;
            }
        }
    }
}
