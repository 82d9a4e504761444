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
        public static int OutputSize(int input, int size, int stride, int padding, OutputRounding rounding)
        {
            if (input < 1 || size < 1 || stride < 1 || padding < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(input), "input, size and stride must be at least 1 and padding at least 0.");
            }

            if (rounding == OutputRounding.Exact && !ShapeMath.IsExact(input, size, stride, padding) && ShapeMath.Span(input, size, padding) >= 0)
            {
                throw new ArgumentException(
                    string.Format(CultureInfo.InvariantCulture, "({0} - {1} + 2*{2})/{3} + 1 is not an integer.", input, size, padding, stride),
                    nameof(stride));
            }

            long output = ShapeMath.OutputSize(input, size, stride, padding, (RoundingMode)(int)rounding);
            if (output < 1)
            {
                throw new ArgumentException(
                    string.Format(CultureInfo.InvariantCulture, "A window of {0} does not fit an input of {1} with padding {2}.", size, input, padding),
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
            Span<float> output)
        {
            if (rounding == OutputRounding.Ceil)
            {
                throw new ArgumentException("Ceil rounding applies to pools only.", nameof(rounding));
            }

            int outWidth = OutputSize(width, size, stride, padding, rounding);
            int outHeight = OutputSize(height, size, stride, padding, rounding);
            Expect(input.Length, width * height * depth, nameof(input));
            Expect(weight.Length, filters * depth * size * size, nameof(weight));
            Expect(bias.Length, filters, nameof(bias));
            Expect(output.Length, filters * outHeight * outWidth, nameof(output));

            for (int k = 0; k < filters; k++)
            {
                for (int y = 0; y < outHeight; y++)
                {
                    for (int x = 0; x < outWidth; x++)
                    {
                        double sum = 0;
                        for (int d = 0; d < depth; d++)
                        {
                            for (int fy = 0; fy < size; fy++)
                            {
                                int iy = (y * stride) + fy - padding;
                                for (int fx = 0; fx < size; fx++)
                                {
                                    int ix = (x * stride) + fx - padding;
                                    float value = iy < 0 || iy >= height || ix < 0 || ix >= width
                                        ? 0f
                                        : input[(((d * height) + iy) * width) + ix];
                                    sum += (double)weight[(((((k * depth) + d) * size) + fy) * size) + fx] * value;
                                }
                            }
                        }

                        output[(((k * outHeight) + y) * outWidth) + x] = (float)(sum + bias[k]);
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
            Span<float> output)
        {
            int outWidth = OutputSize(width, size, stride, padding, rounding);
            int outHeight = OutputSize(height, size, stride, padding, rounding);
            Expect(input.Length, width * height * depth, nameof(input));
            Expect(output.Length, depth * outHeight * outWidth, nameof(output));

            for (int d = 0; d < depth; d++)
            {
                for (int y = 0; y < outHeight; y++)
                {
                    for (int x = 0; x < outWidth; x++)
                    {
                        float max = float.NegativeInfinity;
                        for (int fy = 0; fy < size; fy++)
                        {
                            int iy = (y * stride) + fy - padding;
                            for (int fx = 0; fx < size; fx++)
                            {
                                int ix = (x * stride) + fx - padding;
                                float value = iy < 0 || iy >= height || ix < 0 || ix >= width
                                    ? float.NegativeInfinity
                                    : input[(((d * height) + iy) * width) + ix];
                                if (float.IsNaN(value) || value > max)
                                {
                                    max = value;
                                }

                                if (float.IsNaN(max))
                                {
                                    break;
                                }
                            }

                            if (float.IsNaN(max))
                            {
                                break;
                            }
                        }

                        output[(((d * outHeight) + y) * outWidth) + x] = max;
                    }
                }
            }
        }

        /// <summary>out[o] = bias[o] + Σ_i weight[o, i] · in[i]; weight [out][in], as <c>torch.nn.functional.linear</c>.</summary>
        public static void Linear(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, Span<float> output)
        {
            Expect(bias.Length, output.Length, nameof(bias));
            Expect(weight.Length, output.Length * input.Length, nameof(weight));
            for (int o = 0; o < output.Length; o++)
            {
                double sum = 0;
                for (int i = 0; i < input.Length; i++)
                {
                    sum += (double)weight[(o * input.Length) + i] * input[i];
                }

                output[o] = (float)(sum + bias[o]);
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
