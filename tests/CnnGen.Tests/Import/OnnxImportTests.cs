using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CnnGen.Cli;
using CnnGen.Cli.Check;
using CnnGen.Cli.Import;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Import
{
    /// <summary>
    /// <c>cnngen import</c> and <c>check</c> (contract section 8) on ONNX files exported by PyTorch or built node by node
    /// (tools/make_onnx_fixtures.py): each import compiles with the generator and analyzer without a warning and computes
    /// what ONNX Runtime computes on the same file; what the attributes cannot say is refused with its reason.
    /// </summary>
    public sealed class OnnxImportTests
    {
        private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx", name + ".onnx");

        private static string MlPerf(string name) => Path.Combine(Repository.Root, "samples", "MlPerfTiny", "data", name + ".onnx");

        /// <summary>Imports, builds (generator + analyzer, every warning counted) and compares with ONNX Runtime.</summary>
        private static (string Source, OnnxChecker.Comparison Comparison) ImportBuildAndCompare(string path, int samples = 4)
        {
            ImportedNetwork? network = OnnxImporter.ImportFile(path, out List<string> problems);
            Assert.True(network is not null, string.Join("\n", problems));
            var writer = new DeclarationWriter(network!);
            string name = Program.ClassName(path);
            string source = writer.Source(name, "Imported");
            using var weights = new MemoryStream();
            writer.WriteWeights(weights);
            NetworkCompiler.Result compiled = NetworkCompiler.Compile(source, name, "Imported", weights.ToArray());
            Assert.True(compiled.Diagnostics.IsEmpty, source + "\n" + string.Join("\n", compiled.Diagnostics));
            Assert.NotNull(compiled.Forward);
            return (source, OnnxChecker.Compare(path, network!, compiled.Forward!, samples, seed: 3));
        }

        [Theory]
        [InlineData("residual_bn_unfused", "[Conv(8, 3, Stride = 2, Padding = 1, Bias = false)] [BatchNorm] [Relu]", "From = \"Input\")] [BatchNorm] [Add(\"Bn2\")]", "[Relu6]", "[FullyConnected(5, Key = \"fc\")] [Softmax]")]
        [InlineData("residual_bn_fused", "[Conv(8, 3, Stride = 2, Padding = 1)] [Relu]", "[Add(", "[GlobalAvgPool]")]
        [InlineData("fire_concat_ceil", "[Concat(\"Relu2\", \"Relu3\")]", "From = \"Relu1\"", "[MaxPool(3, Stride = 2, Rounding = OutputRounding.Ceil)]", "Key = \"e3\"")]
        [InlineData("matmul_add", "[FullyConnected(16)] [BatchNorm(Key = \"bn\")] [LeakyRelu(Slope = 0.2f)]", "[FullyConnected(6, Bias = false)] [Tanh]")]
        [InlineData("activations_groups", "[HardSwish]", "Dilation = 2", "Groups = 2", "Groups = 8", "[Silu]", "[Sigmoid]", "[LeakyRelu(Slope = 0.1f)]", "[GlobalMaxPool]")]
        [InlineData("activations_opset14", "[HardSwish]", "[Silu]", "[GlobalMaxPool]")]
        [InlineData("avg_pools", "Rounding = OutputRounding.Ceil, CountIncludePadding = false", "[AvgPool(2, Stride = 1, Padding = 1)]", "[AvgPool(2, PaddingLeft = 1, PaddingBottom = 1)]")]
        [InlineData("maxpool_dilated", "[Conv(6, SizeX = 4, SizeY = 10, Stride = 2, Rounding = OutputRounding.Floor, Key = \"layers.0\")]", "[MaxPool(3, Stride = 1, Dilation = 2, Padding = 1)]", "[FullyConnected(3, Key = \"layers.4\")]")]
        [InlineData("opset9", "[Conv(4, 3, Padding = 1, Key = \"layers.0\")] [Relu]", "[Conv(4, 3, Stride = 2, Padding = 1, Rounding = OutputRounding.Floor, Key = \"layers.2\")] [Sigmoid]")]
        [InlineData("auto_pad", "SizeX = 2, SizeY = 3, Stride = 2, PaddingMode = PaddingMode.Same", "StrideX = 2, StrideY = 1, PaddingMode = PaddingMode.SameLower, Bias = false", "[MaxPool(3, Stride = 2, PaddingMode = PaddingMode.Same)]", "[Conv(8, 1, Stride = 3, Rounding = OutputRounding.Floor, Key = \"c3\")]", "[Conv(4, 3, PaddingLeft = 1, PaddingRight = 1, PaddingBottom = 2, Key = \"c4\")]", "[AvgPool(2, Stride = 1, PaddingRight = 1, PaddingTop = 1, CountIncludePadding = false)]", "[AvgPool(3, Stride = 2, Padding = 1, Rounding = OutputRounding.Ceil)]")]
        [InlineData("gemm_opset10", "[Conv(3, 3, Key = \"conv\")] [Relu6]", "[FullyConnected(10)] [Relu]", "[FullyConnected(4)]")]
        [InlineData("pad_opset13", "[Conv(5, 3, PaddingRight = 2, PaddingTop = 1, Bias = false, Key = \"c\")]", "[MaxPool(2, PaddingLeft = 1, PaddingBottom = 1, Rounding = OutputRounding.Floor)] [Softmax]")]
        [InlineData("gates", "[HardSwish] [Silu]")]
        [InlineData("late_constant_bias", "[FullyConnected(3)]")]
        [InlineData("reduce_squeeze", "[GlobalAvgPool]", "[FullyConnected(6, Key = \"fc\")] [Softmax]")]
        [InlineData("reduce_max", "[Conv(5, 2, Stride = 2, Bias = false, Key = \"c\")]", "[GlobalMaxPool]", "[FullyConnected(3, Bias = false, Key = \"fc\")]")]
        public void An_exported_network_imports_builds_clean_and_computes_what_OnnxRuntime_computes(string fixture, params string[] declared)
        {
            (string source, OnnxChecker.Comparison comparison) = ImportBuildAndCompare(Fixture(fixture));
            foreach (string text in declared)
            {
                Assert.True(source.Contains(text, StringComparison.Ordinal), "expected `" + text + "` in\n" + source);
            }

            Assert.True(comparison.WithinTolerance, $"{fixture}: largest difference {comparison.LargestDifference} (outputs up to {comparison.LargestReference})\n{source}");
            Assert.True(comparison.LargestReference > 0.05, "outputs too small to tell a wrong mapping: " + comparison.LargestReference);
        }

        [Theory]
        [InlineData("resnet8", "[Add(\"Relu1\")]", "Key = \"stack2.shortcut\", From = \"Relu2\"", "[GlobalAvgPool]")]
        [InlineData("ds_cnn", "[Conv(64, SizeX = 4, SizeY = 10, Stride = 2, PaddingLeft = 1, PaddingRight = 1, PaddingTop = 4, PaddingBottom = 5)]", "[Conv(64, 3, Padding = 1, Groups = 64)] [Relu]", "[GlobalAvgPool]")]
        [InlineData("mobilenet_v1", "Groups = 8", "Stride = 2, PaddingRight = 1, PaddingBottom = 1", "[GlobalAvgPool]")]
        [InlineData("autoencoder", "[FullyConnected(128, Key = \"fc.0\")] [BatchNorm(Key = \"bn.0\")] [Relu]", "[FullyConnected(640, Key = \"fc.9\")]")]
        public void The_MLPerf_Tiny_models_import_and_compute_what_OnnxRuntime_computes(string model, params string[] declared)
        {
            (string source, OnnxChecker.Comparison comparison) = ImportBuildAndCompare(MlPerf(model), samples: 2);
            foreach (string text in declared)
            {
                Assert.True(source.Contains(text, StringComparison.Ordinal), "expected `" + text + "` in\n" + source);
            }

            Assert.True(comparison.WithinTolerance, $"{model}: largest difference {comparison.LargestDifference}\n{source}");
        }

        public static IEnumerable<object[]> BenchModels() =>
            Directory.EnumerateFiles(Path.Combine(Repository.Root, "bench", "models"), "*.onnx")
                .Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.Ordinal).Select(n => new object[] { n! });

        [Theory]
        [MemberData(nameof(BenchModels))]
        public void Every_benchmark_model_imports_and_computes_what_OnnxRuntime_computes(string model)
        {
            (string source, OnnxChecker.Comparison comparison) = ImportBuildAndCompare(Path.Combine(Repository.Root, "bench", "models", model + ".onnx"), samples: 1);
            Assert.True(comparison.WithinTolerance, $"{model}: largest difference {comparison.LargestDifference}\n{source}");
        }

        [Fact]
        public void The_check_sees_a_wrong_weight()
        {
            // The comparison is not vacuous: one weight of the last layer changed by 0.05 in the imported network is caught.
            string path = Fixture("residual_bn_unfused");
            ImportedNetwork network = OnnxImporter.ImportFile(path, out _)!;
            network.Layers.Last(l => l.Kind == "FullyConnected").Tensors[0].Data[5] += 0.05f;
            var writer = new DeclarationWriter(network);
            using var weights = new MemoryStream();
            writer.WriteWeights(weights);
            NetworkCompiler.Result compiled = NetworkCompiler.Compile(writer.Source("Wrong", null), "Wrong", null, weights.ToArray());
            OnnxChecker.Comparison comparison = OnnxChecker.Compare(path, network, compiled.Forward!, 4, seed: 3);
            Assert.False(comparison.WithinTolerance);
        }

        [Theory]
        [InlineData("bad_gemm_alpha", "node \"scaled_gemm\" (Gemm): alpha = 0.5")]
        [InlineData("bad_computed_weight", "node \"conv_computed_weight\" (Conv): its weight \"r\" is computed by the graph, not a constant")]
        [InlineData("bad_resize", "node \"upsample\" (Resize): upsampling has no CnnGen layer")]
        [InlineData("bad_interpolate", "(Resize): upsampling has no CnnGen layer")]
        [InlineData("bad_lstm", "(LSTM): recurrent layers have no CnnGen layer")]
        [InlineData("bad_dynamic_size", "input \"input\": dimension 2 is dynamic (\"height\")")]
        [InlineData("bad_batch4", "has a batch dimension of 4")]
        [InlineData("bad_pad_ceil", "node \"pool_ceil\" (MaxPool): ceil_mode on the output of Pad node \"pad\" gives 3×3 in ONNX; merged into the pool's padding it would give 2×2")]
        [InlineData("bad_stride_wrap", "node \"conv_huge_stride\" (Conv): a stride of 4294967297 is out of range")]
        [InlineData("bad_column_bias", "node \"add_column\" (Add): input \"b\" is a constant tensor")]
        [InlineData("bad_leaky_inf", "node \"leaky\" (LeakyRelu): alpha = Infinity")]
        [InlineData("bad_huge_fold", "node \"zeros\" (ConstantOfShape): cannot be evaluated at import", "more than 1048576 elements")]
        [InlineData("bad_squeeze_excitation", "(Mul): multiplies by HardSigmoid(…) of another tensor, a squeeze-and-excitation gate", "(Mul): multiplies by Sigmoid(…) of another tensor, a squeeze-and-excitation gate")]
        [InlineData("bad_shuffle", "node \"/Slice\" (Slice): applies Slice to the output of a layer", "node \"/Slice_1\" (Slice)", "node \"/Transpose\" (Transpose): applies Transpose to the output of a layer")]
        public void What_the_attributes_cannot_say_exits_with_2_and_a_line_per_problem_and_writes_nothing(string fixture, params string[] messages)
        {
            string output = Directory.CreateTempSubdirectory("cnngen-import-").FullName;
            try
            {
                (int exit, string stdout, string stderr) = Cli("import", Fixture(fixture), "--out", output);
                Assert.Equal(Program.ImportFailed, exit);
                foreach (string message in messages)
                {
                    Assert.Contains(message, stderr, StringComparison.Ordinal);
                }

                Assert.All(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("error: ", line, StringComparison.Ordinal));
                Assert.Empty(Directory.EnumerateFileSystemEntries(output));
                Assert.Equal("", stdout);
            }
            finally
            {
                Directory.Delete(output, recursive: true);
            }
        }

        [Theory]
        [InlineData("truncated")]
        [InlineData("empty")]
        [InlineData("text")]
        public void A_truncated_or_foreign_file_is_one_clear_line_and_exit_code_2(string kind)
        {
            string directory = Directory.CreateTempSubdirectory("cnngen-import-").FullName;
            try
            {
                string path = Path.Combine(directory, "model.onnx");
                byte[] model = File.ReadAllBytes(MlPerf("resnet8"));
                byte[] bytes = kind switch
                {
                    "truncated" => model.AsSpan(0, model.Length / 2).ToArray(),
                    "empty" => Array.Empty<byte>(),
                    _ => System.Text.Encoding.UTF8.GetBytes("this is not a model\n"),
                };
                File.WriteAllBytes(path, bytes);
                (int exit, string stdout, string stderr) = Cli("import", path, "--out", Path.Combine(directory, "out"));
                Assert.Equal(Program.ImportFailed, exit);
                string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Single(lines);
                Assert.StartsWith("error: model.onnx: not ", lines[0], StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
                Assert.False(Directory.Exists(Path.Combine(directory, "out")));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [Theory]
        [InlineData("residual_bn_unfused")]
        [InlineData("auto_pad")]
        [InlineData("matmul_add")]
        public void Corrupted_files_never_throw_they_import_or_give_problem_lines(string fixture)
        {
            // Bytes changed at random places (or the file cut short): each import either succeeds and writes, or reports
            // problems; no exception escapes, whatever the bytes say (negative sizes, huge dimensions, broken references).
            byte[] original = File.ReadAllBytes(Fixture(fixture));
            var random = new Random(fixture.Length);
            int imported = 0, refused = 0;
            for (int round = 0; round < 300; round++)
            {
                byte[] bytes = (byte[])original.Clone();
                if (round % 10 == 9)
                {
                    bytes = bytes.AsSpan(0, random.Next(bytes.Length)).ToArray();
                }
                else
                {
                    for (int k = random.Next(1, 6); k > 0; k--)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }
                }

                ImportedNetwork? network = OnnxImporter.Import(bytes, "model.onnx", out List<string> problems);
                if (network is null)
                {
                    Assert.NotEmpty(problems);
                    Assert.All(problems, p => Assert.DoesNotContain('\n', p));
                    refused++;
                    continue;
                }

                var writer = new DeclarationWriter(network);
                string source = writer.Source("Net", null);
                Assert.Contains("public partial class Net { }", source, StringComparison.Ordinal);

                // Names from the file stay inside comments: every line is a comment, a using, an attribute line or the class.
                string[] lines = Regex.Split(source, "\r\n|\n|\r|\u0085|\u2028|\u2029");
                Assert.All(lines.Where(l => l.Length > 0), l => Assert.Matches(@"^(//|using CnnGen;$|\[|public partial class Net \{ \}$)", l));
                writer.WriteWeights(Stream.Null);
                imported++;
            }

            Assert.True(imported > 0 && refused > 0, $"{imported} imported, {refused} refused");
        }

        [Fact]
        public void Import_writes_the_declaration_and_weights_that_load_into_the_generated_network()
        {
            string directory = Directory.CreateTempSubdirectory("cnngen-import-").FullName;
            try
            {
                (int exit, string stdout, string stderr) = Cli("import", MlPerf("ds_cnn"), "--class", "KeywordSpotter", "--namespace", "My.Models", "--out", directory);
                Assert.True(exit == 0, stderr);
                Assert.Contains("wrote KeywordSpotter.cs", stdout, StringComparison.Ordinal);
                string source = File.ReadAllText(Path.Combine(directory, "KeywordSpotter.cs"));
                Assert.Contains("namespace My.Models;", source, StringComparison.Ordinal);
                Assert.Contains("public partial class KeywordSpotter { }", source, StringComparison.Ordinal);

                // The files as a user's build sees them: clean, and the weights load under the declared keys.
                byte[] weights = File.ReadAllBytes(Path.Combine(directory, "KeywordSpotter.safetensors"));
                NetworkCompiler.Result compiled = NetworkCompiler.Compile(source, "KeywordSpotter", "My.Models", weights);
                Assert.True(compiled.Diagnostics.IsEmpty, string.Join("\n", compiled.Diagnostics));
                ImportedNetwork network = OnnxImporter.ImportFile(MlPerf("ds_cnn"), out _)!;
                Assert.True(OnnxChecker.Compare(MlPerf("ds_cnn"), network, compiled.Forward!, 2, seed: 5).WithinTolerance);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [Fact]
        public void Check_prints_the_largest_difference_and_exits_0()
        {
            (int exit, string stdout, string stderr) = Cli("check", Fixture("fire_concat_ceil"), "--samples", "3");
            Assert.True(exit == 0, stderr);
            Assert.Matches(@"^fire_concat_ceil\.onnx: 9 layers; largest difference from ONNX Runtime [0-9.E+-]+ over 3 random inputs \(outputs up to [0-9.]+\): within 1e-4 \+ 1e-4·\|x\|", stdout);
        }

        [Fact]
        public void The_READMEs_excerpt_is_what_import_writes_for_ResNet8()
        {
            ImportedNetwork network = OnnxImporter.ImportFile(MlPerf("resnet8"), out _)!;
            string source = new DeclarationWriter(network).Source("Resnet8", null).ReplaceLineEndings("\n");
            string written = source.Substring(source.IndexOf("/// <summary>", StringComparison.Ordinal)).TrimEnd();
            string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n");
            Assert.Contains("using CnnGen;\n\n/// <summary>", source, StringComparison.Ordinal);
            Assert.Contains("```csharp fragment=declarations\n" + written + "\n```", readme, StringComparison.Ordinal);
        }

        [Fact]
        public void A_class_name_that_is_also_a_generated_member_steps_aside_or_is_refused()
        {
            // "conv1.onnx" would make class Conv1 holding a layer Conv1 (CNN007); "forward.onnx" a class Forward.
            string directory = Directory.CreateTempSubdirectory("cnngen-import-").FullName;
            try
            {
                foreach ((string file, string expected) in new[] { ("conv1.onnx", "Conv1Net"), ("forward.onnx", "ForwardNet") })
                {
                    string path = Path.Combine(directory, file);
                    File.Copy(Fixture("opset9"), path, overwrite: true);
                    (int exit, string stdout, string stderr) = Cli("import", path, "--out", directory);
                    Assert.True(exit == 0, stderr);
                    string source = File.ReadAllText(Path.Combine(directory, expected + ".cs"));
                    Assert.Contains("public partial class " + expected + " { }", source, StringComparison.Ordinal);
                    NetworkCompiler.Result compiled = NetworkCompiler.Compile(source, expected, null, File.ReadAllBytes(Path.Combine(directory, expected + ".safetensors")));
                    Assert.True(compiled.Diagnostics.IsEmpty, string.Join("\n", compiled.Diagnostics));
                }

                (int refused, _, string error) = Cli("import", Fixture("opset9"), "--class", "Conv2", "--out", Path.Combine(directory, "x"));
                Assert.Equal(Program.ImportFailed, refused);
                Assert.StartsWith("error: --class \"Conv2\" is also the name of a member", error, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [Theory]
        [InlineData("mobilenet_v1.onnx", "MobilenetV1")]
        [InlineData("ds-cnn small.onnx", "DsCnnSmall")]
        [InlineData("2d.onnx", "Net2d")]
        [InlineData("class.onnx", "Class")]
        public void The_class_name_comes_from_the_file_name(string file, string name) => Assert.Equal(name, Program.ClassName(file));

        [Fact]
        public void Keys_never_repeat_and_invalid_initializer_names_fall_back_to_layer_names()
        {
            // The fused export names its weights onnx::Conv_N: the layers keep their default keys (conv1, …).
            ImportedNetwork network = OnnxImporter.ImportFile(Fixture("residual_bn_fused"), out _)!;
            string source = new DeclarationWriter(network).Source("Fused", null);
            Assert.DoesNotContain("onnx::", source, StringComparison.Ordinal);
            Assert.Contains("[Conv(8, 3, Stride = 2, Padding = 1)] [Relu]", source, StringComparison.Ordinal);
        }

        private static (int Exit, string Stdout, string Stderr) Cli(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int exit = Program.Run(args, stdout, stderr);
            return (exit, stdout.ToString(), stderr.ToString());
        }
    }
}
