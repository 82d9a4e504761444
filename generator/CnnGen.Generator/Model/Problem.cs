namespace CnnGen.Generator.Model
{
    /// <summary>
    /// What part of an attribute a problem points at: a named property (<see cref="Property"/>), a constructor
    /// argument (<see cref="Position"/> ≥ 0), or the whole attribute.
    /// </summary>
    internal readonly record struct ArgumentRef(int Position, string? Property)
    {
        public static ArgumentRef Attribute => new(-1, null);

        public static ArgumentRef Positional(int index) => new(index, null);

        public static ArgumentRef Named(string property) => new(-1, property);
    }

    /// <summary>
    /// A change that makes a layer (and the whole network) valid, for code fixes: set <see cref="Property"/>
    /// (Stride, Padding, Size, Rounding, Depth, …) to <see cref="Value"/> (null removes it), giving the layer an
    /// output of <see cref="Output"/> (empty when not worth showing), and remove the properties in <see cref="Removes"/>
    /// (comma-separated; the padding a <c>PaddingMode.Same</c> replaces). A property <c>Input.X</c> is set on the
    /// network's <c>[Input]</c> instead of the layer.
    /// </summary>
    internal sealed record Fix(string Property, string? Value, string Output, string Removes = "");

    /// <summary>
    /// A problem found in a declaration: its diagnostic id, the layer it belongs to (an index into the layer
    /// attributes, or <see cref="InputLayer"/>, or <see cref="ClassName"/>), what it points at, its message
    /// and the fixes that would remove it.
    /// </summary>
    internal sealed record Problem(string Id, int Layer, ArgumentRef Target, string Message, EquatableArray<Fix> Fixes = default)
    {
        /// <summary><see cref="Layer"/> value for the <c>[Input]</c> attribute.</summary>
        public const int InputLayer = -1;

        /// <summary><see cref="Layer"/> value for the class name.</summary>
        public const int ClassName = -2;
    }

    /// <summary>Every diagnostic id, as constants: the descriptors, the checks and the code fixes use these.</summary>
    internal static class DiagnosticIds
    {
        public const string OutputNotInteger = "CNN001";
        public const string LayerDoesNotFit = "CNN002";
        public const string ValueOutOfRange = "CNN003";
        public const string DepthMismatch = "CNN004";
        public const string BadStructure = "CNN005";
        public const string BadClass = "CNN006";
        public const string BadName = "CNN007";
        public const string InternalError = "CNN008";
        public const string NotUnrolled = "CNN009";
        public const string ShapeReport = "CNN010";
        public const string GroupsDoNotDivide = "CNN011";
        public const string ConflictingSettings = "CNN012";
        public const string SizeMissing = "CNN013";
        public const string BadKey = "CNN014";
        public const string BadReference = "CNN015";
        public const string ShapesDiffer = "CNN016";
    }
}
