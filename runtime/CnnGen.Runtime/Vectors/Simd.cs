using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen.Runtime
{
    /// <summary>
    /// The vector operations the generated kernels use, as static members, so a generic kernel specialized for
    /// <see cref="Simd512"/>, <see cref="Simd256"/> or <see cref="Simd128"/> compiles to straight AVX-512, AVX2 or
    /// 128-bit (SSE, AdvSimd) code. Infrastructure for generated code; not meant to be called directly.
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

        /// <summary>Loads <see cref="Count"/> floats from <paramref name="offset"/> floats after <paramref name="source"/>.</summary>
        static abstract TVector Load(ref float source, int offset);

        /// <summary>Stores <paramref name="value"/> at <paramref name="destination"/>.</summary>
        static abstract void Store(TVector value, ref float destination);

        /// <summary>Stores <paramref name="value"/> <paramref name="offset"/> floats after <paramref name="destination"/>.</summary>
        static abstract void Store(TVector value, ref float destination, int offset);

        /// <summary>Every lane <paramref name="value"/>.</summary>
        static abstract TVector Splat(float value);

        /// <summary>Every lane the float at <paramref name="source"/>.</summary>
        static abstract TVector Broadcast(ref float source);

        /// <summary>Every lane the float <paramref name="offset"/> floats after <paramref name="source"/>.</summary>
        static abstract TVector Broadcast(ref float source, int offset);

        /// <summary>a + b.</summary>
        static abstract TVector Add(TVector a, TVector b);

        /// <summary>a · b.</summary>
        static abstract TVector Multiply(TVector a, TVector b);

        /// <summary>a / b (a true division, as the scalar code's).</summary>
        static abstract TVector Divide(TVector a, TVector b);

        /// <summary>a · b + c, fused where the machine can.</summary>
        static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

        /// <summary>max(x, 0) with NaN kept, as <c>torch.relu</c>.</summary>
        static abstract TVector Relu(TVector x);

        /// <summary>The bits of <paramref name="x"/> where <paramref name="mask"/>'s lane is all ones, +0 where it is zero (a lane mask).</summary>
        static abstract TVector And(TVector x, TVector mask);

        /// <summary>max(acc, x), NaN in either giving NaN, as <c>max_pool2d</c>.</summary>
        static abstract TVector MaxPropagateNaN(TVector acc, TVector x);

        /// <summary>e^x lane by lane (the runtime's vectorized exponential: NaN stays NaN, −∞ gives 0, overflow +∞).</summary>
        static abstract TVector Exp(TVector x);

        /// <summary>The sum of the lanes.</summary>
        static abstract float SumAcross(TVector x);

        /// <summary>min(limit, x) lane by lane, x kept where it is NaN (a clamp from above that lets NaN through, as torch's).</summary>
        static abstract TVector MinKeepNaN(TVector limit, TVector x);

        /// <summary>The even lanes of a‖b (a's lanes first): elements 0, 2, 4, … of the two vectors read as one.</summary>
        static abstract TVector Evens(TVector a, TVector b);

        /// <summary>The odd lanes of a‖b: elements 1, 3, 5, ….</summary>
        static abstract TVector Odds(TVector a, TVector b);

        /// <summary>
        /// Lanes for <see cref="Permute"/> that drop <paramref name="count"/> lanes from lane <paramref name="at"/>: lane i
        /// takes lane i below <paramref name="at"/> and lane i + <paramref name="count"/> from there on (the last lane where
        /// that runs past it). A kernel storing a vector that straddles junk columns keeps the cells after them in order.
        /// </summary>
        static abstract TVector SkipLanes(int at, int count);

        /// <summary><paramref name="value"/>'s lanes in the order <paramref name="lanes"/> (from <see cref="SkipLanes"/>) gives.</summary>
        static abstract TVector Permute(TVector value, TVector lanes);
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
        public static Vector512<float> Load(ref float source, int offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination) => value.StoreUnsafe(ref destination);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Splat(float value) => Vector512.Create(value);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Broadcast(ref float source) => Vector512.Create(source);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Broadcast(ref float source, int offset) => Vector512.Create(Unsafe.Add(ref source, offset));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> And(Vector512<float> x, Vector512<float> mask) => Vector512.BitwiseAnd(x, mask);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Relu(Vector512<float> x) => Avx512F.Max(Vector512<float>.Zero, x); // vmaxps returns its second operand (x) when either is NaN

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MinKeepNaN(Vector512<float> limit, Vector512<float> x) => Avx512F.Min(limit, x); // vminps returns its second operand (x) when either is NaN

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Exp(Vector512<float> x)
        {
#if NET9_0_OR_GREATER
            return Vector512.Exp(x);
#else
            // .NET 8 has no vector exponential: lane by lane.
            for (int i = 0; i < Vector512<float>.Count; i++)
            {
                x = x.WithElement(i, System.MathF.Exp(x.GetElement(i)));
            }

            return x;
#endif
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float SumAcross(Vector512<float> x) => Vector512.Sum(x);

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

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> SkipLanes(int at, int count)
        {
            Vector512<int> lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            Vector512<int> from = lane + (Vector512.GreaterThanOrEqual(lane, Vector512.Create(at)) & Vector512.Create(count));
            return Vector512.Min(from, Vector512.Create(15)).AsSingle();
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Permute(Vector512<float> value, Vector512<float> lanes) => Avx512F.PermuteVar16x32(value, lanes.AsInt32());
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
        public static Vector256<float> Load(ref float source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination) => value.StoreUnsafe(ref destination);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Splat(float value) => Vector256.Create(value);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Broadcast(ref float source) => Vector256.Create(source);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Broadcast(ref float source, int offset) => Vector256.Create(Unsafe.Add(ref source, offset));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> And(Vector256<float> x, Vector256<float> mask) => Vector256.BitwiseAnd(x, mask);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Relu(Vector256<float> x) => Avx.Max(Vector256<float>.Zero, x);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MinKeepNaN(Vector256<float> limit, Vector256<float> x) => Avx.Min(limit, x); // vminps returns its second operand (x) when either is NaN

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Exp(Vector256<float> x)
        {
#if NET9_0_OR_GREATER
            return Vector256.Exp(x);
#else
            // .NET 8 has no vector exponential: lane by lane.
            for (int i = 0; i < Vector256<float>.Count; i++)
            {
                x = x.WithElement(i, System.MathF.Exp(x.GetElement(i)));
            }

            return x;
#endif
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float SumAcross(Vector256<float> x) => Vector256.Sum(x);

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

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> SkipLanes(int at, int count)
        {
            Vector256<int> lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            Vector256<int> from = lane + (Vector256.GreaterThanOrEqual(lane, Vector256.Create(at)) & Vector256.Create(count));
            return Vector256.Min(from, Vector256.Create(7)).AsSingle();
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Permute(Vector256<float> value, Vector256<float> lanes) => Avx2.PermuteVar8x32(value, lanes.AsInt32());
    }

    /// <summary>
    /// 128-bit vectors through the portable <see cref="Vector128"/> API: 4 floats per vector, AdvSimd on ARM64 (Apple
    /// silicon, Graviton, Ampere), SSE on x86 without AVX2, WebAssembly SIMD where the runtime accelerates it.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public readonly struct Simd128 : ISimd<Vector128<float>>
    {
        /// <summary>True where 128-bit vectors are hardware accelerated (the JIT folds this to a constant).</summary>
        public static bool IsSupported => Vector128.IsHardwareAccelerated;

        /// <inheritdoc />
        public static int Count => 4;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load(ref float source) => Vector128.LoadUnsafe(ref source);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load(ref float source, int offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<float> value, ref float destination) => value.StoreUnsafe(ref destination);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Splat(float value) => Vector128.Create(value);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Broadcast(ref float source) => Vector128.Create(source);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Broadcast(ref float source, int offset) => Vector128.Create(Unsafe.Add(ref source, offset));

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        {
            if (Fma.IsSupported)
            {
                return Fma.MultiplyAdd(a, b, c);
            }

            if (AdvSimd.IsSupported)
            {
                return AdvSimd.FusedMultiplyAdd(c, a, b);
            }

            return (a * b) + c;
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> And(Vector128<float> x, Vector128<float> mask) => Vector128.BitwiseAnd(x, mask);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Relu(Vector128<float> x)
        {
            if (Sse.IsSupported)
            {
                return Sse.Max(Vector128<float>.Zero, x); // maxps returns its second operand (x) when either is NaN
            }

            if (AdvSimd.IsSupported)
            {
                return AdvSimd.Max(Vector128<float>.Zero, x); // fmax gives NaN when either is NaN
            }

            return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128<float>.Zero), Vector128<float>.Zero, x); // NaN < 0 is false: NaN kept
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MinKeepNaN(Vector128<float> limit, Vector128<float> x)
        {
            if (Sse.IsSupported)
            {
                return Sse.Min(limit, x); // minps returns its second operand (x) when either is NaN
            }

            if (AdvSimd.IsSupported)
            {
                return AdvSimd.Min(limit, x); // fmin gives NaN when either is NaN
            }

            return Vector128.ConditionalSelect(Vector128.GreaterThan(x, limit), limit, x); // NaN > limit is false: NaN kept
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Exp(Vector128<float> x)
        {
#if NET9_0_OR_GREATER
            return Vector128.Exp(x);
#else
            // .NET 8 has no vector exponential: lane by lane.
            for (int i = 0; i < Vector128<float>.Count; i++)
            {
                x = x.WithElement(i, System.MathF.Exp(x.GetElement(i)));
            }

            return x;
#endif
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float SumAcross(Vector128<float> x) => Vector128.Sum(x);

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MaxPropagateNaN(Vector128<float> acc, Vector128<float> x)
        {
            if (Sse.IsSupported)
            {
                return Vector128.ConditionalSelect(Vector128.Equals(x, x), Sse.Max(x, acc), x);
            }

            if (AdvSimd.IsSupported)
            {
                return AdvSimd.Max(acc, x);
            }

            // x > NaN is false, so a NaN acc stays; a NaN x is selected by the outer test.
            return Vector128.ConditionalSelect(Vector128.Equals(x, x), Vector128.ConditionalSelect(Vector128.GreaterThan(x, acc), x, acc), x);
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Evens(Vector128<float> a, Vector128<float> b)
        {
            if (Sse.IsSupported)
            {
                return Sse.Shuffle(a, b, 0b10_00_10_00); // a0 a2 b0 b2
            }

            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.UnzipEven(a, b);
            }

            return Vector128.Create(a.GetElement(0), a.GetElement(2), b.GetElement(0), b.GetElement(2));
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Odds(Vector128<float> a, Vector128<float> b)
        {
            if (Sse.IsSupported)
            {
                return Sse.Shuffle(a, b, 0b11_01_11_01); // a1 a3 b1 b3
            }

            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.UnzipOdd(a, b);
            }

            return Vector128.Create(a.GetElement(1), a.GetElement(3), b.GetElement(1), b.GetElement(3));
        }

        /// <inheritdoc />
        /// <remarks>Here the lanes are byte indices (lane s as bytes 4s .. 4s + 3), for a byte shuffle on every instruction set.</remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> SkipLanes(int at, int count)
        {
            Vector128<int> lane = Vector128.Create(0, 1, 2, 3);
            Vector128<int> from = Vector128.Min(lane + (Vector128.GreaterThanOrEqual(lane, Vector128.Create(at)) & Vector128.Create(count)), Vector128.Create(3));
            return ((from * 0x04040404) + Vector128.Create(0x03020100)).AsSingle();
        }

        /// <inheritdoc />
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Permute(Vector128<float> value, Vector128<float> lanes)
        {
            if (Ssse3.IsSupported)
            {
                return Ssse3.Shuffle(value.AsByte(), lanes.AsByte()).AsSingle();
            }

            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.VectorTableLookup(value.AsByte(), lanes.AsByte()).AsSingle();
            }

            return Vector128.Shuffle(value.AsByte(), lanes.AsByte()).AsSingle();
        }
    }
}
