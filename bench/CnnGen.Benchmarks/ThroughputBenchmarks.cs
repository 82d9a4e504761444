using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Benchmarks;

/// <summary>
/// Throughput on all cores (issue 12): CnnGen's ForwardBatch on 256 samples against ONNX Runtime running the same
/// model with a batch dimension of 256 and IntraOpNumThreads = the machine's cores. The ONNX files were exported with
/// batch 1; the benchmark makes their batch dimension symbolic (input and output dimension 0), which these graphs allow
/// (they flatten with Flatten, not a Reshape to a fixed batch). Outputs are checked against each other first.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ThroughputBenchmarks
{
    public const int Samples = 256;

    private Case _case = null!;
    private IBenchNetwork _net = null!;
    private float[] _inputs = Array.Empty<float>();
    private float[] _outputs = Array.Empty<float>();
    private float[] _ortOutputArray = Array.Empty<float>();
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private string[] _inputNames = Array.Empty<string>();
    private string[] _outputNames = Array.Empty<string>();
    private OrtValue[] _ortInputs = Array.Empty<OrtValue>();
    private OrtValue[] _ortOutputs = Array.Empty<OrtValue>();

    /// <summary>M1–M4, or those of them CNNGEN_CASES lists.</summary>
    public static IEnumerable<string> Names => CaseBenchmarks.Names.Where(n => n.StartsWith('M')).DefaultIfEmpty("M1");

    [ParamsSource(nameof(Names))]
    public string Name { get; set; } = "M1";

    /// <summary>The model with its batch dimension (input and output dimension 0) made symbolic.</summary>
    public static byte[] WithBatchDimension(string path)
    {
        Onnx.ModelProto model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        foreach (Onnx.ValueInfoProto value in model.Graph.Input.Take(1).Concat(model.Graph.Output.Take(1)))
        {
            value.Type.TensorType.Shape.Dim[0] = new Onnx.TensorShapeProto.Types.Dimension { DimParam = "N" };
        }

        return model.ToByteArray();
    }

    [GlobalSetup]
    public void Setup()
    {
        _case = Case.All[Name];
        string models = Path.Combine(AppContext.BaseDirectory, "models");
        _net = _case.Create();
        _net.LoadSafetensors(Path.Combine(models, Name + ".safetensors"));
        var random = new Random(11);
        _inputs = Enumerable.Range(0, Samples * _case.InputLength).Select(_ => (float)(random.NextDouble() * 2) - 1).ToArray();
        _outputs = new float[Samples * _case.OutputLength];
        _ortOutputArray = new float[_outputs.Length];

        var options = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(WithBatchDimension(Path.Combine(models, Name + ".onnx")), options);
        _inputNames = _session.InputMetadata.Keys.ToArray();
        _outputNames = _session.OutputMetadata.Keys.ToArray();
        long[] inputShape = _case.InputShape.Select(d => (long)d).ToArray();
        inputShape[0] = Samples;
        _ortInputs = new[] { OrtValue.CreateTensorValueFromMemory(_inputs, inputShape) };
        _ortOutputs = new[] { OrtValue.CreateTensorValueFromMemory(_ortOutputArray, new long[] { Samples, _case.OutputLength }) };
        _runOptions = new RunOptions();

        OnnxRuntimeBatch();
        CnnGenForwardBatch();
        for (int i = 0; i < _outputs.Length; i++)
        {
            if (Math.Abs(_outputs[i] - _ortOutputArray[i]) > 1e-4f + (1e-4f * Math.Abs(_ortOutputArray[i])))
            {
                throw new InvalidOperationException($"{Name}: batch outputs differ at {i}: CnnGen {_outputs[i]}, ONNX Runtime {_ortOutputArray[i]}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (OrtValue value in _ortInputs.Concat(_ortOutputs))
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime Run, batch 256, all cores")]
    public void OnnxRuntimeBatch() => _session.Run(_runOptions, _inputNames, _ortInputs, _outputNames, _ortOutputs);

    [Benchmark(Description = "CnnGen ForwardBatch, 256 samples")]
    public void CnnGenForwardBatch() => _net.ForwardBatch(_inputs, _outputs);
}
