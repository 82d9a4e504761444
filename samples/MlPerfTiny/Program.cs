using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using MlPerfTiny;
using Spectre.Console;

// The four MLPerf Tiny reference models, declared with CnnGen attributes (Models/), with random weights and batch-norm
// statistics that PyTorch wrote (tools/make_mlperf_tiny.py): each model's 100 test inputs against PyTorch's outputs,
// and its Forward time on one thread. `--save DIR` also writes each model's SaveSafetensors file into DIR, for
// `tools/make_mlperf_tiny.py --check DIR` (PyTorch's load_state_dict(strict=True)).
string data = Path.Combine(AppContext.BaseDirectory, "data");
string? saveDirectory = args.Length == 2 && args[0] == "--save" ? args[1] : null;

var table = new Table().Border(TableBorder.Rounded)
    .AddColumn("model").AddColumn("task").AddColumn(new TableColumn("parameters").RightAligned())
    .AddColumn(new TableColumn("largest |CnnGen − PyTorch|").RightAligned()).AddColumn(new TableColumn("Forward, one thread").RightAligned())
    .AddColumn(new TableColumn("instance memory").RightAligned()).AddColumn(new TableColumn("ONNX file").RightAligned());
int failures = 0;
foreach (ModelInfo info in ModelInfo.All)
{
    // What the instance holds: its parameters and packed copies (allocated by the constructor and the load) and the
    // per-thread scratch (allocated by the first Forward).
    long before = GC.GetAllocatedBytesForCurrentThread();
    IModel model = info.Load(data);
    var output = new float[info.OutputLength];
    var input = new float[info.InputLength];
    long afterLoad = GC.GetAllocatedBytesForCurrentThread();
    model.Forward(input, output);
    long memory = GC.GetAllocatedBytesForCurrentThread() - before;

    float[] expected = info.ReadTorchOutputs(data);
    double worst = 0;
    bool within = true;
    for (int i = 0; i < TestInputs.Samples; i++)
    {
        TestInputs.Fill(info.Seed, i, input);
        model.Forward(input, output);
        for (int j = 0; j < output.Length; j++)
        {
            float e = expected[(i * info.OutputLength) + j];
            double difference = Math.Abs(output[j] - e);
            worst = Math.Max(worst, difference);
            within &= difference <= 1e-4 + (1e-4 * Math.Abs(e)); // the contract's tolerance
        }
    }

    failures += within ? 0 : 1;
    double micros = MedianMicroseconds(() => model.Forward(input, output));
    if (saveDirectory is not null)
    {
        Directory.CreateDirectory(saveDirectory);
        model.SaveSafetensors(Path.Combine(saveDirectory, info.Name + ".safetensors"));
    }

    table.AddRow(info.Name, info.Task, $"{info.ParameterCount:N0}", $"{worst:G3}" + (within ? "" : " [red](over the tolerance)[/]"), $"{micros:F1} µs",
        $"{memory / 1024.0:N0} KiB", $"{new FileInfo(Path.Combine(data, info.Name + ".onnx")).Length / 1024.0:N0} KiB");
}

AnsiConsole.MarkupLine("[bold]CnnGen × MLPerf Tiny[/]: the four reference models against PyTorch on 100 inputs each");
AnsiConsole.Write(table);
AnsiConsole.MarkupLine("Forward: median of 15 timings on this machine (the benchmarks in bench/ compare with ONNX Runtime). Instance memory: what the constructor, LoadSafetensors and the first Forward allocate (parameters, packed weights, scratch).");
if (saveDirectory is not null)
{
    AnsiConsole.MarkupLine($"Saved each model's weights into {Markup.Escape(saveDirectory)}; check them with tools/make_mlperf_tiny.py --check.");
}

return failures == 0 ? 0 : 1;

static double MedianMicroseconds(Action action)
{
    var timings = new double[15];
    for (int t = 0; t < timings.Length; t++)
    {
        int calls = 1;
        while (true)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++)
            {
                action();
            }

            if (watch.Elapsed.TotalMilliseconds >= 10)
            {
                timings[t] = watch.Elapsed.TotalMilliseconds * 1000 / calls;
                break;
            }

            calls *= 2;
        }
    }

    Array.Sort(timings);
    return timings[timings.Length / 2];
}
