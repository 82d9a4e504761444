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

        public static void Forward(object network, string path, float[] input, float[] output)
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
    }
}
