using System;
using System.Collections.Generic;
using CnnGen.Generator.Model;

namespace CnnGen.Generator.Checking
{
    /// <summary>
    /// A layer's name: as a member name, as written alone in C#, and whether the user gave it; and for a layer with
    /// parameters, its state_dict key (its <c>Key</c>, or the name with the first letter lower-cased).
    /// </summary>
    internal readonly record struct LayerName(string Name, string Identifier, bool Explicit, string Key = "");

    /// <summary>
    /// CNN007: every layer's name (its <c>Name</c>, or kind and index), checked for validity, uniqueness and clashes
    /// with the members CnnGen generates (<see cref="GeneratedNames"/>), including clashes with the class's own name;
    /// CNN014: every key, checked for validity and uniqueness.
    /// </summary>
    internal static class LayerNaming
    {
        public static LayerName[] Assign(NetworkSpec spec, List<Problem> problems)
        {
            IReadOnlyList<LayerSpec> layers = spec.Layers;
            var names = new LayerName[layers.Count];
            var counters = new Dictionary<LayerKind, int>();
            var defaults = new string[layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                LayerSpec layer = layers[i];
                counters.TryGetValue(layer.Kind, out int count);
                counters[layer.Kind] = ++count;
                defaults[i] = LayerKinds.DefaultName(layer.Kind, count);
                names[i] = new LayerName(defaults[i], defaults[i], Explicit: false);
                if (layer.Name is not { } given)
                {
                    continue;
                }

                if (given.Text == GraphLayers.InputName)
                {
                    problems.Add(Error(i, defaults[i] + ": Name = \"" + GraphLayers.InputName + "\" is the name references use for the network's input (From = \"Input\", Add(\"Input\")); a name such as \"" + defaults[i] + "\" would fit"));
                    continue;
                }

                switch (given.Validity)
                {
                    case NameValidity.NotIdentifier:
                        problems.Add(Error(i, defaults[i] + ": Name = \"" + given.Text + "\" is not a valid C# identifier; a name such as \"" + defaults[i] + "\" would fit"));
                        break;
                    case NameValidity.Keyword:
                        problems.Add(Error(i, defaults[i] + ": Name = \"" + given.Text + "\" is a C# keyword; a name such as \"" + ToPascal(given.Text) + "\" would fit"));
                        break;
                    default:
                        names[i] = new LayerName(given.Text, GeneratedNames.Escape(given.Text, given.Validity), Explicit: true);
                        break;
                }
            }

            // A layer without members (an activation, Softmax, Add, Concat) that was given a name has that name alone, so
            // that two layers can never share a name a reference would find.
            var members = new HashSet<string>[layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                members[i] = LayerKinds.HasMembers(layers[i].Kind)
                    ? new HashSet<string>(GeneratedNames.MembersOf(layers[i].Kind, names[i].Name), StringComparer.Ordinal)
                    : names[i].Explicit ? new HashSet<string>(StringComparer.Ordinal) { names[i].Name } : new HashSet<string>(StringComparer.Ordinal);
            }

            var fixedMembers = new HashSet<string>(GeneratedNames.Fixed, StringComparer.Ordinal);
            string className = spec.Class.Name;
            if (fixedMembers.Contains(className))
            {
                problems.Add(new Problem(
                    DiagnosticIds.BadName,
                    Problem.ClassName,
                    ArgumentRef.Attribute,
                    className + ": a network class cannot be called " + className + ", the name of a member CnnGen generates in it; rename the class"));
            }

            for (int i = 0; i < layers.Count; i++)
            {
                string? clash = null;
                foreach (string member in members[i])
                {
                    if (member == className)
                    {
                        clash = names[i].Explicit
                            ? "is the name of the network class itself"
                            : null;
                        if (!names[i].Explicit)
                        {
                            problems.Add(new Problem(
                                DiagnosticIds.BadName,
                                i,
                                ArgumentRef.Attribute,
                                defaults[i] + ": its generated member " + member + " would have the name of the network class " + className + " (a member cannot be named as its class); give the layer a Name or rename the class"));
                        }

                        break;
                    }

                    if (names[i].Explicit && fixedMembers.Contains(member) && LayerKinds.HasMembers(layers[i].Kind))
                    {
                        clash = "clashes with the generated member " + member;
                        break;
                    }
                }

                if (!names[i].Explicit)
                {
                    continue;
                }

                for (int j = 0; j < layers.Count && clash is null; j++)
                {
                    // Two explicit names that collide are reported once, on the later layer.
                    if (j == i || (names[j].Explicit && j > i))
                    {
                        continue;
                    }

                    foreach (string member in members[i])
                    {
                        if (members[j].Contains(member))
                        {
                            clash = member == names[j].Name
                                ? "is already the name of layer " + (j + 1) + " (" + LayerKinds.ShortName(layers[j].Kind) + "); layer names must be unique in the network"
                                : "clashes with the generated member " + member + " of layer " + names[j].Name;
                            break;
                        }
                    }
                }

                if (clash is not null)
                {
                    problems.Add(new Problem(DiagnosticIds.BadName, i, ArgumentRef.Named("Name"), defaults[i] + ": Name = \"" + names[i].Name + "\" " + clash + "; choose another name"));
                }
            }

            AssignKeys(layers, names, problems);
            return names;
        }

