using System;
using System.Linq;
using System.Threading;
using CnnGen.Generator.Checking;
using CnnGen.Generator.Model;
using CnnGen.Tests.Infrastructure;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CnnGen.Tests.Diagnostics
{
    /// <summary>Neither the generator nor the analyzer throws, whatever the declaration: half-typed, absurd or hostile.</summary>
    public sealed class RobustnessTests
    {
        private const string Declaration =
            "[Input(32, 32, 3)] [Conv(6, 5, Stride = 1, Padding = 2, Depth = 3, Name = \"Stem\", Rounding = OutputRounding.Floor)] [Relu] " +
            "[MaxPool(2, Stride = 2, Padding = 1, Rounding = OutputRounding.Ceil)] [FullyConnected(10, Name = \"Head\")]";

        private static void AssertNoCrash(CompileResult result, string context)
        {
            var crashes = result.All.Where(d => d.Id is "AD0001" or "CS8785" or "CNN008").ToList();
            Assert.True(crashes.Count == 0, context + "\n" + string.Join("\n", crashes));
            GeneratorDriverRunResult run = result.Driver.GetRunResult();
            Assert.All(run.Results, r => Assert.Null(r.Exception));
        }

        // Contract v2: every geometry property, the size-less constructors, Input's Rounding, Groups, Bias, Key, AvgPool.
        private const string GeometryDeclaration =
            "[Input(10, 49, 1, Rounding = OutputRounding.Floor)] [Conv(16, 10, SizeX = 4, StrideX = 2, StrideY = 2, DilationY = 1, PaddingMode = PaddingMode.Same, Bias = false, Key = \"features.0\")] [Relu] " +
            "[Conv(16, 3, Groups = 16, PaddingLeft = 1, PaddingRight = 1, PaddingTop = 1, PaddingBottom = 1, Dilation = 1)] [Conv(8, SizeX = 1, SizeY = 1, Groups = 2, PaddingX = 0, PaddingY = 0)] " +
            "[MaxPool(SizeX = 1, SizeY = 3, StrideY = 1, PaddingMode = PaddingMode.SameLower, DilationX = 1)] [AvgPool(SizeX = 5, SizeY = 25, CountIncludePadding = false)] [FullyConnected(12, Bias = false, Key = \"head\")]";

        // Contract v2 section 7.3: the new layers, their properties, Name on an activation, From, Add and Concat.
        private const string GraphDeclaration =
            "[Input(16, 16, 3, Rounding = OutputRounding.Floor)] [Conv(8, 3, Padding = 1, Bias = false, Name = \"Stem\")] [BatchNorm(Epsilon = 1e-3f)] [Relu(Name = \"Act\")] " +
            "[Conv(8, 3, Padding = 1, Groups = 8)] [BatchNorm(Name = \"Main\", Key = \"main.bn\")] [LeakyRelu(Slope = 0.2f)] [Add(\"Act\", Name = \"Sum\")] " +
            "[Conv(4, 1, From = \"Stem\", Name = \"Side\")] [Sigmoid] [Concat(\"Sum\", \"Side\")] [Relu6] [HardSwish] [Silu] [Tanh] " +
            "[GlobalAvgPool] [FullyConnected(10)] [Softmax]";

        public static TheoryData<string> Declarations() => new() { Declaration, GeometryDeclaration, GraphDeclaration };

        [Theory]
        [MemberData(nameof(Declarations))]
        public void Every_prefix_of_a_half_typed_attribute_list_compiles_without_a_crash(string declaration)
        {
            CSharpCompilation compilation = TestCompiler.CreateCompilation("class Placeholder { }");
            SyntaxTree previous = compilation.SyntaxTrees[0];
            int generated = 0;
            for (int length = 0; length <= declaration.Length; length++)
            {
                string source = "using CnnGen;\nnamespace App;\n" + declaration.Substring(0, length) + "\npublic partial class Net { }\n";
                SyntaxTree tree = CSharpSyntaxTree.ParseText(source, TestCompiler.ParseOptions, path: "Network0.cs");
                compilation = compilation.ReplaceSyntaxTree(previous, tree);
                previous = tree;
                CompileResult result = TestCompiler.Compile(compilation);
                AssertNoCrash(result, source);
                generated += result.GeneratedTrees.Count();
            }

            // The complete declaration (and valid prefixes such as "[Input(32, 32, 3)]") do generate.
            Assert.True(generated > 0);
        }

        [Theory]
        [MemberData(nameof(Declarations))]
        public void The_full_declaration_generates_clean_code(string declaration)
        {
            CompileResult result = TestCompiler.Compile("using CnnGen;\nnamespace App;\n" + declaration + "\npublic partial class Net { }\n");
            result.AssertClean();
            Assert.Single(result.GeneratedTrees);
        }

        private static readonly Gen<int> Extreme = Gen.OneOf(
            Gen.Int[-3, 40],
            Gen.OneOf(int.MinValue, int.MaxValue, int.MaxValue / 2, 46341, 65536, 1_000_000_000, -1_000_000_000));

        [Fact]
        public void Absurd_values_never_crash_the_shape_checker()
        {
            // Contract v2's settings, each present or not, with extreme values (a setting that is absent is not written).
            string[] geometry = { "SizeX", "SizeY", "StrideX", "StrideY", "Dilation", "DilationX", "DilationY", "PaddingX", "PaddingY", "PaddingLeft", "PaddingRight", "PaddingTop", "PaddingBottom", "PaddingMode", "Groups", "Bias", "CountIncludePadding" };
            Gen<Setting[]> v2 = Gen.Select(Gen.Int[0, geometry.Length - 1], Extreme, Gen.Int[-1, 3], (which, value, small) => new Setting(geometry[which], which is 13 or 15 or 16 ? small : value, null)).Array[0, 4];
            Gen<Generator.Model.LayerSpec> layer = Gen.Select(Gen.Int[0, 4], Extreme, Extreme, Extreme, Extreme, Extreme, Gen.Int[-1, 3], v2, (kind, a, b, s, p, d, r, more) =>
                new Generator.Model.LayerSpec(
                    (LayerKind)kind,
                    EquatableArray.Of(a, b),
                    EquatableArray.From(new[] { new Setting("Stride", s, null), new Setting("Padding", p, null), new Setting("Depth", d, null), new Setting("Rounding", r, null) }
                        .Concat(more.GroupBy(m => m.Property).Select(g => g.First()))),
                    null));
            Gen<NetworkSpec> network = Gen.Select(Extreme, Extreme, Extreme, layer.Array[0, 5], Gen.Int[-1, 3], (w, h, d, layers, rounding) =>
                new NetworkSpec(new ClassSpec("Net", "Net", "class", "App", default, "App.Net.g.cs"), new InputSpec(w, h, d, rounding), EquatableArray.From(layers)));

            network.Sample(n =>
            {
                CheckResult result = NetworkChecker.Check(n, analyze: true, CancellationToken.None);
                if (result.Model is { } model)
                {
                    // Whatever passes has every length within int range, and plans and emits.
                    Assert.All(model.Layers, l => Assert.True(l.Output.Length > 0));
                    Assert.NotEmpty(Generator.Emitting.NetworkEmitter.Emit(Generator.Planning.NetworkPlanner.Plan(model), CancellationToken.None));
                }
            }, iter: 3000, threads: 1);
        }

        [Fact]
        public void Every_problem_of_a_wide_network_is_reported_when_the_fix_search_runs_out()
        {
            // 200 convs reading the input, each with an output of 10.33: each re-check of the network costs 200² name pairs,
            // so the fix search's budget ends after a few layers. The later layers keep their diagnostics, without fixes.
            string layers = string.Concat(Enumerable.Range(0, 200).Select(_ => "[Conv(4, 4, Stride = 3, From = \"Input\")] "));
            CompileResult result = TestCompiler.Compile("using CnnGen;\n[Input(32, 32, 3)] " + layers + "[Add(\"Conv1\")]\npublic partial class Net { }");
            AssertNoCrash(result, "200 convs");
            var found = result.AnalyzerDiagnostics.Where(d => d.Id == "CNN001").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(200, found.Count);
            Assert.Equal(Enumerable.Range(1, 200).Select(i => "Conv" + i + ":"), found.Select(m => m.Substring(0, m.IndexOf(':') + 1)).OrderBy(m => int.Parse(m.Substring(4, m.Length - 5))));
            Assert.Contains("Stride = 2 or 4, Padding = 1, PaddingMode = PaddingMode.Same", found.Single(m => m.StartsWith("Conv1:", StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.Contains(found, m => !m.Contains("Stride = 2 or 4", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("[Input(2147483647, 2147483647, 2147483647)] [Conv(2147483647, 2147483647, Stride = 2147483647, Padding = 2147483647)]")]
        [InlineData("[Input(1, 1, 1)] [Conv(1, 1, Padding = 1000000000)] [MaxPool(1000000000, Padding = 999999999)]")]
        [InlineData("[Input(-2147483648, 1, 1)] [MaxPool(-2147483648, Stride = -2147483648, Padding = -2147483648)]")]
        [InlineData("[Input(1, 1, 1)] [FullyConnected(2147483647)] [FullyConnected(2)]")]
        [InlineData("[Input(3, 3, 1)] [Conv(1, 3, Name = null)] [Conv(1, 1, Name = \"\")]")]
        [InlineData("[Input(3, 3, 1)] [Relu] [Relu]")]
        [InlineData("[Input(3, 3, 1)]")]
        [InlineData("[Input(2147483647, 2147483647, 2147483647)] [Conv(2147483647, SizeX = 2147483647, SizeY = 2147483647, Dilation = 2147483647, Groups = 2147483647, PaddingLeft = 2147483647, PaddingBottom = 2147483647)]")]
        [InlineData("[Input(8, 8, 4)] [Conv(4, 3, Groups = -2147483648, DilationX = -1, PaddingMode = (PaddingMode)(-1))] [AvgPool(SizeX = -1, StrideY = -2147483648)]")]
        [InlineData("[Input(1000000, 1000000, 4, Rounding = (OutputRounding)7)] [Conv(4, 1, Groups = 4, StrideX = 1000000, PaddingMode = PaddingMode.Same)] [MaxPool(SizeX = 3, SizeY = 1000000, DilationY = 1000000, PaddingMode = PaddingMode.SameLower)]")]
        [InlineData("[Input(4, 4, 2)] [Conv(2, Key = \"\")] [AvgPool] [MaxPool] [FullyConnected(2, Key = null, Bias = false)]")]
        // Legal, and once a walk over a billion taps in the planner: a window and a stride of 10^9 (the phases a tap reads),
        // and a 10^9-wide window at stride 2 (the cells each column phase reads).
        [InlineData("[Input(1, 1, 1)] [Conv(1, SizeX = 1000000000, SizeY = 1, StrideX = 1000000000, PaddingLeft = 999999999)]")]
        [InlineData("[Input(1, 1, 1)] [Conv(1, SizeX = 1000000000, SizeY = 1, StrideX = 2, PaddingLeft = 1000000029)]")]
        [InlineData("[Input(16, 22369621, 1)] [Conv(6, 1)]")]
        public void Absurd_declarations_become_diagnostics_not_crashes(string attributes)
        {
            CompileResult result = TestCompiler.Compile("using CnnGen;\n" + attributes + "\npublic partial class Net { }");
            AssertNoCrash(result, attributes);
            bool clean = !result.All.Any(d => d.Severity == DiagnosticSeverity.Error);
            if (clean)
            {
                Assert.Single(result.GeneratedTrees);
            }
            else
            {
                result.AssertPlaceholdersOnly();
            }
        }
    }
}
