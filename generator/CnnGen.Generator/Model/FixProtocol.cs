using System.Collections.Generic;
using System.Collections.Immutable;

namespace CnnGen.Generator.Model
{
    /// <summary>
    /// How the analyzer tells the code fixes what would fit: diagnostic properties "Fix0", "Fix1", … each
    /// "Property|Value|Output" (an empty Value removes the property; Output is the layer's resulting shape, for the
    /// title), or the property <see cref="AddPartial"/>. This one file, which needs nothing but the base library, is
    /// compiled into both the analyzer and the code-fix assemblies, so the two sides cannot disagree.
    /// </summary>
    internal static class FixProtocol
    {
        /// <summary>The fix that adds 'partial' to the class and the types containing it (CNN006).</summary>
        public const string AddPartial = "AddPartial";

        /// <summary>The window size, which is a constructor argument rather than a property.</summary>
        public const string Size = "Size";

        private const string KeyPrefix = "Fix";

        /// <summary>One fix as the code-fix side reads it.</summary>
        internal readonly struct Entry
        {
            public Entry(string property, string? value, string output)
            {
                Property = property;
                Value = value;
                Output = output;
            }

            public string Property { get; }

            public string? Value { get; }

            public string Output { get; }

            /// <summary>"Set Padding = 1 (output 11x11x6)", "Remove Depth".</summary>
            public string Title => Value is null
                ? "Remove " + Property
                : "Set " + Property + " = " + Value + (Output.Length > 0 ? " (output " + Output + ")" : string.Empty);
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

                builder.Add(KeyPrefix + index++, fix.Property + "|" + (fix.Value ?? string.Empty) + "|" + fix.Output);
            }

            return builder.ToImmutable();
        }

        public static bool WantsPartial(ImmutableDictionary<string, string?> properties) => properties.ContainsKey(AddPartial);

        public static IEnumerable<Entry> Decode(ImmutableDictionary<string, string?> properties)
        {
            for (int i = 0; properties.TryGetValue(KeyPrefix + i, out string? encoded) && encoded is not null; i++)
            {
                string[] parts = encoded.Split('|');
                if (parts.Length == 3)
                {
                    yield return new Entry(parts[0], parts[1].Length == 0 ? null : parts[1], parts[2]);
                }
            }
        }
    }
}
