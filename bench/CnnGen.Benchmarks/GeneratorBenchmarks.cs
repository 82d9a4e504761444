using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Basic.Reference.Assemblies;
using BenchmarkDotNet.Attributes;
using CnnGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CnnGen.Benchmarks;

/// <summary>
/// What the generator costs an IDE: a full run on LeNet-5 and on a 60-layer VGG-style network, and a
/// run after an unrelated edit (which must re-run no emit step). <see cref="Report"/> prints the
/// generated sizes and the step reasons.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    public const string LeNet = """
        using CnnGen;
        [Input(32, 32, 3)]
        [Conv(6, 5)] [Relu] [MaxPool(2)] [Conv(16, 5)] [Relu] [MaxPool(2)]
        [FullyConnected(120)] [Relu] [FullyConnected(84)] [Relu] [FullyConnected(10)]
        public partial class LeNet5 { }
        """;

    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warm = null!;

    [Params("LeNet-5", "VGG-60")]
    public string Network { get; set; } = "LeNet-5";

    /// <summary>
    /// 60 layer attributes: three stages of 9 x (3x3 conv + ReLU) at 32, 64 and 128 channels, each followed by a 2x2 pool,
    /// then a classifier (27 convs up to 128 channels).
    /// </summary>
    public static string Vgg60()
    {
        var b = new StringBuilder("using CnnGen;\n[Input(64, 64, 3)]\n");
        int layers = 0, convs = 0;
        foreach (int k in new[] { 32, 64, 128 })
        {
            for (int i = 0; i < 9; i++)
            {
                b.Append($"[Conv({k}, 3, Padding = 1)] [Relu]\n");
                layers += 2;
                convs++;
            }

            b.Append("[MaxPool(2)]\n");
            layers++;
        }

        b.Append("[FullyConnected(64)] [Relu] [FullyConnected(10)]\n");
        layers += 3;
        if (layers != 60 || convs != 27)
        {
            throw new InvalidOperationException(layers + " layers, " + convs + " convs");
        }

        return b.Append("public partial class Vgg60 { }\n").ToString();
    }

    public static CSharpCompilation Compile(string source) =>
        CSharpCompilation.Create(
            "GeneratorBench",
            new[] { CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest)), CSharpSyntaxTree.ParseText("class Other { }", new CSharpParseOptions(LanguageVersion.Latest)) },
            Net100.References.All.Concat(new[] { MetadataReference.CreateFromFile(typeof(InputAttribute).Assembly.Location) }),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static CSharpCompilation Edit(CSharpCompilation compilation)
    {
        SyntaxTree other = compilation.SyntaxTrees.Last();
        return compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText("class Other { int x; }", new CSharpParseOptions(LanguageVersion.Latest)));
    }

    [GlobalSetup]
    public void Setup()
    {
        _compilation = Compile(Network == "LeNet-5" ? LeNet : Vgg60());
        _edited = Edit(_compilation);
        _warm = Driver().RunGenerators(_compilation);
    }

    [Benchmark(Description = "full run (new driver)")]
    public GeneratorDriver FullRun() => Driver().RunGenerators(_compilation);

    [Benchmark(Description = "after an unrelated edit")]
    public GeneratorDriver AfterUnrelatedEdit() => _warm.RunGenerators(_edited);

    /// <summary>
    /// Generated size per network, the time of a full generator run (median of 9, in-process: a rough figure, not a
    /// BenchmarkDotNet one) and the reasons of every step after an unrelated edit: LeNet-5, VGG-60 and the MLPerf Tiny
    /// models of samples/MlPerfTiny.
    /// </summary>
    public static void Report()
    {
        var networks = new List<(string Name, string Source)> { ("LeNet-5", LeNet), ("VGG-60", Vgg60()) };
        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "CnnGen.sln")))
        {
            root = Path.GetDirectoryName(root);
        }

        if (root is not null)
        {
            foreach (string file in Directory.GetFiles(Path.Combine(root, "samples", "MlPerfTiny", "Models"), "*.cs").Where(f => !f.EndsWith("IModel.cs", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                networks.Add((Path.GetFileNameWithoutExtension(file), File.ReadAllText(file)));
            }
        }

        foreach ((string name, string source) in networks)
        {
            CSharpCompilation compilation = Compile(source);
            GeneratorDriver driver = Driver().RunGenerators(compilation);
            GeneratorRunResult first = driver.GetRunResult().Results.Single();
            int bytes = first.GeneratedSources.Sum(s => Encoding.UTF8.GetByteCount(s.SourceText.ToString()));
            var times = new List<double>();
            for (int i = 0; i < 9; i++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                Driver().RunGenerators(compilation);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            GeneratorRunResult second = driver.RunGenerators(Edit(compilation)).GetRunResult().Results.Single();
            string reasons = string.Join(", ", second.TrackedSteps.Where(step => step.Key.StartsWith("CnnGen.", StringComparison.Ordinal)).Concat(second.TrackedOutputSteps)
                .Select(step => step.Key + ": " + string.Join("/", step.Value.SelectMany(s => s.Outputs).Select(o => o.Reason).Distinct())));
            Console.WriteLine($"| {name} | {bytes / 1024.0:F0} KB | {times[4]:F0} ms | {reasons} |");
        }
    }
}
