// The one place where CnnGen computes layer output sizes. This file is compiled into the
// runtime library (reference kernels) and linked into the generator (shape inference), so the
// generated code and the reference implementation can never disagree about a shape.
namespace CnnGen.Shapes
{
    /// <summary>How an output size that is not an integer is handled (mirrors <c>CnnGen.OutputRounding</c>).</summary>
    internal enum RoundingMode
    {
        Exact = 0,
        Floor = 1,
        Ceil = 2,
    }

    /// <summary>
    /// Output-size arithmetic of a conv or pool window along one axis: out = (W + Pbegin + Pend − Fd)/S + 1, where
    /// Fd = Dilation·(F − 1) + 1 is the effective window. The classic W2 = (W1 − F + 2P)/S + 1 is the case
    /// Pbegin = Pend = P, dilation 1.
    /// </summary>
    internal static class ShapeMath
    {
        /// <summary>The cells a window of <paramref name="size"/> taps spaced <paramref name="dilation"/> apart covers: D·(F − 1) + 1.</summary>
        public static long EffectiveSize(long size, long dilation) => (dilation * (size - 1)) + 1;

        /// <summary>The numerator W + Pbegin + Pend − Fd of the output-size formula (negative when the window does not fit).</summary>
        public static long Span(long input, long size, long padBegin, long padEnd) => input + padBegin + padEnd - size;

        /// <summary>The numerator with equal padding on both sides: W − F + 2P.</summary>
        public static long Span(long input, long size, long padding) => Span(input, size, padding, padding);

        /// <summary>True when (W + Pbegin + Pend − Fd)/S is an integer (and the span is not negative).</summary>
        public static bool IsExact(long input, long size, long stride, long padBegin, long padEnd)
        {
            long span = Span(input, size, padBegin, padEnd);
            return span >= 0 && span % stride == 0;
        }

        /// <summary>True when (W − F + 2P)/S is an integer (and the span is not negative).</summary>
        public static bool IsExact(long input, long size, long stride, long padding) => IsExact(input, size, stride, padding, padding);

        /// <summary>
        /// Output size along one axis (<paramref name="size"/> is the effective window). <see cref="RoundingMode.Exact"/> and
        /// <see cref="RoundingMode.Floor"/> give ⌊(W + Pbegin + Pend − Fd)/S⌋ + 1 (Exact callers check <see cref="IsExact(long, long, long, long, long)"/>
        /// first); <see cref="RoundingMode.Ceil"/> gives ⌈…/S⌉ + 1, less one when the last window would start beyond the
        /// input and its begin padding ((out − 1)·S ≥ W + Pbegin), as PyTorch's ceil_mode. A result below 1 means the
        /// window does not fit.
        /// </summary>
        public static long OutputSize(long input, long size, long stride, long padBegin, long padEnd, RoundingMode rounding)
        {
            long span = Span(input, size, padBegin, padEnd);
            if (rounding != RoundingMode.Ceil)
            {
                return FloorDiv(span, stride) + 1;
            }

            long output = FloorDiv(span + stride - 1, stride) + 1;
            if (output > 1 && (output - 1) * stride >= input + padBegin)
            {
                output--;
            }

            return output;
        }

        /// <summary>Output size with equal padding on both sides: (W − F + 2P)/S + 1 with <paramref name="rounding"/>.</summary>
        public static long OutputSize(long input, long size, long stride, long padding, RoundingMode rounding) =>
            OutputSize(input, size, stride, padding, padding, rounding);

        /// <summary>
        /// <c>PaddingMode.Same</c> on one axis: output ⌈W/S⌉, total padding max((out − 1)·S + Fd − W, 0), the odd cell at the
        /// end (or at the start when <paramref name="lower"/>, ONNX's SAME_LOWER).
        /// </summary>
        public static (long Begin, long End) SamePadding(long input, long size, long stride, bool lower)
        {
            long output = (input + stride - 1) / stride;
            long total = System.Math.Max(((output - 1) * stride) + size - input, 0);
            long small = total / 2, large = total - small;
            return lower ? (large, small) : (small, large);
        }

        /// <summary>
        /// How many cells of the padded axis, counted from the first padded cell, the windows of an axis with
        /// <paramref name="output"/> outputs touch: (out − 1)·S + Fd.
        /// </summary>
        public static long WindowExtent(long output, long size, long stride) => ((output - 1) * stride) + size;

        /// <summary>Division rounded towards negative infinity (the span can be negative).</summary>
        public static long FloorDiv(long numerator, long denominator)
        {
            long quotient = numerator / denominator;
            if ((numerator % denominator != 0) && ((numerator < 0) != (denominator < 0)))
            {
                quotient--;
            }

            return quotient;
        }
    }
}
