using CnnGen.Generator.Model;
using CnnGen.Generator.Planning;

namespace CnnGen.Generator.Emitting.Kernels
{
    /// <summary>
    /// The choice of kernel in a layer's public method: the widest vector kernel the machine runs (AVX-512, AVX2 with
    /// FMA, or 128-bit vectors: SSE on x86, AdvSimd on ARM64), else the scalar kernel. The checks are constants to the
    /// JIT, which keeps only the branch taken. (<c>Forward</c> makes the same choice once for the whole pass.)
    /// </summary>
    internal static class DispatchEmitter
    {
        /// <summary>The vector widths, widest first: the runtime's ISimd implementation and its vector type.</summary>
        public static readonly (string Simd, string Vector)[] Widths =
        {
            ("global::CnnGen.Runtime.Simd512", "global::System.Runtime.Intrinsics.Vector512<float>"),
            ("global::CnnGen.Runtime.Simd256", "global::System.Runtime.Intrinsics.Vector256<float>"),
            ("global::CnnGen.Runtime.Simd128", "global::System.Runtime.Intrinsics.Vector128<float>"),
        };

        /// <summary>The branches calling the layer's vector kernel (<paramref name="vectorArguments"/>) or scalar kernel (<paramref name="scalarArguments"/>).</summary>
        public static void Emit(SourceWriter w, LayerPlan plan, string vectorArguments, string scalarArguments)
        {
            LayerModel l = plan.Layer;
            if (plan.Vector is null)
            {
                w.Line("// " + plan.ScalarOnly + ": the scalar kernel serves every machine.");
                w.Line(GeneratedNames.Scalar(l.Name) + "(" + scalarArguments + ");");
                return;
            }

            w.Line("// The widest vector kernel this machine runs (the JIT keeps only the branch taken), else the scalar kernel.");
            string keyword = "if";
            for (int i = 0; i < Widths.Length; i++)
            {
                using (w.Block(keyword + " (" + Widths[i].Simd + ".IsSupported)"))
                {
                    w.Line(GeneratedNames.Vector(l.Name) + "<" + Widths[i].Simd + ", " + Widths[i].Vector + ">(" + vectorArguments + ");");
                }

                keyword = "else if";
            }

            using (w.Block("else"))
            {
                w.Line(GeneratedNames.Scalar(l.Name) + "(" + scalarArguments + ");");
            }
        }
    }
}
