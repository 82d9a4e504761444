using System.Collections.Generic;
using System.Collections.Immutable;

namespace CnnGen.Generator.Model
{
    /// <summary>
    /// How the analyzer tells the code fixes what would fit: diagnostic properties "Fix0", "Fix1", … each
    /// "Property|Value|Output|Removes" (an empty Value removes the property; Output is the layer's resulting shape, for
    /// the title; Removes, comma-separated, are properties the fix also deletes), or the property <see cref="AddPartial"/>.
    /// A Property starting with <see cref="InputPrefix"/> is set on the network's <c>[Input]</c> attribute. This one file, which needs nothing but the base library, is
    /// compiled into both the analyzer and the code-fix assemblies, so the two sides cannot disagree.
    /// </summary>
    internal static class FixProtocol
    {
        /// <summary>The fix that adds 'partial' to the class and the types containing it (CNN006).</summary>
        public const string AddPartial = "AddPartial";

        /// <summary>The window size, which is a constructor argument rather than a property.</summary>
        public const string Size = "Size";

        /// <summary>A layer reference (a <c>From</c>, <c>Add</c> or <c>Concat</c> argument) replaced where the diagnostic points; Value is the new string literal.</summary>
        public const string Reference = "Reference";

        /// <summary>The prefix of a property set on <c>[Input]</c> rather than on the layer.</summary>
        public const string InputPrefix = "Input.";

        private const string KeyPrefix = "Fix";

        /// <summary>One fix as the code-fix side reads it.</summary>
        internal readonly struct Entry
        {
            public Entry(string property, string? value, string output, string removes = "")
            {
                Property = property;
                Value = value;
                Output = output;
                Removes = removes;
            }

            public string Property { get; }

            public string? Value { get; }

            public string Output { get; }

            public string Removes { get; }

            /// <summary>Whether the fix edits <c>[Input]</c>.</summary>
            public bool OnInput => Property.StartsWith(InputPrefix, System.StringComparison.Ordinal);

            /// <summary>"Set Padding = 1 (output 11x11x6)", "Remove Depth", "Use PyTorch rounding for the whole network …".</summary>
            public string Title => Value is not null && Output.Length > 0 ? EquivalenceKey + " (output " + Output + ")" : EquivalenceKey;

            /// <summary>The title without the output shape: the same change on another layer is the same kind of fix (Fix All).</summary>
            public string EquivalenceKey
            {
                get
                {
                    if (OnInput)
                    {
                        string property = Property.Substring(InputPrefix.Length);
                        return property == "Rounding" && Value == "OutputRounding.Floor"
                            ? "Use PyTorch rounding for the whole network (Rounding = OutputRounding.Floor on Input)"
                            : "Set " + property + " = " + Value + " on Input";
                    }

                    if (Property == Reference)
                    {
                        return "Use " + Value;
                    }

                    if (Value is null)
                    {
                        return "Remove " + Property;
                    }

                    return "Set " + Property + " = " + Value + (Removes.Length > 0 ? ", removing " + Removes.Replace(",", ", ") : string.Empty);
                }
            }
        }

        public static ImmutableDictionary<string, string?> Encode(IEnumerable<Entry> fixes)
        {
            ImmutableDictionary<string, string?>.Builder builder = ImmutableDictionary.CreateBuilder<string, string?>();
            int index = 0;
            foreach (Entry fix in fixes)
            {
                if (fix.Property == AddPartial)
                {
                    builder[AddPartial] = "true";
                    continue;
                }

                builder.Add(KeyPrefix + index++, fix.Property + "|" + (fix.Value ?? string.Empty) + "|" + fix.Output + "|" + fix.Removes);
            }

            return builder.ToImmutable();
        }

        public static bool WantsPartial(ImmutableDictionary<string, string?> properties) => properties.ContainsKey(AddPartial);

        public static IEnumerable<Entry> Decode(ImmutableDictionary<string, string?> properties)
        {
            for (int i = 0; properties.TryGetValue(KeyPrefix + i, out string? encoded) && encoded is not null; i++)
            {
                string[] parts = encoded.Split('|');
                if (parts.Length == 4)
                {
                    yield return new Entry(parts[0], parts[1].Length == 0 ? null : parts[1], parts[2], parts[3]);
                }
            }
        }
    }
}
