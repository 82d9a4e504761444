using System;
using System.Runtime.Intrinsics;
using CnnGen.Reference;
using CnnGen.Runtime;
using CnnGen.Tests.Infrastructure;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>
    /// The runtime's depthwise kernel over channels (small maps, DepthwiseKernel.ChannelsLast) against the reference conv
    /// with groups = channels, on the widest vectors this run has: ReLU, ReLU6's ceiling (NaN kept), no activation; channel
    /// counts with scalar tails; strides, dilation and one-sided padding. Generated networks reach it too
    /// (RandomShapeTests' ChannelsDepthwiseGen); this pins the fused ceiling, which those do not fuse.
    /// </summary>
    public sealed class DepthwiseKernelTests
    {
        [Theory]
        [InlineData(6, 6, 128, 3, 2, 1, 0, 1, 0, 1, 6f)]
        [InlineData(3, 3, 256, 3, 1, 1, 1, 1, 1, 1, 6f)]
        [InlineData(5, 4, 37, 3, 1, 2, 2, 0, 1, 2, float.PositiveInfinity)]
        [InlineData(7, 5, 20, 2, 3, 1, 1, 1, 0, 0, 6f)]
        [InlineData(4, 4, 16, 1, 1, 1, 0, 0, 0, 0, float.NaN)]
        public void Equals_the_reference_conv_with_groups_equal_to_channels(int width, int height, int channels, int size, int stride, int dilation, int left, int right, int top, int bottom, float ceiling)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                Check<Simd512, Vector512<float>>(width, height, channels, size, stride, dilation, left, right, top, bottom, ceiling);
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                Check<Simd256, Vector256<float>>(width, height, channels, size, stride, dilation, left, right, top, bottom, ceiling);
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                Check<Simd128, Vector128<float>>(width, height, channels, size, stride, dilation, left, right, top, bottom, ceiling);
            }
        }

        private static void Check<TS, TV>(int width, int height, int channels, int size, int stride, int dilation, int left, int right, int top, int bottom, float ceiling)
            where TS : struct, ISimd<TV>
            where TV : struct
        {
            var window = new Window2d(size, size, stride, stride, left, right, top, bottom, dilation, dilation);
            int outWidth = ((width + left + right - ((dilation * (size - 1)) + 1)) / stride) + 1;
            int outHeight = ((height + top + bottom - ((dilation * (size - 1)) + 1)) / stride) + 1;
            var random = new Random(channels * 31 + size);
            float[] input = Numbers.Random(random, channels * width * height, 2f);
            input[3] = float.NaN; // NaN flows through, as in torch
            input[channels * width * height / 2] = 50f; // past the ceiling
            float[] weight = Numbers.Random(random, channels * size * size);
            float[] bias = Numbers.Random(random, channels);
            var packed = new float[weight.Length];
            Layout.Transpose(weight, channels, size * size, packed);

            bool relu = !float.IsNaN(ceiling); // NaN in the data row: no activation at all
            var actual = new float[channels * outWidth * outHeight];
            var scratch = new float[(width * height + outWidth * outHeight) * channels];
            DepthwiseKernel.ChannelsLast<TS, TV>(input, packed, bias, actual, relu, relu ? ceiling : float.PositiveInfinity, channels, height, width, outHeight, outWidth,
                size, size, stride, stride, dilation, dilation, top, left, scratch);

            var expected = new float[actual.Length];
            ReferenceLayers.Conv2d(input, width, height, channels, weight, bias, channels, channels, window, OutputRounding.Floor, expected);
            if (relu && float.IsPositiveInfinity(ceiling))
            {
                ReferenceLayers.Relu(expected, expected);
            }
            else if (relu)
            {
                ReferenceLayers.Relu6(expected, expected);
            }

            Numbers.AssertClose(expected, actual, "depthwise over channels");
        }
    }
}
