using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Threading;
using Basic.Reference.Assemblies;
using CnnGen.Generator;
using CnnGen.Generator.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>The result of compiling user source with the CnnGen generator and analyzer, as a consumer build would.</summary>
    public sealed class CompileResult
    {
        public required CSharpCompilation Compilation { get; init; }

        public required GeneratorDriver Driver { get; init; }

        public required ImmutableArray<Diagnostic> GeneratorDiagnostics { get; init; }

        public required ImmutableArray<Diagnostic> AnalyzerDiagnostics { get; init; }

        public required ImmutableArray<Diagnostic> CompilerDiagnostics { get; init; }

        public IEnumerable<SyntaxTree> GeneratedTrees => Compilation.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal));

        public string GeneratedSource(string hintName) =>
            GeneratedTrees.Single(t => Path.GetFileName(t.FilePath) == hintName).ToString();

        /// <summary>Every diagnostic a build shows: compiler, generator and analyzer.</summary>
        public IEnumerable<Diagnostic> All => CompilerDiagnostics.Concat(GeneratorDiagnostics).Concat(AnalyzerDiagnostics);

        /// <summary>
        /// A network with errors gets only the placeholders of its instance members: one generated file with no layer, no
        /// constant, and not one compiler diagnostic in it (its members throw; they keep interfaces implemented).
        /// </summary>
        public void AssertPlaceholdersOnly()
        {
            SyntaxTree tree = Xunit.Assert.Single(GeneratedTrees);
            string text = tree.ToString();
            Xunit.Assert.Contains("whose layer attributes have errors: placeholders until they are fixed", text, StringComparison.Ordinal);
            Xunit.Assert.DoesNotContain("const ", text, StringComparison.Ordinal);
            Xunit.Assert.DoesNotContain("static ", text, StringComparison.Ordinal);
            Xunit.Assert.DoesNotContain(CompilerDiagnostics, d => d.Location.SourceTree == tree);
        }

        /// <summary>Fails unless the build is clean: no error and no warning anywhere (warnings as errors).</summary>
        public void AssertClean()
        {
            var bad = All.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            Assert.True(bad.Count == 0, "Unexpected diagnostics:\n" + string.Join("\n", bad));
        }

        /// <summary>
        /// Emits the compilation and loads it into a context of its own. Not a collectible one: the generated networks have
        /// [ThreadStatic] scratch fields, and with collectible contexts the test host crashed now and then in the runtime
        /// itself (a null read in libcoreclr on a thread-pool thread, near the end of the long scalar-path run, when idle
        /// pool threads exit while unloaded contexts are collected: the race of dotnet/runtime#110837 and its kin).
        /// </summary>
        public Assembly Load()
        {
            using var stream = new MemoryStream();
            var emit = Compilation.Emit(stream);
            Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
            stream.Position = 0;
            var context = new AssemblyLoadContext("cnngen-test-" + Guid.NewGuid().ToString("N"), isCollectible: false);
            return context.LoadFromStream(stream);
        }
    }

    public static class TestCompiler
    {
        private static readonly Lazy<MetadataReference[]> References = new(() =>
            Net100.References.All
                .Concat(new[]
                {
                    MetadataReference.CreateFromFile(typeof(InputAttribute).Assembly.Location),
                    MetadataReference.CreateFromFile(typeof(ITestNetwork).Assembly.Location),
                })
                .ToArray());

        public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

        public static CSharpCompilation CreateCompilation(params string[] sources) =>
            CSharpCompilation.Create(
                "CnnGenTestAssembly",
                sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: "Network" + i + ".cs")),
                References.Value,
                new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable,
                    optimizationLevel: OptimizationLevel.Release,
                    warningLevel: 9999,
                    deterministic: true));

        /// <summary>A console program (top-level statements allowed), as a user's Program.cs.</summary>
        public static CSharpCompilation CreateProgramCompilation(string source) =>
            CreateCompilation(source).WithOptions(CreateCompilation().Options.WithOutputKind(OutputKind.ConsoleApplication));

        public static GeneratorDriver CreateDriver() =>
            CSharpGeneratorDriver.Create(
                new[] { new NetworkGenerator().AsSourceGenerator() },
                parseOptions: ParseOptions,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        public static CompileResult Compile(params string[] sources) => Compile(CreateCompilation(sources));

        /// <summary>
        /// Networks declared as a fixture writes them (an attribute list each), every one as its class implementing
        /// <see cref="IGraphNetwork"/>, compiled once in one compilation and loaded; any warning or error, the generator's
        /// and the analyzer's included, fails the fixture instead.
        /// </summary>
        public static Assembly CompileNetworks(IEnumerable<(string Declaration, string ClassName)> networks)
        {
            var source = new StringBuilder("using CnnGen;\n");
            foreach ((string declaration, string className) in networks)
            {
                source.AppendLine(declaration);
                source.AppendLine("public partial class " + className + " : CnnGen.Tests.Infrastructure.IGraphNetwork { }");
            }

            CompileResult result = Compile(source.ToString());
            var bad = result.All.Where(d => d.Severity >= DiagnosticSeverity.Warning).OrderBy(d => d.Id.StartsWith("CNN", StringComparison.Ordinal) ? 0 : 1).ToList();
            if (bad.Count > 0)
            {
                throw new Xunit.Sdk.XunitException("Unexpected diagnostics:\n" + string.Join("\n", bad.Take(10)));
            }

            return result.Load();
        }

        public static CompileResult Compile(CSharpCompilation compilation, GeneratorDriver? driver = null)
        {
            driver ??= CreateDriver();
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
            var withAnalyzers = output.WithAnalyzers(
                ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()),
                new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                    onAnalyzerException: null,
                    concurrentAnalysis: false,
                    logAnalyzerExecutionTime: false,
                    reportSuppressedDiagnostics: false));

            // Analyzer diagnostics include AD0001, should the analyzer ever throw.
            ImmutableArray<Diagnostic> analyzer = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            ImmutableArray<Diagnostic> compiler = output.GetDiagnostics();

            return new CompileResult
            {
                Compilation = (CSharpCompilation)output,
                Driver = driver,
                GeneratorDiagnostics = generatorDiagnostics,
                AnalyzerDiagnostics = analyzer,
                CompilerDiagnostics = compiler,
            };
        }
    }
}
