using System;
using System.Globalization;
using CnnGen.Shapes;

namespace CnnGen.Reference
{
    /// <summary>
    /// Plain, unspecialized implementations of every layer kind, written straight from the formulas
    /// (PyTorch semantics and CHW layout). Slow on purpose: they are the yardstick the generated code
    /// is tested against, and a way to check a model by hand.
    /// </summary>
    public static class ReferenceLayers
    {
        /// <summary>
        /// Output size along one axis: (W − F + 2P)/S + 1 with the given rounding. Throws
        /// <see cref="ArgumentException"/> when the result is not an integer under
        /// <see cref="OutputRounding.Exact"/> or is below 1.
        /// </summary>
        public static int OutputSize(int input, int size, int stride, int padding, OutputRounding rounding) =>
            OutputSize(input, size, stride, padding, padding, 1, rounding);

        /// <summary>
        /// Output size along one axis: (W + Pbegin + Pend − Fd)/S + 1 with Fd = Dilation·(F − 1) + 1 and the given rounding.
        /// Throws <see cref="ArgumentException"/> when the result is not an integer under <see cref="OutputRounding.Exact"/>
        /// or is below 1.
        /// </summary>
        public static int OutputSize(int input, int size, int stride, int padBegin, int padEnd, int dilation, OutputRounding rounding)
        {
            if (input < 1 || size < 1 || stride < 1 || dilation < 1 || padBegin < 0 || padEnd < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(input), "input, size, stride and dilation must be at least 1 and paddings at least 0.");
            }

            long effective = ShapeMath.EffectiveSize(size, dilation);
            if (rounding == OutputRounding.Exact && !ShapeMath.IsExact(input, effective, stride, padBegin, padEnd) && ShapeMath.Span(input, effective, padBegin, padEnd) >= 0)
            {
                throw new ArgumentException(
                    string.Format(CultureInfo.InvariantCulture, "({0} + {1} + {2} - {3})/{4} + 1 is not an integer.", input, padBegin, padEnd, effective, stride),
                    nameof(stride));
            }

            long output = ShapeMath.OutputSize(input, effective, stride, padBegin, padEnd, (RoundingMode)(int)rounding);
            if (output < 1)
            {
                throw new ArgumentException(
                    string.Format(CultureInfo.InvariantCulture, "A window of {0} does not fit an input of {1} with padding {2} + {3}.", effective, input, padBegin, padEnd),
                    nameof(size));
            }

            return checked((int)output);
        }

        /// <summary>
        /// out[k, y, x] = bias[k] + Σ_{d,fy,fx} weight[k, d, fy, fx] · in[d, y·S + fy − P, x·S + fx − P],
        /// reading zero outside the input. Weight [K][D][F][F], bias [K], volumes CHW.
        /// </summary>
        public static void Conv2d(
            ReadOnlySpan<float> input,
            int width,
            int height,
            int depth,
            ReadOnlySpan<float> weight,
            ReadOnlySpan<float> bias,
            int filters,
            int size,
            int stride,
            int padding,
            OutputRounding rounding,
            Span<float> output) =>
            Conv2d(input, width, height, depth, weight, bias, filters, 1, Window2d.Square(size, stride, padding), rounding, output);

