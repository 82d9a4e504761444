using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting
{
    /// <summary>The weights files: the tensor list (PyTorch's names and shapes) and <c>LoadSafetensors</c> / <c>SaveSafetensors</c>.</summary>
    internal static class SafetensorsEmitter
    {
        private const string Spec = "global::CnnGen.IO.TensorSpec";

        /// <summary>The state_dict name of a layer's tensor: its key (by default the layer name, first letter lower-cased) plus ".weight", ".bias", ".running_mean", ….</summary>
        public static string TensorName(LayerModel layer, string suffix) => layer.Key + "." + suffix;

        public static void Emit(SourceWriter w, NetworkPlan plan)
        {
            NetworkModel n = plan.Network;
            var names = new List<string>();
            w.Line("// The tensors of a .safetensors file, as PyTorch's state_dict() names and shapes them (built when a file is read or");
            w.Line("// written, so the class needs no static constructor).");
            w.Line(Code.GeneratedCode);
            using (w.Block("private static " + Spec + "[] " + GeneratedNames.TensorSpecs + "() => new " + Spec + "[]", close: "};"))
            {
                int counter = 0;
                foreach (LayerModel l in n.Layers)
                {
                    if (l.Kind == LayerKind.BatchNorm)
                    {
                        foreach ((string suffix, string offset) in new[] { ("weight", GeneratedNames.WeightOffset(l.Name)), ("bias", GeneratedNames.BiasOffset(l.Name)), ("running_mean", GeneratedNames.Constant(l.Name, "RunningMeanOffset")), ("running_var", GeneratedNames.Constant(l.Name, "RunningVarOffset")) })
                        {
                            names.Add(TensorName(l, suffix));
                            w.Line("new " + Spec + "(\"" + TensorName(l, suffix) + "\", new int[] { " + l.Input.Depth + " }, " + offset + "),");
                        }

                        names.Add(TensorName(l, "num_batches_tracked") + " (I64, optional)");
                        w.Line(Spec + ".Counter(\"" + TensorName(l, "num_batches_tracked") + "\", " + counter++ + "),");
                        continue;
                    }

                    if (!l.HasParameters)
                    {
                        continue;
                    }

                    names.Add(TensorName(l, "weight"));
                    w.Line("new " + Spec + "(\"" + TensorName(l, "weight") + "\", new int[] { " + LayerText.WeightShape(l, string.Empty, ", ", string.Empty) + " }, " + GeneratedNames.WeightOffset(l.Name) + "),");
                    if (l.HasBias)
                    {
                        names.Add(TensorName(l, "bias"));
                        w.Line("new " + Spec + "(\"" + TensorName(l, "bias") + "\", new int[] { " + l.Output.Depth + " }, " + GeneratedNames.BiasOffset(l.Name) + "),");
                    }
                }
            }

            w.Line();
            w.Doc(
                "<summary>Loads all parameters from a .safetensors file, as <c>safetensors.torch.save_file(model.state_dict(), path)</c> writes it.</summary>",
                "<remarks>Tensors: " + (names.Count == 0 ? "none" : string.Join(", ", names)) + ". F32, or F16 and BF16 widened to float.</remarks>",
                "<param name=\"path\">The file.</param>",
                "<exception cref=\"global::System.IO.InvalidDataException\">A tensor is missing, extra, mis-shaped or of another dtype, or the file is malformed; no parameter changes.</exception>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public void " + GeneratedNames.LoadSafetensors + "(string path)"))
            {
                w.Line("using global::System.IO.FileStream stream = global::System.IO.File.OpenRead(path);");
                w.Line(GeneratedNames.LoadSafetensors + "(stream);");
            }

            w.Line();
            w.Doc(
                "<summary>Loads all parameters from a .safetensors stream; see <see cref=\"" + GeneratedNames.LoadSafetensors + "(string)\"/>.</summary>",
                "<param name=\"stream\">The data, read to its end.</param>",
                "<exception cref=\"global::System.IO.InvalidDataException\">A tensor is missing, extra, mis-shaped or of another dtype, or the data is malformed; no parameter changes.</exception>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public void " + GeneratedNames.LoadSafetensors + "(global::System.IO.Stream stream)"))
            {
                w.Line("// Read and checked whole before anything changes.");
                bool counters = n.Layers.Any(l => l.Kind == LayerKind.BatchNorm);
                w.Line("float[] values = global::CnnGen.IO.Safetensors.Read(stream, " + GeneratedNames.TensorSpecs + "(), " + GeneratedNames.ParameterCount + (counters ? ", out long[] counters" : string.Empty) + ");");
                w.Line(GeneratedNames.SetParameters + "(values);");
                if (counters)
                {
                    w.Line("counters.CopyTo(" + GeneratedNames.CountersField + ", 0);");
                }
            }

            w.Line();
            w.Doc(
                "<summary>Writes all parameters as a .safetensors file (F32), readable by <c>safetensors.torch.load_file</c>.</summary>",
                "<param name=\"path\">The file, created or overwritten.</param>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public void " + GeneratedNames.SaveSafetensors + "(string path)"))
            {
                w.Line("using global::System.IO.FileStream stream = global::System.IO.File.Create(path);");
                w.Line(GeneratedNames.SaveSafetensors + "(stream);");
            }

            w.Line();
            w.Doc(
                "<summary>Writes all parameters in the .safetensors format to <paramref name=\"stream\"/>.</summary>",
                "<param name=\"stream\">Where to write.</param>");
            w.Line(Code.GeneratedCode);
            using (w.Block("public void " + GeneratedNames.SaveSafetensors + "(global::System.IO.Stream stream)"))
            {
                bool counters = n.Layers.Any(l => l.Kind == LayerKind.BatchNorm);
                w.Line("global::CnnGen.IO.Safetensors.Write(stream, " + GeneratedNames.TensorSpecs + "(), " + GeneratedNames.ParameterField + (counters ? ", " + GeneratedNames.CountersField : string.Empty) + ");");
            }

            w.Line();
        }
    }
}
