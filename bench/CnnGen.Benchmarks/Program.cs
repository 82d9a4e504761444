using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Running;

namespace CnnGen.Benchmarks;

/// <summary>
/// dotnet run -c Release --project bench/CnnGen.Benchmarks -- --filter '*'   (BenchmarkDotNet)
/// dotnet run -c Release --project bench/CnnGen.Benchmarks -- --quick M1 M2 / --quick-batch M1 M2  (in-process checks, not for reported figures)
/// dotnet run -c Release --project bench/CnnGen.Benchmarks -- --first-call  (JIT cost of the first Forward, and generated sizes)
/// dotnet run -c Release --project bench/CnnGen.Benchmarks -- --generator-report  (generated size and generator time of LeNet-5, VGG-60 and the MLPerf Tiny models, step caching)
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "--quick")
        {
            // A quick in-process check while changing a kernel (not for reported figures): interleaved rounds of
            // ONNX Runtime and CnnGen Forward on each case, the median of each and their ratio.
            foreach (string name in args.Skip(1))
            {
                var bench = new CaseBenchmarks { Name = name };
                bench.Setup();
                var ort = new System.Collections.Generic.List<double>();
                var gen = new System.Collections.Generic.List<double>();
                for (int round = 0; round < 41; round++)
                {
                    ort.Add(Time(bench.OnnxRuntime));
                    gen.Add(Time(bench.CnnGenForward));
                }

                bench.Cleanup();
                double o = Median(ort), g = Median(gen);
                Console.WriteLine($"{name}: ONNX Runtime {o:F1} us, CnnGen {g:F1} us, ratio {o / g:F2}");
            }

            return 0;
        }

        if (args.Length >= 2 && args[0] == "--quick-batch")
        {
            // The same quick check for throughput: ForwardBatch on 256 samples against ONNX Runtime batch 256, all cores.
            var peak = new PeakBenchmarks();
            double one = Median(Enumerable.Range(0, 9).Select(_ => Time(() => peak.PeakFma())).ToList());
            double all = Median(Enumerable.Range(0, 9).Select(_ => Time(() => peak.PeakFmaAllCores())).ToList());
            Console.WriteLine($"FMA peak: one core {PeakBenchmarks.Flops / one / 1000:F1} GFLOP/s, all {Environment.ProcessorCount} cores {PeakBenchmarks.Flops * Environment.ProcessorCount / all / 1000:F1} GFLOP/s");
            foreach (string name in args.Skip(1))
            {
                var bench = new ThroughputBenchmarks { Name = name };
                bench.Setup();
                var ort = new System.Collections.Generic.List<double>();
                var gen = new System.Collections.Generic.List<double>();
                for (int round = 0; round < 15; round++)
                {
                    ort.Add(Time(bench.OnnxRuntimeBatch));
                    gen.Add(Time(bench.CnnGenForwardBatch));
                }

                bench.Cleanup();
                double o = Median(ort), g = Median(gen);
                Console.WriteLine($"{name}: ONNX Runtime {o / 1000:F2} ms ({ThroughputBenchmarks.Samples / o * 1e6:F0}/s), CnnGen {g / 1000:F2} ms ({ThroughputBenchmarks.Samples / g * 1e6:F0}/s), ratio {o / g:F2}");
            }

            return 0;
        }

        if (args.Length == 2 && args[0] == "--first-call-of")
        {
            // One case in a fresh process: the time of the first Forward, JIT included.
            Case c = Case.All[args[1]];
            IBenchNetwork net = c.Create();
            var input = new float[c.InputLength];
            var output = new float[c.OutputLength];
            var watch = Stopwatch.StartNew();
            net.Forward(input, output);
            Console.WriteLine(watch.Elapsed.TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
            return 0;
        }

        if (args.Length == 1 && args[0] == "--first-call")
        {
            string generated = FindGenerated();
            Console.WriteLine("| case | first Forward (ms, JIT included) | generated source (KB) |");
            Console.WriteLine("|---|---|---|");
            foreach (string name in Case.All.Keys)
            {
                var start = new ProcessStartInfo(Environment.ProcessPath!, $"\"{typeof(Program).Assembly.Location}\" --first-call-of {name}") { RedirectStandardOutput = true };
                if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) != "dotnet")
                {
                    start = new ProcessStartInfo(Environment.ProcessPath!, $"--first-call-of {name}") { RedirectStandardOutput = true };
                }

                using Process process = Process.Start(start)!;
                string ms = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit();
                string file = Directory.EnumerateFiles(generated, "CnnGen.Benchmarks.Case" + name + ".g.cs", SearchOption.AllDirectories).FirstOrDefault() ?? string.Empty;
                string size = file.Length > 0 ? (new FileInfo(file).Length / 1024.0).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) : "?";
                Console.WriteLine($"| {name} | {ms} | {size} |");
            }

            return 0;
        }

        if (args.Length == 1 && args[0] == "--generator-report")
        {
            Console.WriteLine("| network | generated source | full generator run (median of 9, in-process) | step reasons after an unrelated edit |");
            Console.WriteLine("|---|---|---|---|");
            GeneratorBenchmarks.Report();
            return 0;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static string FindGenerated()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "CnnGen.Benchmarks.csproj")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return Path.Combine(directory ?? ".", "obj");
    }

    /// <summary>Microseconds per call of <paramref name="action"/>, over enough calls to fill about 20 ms.</summary>
    private static double Time(Action action)
    {
        int calls = 1;
        while (true)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < calls; i++)
            {
                action();
            }

            if (watch.Elapsed.TotalMilliseconds >= 20 || calls >= 1 << 20)
            {
                return watch.Elapsed.TotalMilliseconds * 1000 / calls;
            }

            calls *= 2;
        }
    }

    private static double Median(System.Collections.Generic.List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
