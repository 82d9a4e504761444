using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime
{
    /// <summary>
    /// The vector operations the generated kernels use, as static members so a generic kernel
    /// specialized for <see cref="Simd512"/> or <see cref="Simd256"/> compiles to straight AVX-512 or AVX2 code.
    /// </summary>
    /// <typeparam name="TVector">The vector type.</typeparam>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public interface ISimd<TVector>
        where TVector : struct
    {
        /// <summary>Floats per vector.</summary>
        static abstract int Count { get; }

        /// <summary>Loads <see cref="Count"/> floats from <paramref name="source"/> (no alignment needed).</summary>
        static abstract TVector Load(ref float source);

        /// <summary>Stores <paramref name="value"/> at <paramref name="destination"/>.</summary>
        static abstract void Store(TVector value, ref float destination);

        /// <summary>Every lane <paramref name="value"/>.</summary>
        static abstract TVector Splat(float value);

        /// <summary>a + b.</summary>
        static abstract TVector Add(TVector a, TVector b);

        /// <summary>a · b + c, fused.</summary>
        static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

        /// <summary>max(x, 0) with NaN kept, as <c>torch.relu</c>.</summary>
        static abstract TVector Relu(TVector x);

        /// <summary>max(acc, x), NaN in either giving NaN, as <c>max_pool2d</c>.</summary>
        static abstract TVector MaxPropagateNaN(TVector acc, TVector x);

        /// <summary>The even lanes of a‖b (a's lanes first): elements 0, 2, 4, … of the two vectors read as one.</summary>
        static abstract TVector Evens(TVector a, TVector b);

        /// <summary>The odd lanes of a‖b: elements 1, 3, 5, ….</summary>
        static abstract TVector Odds(TVector a, TVector b);
    }

    /// <summary>AVX-512: 16 floats per vector.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct Simd512 : ISimd<Vector512<float>>
    {
        /// <summary>True where AVX-512F runs (the JIT folds this to a constant).</summary>
        public static bool IsSupported => Avx512F.IsSupported;

        /// <inheritdoc />
        public static int Count => 16;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float source) => Vector512.LoadUnsafe(ref source);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Splat(float value) => Vector512.Create(value);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Relu(Vector512<float> x) => Avx512F.Max(Vector512<float>.Zero, x); // vmaxps returns its second operand (x) when either is NaN

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MaxPropagateNaN(Vector512<float> acc, Vector512<float> x) =>
            Vector512.ConditionalSelect(Vector512.Equals(x, x), Avx512F.Max(x, acc), x); // vmaxps(x, acc) keeps a NaN acc; a NaN x is selected

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Evens(Vector512<float> a, Vector512<float> b) =>
            Avx512F.PermuteVar16x32x2(a, Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Odds(Vector512<float> a, Vector512<float> b) =>
            Avx512F.PermuteVar16x32x2(a, Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b);
    }

    /// <summary>AVX2 with FMA: 8 floats per vector.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct Simd256 : ISimd<Vector256<float>>
    {
        /// <summary>True where AVX2 and FMA run (the JIT folds this to a constant).</summary>
        public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

        /// <inheritdoc />
        public static int Count => 8;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float source) => Vector256.LoadUnsafe(ref source);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Splat(float value) => Vector256.Create(value);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Relu(Vector256<float> x) => Avx.Max(Vector256<float>.Zero, x);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MaxPropagateNaN(Vector256<float> acc, Vector256<float> x) =>
            Vector256.ConditionalSelect(Vector256.Equals(x, x), Avx.Max(x, acc), x);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Evens(Vector256<float> a, Vector256<float> b) =>
            Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle(); // a0 a2 b0 b2 | a4 a6 b4 b6 -> a0 a2 a4 a6 b0 b2 b4 b6

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Odds(Vector256<float> a, Vector256<float> b) =>
            Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
    }
}
