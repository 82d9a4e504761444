namespace CnnGen
{
    /// <summary>The kernels the generated code runs on this machine: the widest vectors it supports.</summary>
    public enum KernelPath
    {
        /// <summary>No vector instructions (or <c>DOTNET_EnableHWIntrinsic=0</c>): the scalar kernels.</summary>
        Scalar,

        /// <summary>128-bit vectors, 4 floats: SSE on x86 (also a default NativeAOT build), AdvSimd on ARM64.</summary>
        Vector128,

        /// <summary>AVX2 with FMA, 8 floats.</summary>
        Avx2,

        /// <summary>AVX-512, 16 floats.</summary>
        Avx512,
    }

    /// <summary>Which kernels run here, for logs and diagnostics.</summary>
    public static class Kernels
    {
        /// <summary>
        /// The path every generated <c>Forward</c> and layer method takes in this process (the same checks the generated code
        /// makes). A NativeAOT build fixes it when it is compiled: by default 128-bit vectors on x64; publish with
        /// <c>&lt;IlcInstructionSet&gt;x86-64-v3&lt;/IlcInstructionSet&gt;</c> (AVX2) or <c>x86-64-v4</c> (AVX-512) for wider ones.
        /// </summary>
        public static KernelPath Current =>
            Runtime.Simd512.IsSupported ? KernelPath.Avx512
            : Runtime.Simd256.IsSupported ? KernelPath.Avx2
            : Runtime.Simd128.IsSupported ? KernelPath.Vector128
            : KernelPath.Scalar;
    }
}
