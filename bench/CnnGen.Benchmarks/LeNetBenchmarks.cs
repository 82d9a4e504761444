using System;
using BenchmarkDotNet.Attributes;
using CnnGen.Reference;

namespace CnnGen.Benchmarks;

[Input(32, 32, 3)]
[Conv(6, 5)] [Relu] [MaxPool(2)]
[Conv(16, 5)] [Relu] [MaxPool(2)]
[FullyConnected(120)] [Relu]
[FullyConnected(84)] [Relu]
[FullyConnected(10)]
public partial class LeNet5Rgb { }

/// <summary>LeNet-5 on a 3x32x32 input, one thread, batch 1: generated Forward against the naive reference kernels.</summary>
[MemoryDiagnoser]
public class LeNetBenchmarks
{
    private readonly LeNet5Rgb _net = new();
    private float[] _parameters = Array.Empty<float>();
    private readonly float[] _input = new float[LeNet5Rgb.InputLength];
    private readonly float[] _output = new float[LeNet5Rgb.OutputLength];
    private readonly float[] _c1 = new float[LeNet5Rgb.Conv1OutputLength];
    private readonly float[] _p1 = new float[LeNet5Rgb.Pool1OutputLength];
    private readonly float[] _c2 = new float[LeNet5Rgb.Conv2OutputLength];
    private readonly float[] _p2 = new float[LeNet5Rgb.Pool2OutputLength];
    private readonly float[] _f1 = new float[120];
    private readonly float[] _f2 = new float[84];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _parameters = new float[LeNet5Rgb.ParameterCount];
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
        }

        for (int i = 0; i < _input.Length; i++)
        {
            _input[i] = (float)random.NextDouble();
        }

        _net.SetParameters(_parameters);
    }

    [Benchmark(Baseline = true)]
    public void NaiveReference()
    {
        ReadOnlySpan<float> p = _parameters;
        ReferenceLayers.Conv2d(_input, 32, 32, 3, p.Slice(LeNet5Rgb.Conv1WeightOffset, LeNet5Rgb.Conv1WeightLength), p.Slice(LeNet5Rgb.Conv1BiasOffset, 6), 6, 5, 1, 0, OutputRounding.Exact, _c1);
        ReferenceLayers.Relu(_c1, _c1);
        ReferenceLayers.MaxPool2d(_c1, 28, 28, 6, 2, 2, 0, OutputRounding.Exact, _p1);
        ReferenceLayers.Conv2d(_p1, 14, 14, 6, p.Slice(LeNet5Rgb.Conv2WeightOffset, LeNet5Rgb.Conv2WeightLength), p.Slice(LeNet5Rgb.Conv2BiasOffset, 16), 16, 5, 1, 0, OutputRounding.Exact, _c2);
        ReferenceLayers.Relu(_c2, _c2);
        ReferenceLayers.MaxPool2d(_c2, 10, 10, 16, 2, 2, 0, OutputRounding.Exact, _p2);
        ReferenceLayers.Linear(_p2, p.Slice(LeNet5Rgb.Fc1WeightOffset, LeNet5Rgb.Fc1WeightLength), p.Slice(LeNet5Rgb.Fc1BiasOffset, 120), _f1);
        ReferenceLayers.Relu(_f1, _f1);
        ReferenceLayers.Linear(_f1, p.Slice(LeNet5Rgb.Fc2WeightOffset, LeNet5Rgb.Fc2WeightLength), p.Slice(LeNet5Rgb.Fc2BiasOffset, 84), _f2);
        ReferenceLayers.Relu(_f2, _f2);
        ReferenceLayers.Linear(_f2, p.Slice(LeNet5Rgb.Fc3WeightOffset, LeNet5Rgb.Fc3WeightLength), p.Slice(LeNet5Rgb.Fc3BiasOffset, 10), _output);
    }

    [Benchmark]
    public void GeneratedForward() => _net.Forward(_input, _output);
}
