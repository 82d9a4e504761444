using System;
using CnnGen.Runtime;
using Xunit;

namespace CnnGen.Tests.Runtime
{
    /// <summary>
    /// .ci/run runs the suite once per kernel path (DOTNET_EnableAVX512F=0 for AVX2, DOTNET_EnableHWIntrinsic=0 for
    /// scalar) and sets CNNGEN_EXPECT_PATH, so this proves each run really exercised the path it claims to.
    /// </summary>
    public sealed class KernelPathTests
    {
        public static string ActivePath => Simd512.IsSupported ? "avx512" : Simd256.IsSupported ? "avx2" : "scalar";

        [Fact]
        public void The_path_in_use_is_the_one_this_run_expects()
        {
            string? expected = Environment.GetEnvironmentVariable("CNNGEN_EXPECT_PATH");
            if (string.IsNullOrEmpty(expected))
            {
                // A plain run takes the widest path the processor reports (Linux: /proc/cpuinfo, an
                // independent source), unless the runtime was told to leave some instructions out.
                bool restricted = Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") is not null ||
                                  Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F") is not null ||
                                  Environment.GetEnvironmentVariable("DOTNET_EnableHWIntrinsic") is not null ||
                                  Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") is not null;
                if (restricted || !System.IO.File.Exists("/proc/cpuinfo"))
                {
                    Assert.Contains(ActivePath, new[] { "avx512", "avx2", "scalar" });
                    return;
                }

                string flags = " " + System.IO.File.ReadAllText("/proc/cpuinfo").Replace('\n', ' ').Replace('\t', ' ') + " ";
                expected = flags.Contains(" avx512f ") ? "avx512" : flags.Contains(" avx2 ") && flags.Contains(" fma ") ? "avx2" : "scalar";
            }

            Assert.Equal(expected, ActivePath);
        }

        [Fact]
        public void The_vector_helpers_deinterleave_and_keep_NaN()
        {
            if (Simd512.IsSupported)
            {
                Check<Simd512, System.Runtime.Intrinsics.Vector512<float>>();
            }

            if (Simd256.IsSupported)
            {
                Check<Simd256, System.Runtime.Intrinsics.Vector256<float>>();
            }
        }

        private static void Check<TS, TV>()
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            int n = TS.Count;
            var values = new float[2 * n];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = i;
            }

            TV a = TS.Load(ref values[0]), b = TS.Load(ref values[n]);
            var evens = new float[n];
            var odds = new float[n];
            TS.Store(TS.Evens(a, b), ref evens[0]);
            TS.Store(TS.Odds(a, b), ref odds[0]);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(2 * i, evens[i]);
                Assert.Equal((2 * i) + 1, odds[i]);
            }

            var mixed = new float[n];
            mixed[0] = float.NaN;
            mixed[1] = -1f;
            var result = new float[n];
            TS.Store(TS.Relu(TS.Load(ref mixed[0])), ref result[0]);
            Assert.True(float.IsNaN(result[0]));
            Assert.Equal(0f, result[1]);

            // NaN on either side of the max wins.
            var low = new float[n];
            Array.Fill(low, 1f);
            low[2] = float.NaN;
            TS.Store(TS.MaxPropagateNaN(TS.Load(ref low[0]), TS.Load(ref mixed[0])), ref result[0]);
            Assert.True(float.IsNaN(result[0]));
            Assert.Equal(1f, result[1]);
            Assert.True(float.IsNaN(result[2]));
        }
    }
}
