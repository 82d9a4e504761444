using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Package
{
    /// <summary>Packs the repository once (or takes CNNGEN_PACKAGE_DIR) for the consumer tests.</summary>
    public sealed class PackedPackage : IDisposable
    {
        public PackedPackage()
        {
            Root = Directory.CreateTempSubdirectory("cnngen-package-").FullName;
            string? given = Environment.GetEnvironmentVariable("CNNGEN_PACKAGE_DIR");
            if (!string.IsNullOrEmpty(given) && Directory.EnumerateFiles(given, "CnnGen.Cli.*.nupkg").Any())
            {
                Feed = given;
            }
            else
            {
                Feed = Path.Combine(Root, "feed");
                string repository = Repository.Root;
                Dotnet.Run(repository, $"pack \"{repository}\" -c Release -o \"{Feed}\"").AssertSuccess("dotnet pack");
            }

            // CnnGen.<version>.nupkg; the same pack writes the import tool, CnnGen.Cli.<version>.nupkg, beside it.
            Package = Directory.EnumerateFiles(Feed, "CnnGen.*.nupkg").Single(p => char.IsDigit(Path.GetFileName(p)["CnnGen.".Length]));
            Version = Path.GetFileNameWithoutExtension(Package).Substring("CnnGen.".Length);
            ToolPackage = Path.Combine(Feed, "CnnGen.Cli." + Version + ".nupkg");
        }

        public string Root { get; }

        public string Feed { get; }

        public string Package { get; }

        public string Version { get; }

        /// <summary>The import tool's package, CnnGen.Cli (a .NET tool, command cnngen).</summary>
        public string ToolPackage { get; }

        /// <summary>A fresh consumer project restoring only from the local feed, into its own package folder.</summary>
        public string CreateProject(string name, string program, string extraProperties = "")
        {
            string directory = Path.Combine(Root, name);
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config><add key="globalPackagesFolder" value="{Path.Combine(directory, "packages")}" /></config>
                  <packageSources><clear /><add key="local" value="{Feed}" /></packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <GenerateDocumentationFile>true</GenerateDocumentationFile>
                    <NoWarn>$(NoWarn);CS1591</NoWarn>
                    {extraProperties}
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="CnnGen" Version="{Version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
            return directory;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    public static class Dotnet
    {
        public sealed record Result(int ExitCode, string Output)
        {
            public void AssertSuccess(string what) => Assert.True(ExitCode == 0, $"{what} failed ({ExitCode}):\n{Output}");
        }

        public static Result Run(string workingDirectory, string arguments)
        {
            var start = new ProcessStartInfo("dotnet", arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            using Process process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return new Result(process.ExitCode, output + error.Result);
        }
    }

    /// <summary>Runs an installed .NET tool.</summary>
    public static class Tool
    {
        public static Dotnet.Result Run(string workingDirectory, string tool, string arguments)
        {
            var start = new ProcessStartInfo(tool, arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return new Dotnet.Result(process.ExitCode, output + error.Result);
        }
    }

    /// <summary>The packed package in a fresh project, as a user adds it.</summary>
    public sealed class PackageTests : IClassFixture<PackedPackage>
    {
        private readonly PackedPackage _package;

        public PackageTests(PackedPackage package) => _package = package;

        [Fact]
        public void The_package_holds_the_runtime_for_net8_and_net10_and_the_generator_as_an_analyzer()
        {
            using ZipArchive zip = ZipFile.OpenRead(_package.Package);
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("lib/net8.0/CnnGen.Runtime.dll", entries);
            Assert.Contains("lib/net10.0/CnnGen.Runtime.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/CnnGen.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/CnnGen.CodeFixes.dll", entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.Ordinal));
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            Assert.DoesNotContain("<dependency ", nuspec.ReadToEnd());
        }

        [Theory]
        [InlineData("enable")]
        [InlineData("disable")]
        public void A_fresh_project_builds_with_warnings_as_errors_and_runs(string nullable)
        {
            const string program = """
                using System;
                using System.Globalization;
                using CnnGen;

                var net = new Tiny();
                var p = new float[Tiny.ParameterCount];
                for (int i = 0; i < p.Length; i++) p[i] = MathF.Sin(i) * 0.5f;
                net.SetParameters(p);
                var x = new float[Tiny.InputLength];
                for (int i = 0; i < x.Length; i++) x[i] = MathF.Cos(i);
                var y = new float[Tiny.OutputLength];
                net.Forward(x, y);
                Console.WriteLine(string.Join(" ", Array.ConvertAll(y, v => v.ToString("R", CultureInfo.InvariantCulture))));

                [Input(12, 10, 2)] [Conv(4, 3, Padding = 1)] [Relu] [MaxPool(2)] [Conv(3, 3, Stride = 2, Rounding = OutputRounding.Floor)] [FullyConnected(5)]
                public partial class Tiny { }
                """;
            string project = _package.CreateProject("Consumer_" + nullable, program, $"<Nullable>{nullable}</Nullable>");
            Dotnet.Result result = Dotnet.Run(project, "run -c Release");
            result.AssertSuccess("dotnet run");

            var spec = new NetSpec(12, 10, 2, new[]
            {
                LayerSpec.Conv(4, 3, padding: 1), LayerSpec.Relu(), LayerSpec.Pool(2),
                LayerSpec.Conv(3, 3, stride: 2, rounding: OutputRounding.Floor), LayerSpec.Fc(5),
            });
            int parameterCount = (4 * 2 * 9) + 4 + (3 * 4 * 9) + 3 + (5 * 3 * 2 * 2) + 5;
            float[] parameters = Enumerable.Range(0, parameterCount).Select(i => MathF.Sin(i) * 0.5f).ToArray();
            float[] input = Enumerable.Range(0, spec.InputLength).Select(i => MathF.Cos(i)).ToArray();
            float[] expected = spec.RunReference(input, parameters).Output;

            string line = result.Output.Split('\n').Select(l => l.Trim()).Last(l => l.Length > 0);
            float[] actual = line.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Numbers.AssertClose(expected, actual, "consumer output");
        }

        [Fact]
        public void A_keyword_spotting_stem_and_a_depthwise_separable_block_build_clean_and_run()
        {
            // Contract v2 geometry as a user declares it: a 10x4 stride-2 Same conv (asymmetric padding), a depthwise 3x3
            // without bias, a pointwise 1x1, an average pool over the whole map.
            const string program = """
                using System;
                using System.Globalization;
                using CnnGen;

                var net = new Kws();
                var p = new float[Kws.ParameterCount];
                for (int i = 0; i < p.Length; i++) p[i] = MathF.Sin(i) * 0.5f;
                net.SetParameters(p);
                var x = new float[Kws.InputLength];
                for (int i = 0; i < x.Length; i++) x[i] = MathF.Cos(i);
                var y = new float[Kws.OutputLength];
                net.Forward(x, y);
                Console.WriteLine(string.Join(" ", Array.ConvertAll(y, v => v.ToString("R", CultureInfo.InvariantCulture))));

                [Input(10, 49, 1)]
                [Conv(16, 10, SizeX = 4, Stride = 2, PaddingMode = PaddingMode.Same)] [Relu]
                [Conv(16, 3, Groups = 16, Padding = 1, Bias = false)] [Relu]
                [Conv(24, 1)] [Relu]
                [AvgPool(SizeX = 5, SizeY = 25)]
                [FullyConnected(4)]
                public partial class Kws { }
                """;
            string project = _package.CreateProject("KwsConsumer", program);
            Dotnet.Result result = Dotnet.Run(project, "run -c Release");
            result.AssertSuccess("dotnet run");

            var spec = new NetSpec(10, 49, 1, new[]
            {
                LayerSpec.Windowed(Kind.Conv, 16, new CnnGen.Reference.Window2d(4, 10, 2, 2, 0, 0, 0, 0), PaddingMode.Same), LayerSpec.Relu(),
                LayerSpec.Windowed(Kind.Conv, 16, CnnGen.Reference.Window2d.Square(3, 1, 1), groups: 16, bias: false), LayerSpec.Relu(),
                LayerSpec.Conv(24, 1), LayerSpec.Relu(),
                LayerSpec.Windowed(Kind.AvgPool, 0, new CnnGen.Reference.Window2d(5, 25, 5, 25, 0, 0, 0, 0)),
                LayerSpec.Fc(4),
            });
            int parameterCount = (16 * 10 * 4) + 16 + (16 * 9) + (24 * 16) + 24 + (4 * 24) + 4;
            float[] parameters = Enumerable.Range(0, parameterCount).Select(i => MathF.Sin(i) * 0.5f).ToArray();
            float[] input = Enumerable.Range(0, spec.InputLength).Select(i => MathF.Cos(i)).ToArray();
            ReferenceRun reference = spec.RunReference(input, parameters);
            Assert.Equal(parameterCount, reference.ParameterCount);

            string line = result.Output.Split('\n').Select(l => l.Trim()).Last(l => l.Length > 0);
            float[] actual = line.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Numbers.AssertClose(reference.Output, actual, "consumer output");
        }

        [Fact]
        public void The_contracts_residual_network_builds_clean_in_a_top_level_program_and_runs_as_the_reference()
        {
            // Contract v2 layers as a user declares them (API.md 7.3's TinyResNet, a batch norm named Main among them) in a
            // program with top-level statements, documentation file and warnings as errors.
            const string program = """
                using System;
                using System.Globalization;
                using CnnGen;

                var net = new TinyResNet();
                var p = new float[TinyResNet.ParameterCount];
                for (int i = 0; i < p.Length; i++) p[i] = MathF.Sin(i) * 0.5f;
                foreach ((int at, int length) in new[] { (TinyResNet.Bn1RunningVarOffset, TinyResNet.Bn1RunningVarLength), (TinyResNet.Bn2RunningVarOffset, TinyResNet.Bn2RunningVarLength), (TinyResNet.MainRunningVarOffset, TinyResNet.MainRunningVarLength), (TinyResNet.Bn4RunningVarOffset, TinyResNet.Bn4RunningVarLength) })
                {
                    for (int i = at; i < at + length; i++) p[i] = 1f + MathF.Abs(p[i]); // variances are positive
                }

                net.SetParameters(p);
                var x = new float[TinyResNet.InputLength];
                for (int i = 0; i < x.Length; i++) x[i] = MathF.Cos(i);
                var y = new float[TinyResNet.OutputLength];
                net.Forward(x, y);
                Console.WriteLine(string.Join(" ", Array.ConvertAll(y, v => v.ToString("R", CultureInfo.InvariantCulture))));

                [Input(32, 32, 3, Rounding = OutputRounding.Floor)]
                [Conv(16, 3, Padding = 1, Bias = false)] [BatchNorm] [Relu(Name = "Stem")]
                [Conv(32, 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm] [Relu]
                [Conv(32, 3, Padding = 1, Bias = false)] [BatchNorm(Name = "Main")]
                [Conv(32, 1, Stride = 2, Bias = false, From = "Stem")] [BatchNorm] [Add("Main")] [Relu]
                [GlobalAvgPool] [FullyConnected(10)] [Softmax]
                public partial class TinyResNet { }
                """;
            string project = _package.CreateProject("ResNetConsumer", program);
            Dotnet.Result result = Dotnet.Run(project, "run -c Release");
            result.AssertSuccess("dotnet run");

            // The same network from the reference kernels, parameters in declaration order.
            float[] parameters = new float[(16 * 3 * 9) + (4 * 16) + (32 * 16 * 9) + (4 * 32) + (32 * 32 * 9) + (4 * 32) + (32 * 16) + (4 * 32) + (10 * 32) + 10];
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] = MathF.Sin(i) * 0.5f;
            }

            float[] input = Enumerable.Range(0, 32 * 32 * 3).Select(i => MathF.Cos(i)).ToArray();
            int o = 0;
            float[] ConvBn(float[] x, int w, int h, int d, int k, CnnGen.Reference.Window2d window, int outW, int outH)
            {
                var conv = new float[k * outW * outH];
                int weights = k * d * window.SizeX * window.SizeY;
                CnnGen.Reference.ReferenceLayers.Conv2d(x, w, h, d, parameters.AsSpan(o, weights), ReadOnlySpan<float>.Empty, k, 1, window, OutputRounding.Floor, conv);
                o += weights;
                for (int i = o + (3 * k); i < o + (4 * k); i++)
                {
                    parameters[i] = 1f + MathF.Abs(parameters[i]);
                }

                var y = new float[conv.Length];
                CnnGen.Reference.ReferenceLayers.BatchNorm(conv, outW, outH, k, parameters.AsSpan(o, k), parameters.AsSpan(o + k, k), parameters.AsSpan(o + (2 * k), k), parameters.AsSpan(o + (3 * k), k), 1e-5f, y);
                o += 4 * k;
                return y;
            }

            float[] stem = ConvBn(input, 32, 32, 3, 16, CnnGen.Reference.Window2d.Square(3, 1, 1), 32, 32);
            CnnGen.Reference.ReferenceLayers.Relu(stem, stem);
            float[] a = ConvBn(stem, 32, 32, 16, 32, CnnGen.Reference.Window2d.Square(3, 2, 1), 16, 16);
            CnnGen.Reference.ReferenceLayers.Relu(a, a);
            float[] main = ConvBn(a, 16, 16, 32, 32, CnnGen.Reference.Window2d.Square(3, 1, 1), 16, 16);
            float[] shortcut = ConvBn(stem, 32, 32, 16, 32, CnnGen.Reference.Window2d.Square(1, 2, 0), 16, 16);
            var sum = new float[shortcut.Length];
            CnnGen.Reference.ReferenceLayers.Add(shortcut, main, sum);
            CnnGen.Reference.ReferenceLayers.Relu(sum, sum);
            var pooled = new float[32];
            CnnGen.Reference.ReferenceLayers.GlobalAvgPool(sum, 16, 16, 32, pooled);
            var logits = new float[10];
            CnnGen.Reference.ReferenceLayers.Linear(pooled, parameters.AsSpan(o, 320), parameters.AsSpan(o + 320, 10), logits);
            var expected = new float[10];
            CnnGen.Reference.ReferenceLayers.Softmax(logits, 1, 1, 10, expected);

            string line = result.Output.Split('\n').Select(l => l.Trim()).Last(l => l.Length > 0);
            float[] actual = line.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Numbers.AssertClose(expected, actual, "consumer output");
        }

        [Fact]
        public void The_READMEs_ONNX_round_trip_installs_the_tool_imports_ResNet8_and_runs_it_as_PyTorch_does()
        {
            // README "From ONNX to CnnGen": install the packed tool, import the MLPerf Tiny ResNet-8 that PyTorch exported,
            // check it against ONNX Runtime, and run the imported declaration in a fresh project with the CnnGen package:
            // the 100 outputs PyTorch wrote for the sample's inputs, within the contract's tolerance.
            string tools = Path.Combine(_package.Root, "tools");
            Dotnet.Run(_package.Root, $"tool install --tool-path \"{tools}\" --add-source \"{_package.Feed}\" CnnGen.Cli --version {_package.Version}")
                .AssertSuccess("dotnet tool install");
            string cnngen = Path.Combine(tools, OperatingSystem.IsWindows() ? "cnngen.exe" : "cnngen");
            string data = Path.Combine(Repository.Root, "samples", "MlPerfTiny", "data");
            string model = Path.Combine(data, "resnet8.onnx");

            const string program = """
                using System;
                using System.Globalization;

                var net = new Resnet8();
                net.LoadSafetensors("Models/Resnet8.safetensors");
                var image = new float[Resnet8.InputLength];
                var scores = new float[Resnet8.OutputLength];
                for (int sample = 0; sample < 100; sample++)
                {
                    // The inputs tools/make_mlperf_tiny.py gave PyTorch: xorshift32 seeded 1000 + sample.
                    uint x = 1000u + (uint)sample;
                    for (int j = 0; j < image.Length; j++)
                    {
                        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
                        image[j] = ((x >> 8) / 16777216f * 2f) - 1f;
                    }

                    net.Forward(image, scores);
                    Console.WriteLine(string.Join(" ", Array.ConvertAll(scores, v => v.ToString("R", CultureInfo.InvariantCulture))));
                }
                """;
            string project = _package.CreateProject("OnnxRoundTrip", program);
            Tool.Run(project, cnngen, $"import \"{model}\" --out Models").AssertSuccess("cnngen import");
            Assert.True(File.Exists(Path.Combine(project, "Models", "Resnet8.cs")));
            Tool.Run(project, cnngen, $"check \"{model}\" --samples 2").AssertSuccess("cnngen check");

            Dotnet.Result result = Dotnet.Run(project, "run -c Release");
            result.AssertSuccess("dotnet run");
            byte[] bytes = File.ReadAllBytes(Path.Combine(data, "resnet8.outputs.bin"));
            float[] expected = Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, i * 4)).ToArray();
            float[] actual = result.Output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && char.IsDigit(l[0]))
                .SelectMany(l => l.Split(' ')).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1000, expected.Length);
            Numbers.AssertClose(expected, actual, "imported ResNet-8 against PyTorch");
        }

        [Fact]
        public void A_bad_declaration_fails_the_build_with_the_documented_id_at_the_attribute_line()
        {
            const string program = """
                using CnnGen;

                System.Console.WriteLine("unreachable");

                [Input(14, 14, 6)]
                [Conv(16, 5, Stride = 2)]
                public partial class Bad { }
                """;
            string project = _package.CreateProject("BadConsumer", program);
            Dotnet.Result result = Dotnet.Run(project, "build -c Release");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Program.cs(6,2): error CNN001: Conv1: output width (14 − 5 + 2·0)/2 + 1 = 5.5 is not an integer; Stride = 1 or 3, PaddingMode = PaddingMode.Same, or Rounding = OutputRounding.Floor (here, or on Input for the whole network), would fit", result.Output);
        }
    }
}
