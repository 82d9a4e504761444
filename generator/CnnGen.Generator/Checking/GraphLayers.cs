using System;
using System.Collections.Generic;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Checking
{
    /// <summary>
    /// The graph of a network: which earlier outputs each layer reads (<c>From</c>, <c>Add</c>, <c>Concat</c>), CNN015
    /// for a reference to an unknown, later or the same layer or an empty <c>Concat</c>, and CNN016 for an <c>Add</c> of
    /// two shapes or a <c>Concat</c> of different widths or heights. Index −1 is the network's input, which references
    /// call <see cref="InputName"/>.
    /// </summary>
    internal static class GraphLayers
    {
        /// <summary>The name that refers to the network's input (<c>From = "Input"</c>, <c>Add("Input")</c>); no layer may take it.</summary>
        public const string InputName = "Input";

        /// <summary>How many layer names a "names no layer" message lists (the nearest before the reference).</summary>
        private const int ListedNames = 8;

        /// <summary>
        /// The layers whose outputs layer <paramref name="index"/> reads: its main input (the layer before it, or its
        /// <c>From</c>) then an <c>Add</c>'s other operand; a <c>Concat</c>'s layers in order. Null, with a problem, when a
        /// reference finds no earlier layer (for an <c>Add</c> whose operand is missing, the main input alone).
        /// </summary>
        public static int[]? Sources(IReadOnlyList<LayerSpec> layers, LayerName[] names, int index, List<Problem> problems)
        {
            LayerSpec layer = layers[index];
            if (layer.Kind == LayerKind.Concat)
            {
                if (layer.References.Count == 0)
                {
                    problems.Add(new Problem(DiagnosticIds.BadReference, index, ArgumentRef.Attribute, Label(layers, names, index) + ": Concat names no layer; it needs the layers whose outputs it stacks along depth, e.g. Concat(\"E1\", \"E3\")"));
                    return null;
                }

                var sources = new int[layer.References.Count];
                bool ok = true;
                for (int k = 0; k < sources.Length; k++)
                {
                    int? found = Resolve(layers, names, index, layer.References[k], "Concat argument " + (k + 1) + " \"" + layer.References[k] + "\"", ArgumentRef.Positional(k), problems);
                    ok &= found is not null;
                    sources[k] = found ?? -1;
                }

                return ok ? sources : null;
            }

            int main = index - 1;
            if (layer.Text("From") is { } from)
            {
                if (Resolve(layers, names, index, from, "From = \"" + from + "\"", ArgumentRef.Named("From"), problems) is not int found)
                {
                    return null;
                }

                main = found;
            }

            if (layer.Kind != LayerKind.Add)
            {
                return new[] { main };
            }

            string other = layer.References.Count > 0 ? layer.References[0] : string.Empty;
            int? operand = Resolve(layers, names, index, other, "Add(\"" + other + "\")", ArgumentRef.Positional(0), problems);
            return operand is int o ? new[] { main, o } : null;
        }

        /// <summary>CNN016 for an <c>Add</c> whose operands differ, or a <c>Concat</c> whose operands differ in width or height.</summary>
        public static void CheckShapes(IReadOnlyList<LayerSpec> layers, LayerName[] names, int index, int[] sources, Func<int, Volume> volumeOf, List<Problem> problems)
        {
            LayerSpec layer = layers[index];
            if (layer.Kind == LayerKind.Add)
            {
                Volume current = volumeOf(sources[0]), other = volumeOf(sources[1]);
                if (current != other)
                {
                    string from = sources[0] == index - 1 ? "the volume before it" : OutputOf(layers, names, sources[0]);
                    problems.Add(new Problem(
                        DiagnosticIds.ShapesDiffer,
                        index,
                        ArgumentRef.Positional(0),
                        Label(layers, names, index) + ": Add needs two volumes of the same shape (no broadcasting), but " + from + " is " + current + " and " + OutputOf(layers, names, sources[1]) + " is " + other + Hint(current, other)));
                }

                return;
            }

            if (layer.Kind != LayerKind.Concat)
            {
                return;
            }

            Volume first = volumeOf(sources[0]);
            for (int k = 1; k < sources.Length; k++)
            {
                Volume v = volumeOf(sources[k]);
                if (v.Width != first.Width || v.Height != first.Height)
                {
                    problems.Add(new Problem(
                        DiagnosticIds.ShapesDiffer,
                        index,
                        ArgumentRef.Positional(k),
                        Label(layers, names, index) + ": Concat stacks along depth, so every width and height must be equal, but " + OutputOf(layers, names, sources[0]) + " is " + first + " and " + OutputOf(layers, names, sources[k]) + " is " + v + "; a pool or a strided conv on the larger branch, or padding on the smaller, would make them equal"));
                }
            }
        }

        /// <summary>How a message names layer <paramref name="index"/>: its name, or its kind and position when it has none ("Add (layer 12)").</summary>
        public static string Label(IReadOnlyList<LayerSpec> layers, LayerName[] names, int index) =>
            index < 0 ? "Input" : LayerNaming.IsReferable(layers, names, index) ? names[index].Name : LayerKinds.ShortName(layers[index].Kind) + " (layer " + (index + 1) + ")";

        private static string OutputOf(IReadOnlyList<LayerSpec> layers, LayerName[] names, int index) =>
            index < 0 ? "the input" : Label(layers, names, index) + "'s output";

        private static string Hint(Volume a, Volume b)
        {
            if (a.Depth != b.Depth && a.Width == b.Width && a.Height == b.Height)
            {
                return "; a 1x1 conv on the shortcut (Conv(" + a.Depth + ", 1, From = …)) would match the depths";
            }

            if (a.Depth == b.Depth && a.Width * 2 == b.Width && a.Height * 2 == b.Height)
            {
                return "; a stride-2 1x1 conv on the shortcut would halve its width and height";
            }

            return "; the two branches must end in the same width, height and depth (check their strides, paddings and filter counts)";
        }

        /// <summary>The earlier layer a reference names, or null with a CNN015 that says what it found instead.</summary>
        private static int? Resolve(IReadOnlyList<LayerSpec> layers, LayerName[] names, int index, string reference, string written, ArgumentRef target, List<Problem> problems)
        {
            if (reference == InputName)
            {
                return -1;
            }

            string self = Label(layers, names, index);
            for (int j = 0; j < layers.Count; j++)
            {
                if (!LayerNaming.IsReferable(layers, names, j) || !string.Equals(names[j].Name, reference, StringComparison.Ordinal))
                {
                    continue;
                }

                if (j < index)
                {
                    return j;
                }

                string message = j == index
                    ? self + ": " + written + " names this layer itself; a layer reads the output of an earlier layer"
                    : self + ": " + written + " names layer " + (j + 1) + " (" + LayerKinds.ShortName(layers[j].Kind) + "), which comes after this one; a layer can only read an earlier layer's output";
                problems.Add(new Problem(DiagnosticIds.BadReference, index, target, message));
                return null;
            }

            // Unknown: the same name in another case is the likely slip; otherwise list the names there are.
            if (string.Equals(reference, InputName, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new Problem(
                    DiagnosticIds.BadReference,
                    index,
                    target,
                    self + ": " + written + " names no layer; names are case-sensitive, and the network's input is \"" + InputName + "\"",
                    EquatableArray.Of(new Fix(FixProtocol.Reference, "\"" + InputName + "\"", string.Empty))));
                return null;
            }

            var earlier = new List<string>();
            for (int j = 0; j < index; j++)
            {
                if (LayerNaming.IsReferable(layers, names, j))
                {
                    if (string.Equals(names[j].Name, reference, StringComparison.OrdinalIgnoreCase))
                    {
                        problems.Add(new Problem(
                            DiagnosticIds.BadReference,
                            index,
                            target,
                            self + ": " + written + " names no layer; names are case-sensitive, and layer " + (j + 1) + " is \"" + names[j].Name + "\"",
                            EquatableArray.Of(new Fix(FixProtocol.Reference, "\"" + names[j].Name + "\"", string.Empty))));
                        return null;
                    }

                    earlier.Add(names[j].Name);
                }
                else if (string.Equals(names[j].Name, reference, StringComparison.Ordinal))
                {
                    // The default name of a layer that has none (an activation, Softmax, Add or Concat).
                    problems.Add(new Problem(
                        DiagnosticIds.BadReference,
                        index,
                        target,
                        self + ": " + written + " names no layer; layer " + (j + 1) + " (" + LayerKinds.ShortName(layers[j].Kind) + ") has no name: an activation, Softmax, Add or Concat has one only when given one, such as " + LayerKinds.ShortName(layers[j].Kind) + "(Name = \"" + reference + "\")"));
                    return null;
                }
            }

            string listed = earlier.Count == 0
                ? "no layer before it has a name (give one a Name, or use a default name such as Conv1), and \"Input\" is the network's input"
                : "the layers before it are " + string.Join(", ", earlier.Count > ListedNames ? earlier.GetRange(earlier.Count - ListedNames, ListedNames) : earlier) + (earlier.Count > ListedNames ? " (and " + (earlier.Count - ListedNames) + " more)" : string.Empty) + ", and \"Input\" is the network's input";
            problems.Add(new Problem(DiagnosticIds.BadReference, index, target, self + ": " + written + " names no layer; " + listed));
            return null;
        }
    }
}