        /// <summary>
        /// out[k, y, x] = bias[k] + Σ_{d,fy,fx} weight[k, d, fy, fx] · in[g·D/G + d, y·Sy + fy·Dy − Ptop, x·Sx + fx·Dx − Pleft],
        /// reading zero outside the input, with g = k / (K/G) the filter's group and d over its D/G channels: PyTorch's
        /// <c>conv2d</c> with groups (and one-sided paddings, as ONNX's <c>pads</c>). Weight [K][D/G][Fy][Fx]; an empty
        /// <paramref name="bias"/> means no bias.
        /// </summary>
        public static void Conv2d(
            ReadOnlySpan<float> input,
            int width,
            int height,
            int depth,
            ReadOnlySpan<float> weight,
            ReadOnlySpan<float> bias,
            int filters,
            int groups,
            Window2d window,
            OutputRounding rounding,
            Span<float> output)
        {
            window.Validate();
            if (rounding == OutputRounding.Ceil)
            {
                throw new ArgumentException("Ceil rounding applies to pools only.", nameof(rounding));
            }

            if (groups < 1 || depth % groups != 0 || filters % groups != 0)
            {
                throw new ArgumentException("The depth and the filter count must both divide by the groups.", nameof(groups));
            }

            int outWidth = OutputSize(width, window.SizeX, window.StrideX, window.PadLeft, window.PadRight, window.DilationX, rounding);
            int outHeight = OutputSize(height, window.SizeY, window.StrideY, window.PadTop, window.PadBottom, window.DilationY, rounding);
            int groupDepth = depth / groups, groupFilters = filters / groups;
            Expect(input.Length, width * height * depth, nameof(input));
            Expect(weight.Length, filters * groupDepth * window.SizeY * window.SizeX, nameof(weight));
            if (bias.Length != 0)
            {
                Expect(bias.Length, filters, nameof(bias));
            }

            Expect(output.Length, filters * outHeight * outWidth, nameof(output));

            for (int k = 0; k < filters; k++)
            {
                int firstChannel = k / groupFilters * groupDepth;
                for (int y = 0; y < outHeight; y++)
                {
                    for (int x = 0; x < outWidth; x++)
                    {
                        double sum = 0;
                        for (int d = 0; d < groupDepth; d++)
                        {
                            for (int fy = 0; fy < window.SizeY; fy++)
                            {
                                int iy = (y * window.StrideY) + (fy * window.DilationY) - window.PadTop;
                                for (int fx = 0; fx < window.SizeX; fx++)
                                {
                                    int ix = (x * window.StrideX) + (fx * window.DilationX) - window.PadLeft;
                                    float value = iy < 0 || iy >= height || ix < 0 || ix >= width
                                        ? 0f
                                        : input[((((firstChannel + d) * height) + iy) * width) + ix];
                                    sum += (double)weight[(((((k * groupDepth) + d) * window.SizeY) + fy) * window.SizeX) + fx] * value;
                                }
                            }
                        }

                        output[(((k * outHeight) + y) * outWidth) + x] = (float)(sum + (bias.Length == 0 ? 0f : bias[k]));
                    }
                }
            }
        }

        /// <summary>
        /// out[d, y, x] = max over the F × F window at (y·S − P, x·S − P) of in[d, ·, ·], reading −∞
        /// outside the input; a NaN in the window gives NaN, as <c>torch.nn.functional.max_pool2d</c>.
        /// </summary>
        public static void MaxPool2d(
            ReadOnlySpan<float> input,
            int width,
            int height,
            int depth,
            int size,
            int stride,
            int padding,
            OutputRounding rounding,
            Span<float> output) =>
            MaxPool2d(input, width, height, depth, Window2d.Square(size, stride, padding), rounding, output);

