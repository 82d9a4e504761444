using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Benchmarks;

/// <summary>
/// One case per parameter: CnnGen's Forward (after LoadSafetensors, as ONNX Runtime holds its weights),
/// the static layer method, ONNX Runtime's Run on the same model and weights (one thread, values bound once),
/// and the naive reference kernels. Outputs are checked against each other before timing.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CaseBenchmarks
{
    private Case _case = null!;
    private IBenchNetwork _net = null!;
    private float[] _input = Array.Empty<float>();
    private float[] _output = Array.Empty<float>();
    private float[] _parameters = Array.Empty<float>();
    private InferenceSession _session = null!;
    private OrtValue _ortInput = null!;
    private OrtValue _ortOutput = null!;
    private float[] _ortOutputArray = Array.Empty<float>();
    private RunOptions _runOptions = null!;
    private string[] _inputNames = Array.Empty<string>();
    private string[] _outputNames = Array.Empty<string>();
    private OrtValue[] _inputs = Array.Empty<OrtValue>();
    private OrtValue[] _outputs = Array.Empty<OrtValue>();

    /// <summary>
    /// Every case, or only those the environment variable CNNGEN_CASES lists (comma-separated, e.g. <c>L1,L2</c>), for a
    /// shorter run on some cases; the figures of such a run are compared within it, as any other.
    /// </summary>
    public static IEnumerable<string> Names
    {
        get
        {
            string? only = Environment.GetEnvironmentVariable("CNNGEN_CASES");
            if (string.IsNullOrWhiteSpace(only))
            {
                return Case.All.Keys;
            }

            string[] names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string[] unknown = names.Where(n => !Case.All.ContainsKey(n)).ToArray();
            if (unknown.Length > 0 || names.Length == 0)
            {
                throw new ArgumentException("CNNGEN_CASES names no case as " + string.Join(", ", unknown) + "; the cases are " + string.Join(", ", Case.All.Keys) + ".");
            }

            return names;
        }
    }

    [ParamsSource(nameof(Names))]
    public string Name { get; set; } = "A";

    [GlobalSetup]
    public void Setup()
    {
        _case = Case.All[Name];
        string models = Path.Combine(AppContext.BaseDirectory, "models");
        _net = _case.Create();
        _net.LoadSafetensors(Path.Combine(models, Name + ".safetensors"));
        _parameters = _net.Parameters.ToArray();
        var random = new Random(7);
        _input = Enumerable.Range(0, _case.InputLength).Select(_ => (float)(random.NextDouble() * 2) - 1).ToArray();
        _output = new float[_case.OutputLength];

        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(Path.Combine(models, Name + ".onnx"), options);
        _inputNames = _session.InputMetadata.Keys.ToArray();
        _outputNames = _session.OutputMetadata.Keys.ToArray();
        _ortOutputArray = new float[_case.OutputLength];
        long[] outputShape = _session.OutputMetadata[_outputNames[0]].Dimensions.Select(d => (long)d).ToArray();
        _ortInput = OrtValue.CreateTensorValueFromMemory(_input, _case.InputShape.Select(d => (long)d).ToArray());
        _ortOutput = OrtValue.CreateTensorValueFromMemory(_ortOutputArray, outputShape);
        _inputs = new[] { _ortInput };
        _outputs = new[] { _ortOutput };
        _runOptions = new RunOptions();

        // The three computations agree before anything is timed.
        OnnxRuntime();
        CnnGenForward();
        // Whole models (M1-M4) have no naive loops: ONNX Runtime is the reference there.
        float[] reference = _ortOutputArray;
        if (_case.Naive is not null)
        {
            reference = new float[_case.OutputLength];
            _case.Naive(_input, _parameters, reference);
        }

        var layer = new float[_case.OutputLength];
        _net.RunLayerMethod(_input, layer);
        for (int i = 0; i < reference.Length; i++)
        {
            float tolerance = 1e-4f + (1e-4f * Math.Abs(reference[i]));
            if (Math.Abs(_output[i] - reference[i]) > tolerance || Math.Abs(_ortOutputArray[i] - reference[i]) > tolerance || Math.Abs(layer[i] - reference[i]) > tolerance)
            {
                throw new InvalidOperationException($"{Name}: outputs differ at {i}: CnnGen {_output[i]}, layer method {layer[i]}, ONNX Runtime {_ortOutputArray[i]}, reference {reference[i]}");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ortInput.Dispose();
        _ortOutput.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime Run")]
    public void OnnxRuntime() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    [Benchmark(Description = "CnnGen Forward")]
    public void CnnGenForward() => _net.Forward(_input, _output);

    [Benchmark(Description = "CnnGen layer method")]
    public void CnnGenLayerMethod() => _net.RunLayerMethod(_input, _output);

    [Benchmark(Description = "naive C# loops")]
    public void Naive() => (_case.Naive ?? throw new InvalidOperationException(Name + " is a whole model; it has no naive loops"))(_input, _parameters, _output);
}
