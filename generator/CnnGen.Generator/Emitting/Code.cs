using CnnGen.Generator.Model;
namespace CnnGen.Generator.Emitting
{
    /// <summary>The type names and attributes generated code spells out: every type <c>global::</c>-qualified, no aliases.</summary>
    internal static class Code
    {
        public static readonly string Version = typeof(Code).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

        public const string Span = "global::System.Span<float>";
        public const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
        public const string Check = "global::CnnGen.Runtime.Check";
        public const string Scratch = "global::CnnGen.Runtime.Scratch";
        public const string Layout = "global::CnnGen.Runtime.Layout";
        public const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";
        public const string MemoryMarshal = "global::System.Runtime.InteropServices.MemoryMarshal";

        /// <summary>The type parameters and constraint of every vector kernel: TS is the vector width (Simd512, Simd256, Simd128).</summary>
        public const string VectorConstraint = "where TS : struct, global::CnnGen.Runtime.ISimd<TV> where TV : struct";

        /// <summary>
        /// Kernels are compiled fully optimized at their first call: no tier-0 code, no on-stack replacement, and no
        /// dynamic-PGO re-layout (which measurably slowed the row-max pool kernels), and nothing recompiled later. The
        /// small methods around them (Forward and its steps, the layer methods) are left to tiered compilation: compiled
        /// quickly at their first call and optimized in the background after 30 calls, which cut LeNet-5's first Forward
        /// by a tenth and allocates nothing (BehaviourTests checks 3,000 calls).
        /// </summary>
        public const string Optimized = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

        public static string GeneratedCode => "[global::System.CodeDom.Compiler.GeneratedCode(\"CnnGen\", \"" + Version + "\")]";

        /// <summary><c>ref float name = ref MemoryMarshal.GetReference(span);</c></summary>
        /// <summary>
        /// The activation a kernel applies to vector <paramref name="value"/> when Forward fuses one into it (its <c>relu</c>
        /// argument): max(0, x), or min(max(0, x), 6) for a fused ReLU6 (NaN kept either way).
        /// </summary>
        public static string Activate(LayerModel layer, string value) => float.IsPositiveInfinity(layer.FusedCeiling)
            ? "TS.Relu(" + value + ")"
            : "TS.MinKeepNaN(TS.Splat(" + Model.Text.FloatLiteral(layer.FusedCeiling) + "), TS.Relu(" + value + "))";

        /// <summary>The same on a float <paramref name="value"/>: the expression a scalar kernel stores.</summary>
        public static string ActivateScalar(LayerModel layer, string value) => float.IsPositiveInfinity(layer.FusedCeiling)
            ? "relu && " + value + " < 0f ? 0f : " + value
            : "relu ? (" + value + " < 0f ? 0f : " + value + " > " + Model.Text.FloatLiteral(layer.FusedCeiling) + " ? " + Model.Text.FloatLiteral(layer.FusedCeiling) + " : " + value + ") : " + value;

        public static string RefTo(string name, string span) => "ref float " + name + " = ref " + MemoryMarshal + ".GetReference(" + span + ");";

        /// <summary><c>Unsafe.Add(ref r, offset)</c>, or just <c>r</c> at offset 0.</summary>
        public static string At(string reference, string offset) =>
            offset == "0" ? reference : Unsafe + ".Add(ref " + reference + ", " + offset + ")";

        /// <summary><c>TS.Load(ref r, offset)</c>, or <c>TS.Load(ref r)</c> at offset 0.</summary>
        public static string Load(string reference, string offset) =>
            "TS.Load(ref " + reference + (offset == "0" ? ")" : ", " + offset + ")");

        /// <summary><c>TS.Broadcast(ref r, offset)</c>: one float splatted to every lane.</summary>
        public static string Broadcast(string reference, string offset) =>
            "TS.Broadcast(ref " + reference + (offset == "0" ? ")" : ", " + offset + ")");

        /// <summary><c>TS.Store(value, ref r, offset)</c>, or <c>TS.Store(value, ref r)</c> at offset 0.</summary>
        public static string Store(string value, string reference, string offset) =>
            "TS.Store(" + value + ", ref " + reference + (offset == "0" ? ");" : ", " + offset + ");");

        /// <summary>An offset plus v vectors of n floats (the kernel's <c>int n = TS.Count;</c>): "16 + n", "q + (2 * n)", "n".</summary>
        public static string PlusVectors(string offset, int vectors)
        {
            if (vectors == 0)
            {
                return offset;
            }

            string count = vectors == 1 ? "n" : vectors + " * n";
            return offset == "0" ? count : offset + " + " + (vectors == 1 ? count : "(" + count + ")");
        }
    }
}