        /// <summary>
        /// out[d, y, x] = max over fy, fx of in[d, y·Sy + fy·Dy − Ptop, x·Sx + fx·Dx − Pleft], reading −∞ outside the input; a
        /// NaN in the window gives NaN, as <c>torch.nn.functional.max_pool2d</c> (with one-sided paddings, as ONNX's <c>pads</c>).
        /// </summary>
        public static void MaxPool2d(ReadOnlySpan<float> input, int width, int height, int depth, Window2d window, OutputRounding rounding, Span<float> output)
        {
            window.Validate();
            int outWidth = OutputSize(width, window.SizeX, window.StrideX, window.PadLeft, window.PadRight, window.DilationX, rounding);
            int outHeight = OutputSize(height, window.SizeY, window.StrideY, window.PadTop, window.PadBottom, window.DilationY, rounding);
            Expect(input.Length, width * height * depth, nameof(input));
            Expect(output.Length, depth * outHeight * outWidth, nameof(output));

            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < outHeight; y++)
                {
                    for (int x = 0; x < outWidth; x++)
                    {
                        float max = float.NegativeInfinity;
                        for (int fy = 0; fy < window.SizeY && !float.IsNaN(max); fy++)
                        {
                            int iy = (y * window.StrideY) + (fy * window.DilationY) - window.PadTop;
                            for (int fx = 0; fx < window.SizeX && !float.IsNaN(max); fx++)
                            {
                                int ix = (x * window.StrideX) + (fx * window.DilationX) - window.PadLeft;
                                float value = iy < 0 || iy >= height || ix < 0 || ix >= width
                                    ? float.NegativeInfinity
                                    : input[(((d * height) + iy) * width) + ix];
                                if (float.IsNaN(value) || value > max)
                                {
                                    max = value;
                                }
                            }
                        }

                        output[(((d * outHeight) + y) * outWidth) + x] = max;
                    }
                }
            }
        }

        /// <summary>
        /// out[d, y, x] = the sum over the window at (y·Sy − Ptop, x·Sx − Pleft) of in[d] (zero outside the input), divided as
        /// <c>torch.nn.functional.avg_pool2d</c> divides: by the cells of the window that lie inside the padded input when
        /// <paramref name="countIncludePadding"/>, else by those inside the input itself.
        /// </summary>
        public static void AvgPool2d(ReadOnlySpan<float> input, int width, int height, int depth, Window2d window, bool countIncludePadding, OutputRounding rounding, Span<float> output)
        {
            window.Validate();
            if (window.DilationX != 1 || window.DilationY != 1)
            {
                throw new ArgumentException("An average pool has no dilation.", nameof(window));
            }

            int outWidth = OutputSize(width, window.SizeX, window.StrideX, window.PadLeft, window.PadRight, 1, rounding);
            int outHeight = OutputSize(height, window.SizeY, window.StrideY, window.PadTop, window.PadBottom, 1, rounding);
            Expect(input.Length, width * height * depth, nameof(input));
            Expect(output.Length, depth * outHeight * outWidth, nameof(output));

            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < outHeight; y++)
                {
                    int top = (y * window.StrideY) - window.PadTop;
                    int bottom = Math.Min(top + window.SizeY, height + window.PadBottom);
                    int rows = bottom - top;
                    int firstRow = Math.Max(top, 0), endRow = Math.Min(bottom, height);
                    for (int x = 0; x < outWidth; x++)
                    {
                        int left = (x * window.StrideX) - window.PadLeft;
                        int right = Math.Min(left + window.SizeX, width + window.PadRight);
                        int firstColumn = Math.Max(left, 0), endColumn = Math.Min(right, width);
                        double sum = 0;
                        for (int iy = firstRow; iy < endRow; iy++)
                        {
                            for (int ix = firstColumn; ix < endColumn; ix++)
                            {
                                sum += input[(((d * height) + iy) * width) + ix];
                            }
                        }

                        int divisor = countIncludePadding ? rows * (right - left) : (endRow - firstRow) * (endColumn - firstColumn);
                        output[(((d * outHeight) + y) * outWidth) + x] = (float)(sum / divisor);
                    }
                }
            }
        }

        /// <summary>out[o] = bias[o] + Σ_i weight[o, i] · in[i]; weight [out][in], as <c>torch.nn.functional.linear</c>; an empty <paramref name="bias"/> means no bias.</summary>
        public static void Linear(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output)
        {
            if (bias.Length != 0)
            {
                Expect(bias.Length, output.Length, nameof(bias));
            }

            Expect(weight.Length, output.Length * input.Length, nameof(weight));
            for (int o = 0; o < output.Length; o++)
            {
                double sum = 0;
                for (int i = 0; i < input.Length; i++)
                {
                    sum += (double)weight[(o * input.Length) + i] * input[i];
                }

                output[o] = (float)(sum + (bias.Length == 0 ? 0f : bias[o]));
            }
        }

        /// <summary>out[i] = max(0, in[i]); NaN stays NaN, as <c>torch.relu</c>.</summary>
        public static void Relu(ReadOnlySpan<float> input, Span<float> output)
        {
            Expect(output.Length, input.Length, nameof(output));
            for (int i = 0; i < input.Length; i++)
            {
                output[i] = input[i] < 0f ? 0f : input[i];
            }
        }

        /// <summary>min(max(0, x), 6) (<c>relu6</c>); NaN stays NaN.</summary>
        public static void Relu6(ReadOnlySpan<float> input, Span<float> output) => Map(input, output, x => x < 0f ? 0f : x > 6f ? 6f : x);

        /// <summary>x when x ≥ 0, else slope·x (<c>leaky_relu</c>).</summary>
        public static void LeakyRelu(ReadOnlySpan<float> input, float slope, Span<float> output) => Map(input, output, x => x < 0f ? x * slope : x);

        /// <summary>1 / (1 + e^−x) (<c>sigmoid</c>), in double.</summary>
        public static void Sigmoid(ReadOnlySpan<float> input, Span<float> output) => Map(input, output, x => (float)(1.0 / (1.0 + Math.Exp(-(double)x))));

        /// <summary>tanh(x) (<c>tanh</c>), in double.</summary>
        public static void Tanh(ReadOnlySpan<float> input, Span<float> output) => Map(input, output, x => (float)Math.Tanh(x));

        /// <summary>x·relu6(x + 3)/6 (<c>hardswish</c>), in double.</summary>
        public static void HardSwish(ReadOnlySpan<float> input, Span<float> output) => Map(input, output, x => (float)(x * Math.Min(Math.Max(x + 3.0, 0.0), 6.0) / 6.0)); // Math.Max and Min propagate NaN

        /// <summary>x·sigmoid(x) = x / (1 + e^−x) (<c>silu</c>), in double.</summary>
        public static void Silu(ReadOnlySpan<float> input, Span<float> output) => Map(input, output, x => (float)(x / (1.0 + Math.Exp(-(double)x))));

        /// <summary>
        /// Softmax over depth at each position of a CHW volume (<c>softmax(dim=1)</c>): e^(x[d] − m) / Σ e^(x[i] − m) with m the
        /// largest x[i], in double; a NaN among a position's channels makes the whole position NaN.
        /// </summary>
        public static void Softmax(ReadOnlySpan<float> input, int width, int height, int depth, Span<float> output)
        {
            int plane = width * height;
            Expect(input.Length, plane * depth, nameof(input));
            Expect(output.Length, plane * depth, nameof(output));
            for (int p = 0; p < plane; p++)
            {
                double max = double.NegativeInfinity;
                bool nan = false;
                for (int d = 0; d < depth; d++)
                {
                    float x = input[(d * plane) + p];
                    nan |= float.IsNaN(x);
                    max = Math.Max(max, x);
                }

                double sum = 0;
                for (int d = 0; d < depth; d++)
                {
                    sum += Math.Exp(input[(d * plane) + p] - max);
                }

                for (int d = 0; d < depth; d++)
                {
                    output[(d * plane) + p] = nan ? float.NaN : (float)(Math.Exp(input[(d * plane) + p] - max) / sum);
                }
            }
        }

        /// <summary>Batch norm in evaluation mode (<c>batch_norm</c>, training off): (x − mean[d]) / √(var[d] + ε) · weight[d] + bias[d], in double, as written.</summary>
        public static void BatchNorm(ReadOnlySpan<float> input, int width, int height, int depth, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon, Span<float> output)
        {
            int plane = width * height;
            Expect(input.Length, plane * depth, nameof(input));
            Expect(output.Length, plane * depth, nameof(output));
            Expect(weight.Length, depth, nameof(weight));
            Expect(bias.Length, depth, nameof(bias));
            Expect(mean.Length, depth, nameof(mean));
            Expect(variance.Length, depth, nameof(variance));

            for (int d = 0; d < depth; d++)
            {
                for (int i = d * plane; i < (d + 1) * plane; i++)
                {
                    output[i] = (float)(((input[i] - (double)mean[d]) / Math.Sqrt(variance[d] + (double)epsilon) * weight[d]) + bias[d]);
                }
            }
        }

        /// <summary>Each channel's mean (<c>adaptive_avg_pool2d(x, 1)</c>), in double.</summary>
        public static void GlobalAvgPool(ReadOnlySpan<float> input, int width, int height, int depth, Span<float> output)
        {
            int plane = width * height;
            Expect(input.Length, plane * depth, nameof(input));
            Expect(output.Length, depth, nameof(output));
            for (int d = 0; d < depth; d++)
            {
                double sum = 0;
                for (int i = d * plane; i < (d + 1) * plane; i++)
                {
                    sum += input[i];
                }

                output[d] = (float)(sum / plane);
            }
        }

        /// <summary>Each channel's largest value, NaN when any is NaN (<c>adaptive_max_pool2d(x, 1)</c>).</summary>
        public static void GlobalMaxPool(ReadOnlySpan<float> input, int width, int height, int depth, Span<float> output)
        {
            int plane = width * height;
            Expect(input.Length, plane * depth, nameof(input));
            Expect(output.Length, depth, nameof(output));
            for (int d = 0; d < depth; d++)
            {
                float max = float.NegativeInfinity;
                for (int i = d * plane; i < (d + 1) * plane; i++)
                {
                    max = float.IsNaN(input[i]) || float.IsNaN(max) ? float.NaN : Math.Max(max, input[i]);
                }

                output[d] = max;
            }
        }

        /// <summary>a + b element-wise (a residual sum; the shapes must be equal).</summary>
        public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
        {
            Expect(b.Length, a.Length, nameof(b));
            Expect(output.Length, a.Length, nameof(output));
            for (int i = 0; i < a.Length; i++)
            {
                output[i] = a[i] + b[i];
            }
        }

        private static void Map(ReadOnlySpan<float> input, Span<float> output, Func<float, float> f)
        {
            Expect(output.Length, input.Length, nameof(output));
            for (int i = 0; i < input.Length; i++)
            {
                output[i] = f(input[i]);
            }
        }

        private static void Expect(int actual, int expected, string name)
        {
            if (actual != expected)
            {
                throw new ArgumentException(
                    string.Format(CultureInfo.InvariantCulture, "{0} must hold {1} floats, but holds {2}.", name, expected, actual),
                    name);
            }
        }
    }
}
