using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using CnnGen.Generator;
using CnnGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CnnGen.Cli.Check
{
    /// <summary>
    /// Compiles an imported declaration the way a user's build does — the CnnGen generator and analyzer, warnings counted —
    /// and loads it, so <c>cnngen check</c> runs the very code a project would.
    /// </summary>
    internal static class NetworkCompiler
    {
        private const string AdapterClass = "CnnGenCheckAdapter";

        /// <summary>The result: every warning and error of the build, and the network as a function when it built.</summary>
        public sealed record Result(ImmutableArray<Diagnostic> Diagnostics, Func<float[], float[]>? Forward);

        public static Result Compile(string source, string className, string? ns, byte[] weights)
        {
            string type = "global::" + (string.IsNullOrEmpty(ns) ? "" : ns + ".") + className;
            string adapter = $$"""
                public static class {{AdapterClass}}
                {
                    public static System.Func<float[], float[]> Create(byte[] weights)
                    {
                        var network = new {{type}}();
                        network.LoadSafetensors(new System.IO.MemoryStream(weights));
                        return input =>
                        {
                            var output = new float[{{type}}.OutputLength];
                            network.Forward(input, output);
                            return output;
                        };
                    }
                }
                """;
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            var compilation = CSharpCompilation.Create(
                "CnnGenCheck" + Guid.NewGuid().ToString("N"),
                new[] { CSharpSyntaxTree.ParseText(source, parse, path: className + ".cs"), CSharpSyntaxTree.ParseText(adapter, parse, path: "Adapter.cs") },
                References(),
                new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable,
                    optimizationLevel: OptimizationLevel.Release,
                    warningLevel: 9999));
            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: parse);
            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generator);
            ImmutableArray<Diagnostic> analyzer = output
                .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()))
                .GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            ImmutableArray<Diagnostic> all = generator.AddRange(analyzer).AddRange(output.GetDiagnostics())
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .ToImmutableArray();
            if (all.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                return new Result(all, null);
            }

            using var stream = new MemoryStream();
            var emit = output.Emit(stream);
            if (!emit.Success)
            {
                return new Result(all.AddRange(emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)), null);
            }

            stream.Position = 0;
            Assembly assembly = new AssemblyLoadContext("cnngen-check", isCollectible: true).LoadFromStream(stream);
            MethodInfo create = assembly.GetType(AdapterClass)!.GetMethod("Create")!;
            var forward = (Func<float[], float[]>)create.Invoke(null, new object[] { weights })!;
            return new Result(all, forward);
        }

        /// <summary>The running framework's assemblies and the CnnGen runtime, as a net10.0 project references them.</summary>
        private static MetadataReference[] References()
        {
            string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            string[] platform = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            return platform
                .Where(p => string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal) && p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                .Append(typeof(InputAttribute).Assembly.Location)
                .Distinct(StringComparer.Ordinal)
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToArray();
        }
    }
}
