using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security;
using System.Text.RegularExpressions;
using System.Text;
using CnnGen.IO;

namespace CnnGen.Cli.Import
{
    /// <summary>
    /// Writes an imported network as a person would declare it: one layer per line with its activations (and batch norm,
    /// residual Add) on the same line, From/Add/Concat naming the layers they read, Keys from the initializer names, and a
    /// comment with the ONNX nodes each line came from. Also writes the weights under the same keys.
    /// </summary>
    internal sealed class DeclarationWriter
    {
        private readonly ImportedNetwork _network;
        private readonly string[] _names;
        private readonly string?[] _explicitNames;
        private readonly string?[] _keys;
        private readonly string[] _finalKeys;

        public DeclarationWriter(ImportedNetwork network)
        {
            _network = network;
            List<ImportedLayer> layers = network.Layers;
            int n = layers.Count;
            _names = new string[n];
            _explicitNames = new string?[n];
            _keys = new string?[n];
            _finalKeys = new string[n];

            // Default names count every layer of a kind (contract section 1); activations, Add and Concat have none.
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                if (layers[i].DefaultPrefix is { } prefix)
                {
                    counts[prefix] = counts.GetValueOrDefault(prefix) + 1;
                    _names[i] = prefix + counts[prefix].ToString(CultureInfo.InvariantCulture);
                }
            }

            // Layers read out of order need a name: From, Add's operand, Concat's operands.
            var referenced = new HashSet<int>();
            for (int i = 0; i < n; i++)
            {
                ImportedLayer layer = layers[i];
                if (layer.Kind == "Add" && layer.Input != i - 1 && layer.Operands[0] == i - 1)
                {
                    // Addition commutes: read the previous layer as the current volume, name the other.
                    (layer.Input, layer.Operands[0]) = (layer.Operands[0], layer.Input);
                }

                if (layer.Kind == "Concat")
                {
                    referenced.UnionWith(layer.Operands);
                }
                else
                {
                    referenced.UnionWith(layer.Operands);
                    if (layer.Input != i - 1)
                    {
                        referenced.Add(layer.Input);
                    }
                }
            }

            var named = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                if (_names[i] is null && referenced.Contains(i))
                {
                    string kind = layers[i].Kind;
                    named[kind] = named.GetValueOrDefault(kind) + 1;
                    string name = kind + (char.IsDigit(kind[^1]) ? "_" : "") + named[kind].ToString(CultureInfo.InvariantCulture);
                    _names[i] = name;
                    _explicitNames[i] = name;
                }
            }

            // Keys: the initializers' shared prefix where there is one, else the default (name, first letter lower-cased); never twice.
            var used = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                if (layers[i].Tensors.Count == 0)
                {
                    continue;
                }

                string fallback = char.ToLowerInvariant(_names[i][0]) + _names[i].Substring(1);
                string key = layers[i].KeyFromInitializers ?? fallback;
                string unique = key;
                for (int k = 2; used.Contains(unique); k++)
                {
                    unique = key + "_" + k.ToString(CultureInfo.InvariantCulture);
                }

