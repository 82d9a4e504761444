using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace CnnGen.Benchmarks;

/// <summary>
/// CnnGen's Forward on each bench case with the AVX2 kernels (DOTNET_EnableAVX512=0) and with the 128-bit ones
/// (DOTNET_EnableAVX2=0, SSE without FMA: what a default NativeAOT build and x86 machines without AVX2 run; ARM64
/// runs the same kernels on AdvSimd). Each job is its own process with its own environment.
/// </summary>
[Config(typeof(PathConfig))]
[MedianColumn]
public class PathBenchmarks
{
    private IBenchNetwork _net = null!;
    private float[] _input = Array.Empty<float>();
    private float[] _output = Array.Empty<float>();

    [Params("A", "B", "C", "D", "E", "F", "P1", "P2", "P3", "N1", "N3")]
    public string Name { get; set; } = "A";

    [GlobalSetup]
    public void Setup()
    {
        Case c = Case.All[Name];
        _net = c.Create();
        _net.LoadSafetensors(Path.Combine(AppContext.BaseDirectory, "models", Name + ".safetensors"));
        var random = new Random(7);
        _input = Enumerable.Range(0, c.InputLength).Select(_ => (float)(random.NextDouble() * 2) - 1).ToArray();
        _output = new float[c.OutputLength];
        string expected = Environment.GetEnvironmentVariable("CNNGEN_BENCH_PATH") ?? string.Empty;
        if (Kernels.Current.ToString() != expected)
        {
            throw new InvalidOperationException($"this job should run the {expected} kernels, but runs {Kernels.Current}");
        }
    }

    [Benchmark(Description = "CnnGen Forward")]
    public void Forward() => _net.Forward(_input, _output);

    private sealed class PathConfig : ManualConfig
    {
        public PathConfig()
        {
            AddJob(Job.Default.WithId("AVX2").WithEnvironmentVariables(
                new EnvironmentVariable("DOTNET_EnableAVX512", "0"), new EnvironmentVariable("DOTNET_EnableAVX512F", "0"), new EnvironmentVariable("CNNGEN_BENCH_PATH", "Avx2")).AsBaseline());
            AddJob(Job.Default.WithId("Vector128").WithEnvironmentVariables(
                new EnvironmentVariable("DOTNET_EnableAVX2", "0"), new EnvironmentVariable("CNNGEN_BENCH_PATH", "Vector128")));
        }
    }
}
