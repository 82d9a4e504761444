namespace CnnGen.Generator.Model
{
    /// <summary>
    /// A value the user wrote in an attribute: a named property (<c>Stride = 2</c>) read from the syntax, so
    /// "set" means written, never a property default. Numbers (ints, enums, bools and floats) are held as a
    /// double, which holds every int exactly; strings as <see cref="Text"/>.
    /// </summary>
    internal sealed record Setting(string Property, double Number, string? Text);

    /// <summary>How a <c>Name</c> reads as a C# identifier (decided by the parser, which has Roslyn's rules).</summary>
    internal enum NameValidity
    {
        /// <summary>A plain identifier.</summary>
        Identifier,

        /// <summary>A contextual keyword such as <c>nameof</c> or <c>var</c>: valid, written <c>@nameof</c> where it stands alone.</summary>
        ContextualKeyword,

        /// <summary>A reserved keyword such as <c>class</c>: not allowed.</summary>
        Keyword,

        /// <summary>Not an identifier at all.</summary>
        NotIdentifier,
    }

    /// <summary>A <c>Name = "…"</c> the user wrote, with its validity as an identifier.</summary>
    internal sealed record NameSpec(string Text, NameValidity Validity);

    /// <summary>
    /// One layer attribute as written: its kind, its constructor arguments (in parameter order) and the named
    /// properties the user set. Shapes are not known yet. <see cref="References"/> holds the layer names an
    /// <c>Add</c> or <c>Concat</c> names in its constructor (a null name read as empty).
    /// </summary>
    internal sealed record LayerSpec(LayerKind Kind, EquatableArray<int> Arguments, EquatableArray<Setting> Settings, NameSpec? Name, EquatableArray<string> References = default)
    {
        /// <summary>Constructor argument <paramref name="index"/> (0 when absent).</summary>
        public int Argument(int index) => index < Arguments.Count ? Arguments[index] : 0;

        public Setting? Find(string property)
        {
            foreach (Setting setting in Settings)
            {
                if (setting.Property == property)
                {
                    return setting;
                }
            }

            return null;
        }

        /// <summary>Whether the user wrote <paramref name="property"/>.</summary>
        public bool Has(string property) => Find(property) is not null;

        /// <summary>The first of <paramref name="properties"/> the user wrote, or null.</summary>
        public Setting? First(params string[] properties)
        {
            foreach (string property in properties)
            {
                if (Find(property) is { } setting)
                {
                    return setting;
                }
            }

            return null;
        }

        /// <summary>The integer value of <paramref name="property"/>, or <paramref name="fallback"/> when it was not written.</summary>
        public int Int(string property, int fallback) => Find(property) is { } setting ? (int)setting.Number : fallback;

        /// <summary>The text of <paramref name="property"/> (a string property), or null when not written.</summary>
        public string? Text(string property) => Find(property)?.Text;

        /// <summary>A copy with <paramref name="property"/> set to <paramref name="value"/> (or removed when null): how a code fix would change it.</summary>
        public LayerSpec With(string property, int? value)
        {
            var settings = new System.Collections.Generic.List<Setting>();
            bool replaced = false;
            foreach (Setting setting in Settings)
            {
                if (setting.Property != property)
                {
                    settings.Add(setting);
                }
                else if (value is int v && !replaced)
                {
                    settings.Add(new Setting(property, v, null));
                    replaced = true;
                }
            }

            if (value is int added && !replaced)
            {
                settings.Add(new Setting(property, added, null));
            }

            return this with { Settings = new EquatableArray<Setting>(settings.ToArray()) };
        }

        /// <summary>A copy with constructor argument <paramref name="index"/> replaced.</summary>
        public LayerSpec WithArgument(int index, int value)
        {
            int[] arguments = new int[System.Math.Max(Arguments.Count, index + 1)];
            for (int i = 0; i < Arguments.Count; i++)
            {
                arguments[i] = Arguments[i];
            }

            arguments[index] = value;
            return this with { Arguments = new EquatableArray<int>(arguments) };
        }
    }

    /// <summary>The values written in <c>[Input(width, height, depth)]</c>, and its <c>Rounding</c> (0, Exact, when not written).</summary>
    internal sealed record InputSpec(int Width, int Height, int Depth, int Rounding = 0);

    /// <summary>A type that contains the network class, outermost first: its keyword, and its name as written in C# (escaped).</summary>
    internal sealed record ContainingType(string Keyword, string Identifier);

    /// <summary>
    /// The network class: its plain name (for messages), its name as a C# identifier (<c>@class</c> for a class
    /// declared <c>class @class</c>), its keyword, its namespace (dotted, each part escaped; empty for the global
    /// namespace), the types containing it and the hint name of its generated file.
    /// </summary>
    internal sealed record ClassSpec(
        string Name,
        string Identifier,
        string Keyword,
        string Namespace,
        EquatableArray<ContainingType> ContainingTypes,
        string HintName);

    /// <summary>A whole declaration as plain values: what checking starts from. Never holds a Roslyn object.</summary>
    internal sealed record NetworkSpec(ClassSpec Class, InputSpec Input, EquatableArray<LayerSpec> Layers);
}