                used.Add(unique);
                _finalKeys[i] = unique;
                _keys[i] = unique == fallback ? null : unique;
            }
        }

        /// <summary>
        /// Whether a class called <paramref name="className"/> would clash with a member the generator emits into it (a layer
        /// name, its methods and constants, Forward, Parameters, …): the generator reports that as CNN007.
        /// </summary>
        public bool Clashes(string className)
        {
            if (Generator.Model.GeneratedNames.Fixed.Contains(className))
            {
                return true;
            }

            for (int i = 0; i < _network.Layers.Count; i++)
            {
                string? name = _names[i];
                if (name is not null && Enum.TryParse(_network.Layers[i].Kind, out Generator.Model.LayerKind kind) &&
                    (name == className || Generator.Model.GeneratedNames.MembersOf(kind, name).Contains(className)))
                {
                    return true;
                }
            }

            return false;
        }

        private string Reference(int layer) => layer < 0 ? "Input" : _names[layer];

        private static string Quote(string s) => "\"" + s + "\"";

        private string Attribute(int i)
        {
            ImportedLayer layer = _network.Layers[i];
            var arguments = new List<string>();
            if (layer.Kind == "Add")
            {
                arguments.Add(Quote(Reference(layer.Operands[0])));
            }
            else if (layer.Kind == "Concat")
            {
                arguments.AddRange(layer.Operands.Select(o => Quote(Reference(o))));
            }

            arguments.AddRange(layer.Arguments);
            var properties = layer.Properties.Select(p => p.Name + " = " + p.Value).ToList();
            if (_keys[i] is { } key)
            {
                properties.Add("Key = " + Quote(key));
            }

            if (_explicitNames[i] is { } name)
            {
                properties.Add("Name = " + Quote(name));
            }

            if (layer.Kind != "Concat" && layer.Input != i - 1)
            {
                properties.Add("From = " + Quote(Reference(layer.Input)));
            }

            var all = arguments.Concat(properties).ToList();
            return "[" + layer.Kind + (all.Count == 0 ? "" : "(" + string.Join(", ", all) + ")") + "]";
        }

        /// <summary>The C# source of the declaration.</summary>
        public string Source(string className, string? ns)
        {
            List<ImportedLayer> layers = _network.Layers;
            var lines = new List<(string Code, List<string> Nodes)>();
            for (int i = 0; i < layers.Count; i++)
            {
                string attribute = Attribute(i);
                bool join = lines.Count > 0 && layers[i].JoinsLine && layers[i].Input == i - 1 && lines[^1].Code.Length + attribute.Length < 100;
                if (join)
                {
                    lines[^1] = (lines[^1].Code + " " + attribute, lines[^1].Nodes);
                    lines[^1].Nodes.AddRange(layers[i].Nodes);
                }
                else
                {
                    lines.Add((attribute, new List<string>(layers[i].Nodes)));
                }
            }

            (int w, int h, int d) = _network.Input;
            string input = "[Input(" + w + ", " + h + ", " + d + ")]";
            int column = Math.Min(100, lines.Select(l => l.Code.Length).Append(input.Length).Max()) + 2;
            var text = new StringBuilder();
            text.Append("// Imported by cnngen from ").Append(Escape(_network.Source)).Append(" (").Append(Escape(_network.Description)).AppendLine(").");
            text.Append("// Weights: ").Append(className).Append(".safetensors, read with LoadSafetensors(\"").Append(className).AppendLine(".safetensors\").");
            text.AppendLine("// The comment on each line names the ONNX nodes its layers came from.");
            text.AppendLine("using CnnGen;");
            text.AppendLine();
            if (!string.IsNullOrEmpty(ns))
            {
                text.Append("namespace ").Append(ns).AppendLine(";");
                text.AppendLine();
            }

            text.Append("/// <summary>").Append(className).Append(", imported from ").Append(SecurityElement.Escape(Escape(_network.Source))).AppendLine(".</summary>");
            text.Append(input.PadRight(column)).Append("// ONNX input \"").Append(Escape(_network.InputName)).AppendLine("\"");
            foreach ((string code, List<string> nodes) in lines)
            {
                text.Append(code.PadRight(Math.Max(column, code.Length + 2))).Append("// ").AppendLine(string.Join(", ", nodes.Select(Escape)));
            }

            text.Append("public partial class ").Append(className).AppendLine(" { }");
            return text.ToString();
        }

        /// <summary>Names from the file go into comments: keep them on one line (C# also ends lines at U+0085, U+2028, U+2029).</summary>
        public static string Escape(string s) => Regex.Replace(s, @"[\p{C}\p{Zl}\p{Zp}\u0085]", "?");

        /// <summary>The tensors under their keys, in declaration order (PyTorch's state_dict order), written by the runtime's writer.</summary>
        public void WriteWeights(Stream stream)
        {
            var specs = new List<TensorSpec>();
            var parameters = new List<float>();
            int counters = 0;
            for (int i = 0; i < _network.Layers.Count; i++)
            {
                ImportedLayer layer = _network.Layers[i];
                foreach ((string suffix, int[] shape, float[] data) in layer.Tensors)
                {
                    specs.Add(new TensorSpec(_finalKeys[i] + "." + suffix, shape, parameters.Count));
                    parameters.AddRange(data);
                }

                if (layer.IsBatchNorm)
                {
                    specs.Add(TensorSpec.Counter(_finalKeys[i] + ".num_batches_tracked", counters++));
                }
            }

            Safetensors.Write(stream, specs, parameters.ToArray(), new long[counters]);
        }
    }
}
