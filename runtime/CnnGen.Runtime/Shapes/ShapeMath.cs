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

    /// <summary>Output-size arithmetic of the classic conv layer: W2 = (W1 − F + 2P)/S + 1.</summary>
    internal static class ShapeMath
    {
        /// <summary>The numerator W − F + 2P of the output-size formula (negative when the window does not fit).</summary>
        public static long Span(long input, long size, long padding) => input - size + 2 * padding;

        /// <summary>True when (W − F + 2P)/S is an integer (and the span is not negative).</summary>
        public static bool IsExact(long input, long size, long stride, long padding)
        {
            long span = Span(input, size, padding);
            return span >= 0 && span % stride == 0;
        }

        /// <summary>
        /// Output size along one axis. <see cref="RoundingMode.Exact"/> and <see cref="RoundingMode.Floor"/>
        /// give ⌊(W − F + 2P)/S⌋ + 1 (Exact callers check <see cref="IsExact"/> first);
        /// <see cref="RoundingMode.Ceil"/> gives ⌈(W − F + 2P)/S⌉ + 1, less one when the last window
        /// would start beyond the input and its left padding, ((out − 1)·S ≥ W + P), as PyTorch's ceil_mode.
        /// A result below 1 means the window does not fit.
        /// </summary>
        public static long OutputSize(long input, long size, long stride, long padding, RoundingMode rounding)
        {
            long span = Span(input, size, padding);
            if (rounding != RoundingMode.Ceil)
            {
                return FloorDiv(span, stride) + 1;
            }

            long output = FloorDiv(span + stride - 1, stride) + 1;
            if (output > 1 && (output - 1) * stride >= input + padding)
            {
                output--;
            }

            return output;
        }

        /// <summary>
        /// How many cells of the padded axis, counted from the first padded cell (coordinate −P), the
        /// windows of an axis with <paramref name="output"/> outputs touch: (out − 1)·S + F.
        /// </summary>
        public static long WindowExtent(long output, long size, long stride) => (output - 1) * stride + size;

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