        /// <summary>
        /// Whether a reference (<c>From</c>, <c>Add</c>, <c>Concat</c>) may find layer <paramref name="index"/> by
        /// <paramref name="names"/>[index].Name: a name the user gave, or the default name of a layer with members
        /// (<c>Conv1</c>, <c>Bn2</c>); an activation, Softmax, Add or Concat has a name only when given one.
        /// </summary>
        public static bool IsReferable(IReadOnlyList<LayerSpec> layers, LayerName[] names, int index) =>
            names[index].Explicit || LayerKinds.HasMembers(layers[index].Kind);

        /// <summary>The default key of a layer named <paramref name="name"/>: the name with its first letter lower-cased.</summary>
        public static string DefaultKey(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

        /// <summary>Whether <paramref name="key"/> is a state_dict key CnnGen accepts: letters, digits, '_' and '.', not empty.</summary>
        public static bool IsValidKey(string key)
        {
            if (key.Length == 0)
            {
                return false;
            }

            foreach (char c in key)
            {
                if (!char.IsLetterOrDigit(c) && c != '_' && c != '.')
                {
                    return false;
                }
            }

            return true;
        }

        private static void AssignKeys(IReadOnlyList<LayerSpec> layers, LayerName[] names, List<Problem> problems)
        {
            var owners = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < layers.Count; i++)
            {
                if (!LayerKinds.HasTensors(layers[i].Kind))
                {
                    continue;
                }

                string? given = layers[i].Text("Key");
                string key = given ?? DefaultKey(names[i].Name);
                names[i] = names[i] with { Key = key };
                if (given is not null && !IsValidKey(given))
                {
                    problems.Add(new Problem(
                        DiagnosticIds.BadKey,
                        i,
                        ArgumentRef.Named("Key"),
                        names[i].Name + ": Key = \"" + given + "\" is not a valid state_dict key: it must be a non-empty string of letters, digits, '_' and '.', such as \"features.0\" or \"" + DefaultKey(names[i].Name) + "\""));
                    continue;
                }

                if (!owners.TryGetValue(key, out int first))
                {
                    owners[key] = i;
                    continue;
                }

                // Reported on a key the user wrote (the later one if both were), else on the Name that made the default;
                // two layers of the same name are CNN007's already.
                bool laterGiven = given is not null;
                bool firstGiven = layers[first].Text("Key") is not null;
                if (!laterGiven && !firstGiven && names[i].Name == names[first].Name)
                {
                    continue;
                }

                int at = laterGiven || !firstGiven ? i : first;
                int other = at == i ? first : i;
                bool keyWritten = layers[at].Text("Key") is not null;
                problems.Add(new Problem(
                    DiagnosticIds.BadKey,
                    at,
                    ArgumentRef.Named(keyWritten ? "Key" : "Name"),
                    names[at].Name + ": " + (keyWritten ? "Key = \"" + key + "\"" : "its key \"" + key + "\" (its Name with the first letter lower-cased)") +
                    " is already the key of " + names[other].Name + " (layer " + (other + 1) + "); each layer's tensors need a key of their own"));
            }
        }

        private static Problem Error(int layer, string message) => new(DiagnosticIds.BadName, layer, ArgumentRef.Named("Name"), message);

        private static string ToPascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}
