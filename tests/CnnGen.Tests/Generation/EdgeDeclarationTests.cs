using System;
using System.Linq;
using System.Reflection;
using CnnGen.Tests.Infrastructure;
using CsCheck;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CnnGen.Tests.Generation
{
    /// <summary>
    /// Absurd but legal declarations, as a new user might write them: each either generates code that compiles clean
    /// (and runs), or is a CNN diagnostic at the user's attribute or class — never generated code that does not compile.
    /// </summary>
    public sealed class EdgeDeclarationTests
    {
        private static CompileResult Compile(string source) => TestCompiler.Compile("using CnnGen;\n\nnamespace App;\n\n" + source);

        private static void AssertNoCrash(CompileResult result)
        {
            Assert.DoesNotContain(result.All, d => d.Id is "AD0001" or "CS8785" or "CNN008");
            Assert.All(result.Driver.GetRunResult().Results, r => Assert.Null(r.Exception));
        }

        /// <summary>Compiles, asserts a clean build, loads it and runs Forward once on ones (parameters all 0.5).</summary>
        private static float[] BuildAndRun(string source, string className)
        {
            CompileResult result = Compile(source);
            result.AssertClean();
            Assembly assembly = result.Load();
            Type type = assembly.GetType("App." + className, throwOnError: true)!;
            object net = Activator.CreateInstance(type)!;
            int parameterCount = (int)type.GetField("ParameterCount")!.GetRawConstantValue()!;
            int inputLength = (int)type.GetField("InputLength")!.GetRawConstantValue()!;
            int outputLength = (int)type.GetField("OutputLength")!.GetRawConstantValue()!;
            float[] parameters = Enumerable.Repeat(0.5f, parameterCount).ToArray();
            float[] input = Enumerable.Repeat(1f, inputLength).ToArray();
            var output = new float[outputLength];
            type.GetMethod("SetParameters")!.CreateDelegate<SpanAction>(net)(parameters);
            type.GetMethod("Forward")!.CreateDelegate<global::CnnGen.Runtime.ForwardAction>(net)(input, output);
            return output;
        }

        private delegate void SpanAction(ReadOnlySpan<float> values);

        [Fact]
        public void A_layer_named_with_a_contextual_keyword_is_written_with_an_at()
        {
            // nameof, var, await: identifiers C# reads as keywords in some places. The narrow pool's public method is called by
            // its bare name from Forward, as @nameof; the generated argument checks name their parameters without nameof().
            float[] output = BuildAndRun(
                "[Input(4, 4, 1)] [Conv(2, 3, Name = \"var\")] [Relu] [MaxPool(2, Name = \"nameof\")] [FullyConnected(3, Name = \"await\")]\npublic partial class Net { }",
                "Net");

            // 9 weights of 0.5 on ones plus a bias of 0.5 = 5, pooled, then 2 inputs of 5 times 0.5 plus 0.5.
            Assert.Equal(new[] { 5.5f, 5.5f, 5.5f }, output);
        }

        [Theory]
        [InlineData("a")]
        [InlineData("p")]
        [InlineData("input")]
        [InlineData("output")]
        [InlineData("TS")]
        [InlineData("TV")]
        public void A_layer_named_like_a_local_of_the_generated_code_still_works(string name)
        {
            // A pool with rows narrower than 16 floats is called by its public method from Forward's steps, where the
            // locals a, b, p, the parameters and the type parameters would hide a bare name: the call is fully qualified.
            float[] output = BuildAndRun(
                "[Input(4, 4, 1)] [Conv(2, 1)] [Relu] [MaxPool(2, Name = \"" + name + "\")] [FullyConnected(1)]\npublic partial class Net { }",
                "Net");
            Assert.Equal(new[] { 4.5f }, output);
        }

        [Fact]
        public void Classes_whose_names_differ_only_in_characters_a_file_name_cannot_hold_get_different_files()
        {
            // U+203F (undertie) is a connector character, legal in C# names; both classes once mapped to Net_1.g.cs.
            CompileResult result = Compile("[Input(2, 2, 1)] [Relu]\npublic partial class Net_1 { }\n[Input(2, 2, 1)] [Relu]\npublic partial class Net\u203F1 { }");
            result.AssertClean();
            Assert.Equal(2, result.GeneratedTrees.Count());
        }

        [Fact]
        public void A_class_declared_with_a_verbatim_identifier_keeps_it()
        {
            float[] output = BuildAndRun("[Input(2, 2, 1)] [FullyConnected(1)]\npublic partial class @class { }", "class");
            Assert.Equal(new[] { 2.5f }, output);
        }

        [Fact]
        public void Contained_in_a_namespace_and_types_with_keyword_names()
        {
            CompileResult result = TestCompiler.Compile("using CnnGen;\nnamespace @namespace.@event;\npublic partial class @record { [Input(2, 2, 1)] [Relu] public partial class @struct { } }");
            result.AssertClean();
            Assert.Single(result.GeneratedTrees);
        }

        [Fact]
        public void User_types_named_Unsafe_and_MemoryMarshal_beside_a_network_do_not_matter()
        {
            float[] output = BuildAndRun(
                "public class Unsafe { }\npublic class MemoryMarshal { }\npublic class Vector512 { }\npublic class Span { }\n" +
                "[Input(6, 6, 2)] [Conv(2, 3)] [Relu] [MaxPool(2)] [FullyConnected(2)]\npublic partial class Net { }",
                "Net");
            Assert.Equal(2, output.Length);
        }

        [Theory]
        [InlineData("[Input(8, 8, 1)] [Conv(2, 3)]\npublic partial class Conv1 { }", "Conv(2, 3)", "Conv1: its generated member Conv1 would have the name of the network class Conv1 (a member cannot be named as its class); give the layer a Name or rename the class")]
        [InlineData("[Input(8, 8, 1)] [Conv(2, 3)] [MaxPool(2)]\npublic partial class Pool1Vector { }", "MaxPool(2)", "Pool1: its generated member Pool1Vector would have the name of the network class Pool1Vector (a member cannot be named as its class); give the layer a Name or rename the class")]
        [InlineData("[Input(8, 8, 1)] [Conv(2, 3, Name = \"Stem\")]\npublic partial class StemInputWidth { }", "Name = \"Stem\"", "Conv1: Name = \"Stem\" is the name of the network class itself; choose another name")]
        [InlineData("[Input(8, 8, 1)] [Conv(2, 3)]\npublic partial class Forward { }", "Forward", "Forward: a network class cannot be called Forward, the name of a member CnnGen generates in it; rename the class")]
        [InlineData("[Input(8, 8, 1)] [Conv(2, 3)]\npublic partial class ForwardVector { }", "ForwardVector", "ForwardVector: a network class cannot be called ForwardVector, the name of a member CnnGen generates in it; rename the class")]
        public void A_class_named_like_a_generated_member_is_CNN007(string source, string underlined, string message)
        {
            CompileResult result = Compile(source);
            AssertNoCrash(result);
            Diagnostic diagnostic = Assert.Single(result.AnalyzerDiagnostics, d => d.Id == "CNN007");
            Assert.Equal(message, diagnostic.GetMessage());
            string text = diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
            Assert.Equal(underlined, text);
            result.AssertPlaceholdersOnly();
            Assert.DoesNotContain(result.CompilerDiagnostics, d => d.Id == "CS0542");
        }

        [Theory]
        [InlineData("[Input(16, 4, 8)] [Conv(8, 1)]")] // direct: rows of whole vectors, reads its input
        [InlineData("[Input(6, 6, 16)] [Conv(16, 1)]")] // over filters, reading its input
        [InlineData("[Input(24, 24, 4)] [Conv(4, 1)]")] // straight: a plane of whole vectors, reads its input
        [InlineData("[Input(12, 12, 32)] [Conv(32, 3, Groups = 32, Padding = 1)]")] // depthwise over flat planes
        [InlineData("[Input(48, 10, 4)] [Conv(4, 3, Groups = 4, Padding = 1)]")] // depthwise along rows
        [InlineData("[Input(16, 16, 2)] [MaxPool(3, Stride = 1, Padding = 1)]")]
        [InlineData("[Input(16, 16, 3)] [AvgPool(3, Stride = 1, Padding = 1)]")]
        [InlineData("[Input(8, 8, 4)] [BatchNorm]")]
        public void A_layer_method_called_in_place_gives_what_it_gives_on_separate_buffers(string layers)
        {
            // The kernels read input cells after writing output cells (a 1x1 conv's later filter blocks read channels the
            // earlier ones overwrote): an input that overlaps the output is copied first. Same buffer, and output shifted.
            string call = layers.Contains("Conv", StringComparison.Ordinal) ? "Net.Conv1(x, w, b, y)"
                : layers.Contains("BatchNorm", StringComparison.Ordinal) ? "Net.Bn1(x, w, b, w, m, y)"
                : layers.Contains("AvgPool", StringComparison.Ordinal) ? "Net.AvgPool1(x, y)" : "Net.Pool1(x, y)";
            string source = layers + "\npublic partial class Net { }\n\n" + """
                public static class Probe
                {
                    public static float[] Run(float[] buffer, int inputAt, int outputAt, int inputLength, int outputLength, float[] w, float[] b, float[] m)
                    {
                        var x = new System.ReadOnlySpan<float>(buffer, inputAt, inputLength);
                        var y = new System.Span<float>(buffer, outputAt, outputLength);
                        CALL;
                        return y.ToArray();
                    }
                }
                """.Replace("CALL", call, StringComparison.Ordinal);
            CompileResult result = Compile(source);
            result.AssertClean();
            Type net = result.Load().GetType("App.Net", throwOnError: true)!;
            var run = net.Assembly.GetType("App.Probe", throwOnError: true)!.GetMethod("Run")!;
            string layer = call.Substring(4, call.IndexOf('(', StringComparison.Ordinal) - 4);
            int inputLength = (int)net.GetField(layer + "InputLength")!.GetRawConstantValue()!;
            int outputLength = (int)net.GetField(layer + "OutputLength")!.GetRawConstantValue()!;
            int weightLength = (int?)net.GetField(layer + "WeightLength")?.GetRawConstantValue() ?? Math.Max(1, (int?)net.GetField(layer + "InputDepth")?.GetRawConstantValue() ?? 1);
            var random = new Random(inputLength);
            float[] Draw(int n, float low) => Enumerable.Range(0, n).Select(_ => low + (float)random.NextDouble()).ToArray();
            int biasLength = (int?)net.GetField(layer + "BiasLength")?.GetRawConstantValue() ?? weightLength;
            float[] weight = Draw(weightLength, -0.5f), bias = Draw(biasLength, -0.5f), variance = Draw(weightLength, 0.5f);
            float[] input = Draw(inputLength, -0.5f);

            float[] Call(int inputAt, int outputAt)
            {
                var buffer = new float[inputLength + outputLength + 40];
                input.CopyTo(buffer, inputAt);
                return (float[])run.Invoke(null, new object[] { buffer, inputAt, outputAt, inputLength, outputLength, weight, bias, variance })!;
            }

            float[] expected = Call(0, inputLength + 20); // apart
            Assert.Equal(expected, Call(0, 0));
            Assert.Equal(expected, Call(0, 17));
            Assert.Equal(expected, Call(17, 0));
        }

        [Theory]
        [InlineData("[Input(16, 4, 8)] [Conv(8, 1)]")] // one conv reading its input: Forward hands it the caller's spans
        [InlineData("[Input(10, 8, 3)] [FullyConnected(240)] [Relu] [FullyConnected(240)]")] // blocks of 8 samples in ForwardBatch
        public void Forward_and_ForwardBatch_called_in_place_give_what_they_give_on_separate_buffers(string layers)
        {
            string source = layers + "\npublic partial class Net { }\n\n" + """
                public static class Probe
                {
                    public static float[] Run(float[] buffer, int inputAt, int outputAt, int samples, float[] parameters)
                    {
                        var net = new Net();
                        net.SetParameters(parameters);
                        var x = new System.ReadOnlySpan<float>(buffer, inputAt, samples * Net.InputLength);
                        var y = new System.Span<float>(buffer, outputAt, samples * Net.OutputLength);
                        if (samples == 1) net.Forward(x, y); else net.ForwardBatch(x, y);
                        return y.ToArray();
                    }
                }
                """;
            CompileResult result = Compile(source);
            result.AssertClean();
            Type net = result.Load().GetType("App.Net", throwOnError: true)!;
            var run = net.Assembly.GetType("App.Probe", throwOnError: true)!.GetMethod("Run")!;
            int inputLength = (int)net.GetField("InputLength")!.GetRawConstantValue()!;
            int outputLength = (int)net.GetField("OutputLength")!.GetRawConstantValue()!;
            int parameterCount = (int)net.GetField("ParameterCount")!.GetRawConstantValue()!;
            var random = new Random(parameterCount);
            float[] parameters = Enumerable.Range(0, parameterCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            foreach (int samples in new[] { 1, 19 })
            {
                float[] inputs = Enumerable.Range(0, samples * inputLength).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
                float[] Call(int inputAt, int outputAt)
                {
                    var buffer = new float[(samples * (inputLength + outputLength)) + 40];
                    inputs.CopyTo(buffer, inputAt);
                    return (float[])run.Invoke(null, new object[] { buffer, inputAt, outputAt, samples, parameters })!;
                }

                float[] expected = Call(0, (samples * inputLength) + 20);
                Assert.Equal(expected, Call(0, 0));
                Assert.Equal(expected, Call(0, 17));
                Assert.Equal(expected, Call(17, 0));
            }
        }

        [Fact]
        public void A_network_with_errors_still_implements_its_interface_so_the_CNN_errors_show()
        {
            // Without the placeholders the compiler reported only CS0535 ("does not implement IModel.Forward") and, its
            // declarations having errors, ran no analyzer: the CNN001 with the numbers never showed on the command line.
            const string source = """
                using System;
                using CnnGen;

                public interface IModel
                {
                    ReadOnlySpan<float> Parameters { get; }
                    void Forward(ReadOnlySpan<float> input, Span<float> output);
                    void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs);
                    void LoadSafetensors(string path);
                    void SaveSafetensors(System.IO.Stream stream);
                    void SetParameters(ReadOnlySpan<float> values);
                }

                namespace App
                {
                    public partial class Models
                    {
                        [Input(32, 32, 3)] [Conv(6, 4, Stride = 3)] [Relu] [FullyConnected(10)]
                        internal partial class Bad : IModel
                        {
                            public Bad(int seed) : this() { }
                        }
                    }
                }
                """;
            CompileResult result = TestCompiler.Compile(source);
            AssertNoCrash(result);
            Assert.Equal("CNN001", Assert.Single(result.AnalyzerDiagnostics).Id);
            Assert.DoesNotContain(result.CompilerDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
            result.AssertPlaceholdersOnly();

            // Each placeholder throws, naming the class.
            Assert.Contains("throw new global::System.InvalidOperationException(\"Bad's layer attributes have errors", result.GeneratedTrees.Single().ToString(), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("[Input(8, 8, 1)] [Conv(2, 3)]\npublic partial class { }")]
        [InlineData("[Input(8, 8, 1)] [Conv(2, 3)]\npublic partial class")]
        [InlineData("[Input(8, 8, 1)] [Conv(2, 3)]\npartial class : System.Object { }")]
        public void A_class_without_a_name_yet_gets_no_code_and_no_CnnGen_diagnostic(string source)
        {
            CompileResult result = Compile(source);
            AssertNoCrash(result);
            Assert.Empty(result.GeneratedTrees);
            Assert.DoesNotContain(result.All, d => d.Id.StartsWith("CNN", StringComparison.Ordinal));
            Assert.Contains(result.CompilerDiagnostics, d => d.Id == "CS1001"); // "Identifier expected": the compiler says it
        }

        [Theory]
        [InlineData("[Input(8, 8, 2)] [Conv(2, 3, Stride = int.MaxValue, Rounding = OutputRounding.Floor)]")]
        [InlineData("[Input(8, 8, 2)] [MaxPool(2, Stride = int.MaxValue, Rounding = OutputRounding.Floor)]")]
        [InlineData("[Input(8, 8, 2)] [MaxPool(2, Stride = int.MaxValue, Rounding = OutputRounding.Ceil)]")]
        [InlineData("[Input(8, 8, 2)] [MaxPool(3, Stride = 2147483646, Padding = 2, Rounding = OutputRounding.Ceil)]")]
        [InlineData("[Input(1, 1, 1)] [Conv(1, 1, Padding = 20000)]")]
        [InlineData("[Input(3, 1000000, 1)] [Conv(1, 3, Stride = 999999, Rounding = OutputRounding.Floor)] [FullyConnected(1)]")]
        public void Extreme_but_valid_values_generate_code_that_compiles(string attributes)
        {
            CompileResult result = Compile(attributes + "\npublic partial class Net { }");
            result.AssertClean();
            Assert.Single(result.GeneratedTrees);
        }

        [Fact]
        public void An_int_MaxValue_stride_runs_and_matches_the_reference()
        {
            // One window per axis: the output is the 3x3 window at the corner, for each of 2 filters.
            float[] output = BuildAndRun("[Input(8, 8, 2)] [Conv(2, 3, Stride = int.MaxValue, Rounding = OutputRounding.Floor)]\npublic partial class Net { }", "Net");
            Assert.Equal(new[] { 9.5f, 9.5f }, output);
        }

        /// <summary>
        /// Random declarations with extreme values (int.MaxValue, huge paddings and strides, zero and negative sizes): the
        /// build never crashes, and whenever CnnGen reports no error the generated code compiles without a warning.
        /// </summary>
        private const int Draws = 120;

        [Fact]
        public void Extreme_values_either_fail_with_a_diagnostic_or_compile_clean()
        {
            Gen<int> extreme = Gen.OneOf(Gen.Int[-1, 6], Gen.Const(int.MaxValue), Gen.Const(int.MaxValue - 1), Gen.Const(46341), Gen.Const(1 << 20), Gen.Const(int.MinValue));
            Gen<int> size = Gen.OneOf(Gen.Int[1, 4], extreme);
            Gen<string> rounding = Gen.OneOf("", ", Rounding = OutputRounding.Floor", ", Rounding = OutputRounding.Ceil");
            Gen<string> layer = Gen.OneOf(
                Gen.Select(Gen.Int[1, 3], size, extreme, Gen.Int[0, 2], rounding, (k, f, s, p, r) => $"[Conv({k}, {f}, Stride = {s}, Padding = {p}{r})]"),
                Gen.Select(size, extreme, Gen.Int[0, 2], rounding, (f, s, p, r) => $"[MaxPool({f}, Stride = {s}, Padding = {p}{r})]"),
                Gen.Int[1, 3].Select(o => $"[FullyConnected({o})]"),
                Gen.Const("[Relu]"));
            Gen<string> network = Gen.Select(size, size, Gen.Int[1, 3], layer.Array[1, 3], (w, h, d, layers) => $"[Input({w}, {h}, {d})] " + string.Join(" ", layers));

            // Drawn from a fixed seed, so the same declarations every run (CsCheck's Sample draws fresh ones after its seed).
            int clean = 0;
            var pcg = new PCG(5, 20261130);
            for (int i = 0; i < Draws; i++)
            {
                string declaration = network.Generate(pcg, null, out Size _);
                CompileResult result = Compile(declaration + "\npublic partial class Net { }");
                AssertNoCrash(result);
                bool errors = result.AnalyzerDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
                if (!errors)
                {
                    clean++;
                    result.AssertClean();
                    Assert.Single(result.GeneratedTrees);
                }
                else
                {
                    result.AssertPlaceholdersOnly();
                }
            }

            Assert.True(clean >= 10, clean + " of " + Draws + " draws were valid networks; the generator should draw more");
        }
    }
}
