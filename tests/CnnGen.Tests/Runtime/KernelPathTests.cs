using System;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using CnnGen.Runtime;
using Xunit;

namespace CnnGen.Tests.Runtime
{
    /// <summary>
    /// .ci/run runs the numeric tests once per kernel path and sets CNNGEN_EXPECT_PATH: AVX-512 (a plain run on this
    /// project's machines), AVX2 (DOTNET_EnableAVX512=0), Vector128 (DOTNET_EnableAVX2=0) and scalar
    /// (DOTNET_EnableHWIntrinsic=0). The generated code picks its kernel by exactly these IsSupported checks, so this
    /// proves each run exercised the path it claims to.
    /// </summary>
    public sealed class KernelPathTests
    {
        /// <summary>The path the generated dispatch takes on this process: the widest supported width.</summary>
        public static string ActivePath => Simd512.IsSupported ? "avx512" : Simd256.IsSupported ? "avx2" : Simd128.IsSupported ? "vector128" : "scalar";

        /// <summary>
        /// The path expected from the environment alone: CNNGEN_EXPECT_PATH when set, else the widest the processor reports
        /// (Linux /proc/cpuinfo, a source independent of .NET) less what the DOTNET_Enable* switches turn off.
        /// </summary>
        private static string? ExpectedPath()
        {
            string? expected = Environment.GetEnvironmentVariable("CNNGEN_EXPECT_PATH");
            if (!string.IsNullOrEmpty(expected))
            {
                return expected;
            }

            if (!File.Exists("/proc/cpuinfo") || !(OperatingSystem.IsLinux() && (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)))
            {
                return null;
            }

            string flags = " " + File.ReadAllText("/proc/cpuinfo").Replace('\n', ' ').Replace('\t', ' ') + " ";
            bool Off(string name) => Environment.GetEnvironmentVariable("DOTNET_Enable" + name) == "0";
            if (Off("HWIntrinsic"))
            {
                return "scalar";
            }

            if (flags.Contains(" avx512f ") && !Off("AVX512") && !Off("AVX512F") && !Off("AVX2") && !Off("AVX"))
            {
                return "avx512";
            }

            if (flags.Contains(" avx2 ") && flags.Contains(" fma ") && !Off("AVX2") && !Off("AVX"))
            {
                return "avx2";
            }

            return "vector128"; // every x64 processor has SSE2
        }

        [Fact]
        public void The_path_in_use_is_the_one_the_environment_asks_for()
        {
            string? expected = ExpectedPath();
            Assert.True(expected is not null || !OperatingSystem.IsLinux(), "no expectation on Linux: /proc/cpuinfo is missing");
            if (expected is not null)
            {
                Assert.Equal(expected, ActivePath);
            }
        }

        [Fact]
        public void The_vector_helpers_deinterleave_and_keep_NaN_at_every_width_the_machine_runs()
        {
            int widths = 0;
            if (Simd512.IsSupported)
            {
                Check<Simd512, Vector512<float>>();
                widths++;
            }

            if (Simd256.IsSupported)
            {
                Check<Simd256, Vector256<float>>();
                widths++;
            }

            if (Simd128.IsSupported)
            {
                Check<Simd128, Vector128<float>>();
                widths++;
            }

            Assert.Equal(ActivePath switch { "avx512" => 3, "avx2" => 2, "vector128" => 1, _ => 0 }, widths);
            Assert.Equal(widths + 1, Infrastructure.KernelPaths.Available.Count());
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

            TV a = TS.Load(ref values[0]), b = TS.Load(ref values[0], n);
            var evens = new float[n];
            var odds = new float[n];
            TS.Store(TS.Evens(a, b), ref evens[0]);
            TS.Store(TS.Odds(a, b), ref odds[0]);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(2 * i, evens[i]);
                Assert.Equal((2 * i) + 1, odds[i]);
            }

            // Lanes from SkipLanes(at, count): lane i takes lane i below at, lane i + count from there (the last lane past it).
            var permuted = new float[n];
            for (int at = 0; at <= n; at++)
            {
                for (int count = 0; count <= n + 1; count++)
                {
                    TS.Store(TS.Permute(a, TS.SkipLanes(at, count)), ref permuted[0]);
                    for (int i = 0; i < n; i++)
                    {
                        Assert.Equal(i < at ? i : Math.Min(i + count, n - 1), permuted[i]);
                    }
                }
            }

            var mixed = new float[n];
            mixed[0] = float.NaN;
            mixed[1] = -1f;
            mixed[2] = float.NegativeInfinity;
            mixed[3] = 2f;
            var result = new float[n];
            TS.Store(TS.Relu(TS.Load(ref mixed[0])), ref result[0]);
            Assert.True(float.IsNaN(result[0]));
            Assert.Equal(0f, result[1]);
            Assert.Equal(0f, result[2]);
            Assert.Equal(2f, result[3]);

            // NaN on either side of the max wins.
            var low = new float[n];
            Array.Fill(low, 1f);
            low[2] = float.NaN;
            TS.Store(TS.MaxPropagateNaN(TS.Load(ref low[0]), TS.Load(ref mixed[0])), ref result[0]);
            Assert.True(float.IsNaN(result[0]));
            Assert.Equal(1f, result[1]);
            Assert.True(float.IsNaN(result[2]));
            Assert.Equal(2f, result[3]);

            // Broadcast and fused multiply-add with offsets.
            TS.Store(TS.MultiplyAdd(TS.Broadcast(ref values[0], 3), TS.Load(ref values[0], 1), TS.Splat(0.5f)), ref result[0], 0);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal((3f * (i + 1)) + 0.5f, result[i]);
            }
        }
    }
}
