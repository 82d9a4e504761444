using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Cli.Check;
using CnnGen.Cli.Import;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML.OnnxRuntime;

namespace CnnGen.Cli
{
    /// <summary><c>cnngen import MODEL.onnx</c> and <c>cnngen check MODEL.onnx</c> (contract section 8).</summary>
    public static class Program
    {
        /// <summary>Exit code for a model the attributes cannot say, or a file that is not a model.</summary>
        public const int ImportFailed = 2;

        /// <summary>Exit code of <c>check</c> when the imported network and ONNX Runtime differ beyond the tolerance.</summary>
        public const int CheckFailed = 1;

        public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

        public static int Run(string[] args, TextWriter output, TextWriter error)
        {
            var model = new Argument<FileInfo>("model") { Description = "the .onnx file" };
            var className = new Option<string?>("--class") { Description = "the network class's name (default: from the file name, in PascalCase)" };
            var ns = new Option<string?>("--namespace") { Description = "the namespace of the class (default: none)" };
            var outDir = new Option<DirectoryInfo?>("--out") { Description = "where Name.cs and Name.safetensors go (default: the current directory)" };
            var import = new Command("import", "write the CnnGen declaration (Name.cs) and its weights (Name.safetensors) for an ONNX model")
            {
                model, className, ns, outDir,
            };
            import.SetAction(result => Import(result.GetValue(model)!, result.GetValue(className), result.GetValue(ns), result.GetValue(outDir), output, error));

            var checkModel = new Argument<FileInfo>("model") { Description = "the .onnx file" };
            var samples = new Option<int>("--samples") { Description = "how many random inputs", DefaultValueFactory = _ => 8 };
            var seed = new Option<int>("--seed") { Description = "seed of the random inputs", DefaultValueFactory = _ => 1 };
            var check = new Command("check", "import an ONNX model in memory, build it with the CnnGen generator and compare it with ONNX Runtime on random inputs")
            {
                checkModel, samples, seed,
            };
            check.SetAction(result => Check(result.GetValue(checkModel)!, Math.Max(1, result.GetValue(samples)), result.GetValue(seed), output, error));

            var root = new RootCommand("cnngen: ONNX models to CnnGen declarations") { import, check };
            return root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        }

        /// <summary>A C# class name from the file name: "mobilenet_v1.onnx" → MobilenetV1.</summary>
        public static string ClassName(string path)
        {
            var name = new StringBuilder();
            bool upper = true;
            foreach (char c in Path.GetFileNameWithoutExtension(path))
            {
                if (char.IsLetterOrDigit(c))
                {
                    name.Append(upper ? char.ToUpperInvariant(c) : c);
                    upper = false;
                }
                else
                {
                    upper = true;
                }
            }

            string result = name.ToString();
            if (result.Length == 0 || char.IsDigit(result[0]))
            {
                result = "Net" + result;
            }

            return SyntaxFacts.GetKeywordKind(result) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(result) != SyntaxKind.None ? result + "Net" : result;
        }

        private static bool IsIdentifier(string name) => SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None;

        private static bool IsNamespace(string ns) => ns.Split('.').All(IsIdentifier);

        private static (ImportedNetwork? Network, string Name) Read(FileInfo model, string? className, string? ns, TextWriter error)
        {
            string name = className ?? ClassName(model.Name);
            if (!IsIdentifier(name))
            {
                error.WriteLine("error: --class \"" + name + "\" is not a C# identifier");
                return (null, name);
            }

            if (ns is not null && !IsNamespace(ns))
            {
                error.WriteLine("error: --namespace \"" + ns + "\" is not a C# namespace name");
                return (null, name);
            }

            if (!model.Exists)
            {
                error.WriteLine("error: " + model.Name + ": no such file");
                return (null, name);
            }

            ImportedNetwork? network = OnnxImporter.ImportFile(model.FullName, out List<string> problems);
            foreach (string problem in problems)
            {
                error.WriteLine("error: " + problem);
            }

            if (network is not null && new DeclarationWriter(network).Clashes(name))
            {
                if (className is not null)
                {
                    error.WriteLine("error: --class \"" + name + "\" is also the name of a member the generator emits into the class (a layer, its method or constants, or one of Forward, Parameters, …); choose another");
                    return (null, name);
                }

                // A name from the file name ("conv1.onnx", "forward.onnx") steps aside.
                string original = name;
                for (int k = 0; new DeclarationWriter(network).Clashes(name); k++)
                {
                    name = original + (k == 0 ? "Net" : "Net" + (k + 1).ToString(CultureInfo.InvariantCulture));
                }
            }

            return (network, name);
        }

        private static int Import(FileInfo model, string? className, string? ns, DirectoryInfo? outDir, TextWriter output, TextWriter error)
        {
            (ImportedNetwork? network, string name) = Read(model, className, ns, error);
            if (network is null)
            {
                return ImportFailed;
            }

            var writer = new DeclarationWriter(network);
            string directory = outDir?.FullName ?? Directory.GetCurrentDirectory();
            string source = Path.Combine(directory, name + ".cs"), weights = Path.Combine(directory, name + ".safetensors");
            try
            {
                Directory.CreateDirectory(directory);
                using (var stream = new MemoryStream())
                {
                    writer.WriteWeights(stream);
                    File.WriteAllBytes(weights, stream.ToArray());
                }

                File.WriteAllText(source, writer.Source(name, ns));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine("error: cannot write " + name + ".cs / " + name + ".safetensors (" + e.Message + ")");
                return ImportFailed;
            }

            int parameters = network.Layers.Sum(l => l.Tensors.Sum(t => t.Data.Length));
            output.WriteLine("wrote " + Path.GetFileName(source) + " (" + network.Layers.Count + " layers) and " + Path.GetFileName(weights) + " (" + parameters.ToString("N0", CultureInfo.InvariantCulture) + " parameters)");
            return 0;
        }

        private static int Check(FileInfo model, int samples, int seed, TextWriter output, TextWriter error)
        {
            (ImportedNetwork? network, string name) = Read(model, null, null, error);
            if (network is null)
            {
                return ImportFailed;
            }

            var writer = new DeclarationWriter(network);
            using var stream = new MemoryStream();
            writer.WriteWeights(stream);
            NetworkCompiler.Result compiled = NetworkCompiler.Compile(writer.Source(name, null), name, null, stream.ToArray());
            foreach (Diagnostic diagnostic in compiled.Diagnostics)
            {
                error.WriteLine(diagnostic.ToString());
            }

            if (compiled.Forward is null)
            {
                error.WriteLine("error: the imported declaration does not build");
                return ImportFailed;
            }

            OnnxChecker.Comparison comparison;
            try
            {
                comparison = OnnxChecker.Compare(model.FullName, network, compiled.Forward, samples, seed);
            }
            catch (OnnxRuntimeException e)
            {
                error.WriteLine("error: ONNX Runtime cannot run " + model.Name + " (" + e.Message + ")");
                return ImportFailed;
            }
            catch (InvalidOperationException e)
            {
                // The two computations disagree on the output's length: the largest difference of all.
                error.WriteLine("error: " + model.Name + ": " + e.Message);
                return CheckFailed;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{model.Name}: {network.Layers.Count} layers; largest difference from ONNX Runtime {comparison.LargestDifference:G3} over {comparison.Samples} random inputs (outputs up to {comparison.LargestReference:G3}): {(comparison.WithinTolerance ? "within" : "NOT within")} 1e-4 + 1e-4·|x|"));
            return comparison.WithinTolerance && compiled.Diagnostics.IsEmpty ? 0 : CheckFailed;
        }
    }
}
