using System.Linq;
using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace CnnGen.Benchmarks;

/// <summary>
/// The single-core FMA peak: 12 independent Vector512 (or Vector256) FMA chains, 2 FLOPs per lane.
/// GFLOP/s = <see cref="Iterations"/> x 12 x lanes x 2 / time.
/// </summary>
public class PeakBenchmarks
{
    public const int Iterations = 100_000;

    public static int Lanes => Vector512.IsHardwareAccelerated ? 16 : 8;

    [Benchmark(Description = "peak FMA (12 chains)")]
    public float PeakFma() => Vector512.IsHardwareAccelerated ? Peak512() : Peak256();

    /// <summary>The same loop on every core at once: the peak a batch on all cores can reach (ThroughputBenchmarks).</summary>
    [Benchmark(Description = "peak FMA, all cores (12 chains each)")]
    public float PeakFmaAllCores()
    {
        var sums = new float[Environment.ProcessorCount];
        System.Threading.Tasks.Parallel.For(0, sums.Length, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = sums.Length }, i => sums[i] = PeakFma());
        return sums.Sum();
    }

    /// <summary>FLOPs of one <see cref="PeakFma"/> call.</summary>
    public static double Flops => 2.0 * 12 * Lanes * Iterations;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Peak512()
    {
        var m = Vector512.Create(0.999f);
        var c = Vector512.Create(0.001f);
        Vector512<float> a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c); a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c); a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c); a8 = Vector512.FusedMultiplyAdd(a8, m, c);
            a9 = Vector512.FusedMultiplyAdd(a9, m, c); a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Peak256()
    {
        var m = Vector256.Create(0.999f);
        var c = Vector256.Create(0.001f);
        Vector256<float> a0 = c, a1 = c, a2 = c, a3 = c, a4 = c, a5 = c, a6 = c, a7 = c, a8 = c, a9 = c, a10 = c, a11 = c;
        for (int i = 0; i < Iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c); a2 = Vector256.FusedMultiplyAdd(a2, m, c);
            a3 = Vector256.FusedMultiplyAdd(a3, m, c); a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c); a8 = Vector256.FusedMultiplyAdd(a8, m, c);
            a9 = Vector256.FusedMultiplyAdd(a9, m, c); a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}

/// <summary>
/// The practical memory limit for the memory-bound cases: a <see cref="Span{T}.CopyTo"/> of as many floats as the case reads
/// (its input), so bytes moved per second = 2 × 4 × length / time (read and write), measured in the same run.
/// </summary>
public class CopyBenchmarks
{
    private float[] _source = Array.Empty<float>();
    private float[] _target = Array.Empty<float>();

    [Params("G1", "G2")]
    public string Name { get; set; } = "G1";

    [GlobalSetup]
    public void Setup()
    {
        int length = Case.All[Name].InputLength;
        _source = new float[length];
        _target = new float[length];
        _source.AsSpan().Fill(1f);
    }

    [Benchmark(Description = "Span.CopyTo of the case's input")]
    public void Copy() => _source.AsSpan().CopyTo(_target);
}

/// <summary>
/// The read limit of a case bound by its weight: the sum of as many floats as L3's fully-connected weight (512 × 1000,
/// 2.05 MB, more than one core's L2), four independent vector sums, read front to back; bytes read per second = 4 × length / time.
/// </summary>
public class ReadBenchmarks
{
    public const int Length = 512 * 1000;

    private readonly float[] _source = GC.AllocateArray<float>(Length, pinned: true);

    [GlobalSetup]
    public void Setup() => _source.AsSpan().Fill(1f);

    [Benchmark(Description = "sum of L3's weight (2.05 MB)")]
    public float Read() => Vector512.IsHardwareAccelerated ? Sum512(_source) : Sum256(_source);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Sum512(float[] a)
    {
        ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i + 64 <= a.Length; i += 64)
        {
            s0 += Vector512.LoadUnsafe(ref r, (nuint)i);
            s1 += Vector512.LoadUnsafe(ref r, (nuint)(i + 16));
            s2 += Vector512.LoadUnsafe(ref r, (nuint)(i + 32));
            s3 += Vector512.LoadUnsafe(ref r, (nuint)(i + 48));
        }

        float rest = 0f;
        for (; i < a.Length; i++)
        {
            rest += a[i];
        }

        return Vector512.Sum(s0 + s1 + s2 + s3) + rest;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Sum256(float[] a)
    {
        ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a);
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i + 32 <= a.Length; i += 32)
        {
            s0 += Vector256.LoadUnsafe(ref r, (nuint)i);
            s1 += Vector256.LoadUnsafe(ref r, (nuint)(i + 8));
            s2 += Vector256.LoadUnsafe(ref r, (nuint)(i + 16));
            s3 += Vector256.LoadUnsafe(ref r, (nuint)(i + 24));
        }

        float rest = 0f;
        for (; i < a.Length; i++)
        {
            rest += a[i];
        }

        return Vector256.Sum(s0 + s1 + s2 + s3) + rest;
    }
}

/// <summary>ForwardBatch on 256 LeNet-5 (N3) inputs against Forward on each in turn: the multi-core scaling.</summary>
public class BatchBenchmarks
{
    private const int Count = 256;
    private readonly CaseN3 _net = new();
    private readonly float[] _inputs = new float[Count * CaseN3.InputLength];
    private readonly float[] _outputs = new float[Count * CaseN3.OutputLength];

    [GlobalSetup]
    public void Setup()
    {
        _net.LoadSafetensors(System.IO.Path.Combine(AppContext.BaseDirectory, "models", "N3.safetensors"));
        var random = new Random(3);
        for (int i = 0; i < _inputs.Length; i++)
        {
            _inputs[i] = (float)random.NextDouble();
        }
    }

    [Benchmark(Baseline = true, Description = "Forward x256, one thread")]
    public void OneThread()
    {
        for (int i = 0; i < Count; i++)
        {
            _net.Forward(_inputs.AsSpan(i * CaseN3.InputLength, CaseN3.InputLength), _outputs.AsSpan(i * CaseN3.OutputLength, CaseN3.OutputLength));
        }
    }

    [Benchmark(Description = "ForwardBatch x256, all cores")]
    public void AllCores() => _net.ForwardBatch(_inputs, _outputs);
}
