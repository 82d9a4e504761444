using System;
using System.Collections.Generic;
using System.Linq;
using CnnGen.Reference;
using CnnGen.Tests.Infrastructure;
using CsCheck;
using Xunit;

namespace CnnGen.Tests.Numerics
{
    /// <summary>Random valid networks, drawn with CsCheck and compiled once, checked layer by layer against the reference kernels.</summary>
    public sealed class RandomNetworksFixture
    {
        public const int Count = 164 + 60 + 30 + 24 + 30 + 24 + 16 + 20 + 12 + 20 + 20 + 24 + 16 + 10 + 16 + 24 + 16 + 24 + 20 + 6 + 7 + 1 + 1 + 1;

        public RandomNetworksFixture()
        {
            // Mostly small volumes of every kind, plus wide rows so that whole 16-float vectors (and their
            // overlapping last chunk) run in the vector kernels as well as the edge columns.
            // Then draws aimed at particular vector kernels: conv rows that are whole 16-float vectors (stored straight
            // into the output), fully connected layers wide enough for every block of output vectors, and pools whose
            // rows are narrower than a vector (one vector spilling into the next row) over many channels.
            Specs = Draw(80, seed: 20261128, NetGen)
                .Concat(Draw(24, seed: 777, WideGen))
                .Concat(Draw(14, seed: 16, WholeRowsGen))
                .Concat(Draw(6, seed: 128, WideFcGen))
                .Concat(Draw(12, seed: 8, NarrowPoolGen))
                .Concat(Draw(20, seed: 32, FilterVectorGen))
                .Concat(Draw(8, seed: 64, StraightGen))
                .Concat(Draw(60, seed: 20261130, GeometryGen))
                .Concat(Draw(30, seed: 4242, DepthwiseGen))
                .Concat(Draw(24, seed: 4343, PipelinedDepthwiseGen))
                .Concat(Draw(30, seed: 99, PoolGeometryGen))
                .Concat(Draw(24, seed: 2, StridedDepthwiseGen))
                .Concat(Draw(16, seed: 49, ColumnsGen))
                .Concat(Draw(20, seed: 1111, SumsPoolGen))
                .Concat(Draw(12, seed: 5, WholeMapPoolGen))
                .Concat(Draw(20, seed: 6, FlatDepthwiseGen))
                .Concat(Draw(20, seed: 7, ChannelsDepthwiseGen))
                .Concat(Draw(24, seed: 9, FlatFiltersGen))
                .Concat(Draw(16, seed: 10, SmallMapFiltersGen))
                .Concat(Draw(10, seed: 11, DirectColumnGen))
                .Concat(Draw(16, seed: 12, ChunkedChannelsGen))
                .Concat(Draw(24, seed: 13, CarriedGen))
                .Concat(Draw(16, seed: 14, WideCarriedGen))
                .Concat(Draw(24, seed: 15, EightFilterGen))
                .Concat(Draw(20, seed: 17, CompactStoreGen))
                // A stride-2 depthwise whose input rows each feed 10 output rows (a 3x4 window dilated 3 down, stride 1 down):
                // more live rows than registers, so the phase-copy kernel takes it (no random draw reaches that).
                .Append(new NetSpec(64, 40, 8, new[] { LayerSpec.Windowed(Kind.Conv, 8, new Window2d(3, 4, 2, 1, 1, 0, 2, 1, 1, 3), groups: 8), LayerSpec.Relu() }))
                // Channels in chunks on a phase copy stored straight into the output (F's shape, smaller: 32 channels at 3x3
                // stride 2 into rows of 16), and on rows sharing a padding column wider on the left (2) than the right (1).
                .Append(new NetSpec(32, 4, 32, new[] { LayerSpec.Windowed(Kind.Conv, 8, Window2d.Square(3, 2, 1), rounding: OutputRounding.Floor), LayerSpec.Relu() }))
                .Append(new NetSpec(20, 3, 64, new[] { LayerSpec.Windowed(Kind.Conv, 6, new Window2d(4, 3, 1, 1, 2, 1, 1, 1), bias: false) }))
                // Filter-vector convs whose max pool reads their cell-major output in Forward: LeNet-5's second conv and pool,
                // 32 filters (two 16-float vectors a cell) into overlapping 3x3 stride-2 windows of 9x7, a dilated 2x2 window
                // at stride 1 (the pool the network's last step).
                .Append(new NetSpec(14, 14, 6, new[] { LayerSpec.Conv(16, 5), LayerSpec.Relu(), LayerSpec.Pool(2, 2), LayerSpec.Conv(4, 3) }))
                .Append(new NetSpec(9, 7, 8, new[] { LayerSpec.Conv(32, 3, 1, 1), LayerSpec.Pool(3, 2, rounding: OutputRounding.Floor), LayerSpec.Relu() }))
                .Append(new NetSpec(8, 8, 5, new[] { LayerSpec.Conv(16, 3), LayerSpec.Relu(), LayerSpec.Windowed(Kind.Pool, 0, new Window2d(2, 2, 1, 1, 0, 0, 0, 0, 2, 2)) }))
                // Eight-filter steps over 64 channels at 3x3 (D's shape, smaller): rows a 4-filter step would take in chunks.
                .Append(new NetSpec(24, 6, 64, new[] { LayerSpec.Windowed(Kind.Conv, 16, Window2d.Square(3, 1, 1)), LayerSpec.Relu() }))
                // Blocks of six filters in each of two groups (12 filters of 4 channels each), output rows of 32.
                .Append(new NetSpec(32, 5, 8, new[] { LayerSpec.Windowed(Kind.Conv, 12, Window2d.Square(3, 1, 1), groups: 2), LayerSpec.Relu() }))
                // F's shape with 12 filters (blocks of 4): 16 vectors of output rows, in steps of 5, 5, 3 and 3 with 16-float vectors.
                .Append(new NetSpec(32, 32, 32, new[] { LayerSpec.Windowed(Kind.Conv, 12, Window2d.Square(3, 2, 1), rounding: OutputRounding.Floor), LayerSpec.Relu() }))
                // The pipelined depthwise copy where a row block that is not the last runs past the input's rows (input 5 high,
                // output 11: padding 3 above and below a 1x1 window), so that block copies only the rows there are.
                .Append(new NetSpec(20, 5, 3, new[] { LayerSpec.Windowed(Kind.Conv, 3, new Window2d(1, 1, 1, 1, 1, 1, 3, 3), groups: 3) }))
                // 1x1 convs in steps of 4 filters x 5 vectors with 16-float vectors (filters not in eights, or fewer than 8 input
                // channels): 25 vectors of a wide output, 16 of whole rows (5 + 5 + 3 + 3), and 11 in two groups of 4 filters (5 + 3 + 3).
                .Append(new NetSpec(28, 14, 12, new[] { LayerSpec.Conv(12, 1, 1, 0, OutputRounding.Exact), LayerSpec.Relu() }))
                .Append(new NetSpec(32, 8, 7, new[] { LayerSpec.Conv(8, 1, 1, 0, OutputRounding.Exact) }))
                .Append(new NetSpec(13, 13, 8, new[] { LayerSpec.Windowed(Kind.Conv, 8, Window2d.Square(1, 1, 0), groups: 2), LayerSpec.Relu() }))
                // The carried layout into the conv vectorized over its filters (16 filters, output rows of 12 in padded rows of 18).
                .Append(new NetSpec(16, 6, 2, new[] { LayerSpec.Windowed(Kind.Conv, 4, Window2d.Square(3, 1, 1)), LayerSpec.Relu(), LayerSpec.Windowed(Kind.Conv, 16, Window2d.Square(7, 1, 1)) }))
                // Wide rows of 37 for output rows of 17 (a 5x5 window dilated 5, no padding): 20 junk columns, so a vector of
                // positions may lie wholly in the junk, its compacted store all junk lanes.
                .Append(new NetSpec(37, 23, 4, new[] { LayerSpec.Windowed(Kind.Conv, 8, new Window2d(5, 5, 1, 1, 0, 0, 0, 0, 5, 5)), LayerSpec.Relu() }))
                // Aligned stride-2 phase rows under a window row too wide to unroll (17 taps across): the column phase's skew
                // chosen in the loop over fx.
                .Append(new NetSpec(45, 3, 3, new[] { LayerSpec.Windowed(Kind.Conv, 8, new Window2d(17, 2, 2, 1, 1, 1, 0, 0), rounding: OutputRounding.Floor), LayerSpec.Relu() }))
                .ToList();
            // Compiled with [SkipLocalsInit]: no kernel may rely on stackalloc being zeroed.
            Networks = new CompiledNetworks(Specs.Select((s, i) => ("RandomNet" + i, s)).ToList(), skipLocalsInit: true);
        }

        public IReadOnlyList<NetSpec> Specs { get; }

        public CompiledNetworks Networks { get; }

        private static readonly Gen<LayerSpec> ConvGen =
            Gen.Select(Gen.Int[1, 4], Gen.Int[1, 5], Gen.Int[1, 3], Gen.Int[0, 2], Gen.OneOf(OutputRounding.Exact, OutputRounding.Floor),
                (k, f, s, p, r) => LayerSpec.Conv(k, f, s, p, r));

        private static readonly Gen<LayerSpec> PoolGen =
            Gen.Select(Gen.Int[1, 4], Gen.Int[0, 3], Gen.Int[0, 3], Gen.OneOf(OutputRounding.Exact, OutputRounding.Floor, OutputRounding.Ceil),
                (f, s, p, r) => LayerSpec.Pool(f, s, p % f, r));

        private static readonly Gen<LayerSpec> LayerGen = Gen.Frequency(
            (4, (IGen<LayerSpec>)ConvGen),
            (3, PoolGen),
            (1, Gen.Const(LayerSpec.Relu())),
            (1, Gen.Int[1, 6].Select(LayerSpec.Fc)));

        private static readonly Gen<NetSpec> NetGen =
            Gen.Select(Gen.Int[1, 14], Gen.Int[1, 14], Gen.Int[1, 4], LayerGen.Array[1, 4],
                (w, h, d, layers) => new NetSpec(w, h, d, layers));

        private static readonly Gen<NetSpec> WideGen =
            Gen.Select(Gen.Int[16, 72], Gen.Int[2, 7], Gen.Int[1, 3], Gen.Frequency((2, (IGen<LayerSpec>)ConvGen), (3, PoolGen)).Array[1, 2],
                (w, h, d, layers) => new NetSpec(w, h, d, layers));

        private static readonly Gen<NetSpec> WholeRowsGen =
            Gen.Select(Gen.Int[1, 2], Gen.Int[1, 5], Gen.Int[1, 3], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[1, 6], Gen.Int[1, 3], Gen.Int[1, 9])
                .Select(t =>
                {
                    (int rows, int f, int s, int p, int extra, int h, int d, int k) = t;
                    int padding = Math.Min(p, f - 1);
                    int width = (((16 * rows) - 1) * s) + f - (2 * padding) + (extra % s); // output width 16 or 32
                    return new NetSpec(width, Math.Max(h, f), d, new[] { LayerSpec.Conv(k, f, s, padding, s > 1 ? OutputRounding.Floor : OutputRounding.Exact) });
                });

        private static readonly Gen<NetSpec> WideFcGen =
            Gen.Select(Gen.Int[1, 9], Gen.Int[1, 30], Gen.Int[1, 200], Gen.Int[1, 40],
                (w, d, first, second) => new NetSpec(w, 1, d, new[] { LayerSpec.Fc(first), LayerSpec.Relu(), LayerSpec.Fc(second) }));

        private static readonly Gen<NetSpec> FilterVectorGen =
            Gen.Select(Gen.Int[3, 14], Gen.Int[3, 8], Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[1, 5], Gen.Int[1, 2], Gen.Int[0, 2], Gen.Bool)
                .Select(t =>
                {
                    (int w, int h, int d, int k, int f, int s, int p, bool relu) = t;
                    var layers = new List<LayerSpec> { LayerSpec.Conv(16 * k, f, s, Math.Min(p, f - 1), s > 1 ? OutputRounding.Floor : OutputRounding.Exact) };
                    if (relu)
                    {
                        layers.Add(LayerSpec.Relu());
                    }

                    return new NetSpec(w, h, d, layers.ToArray());
                });

        // 1x1 convs at stride 1 on small planes of deep inputs: the filter-vector kernel, whose 512-bit step takes its cells
        // across rows (the plane as one row: 1 to 81 cells, whole steps or a rest), 1, 2 or 4 filter vectors.
        private static readonly Gen<NetSpec> FlatFiltersGen =
            Gen.Select(Gen.Int[1, 9], Gen.Int[1, 9], Gen.Int[5, 40], Gen.OneOf(16, 32, 48, 64, 128), Gen.Bool, Gen.OneOf(1, 1, 2, 3))
                .Select(t =>
                {
                    (int w, int h, int d, int k, bool relu, int fy) = t;
                    // Mostly 1x1; some windows one column wide and taller (still one flat row: the input is as wide as the output).
                    var layers = new List<LayerSpec> { fy == 1 ? LayerSpec.Conv(k, 1) : LayerSpec.Windowed(Kind.Conv, k, new Window2d(1, fy, 1, 1, 0, 0, 0, 0)) };
                    h += fy - 1;
                    if (relu)
                    {
                        layers.Add(LayerSpec.Relu());
                    }

                    return new NetSpec(w, h, d, layers.ToArray());
                });

        // Windows up to 3x3 on small maps of deep inputs into 64 or 128 filters: the filter-vector kernel's 512-bit step of
        // up to 6 cells x 4 vectors, or up to 12 x 2 (rows outside or filter blocks outside).
        private static readonly Gen<NetSpec> SmallMapFiltersGen =
            Gen.Select(Gen.Int[2, 13], Gen.Int[2, 8], Gen.Int[5, 24], Gen.OneOf(64, 128), Gen.Int[1, 3], Gen.Int[1, 2], Gen.Bool)
                .Select(t =>
                {
                    (int w, int h, int d, int k, int f, int s, bool relu) = t;
                    var layers = new List<LayerSpec> { LayerSpec.Conv(k, f, s, f / 2, OutputRounding.Floor) };
                    if (relu)
                    {
                        layers.Add(LayerSpec.Relu());
                    }

                    return new NetSpec(w, h, d, layers.ToArray());
                });

        // Position convs over many input channels (40 to 96 per group): the step takes its channels in chunks of 8 to 16,
        // the sums so far waiting in the output between chunks, with the larger 512-bit step. Windows up to 5x5, stride 1
        // or 2, dilation, padding (or none, with output rows whole vectors: the direct kernel), groups, bias or none, ReLU.
        private static readonly Gen<NetSpec> ChunkedChannelsGen =
            Gen.Select(Gen.Int[3, 40], Gen.Int[1, 4], Gen.OneOf(40, 48, 64, 72, 96), Gen.Int[1, 2], Gen.Int[1, 9], Gen.Int[2, 5], Gen.Int[1, 2], Gen.Int[0, 3])
                .Select(Gen.Bool, Gen.Bool, Gen.Int[1, 2], (t, bias, relu, dilation) =>
                {
                    (int w, int h, int perGroup, int groups, int k, int f, int stride, int shape) = t;
                    Window2d window = shape switch
                    {
                        0 => new Window2d(f, f, 1, 1, 0, 0, 0, 0, dilation, dilation),      // no padding
                        1 => Window2d.Square(f, stride, f / 2),
                        2 => new Window2d(f, Math.Max(1, f - 1), stride, 1, f - 1 - (f / 2), f / 2, 0, 1, dilation, 1), // right >= left
                        _ => new Window2d(f, f, stride, stride, 1, 1, 1, 1, dilation, dilation),
                    };

                    if (shape == 0 && w % 2 == 0)
                    {
                        w = 16 * (1 + (w % 3)); // output rows whole vectors: the direct kernel
                    }

                    int inputWidth = w + ((window.SizeX - 1) * window.DilationX);
                    int inputHeight = h + ((window.SizeY - 1) * window.DilationY);
                    var layers = new List<LayerSpec> { LayerSpec.Windowed(Kind.Conv, groups * k, window, rounding: OutputRounding.Floor, groups: groups, bias: bias) };
                    if (relu)
                    {
                        layers.Add(LayerSpec.Relu());
                    }

                    return new NetSpec(inputWidth, inputHeight, groups * perGroup, layers.ToArray());
                });

        // Blocks of 8 filters with 16-float vectors (filters per group a multiple of 8, 8 to 40 input channels per group, a
        // window 2 to 5 across and 2 to 5 down, or 2 to 4 down unpadded): direct rows of 16 or 32 or wide rows, stride 1 or 2,
        // one or two groups, alone, into a stride-1 padded conv (the carried padded planes) or into a max pool (the carried
        // wide rows).
        private static readonly Gen<NetSpec> EightFilterGen =
            Gen.Select(Gen.Int[2, 40], Gen.Int[1, 7], Gen.Int[8, 40], Gen.Int[1, 2], Gen.Int[1, 3], Gen.Int[2, 5], Gen.Int[1, 2], Gen.Int[0, 3])
                .Select(Gen.Bool, Gen.Int[0, 2], (t, bias, next) =>
                {
                    (int w, int h, int perGroup, int groups, int blocks, int f, int stride, int shape) = t;
                    if (shape == 0)
                    {
                        w = 16 * (1 + (w % 2)); // output rows of whole vectors: the direct kernel
                    }

                    Window2d window = shape == 2 ? new Window2d(f, Math.Max(2, f - 1), stride, stride, 0, 0, 0, 0) : Window2d.Square(f, stride, f / 2);
                    int inputWidth = ((w - 1) * stride) + window.SizeX - window.PadLeft - window.PadRight;
                    int inputHeight = ((h - 1) * stride) + window.SizeY - window.PadTop - window.PadBottom;
                    int k = 8 * blocks * groups;
                    var layers = new List<LayerSpec> { LayerSpec.Windowed(Kind.Conv, k, window, rounding: OutputRounding.Floor, groups: groups, bias: bias), LayerSpec.Relu() };
                    if (next == 1)
                    {
                        layers.Add(LayerSpec.Windowed(Kind.Conv, 4, Window2d.Square(3, 1, 1)));
                    }
                    else if (next == 2 && w >= 2 && h >= 2)
                    {
                        layers.Add(LayerSpec.Windowed(Kind.Pool, 0, Window2d.Square(2, 2, 0), rounding: OutputRounding.Floor));
                    }

                    return new NetSpec(Math.Max(1, inputWidth), Math.Max(1, inputHeight), groups * perGroup, layers.ToArray());
                });

        // Position convs whose steps store straight into the output, compacting as they go (CompactStores): output rows of
        // 17 to 70 cells, not whole vectors, behind wide rows of 0 to 12 junk columns (windows 1 to 5 across, dilation 1 to 3,
        // padding up to 3, stride 1 or 2), 4 to 24 filters a group (in eights or not), one or two groups, 1 to 12 input
        // channels a group; alone, into a fully-connected layer (the conv's output then Forward's scratch) or into a padded
        // conv (which copies that output into its padded planes: only rows of whole vectors are stored there directly).
        private static readonly Gen<NetSpec> CompactStoreGen =
            Gen.Select(Gen.Int[17, 70], Gen.Int[1, 6], Gen.Int[1, 12], Gen.Int[1, 2], Gen.OneOf(4, 6, 8, 12, 16, 24), Gen.Int[1, 5], Gen.Int[1, 2], Gen.Int[0, 3])
                .Select(Gen.Bool, Gen.Int[1, 3], Gen.Int[0, 2], (t, bias, dilation, next) =>
                {
                    (int w, int h, int perGroup, int groups, int k, int f, int stride, int pad) = t;
                    if (w % 16 == 0)
                    {
                        w++; // not whole vectors: whole ones go straight into the output without junk (the direct kernel)
                    }

                    var window = new Window2d(f, f, stride, stride, pad, pad, pad, pad, dilation, dilation);
                    int extent = ((f - 1) * dilation) + 1;
                    int inputWidth = ((w - 1) * stride) + extent - (2 * pad);
                    int inputHeight = ((h - 1) * stride) + extent - (2 * pad);
                    var layers = new List<LayerSpec> { LayerSpec.Windowed(Kind.Conv, groups * k, window, rounding: OutputRounding.Floor, groups: groups, bias: bias), LayerSpec.Relu() };
                    if (next == 1)
                    {
                        layers.Add(LayerSpec.Fc(5));
                    }
                    else if (next == 2)
                    {
                        layers.Add(LayerSpec.Windowed(Kind.Conv, 4, Window2d.Square(3, 1, 1)));
                    }

                    return new NetSpec(Math.Max(1, inputWidth), Math.Max(1, inputHeight), groups * perGroup, layers.ToArray());
                });

        // The carried layout into a pool: a position conv with a wide output (rows as long as its phase rows, junk columns
        // after the output's) read only by a max or average pool along rows, stride 1 to 3, padded or not, then maybe a
        // fully-connected layer; Forward leaves the wide output uncompacted and the pool reads its rows at that length.
        private static readonly Gen<NetSpec> WideCarriedGen =
            Gen.Select(Gen.Int[5, 40], Gen.Int[2, 9], Gen.Int[1, 4], Gen.Int[1, 8], Gen.Int[1, 5], Gen.Int[0, 2], Gen.Int[2, 3], Gen.Int[1, 3])
                .Select(Gen.Bool, Gen.Bool, Gen.Int[0, 1], (t, average, fc, poolPad) =>
                {
                    (int w, int h, int d, int k, int f, int pad, int size, int stride) = t;
                    if (w % 16 == 0)
                    {
                        w++; // no direct kernel: the conv's output has junk columns
                    }

                    pad = Math.Min(pad, f - 1);
                    int outW = w + (2 * pad) - f + 1, outH = Math.Max(h, f) + (2 * pad) - f + 1;
                    int poolSize = Math.Min(size, Math.Min(outW, outH) + (2 * poolPad));
                    poolPad = Math.Min(poolPad, poolSize / 2);
                    var layers = new List<LayerSpec> { LayerSpec.Conv(k, f, 1, pad), LayerSpec.Relu() };
                    var window = Window2d.Square(poolSize, average ? Math.Max(2, stride) : stride, poolPad);
                    layers.Add(average
                        ? LayerSpec.Windowed(Kind.AvgPool, 0, window, rounding: OutputRounding.Floor, countIncludePadding: poolPad == 0)
                        : LayerSpec.Windowed(Kind.Pool, 0, window, rounding: OutputRounding.Floor));
                    if (fc)
                    {
                        layers.Add(LayerSpec.Fc(3));
                    }

                    return new NetSpec(w, Math.Max(h, f), d, layers.ToArray());
                });

        // The carried layout: a conv whose output rows are whole vectors (16, 32 or 48 wide, stride 1 or 2: the direct
        // kernel, its channels in chunks when there are 40 or 64) read only by a stride-1 conv that pads its input, on any
        // side, maybe dilated or grouped; Forward stores the first conv's output straight into the second's padded planes.
        // Sometimes a third conv follows a second whose rows are whole vectors too (a conv both reading and writing them).
        private static readonly Gen<NetSpec> CarriedGen =
            Gen.Select(Gen.OneOf(16, 32, 48), Gen.Int[1, 4], Gen.OneOf(1, 2, 3, 5, 40, 64), Gen.Int[1, 12], Gen.Int[0, 3], Gen.Int[1, 9], Gen.Int[1, 5], Gen.Int[1, 5])
                .Select(Gen.Int[0, 2].Array[4], Gen.Bool, Gen.Int[1, 2], Gen.Int[0, 2], (t, pads, relu, dilation, third) =>
                {
                    (int w, int h, int d, int k1, int first, int k2, int fx, int fy) = t;
                    if (d >= 40)
                    {
                        w = 32; // few positions, many channels: the chunked step
                    }

                    var layers = new List<LayerSpec>();
                    int inputWidth = w, inputHeight = h;
                    switch (first)
                    {
                        case 0:
                            layers.Add(LayerSpec.Windowed(Kind.Conv, k1, Window2d.Square(3, 1, 1)));
                            break;
                        case 1:
                            layers.Add(LayerSpec.Windowed(Kind.Conv, k1, Window2d.Square(1, 1, 0), bias: false)); // reads its input as it is
                            break;
                        case 2:
                            inputWidth = 2 * w;
                            inputHeight = 2 * h;
                            layers.Add(LayerSpec.Windowed(Kind.Conv, k1, Window2d.Square(3, 2, 1), rounding: OutputRounding.Floor));
                            break;
                        default:
                            layers.Add(LayerSpec.Windowed(Kind.Conv, k1, Window2d.Square(5, 1, 2)));
                            break;
                    }

                    if (relu)
                    {
                        layers.Add(LayerSpec.Relu());
                    }

                    if (third == 2)
                    {
                        // Padding that keeps the width: the second conv's rows are whole vectors too, and it carries into a third.
                        int across = (fx - 1) * dilation;
                        pads[0] = across / 2;
                        pads[1] = across - pads[0];
                    }

                    if (pads.All(p => p == 0))
                    {
                        pads[1] = 1;
                    }

                    int dilationY = h + pads[2] + pads[3] - ((fy - 1) * dilation) >= 1 ? dilation : 1;
                    int fyFit = Math.Min(fy, h + pads[2] + pads[3]);
                    int dilationX = w + pads[0] + pads[1] - ((fx - 1) * dilation) >= 1 ? dilation : 1;
                    int groups = k1 % 2 == 0 && k2 % 2 == 0 && fx == 2 ? 2 : 1;
                    layers.Add(LayerSpec.Windowed(Kind.Conv, k2, new Window2d(fx, fyFit, 1, 1, pads[0], pads[1], pads[2], pads[3], dilationX, dilationY), groups: groups));
                    if (third == 2)
                    {
                        layers.Add(LayerSpec.Relu());
                        layers.Add(LayerSpec.Windowed(Kind.Conv, 3, Window2d.Square(3, 1, 1)));
                    }

                    return new NetSpec(inputWidth, inputHeight, d, layers.ToArray());
                });

        // Windows at stride 1 without padding whose output rows are whole 16-float vectors (the input fx − 1 wider): the
        // direct conv reads its input as it is (no phase copy), dilated or not.
        private static readonly Gen<NetSpec> DirectColumnGen =
            Gen.Select(Gen.OneOf(16, 32, 48), Gen.Int[3, 6], Gen.Int[1, 12], Gen.Int[1, 20], Gen.Int[1, 3], Gen.Int[1, 3], Gen.Bool, Gen.Int[1, 2])
                .Select(t =>
                {
                    (int w, int h, int d, int k, int fx, int fy, bool relu, int dilation) = t;
                    var window = new Window2d(fx, fy, 1, 1, 0, 0, 0, 0, dilation, dilation);
                    w += (fx - 1) * dilation;
                    h += (fy - 1) * dilation;
                    var conv = LayerSpec.Windowed(Kind.Conv, k, window);
                    return new NetSpec(w, h, d, relu ? new[] { conv, LayerSpec.Relu() } : new[] { conv });
                });

        // F = S (1x1 windows, or 2x2 at stride 2) on planes whose output is whole vectors: the wide output is the output.
        private static readonly Gen<NetSpec> StraightGen =
            Gen.Select(Gen.OneOf(4, 8, 12, 28), Gen.OneOf(4, 8), Gen.Int[1, 4], Gen.Int[1, 8], Gen.Int[1, 2],
                (w, h, d, k, f) => new NetSpec(w * f, h * f, d, new[] { LayerSpec.Conv(k, f, f) }));

        private static readonly Gen<NetSpec> NarrowPoolGen =
            Gen.Select(Gen.Int[2, 16], Gen.Int[2, 9], Gen.Int[4, 20], PoolGen, (w, h, d, pool) => new NetSpec(w, h, d, new[] { pool }));

        // Contract v2 geometry: a window per axis (sizes, strides up to 4 so that a stride can pass the window, dilations,
        // one-sided paddings), Same and SameLower padding, groups dividing depth and filters, no bias; spelled either as a
        // person would or with every per-axis property. A v1 layer or a pool may follow, and the network may floor as a whole.
        private static readonly Gen<Window2d> ConvWindowGen =
            Gen.Select(Gen.Int[1, 5], Gen.Int[1, 5], Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[0, 3].Array[4], Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[0, 3])
                .Select(t =>
                {
                    (int fx, int fy, int sx, int sy, int[] pads, int dx, int dy, int shape) = t;
                    return shape switch
                    {
                        0 => Window2d.Square(fx, sx, pads[0]),                                     // v1-like, spelled in v2 terms
                        1 => new Window2d(fx, fy, sx, sy, pads[0], pads[0], pads[1], pads[1]),      // per axis
                        2 => new Window2d(fx, fy, sx, sy, pads[0], pads[1], pads[2], pads[3], dx, dy), // one-sided, dilated
                        _ => new Window2d(fx, fx, sx, sx, pads[0], pads[0], pads[0], pads[0], dx, dx), // square dilated
                    };
                });

        private static readonly Gen<NetSpec> GeometryGen =
            Gen.Select(Gen.Int[1, 24], Gen.Int[1, 16], Gen.Int[1, 4], Gen.Int[1, 3], Gen.Int[1, 3], ConvWindowGen, Gen.Int[0, 5], Gen.Int[0, 9])
                .Select(Gen.Bool, Gen.Bool, Gen.Frequency((3, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(2))), (t, bias, verbose, next) =>
                {
                    (int w, int h, int groups, int perGroupIn, int perGroupOut, Window2d window, int modeDraw, int roundingDraw) = t;
                    PaddingMode mode = modeDraw switch { 4 => PaddingMode.Same, 5 => PaddingMode.SameLower, _ => PaddingMode.Explicit };
                    OutputRounding rounding = mode == PaddingMode.Explicit && roundingDraw < 3 ? OutputRounding.Floor : OutputRounding.Exact;
                    var layers = new List<LayerSpec> { LayerSpec.Windowed(Kind.Conv, groups * perGroupOut, window, mode, rounding, groups, bias, verbose: verbose) };
                    if (next == 1)
                    {
                        layers.Add(LayerSpec.Relu());
                        layers.Add(LayerSpec.Conv(3, 2, 1, 1));
                    }
                    else if (next == 2)
                    {
                        layers.Add(LayerSpec.Fc(3) with { Bias = bias, Properties = bias ? string.Empty : "Bias = false" });
                    }

                    return new NetSpec(w, h, groups * perGroupIn, layers) { Rounding = roundingDraw == 9 ? OutputRounding.Floor : OutputRounding.Exact };
                });

        // The dedicated depthwise kernel: one input channel per group (multiplier 1 or 2), small windows, rows both
        // narrower and wider than a vector, stride 1 or 2, explicit or Same padding, sometimes dilated.
        private static readonly Gen<NetSpec> DepthwiseGen =
            Gen.Select(Gen.Int[2, 40], Gen.Int[2, 12], Gen.Int[1, 20], Gen.Int[1, 2], Gen.Int[1, 3], Gen.Int[1, 2], Gen.Int[0, 2], Gen.Int[0, 5])
                .Select(Gen.Bool, Gen.Int[1, 2], (t, bias, dilation) =>
                {
                    (int w, int h, int d, int multiplier, int f, int s, int p, int modeDraw) = t;
                    int size = (2 * f) - 1; // 1, 3 or 5
                    PaddingMode mode = modeDraw switch { 4 => PaddingMode.Same, 5 => PaddingMode.SameLower, _ => PaddingMode.Explicit };
                    var window = new Window2d(size, size, s, s, p, p, p, p, modeDraw == 3 ? dilation : 1, modeDraw == 3 ? dilation : 1);
                    return new NetSpec(w, h, d, new[] { LayerSpec.Windowed(Kind.Conv, d * multiplier, window, mode, s > 1 && mode == PaddingMode.Explicit ? OutputRounding.Floor : OutputRounding.Exact, groups: d, bias: bias) });
                });

        // The depthwise kernel at stride 1 with padding on output rows of a vector or more: two padded planes, the next
        // channel's input rows copied between the row blocks of this one. Inputs 10 to 90 wide (narrower than a vector, one
        // to four vectors written out, wider rows copied in a loop), as high as 1 to 4 row blocks with a partial last one,
        // windows 1 to 5 with every padding up to 3 on each side (inputs higher, as high or lower than the output), dilated.
        private static readonly Gen<NetSpec> PipelinedDepthwiseGen =
            Gen.Select(Gen.Int[10, 90], Gen.Int[2, 17], Gen.Int[2, 9], Gen.Int[0, 2], Gen.Int[0, 3].Array[4], Gen.Int[1, 2], Gen.Bool)
                .Select(t =>
                {
                    (int w, int h, int d, int f, int[] pads, int dilation, bool bias) = t;
                    int size = (2 * f) + 1; // 1, 3 or 5
                    int left = pads[0], right = pads[1], top = pads[2], bottom = pads[3];
                    int reach = ((size - 1) * dilation) + 1;

                    // Rows of at least one vector out, some padding across and down (the kernel pads, so it copies).
                    int grow = Math.Max(0, 16 - (w + left + right - reach + 1));
                    right += grow;
                    if (left + right + top + bottom == 0)
                    {
                        top = 1;
                    }

                    int down = Math.Max(0, reach - (h + top + bottom));
                    bottom += down;
                    var window = new Window2d(size, size, 1, 1, left, right, top, bottom, dilation, dilation);
                    return new NetSpec(w, h, d, new[] { LayerSpec.Windowed(Kind.Conv, d, window, groups: d, bias: bias), LayerSpec.Relu() });
                });

        // The stride-2 depthwise kernel that reads the input itself: rows of 24 outputs and more (48 to 130 inputs wide),
        // every padding on the left and right (edge columns streamed in scalars, or in a pass of their own when there are
        // many: Same with a wide dilated window), windows 1 to 7 wide and 1 to 4 high, dilation up to 4 across, down or
        // both, vertical strides 1 to 3 (input rows streamed past 1 to 10 live output rows, or windows that do not overlap).
        private static readonly Gen<NetSpec> StridedDepthwiseGen =
            Gen.Select(Gen.Int[48, 130], Gen.Int[1, 6], Gen.Int[1, 5], Gen.Int[1, 2], Gen.Int[1, 7], Gen.Int[0, 2].Array[4], Gen.Int[0, 5], Gen.Int[1, 4])
                .Select(Gen.Bool, Gen.Int[1, 4], Gen.Int[1, 3], (t, bias, fy, strideY) =>
                {
                    (int w, int h, int d, int multiplier, int fx, int[] pads, int modeDraw, int dilation) = t;
                    PaddingMode mode = modeDraw switch { 4 => PaddingMode.Same, 5 => PaddingMode.SameLower, _ => PaddingMode.Explicit };
                    var window = new Window2d(fx, fy, 2, strideY, pads[0], pads[1], pads[2], pads[3], modeDraw is 1 or 2 ? 1 : dilation, modeDraw is 2 or 3 ? dilation : 1);
                    return new NetSpec(w, h + ((fy - 1) * window.DilationY) + 1, d, new[] { LayerSpec.Windowed(Kind.Conv, d * multiplier, window, mode, mode == PaddingMode.Explicit ? OutputRounding.Floor : OutputRounding.Exact, groups: d, bias: bias), LayerSpec.Relu() });
                });

        // The conv over gathered columns: few taps (D·Fy·Fx up to 64) and 8 or more filters on a small plane whose rows are
        // not whole vectors, any stride, padding and dilation, as the keyword-spotting stem.
        private static readonly Gen<NetSpec> ColumnsGen =
            Gen.Select(Gen.Int[4, 30], Gen.Int[4, 40], Gen.Int[1, 2], Gen.Int[8, 20], ConvWindowGen, Gen.Int[0, 5], Gen.Bool, Gen.Bool)
                .Select(t =>
                {
                    (int w, int h, int d, int k, Window2d window, int modeDraw, bool bias, bool relu) = t;
                    PaddingMode mode = modeDraw switch { 4 => PaddingMode.Same, 5 => PaddingMode.SameLower, _ => PaddingMode.Explicit };
                    var layers = new List<LayerSpec> { LayerSpec.Windowed(Kind.Conv, k, window, mode, mode == PaddingMode.Explicit ? OutputRounding.Floor : OutputRounding.Exact, bias: bias) };
                    if (relu)
                    {
                        layers.Add(LayerSpec.Relu());
                    }

                    return new NetSpec(w, h, d, layers);
                });

        // Max and average pools per axis: one-sided padding below the window on each side, dilated max pools, Ceil, Same,
        // and average pools with and without the padding in the divisor.
        private static readonly Gen<NetSpec> PoolGeometryGen =
            Gen.Select(Gen.Int[1, 20], Gen.Int[1, 12], Gen.Int[1, 6], Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[0, 4], Gen.Int[0, 3].Array[4], Gen.Int[0, 7])
                .Select(Gen.Bool, Gen.Bool, Gen.Int[1, 2], (t, average, include, dilation) =>
                {
                    (int w, int h, int d, int fx, int fy, int stride, int[] pads, int draw) = t;
                    PaddingMode mode = draw switch { 6 => PaddingMode.Same, 7 => PaddingMode.SameLower, _ => PaddingMode.Explicit };
                    OutputRounding rounding = mode != PaddingMode.Explicit ? OutputRounding.Exact : (OutputRounding)(draw % 3);
                    int dx = !average && draw == 1 ? dilation : 1;
                    var window = new Window2d(fx, fy, stride == 0 ? fx : stride, stride == 0 ? fy : Math.Max(1, stride - (draw % 2)), pads[0] % fx, pads[1] % fx, pads[2] % fy, pads[3] % fy, dx, dx);
                    if (rounding == OutputRounding.Ceil)
                    {
                        // Ceil as PyTorch has it (ceil_mode) comes with symmetric padding.
                        window = window with { PadRight = window.PadLeft, PadBottom = window.PadTop };
                    }

                    return new NetSpec(w, h, d, new[] { LayerSpec.Windowed(average ? Kind.AvgPool : Kind.Pool, 0, window, mode, rounding, countIncludePadding: include || !average, verbose: draw == 2) });
                });

        // Stride-1 average pools on rows of 16 or more (the two passes of sums): per-axis windows up to 5, padding on
        // each side below the window, Same, with and without the padding in the divisor, bands shorter than the map.
        private static readonly Gen<NetSpec> SumsPoolGen =
            Gen.Select(Gen.Int[20, 130], Gen.Int[1, 60], Gen.Int[1, 3], Gen.Int[1, 5], Gen.Int[1, 5], Gen.Int[0, 4].Array[4], Gen.Int[0, 5], Gen.Bool)
                .Select(t =>
                {
                    (int w, int h, int d, int fx, int fy, int[] pads, int draw, bool include) = t;
                    PaddingMode mode = draw switch { 4 => PaddingMode.Same, 5 => PaddingMode.SameLower, _ => PaddingMode.Explicit };
                    var window = new Window2d(fx, fy, 1, 1, pads[0] % fx, pads[1] % fx, pads[2] % fy, pads[3] % fy, 1, 1);
                    return new NetSpec(w, h, d, new[] { LayerSpec.Windowed(Kind.AvgPool, 0, window, mode, OutputRounding.Exact, countIncludePadding: include) });
                });

        // Depthwise convs at stride 1 on rows narrower than a vector whose output is as wide as the input (the flat kernel with
        // column masks): windows 1 to 5 per axis, the padding across split any way (Same, SameLower or explicit), any padding
        // down, channel multipliers, bias or not, a ReLU after or not.
        private static readonly Gen<NetSpec> FlatDepthwiseGen =
            Gen.Select(Gen.Int[1, 15], Gen.Int[1, 30], Gen.Int[1, 24], Gen.Int[1, 2], Gen.Int[1, 5], Gen.Int[1, 5], Gen.Int[0, 4].Array[3], Gen.Int[0, 3])
                .Select(Gen.Bool, Gen.Bool, (t, bias, relu) =>
                {
                    (int w, int h, int d, int multiplier, int fx, int fy, int[] pads, int modeDraw) = t;
                    PaddingMode mode = modeDraw switch { 2 => PaddingMode.Same, 3 => PaddingMode.SameLower, _ => PaddingMode.Explicit };
                    int left = pads[0] % fx;
                    var window = mode == PaddingMode.Explicit
                        ? new Window2d(fx, fy, 1, 1, left, fx - 1 - left, pads[1] % fy, pads[2] % fy)
                        : new Window2d(fx, fy, 1, 1, 0, 0, 0, 0);
                    int height = Math.Max(h, ((16 + w - 1) / w) + fy); // a plane of at least 16 outputs
                    var conv = LayerSpec.Windowed(Kind.Conv, d * multiplier, window, mode, OutputRounding.Exact, groups: d, bias: bias);
                    return new NetSpec(w, height, d, relu ? new[] { conv, LayerSpec.Relu() } : new[] { conv });
                });

        // Depthwise convs on small maps of many channels (MobileNet's last blocks: vectors over channels, DepthwiseChannelsPlan):
        // strides 1–3, dilation, asymmetric padding and Same, channel counts off the vector width (scalar tail channels),
        // ReLU fused or not, with and without bias (ReLU6's ceiling: DepthwiseKernelTests).
        private static readonly Gen<NetSpec> ChannelsDepthwiseGen =
            Gen.Select(Gen.Int[1, 24], Gen.Int[1, 24], Gen.Int[16, 70], Gen.Int[1, 3], Gen.Int[1, 2], Gen.Int[1, 4], Gen.Int[0, 3].Array[4], Gen.Int[0, 5])
                .Select(Gen.Bool, Gen.Bool, (t, bias, relu) =>
                {
                    (int w, int h, int d, int stride, int dilation, int f, int[] pads, int modeDraw) = t;
                    PaddingMode mode = modeDraw switch { 4 => PaddingMode.Same, 5 => PaddingMode.SameLower, _ => PaddingMode.Explicit };
                    var window = mode == PaddingMode.Explicit
                        ? new Window2d(f, f, stride, stride, pads[0] % f, pads[1] % f, pads[2] % f, pads[3] % f, dilation, dilation)
                        : new Window2d(f, f, stride, stride, 0, 0, 0, 0, dilation, dilation);
                    // Same padding never rounds (and may not be combined with a Rounding: CNN012).
                    var conv = LayerSpec.Windowed(Kind.Conv, d, window, mode, mode == PaddingMode.Explicit ? OutputRounding.Floor : OutputRounding.Exact, groups: d, bias: bias);
                    return new NetSpec(w, h, d, relu ? new[] { conv, LayerSpec.Relu() } : new[] { conv });
                });

        // Pools whose one window is the whole map (a keyword-spotting or MobileNet head): average or max, maps narrower and
        // wider than a vector, strides equal to the window or not, followed by a fully-connected layer or not.
        private static readonly Gen<NetSpec> WholeMapPoolGen =
            Gen.Select(Gen.Int[1, 30], Gen.Int[1, 30], Gen.Int[1, 70], Gen.Bool, Gen.Int[0, 2], Gen.Bool)
                .Select(t =>
                {
                    (int w, int h, int d, bool average, int stride, bool fc) = t;
                    var window = new Window2d(w, h, stride == 0 ? w : stride, stride == 0 ? h : stride, 0, 0, 0, 0);
                    var pool = LayerSpec.Windowed(average ? Kind.AvgPool : Kind.Pool, 0, window, PaddingMode.Explicit, OutputRounding.Exact);
                    return new NetSpec(w, h, d, fc ? new[] { pool, LayerSpec.Fc(5) } : new[] { pool });
                });

        /// <summary>Draws <paramref name="count"/> networks whose every shape is valid (invalid draws are skipped).</summary>
        public static List<NetSpec> Draw(int count, ulong seed, Gen<NetSpec> generator)
        {
            var pcg = new PCG(7, seed);
            var specs = new List<NetSpec>();
            for (int attempt = 0; specs.Count < count && attempt < count * 200; attempt++)
            {
                NetSpec spec = generator.Generate(pcg, null, out _);
                if (IsValid(spec))
                {
                    specs.Add(spec);
                }
            }

            return specs;
        }

        private static bool IsValid(NetSpec spec)
        {
            try
            {
                spec.RunReference(new float[spec.InputLength], new float[1_000_000]);
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    public sealed class RandomShapeTests : IClassFixture<RandomNetworksFixture>
    {
        private readonly RandomNetworksFixture _fixture;

        public RandomShapeTests(RandomNetworksFixture fixture) => _fixture = fixture;

        public static IEnumerable<object[]> Indices() => Enumerable.Range(0, RandomNetworksFixture.Count).Select(i => new object[] { i });

        [Theory]
        [MemberData(nameof(Indices))]
        public void Every_layer_and_Forward_match_the_reference_kernels(int index)
        {
            NetSpec spec = _fixture.Specs[index];
            string className = "RandomNet" + index;
            var random = new Random(index);
            ITestNetwork net = _fixture.Networks.Create(className);
            int parameterCount = _fixture.Networks.Constant(className, "ParameterCount");
            float[] parameters = Numbers.Random(random, parameterCount);
            float[] input = Numbers.Random(random, spec.InputLength, 2f);
            ReferenceRun reference = spec.RunReference(input, parameters);

            Assert.Equal(reference.ParameterCount, parameterCount);
            Assert.Equal(spec.InputLength, _fixture.Networks.Constant(className, "InputLength"));
            Assert.Equal(reference.Output.Length, _fixture.Networks.Constant(className, "OutputLength"));

            KernelPaths.AssertLayerMethods(net, reference, spec.ToString());

            net.SetParameters(parameters);
            Assert.True(net.Parameters.SequenceEqual(parameters));
            var forward = new float[reference.Output.Length];
            net.Forward(input, forward);
            Numbers.AssertClose(reference.Output, forward, $"{spec}: Forward");
        }

        /// <summary>The index-th network, fresh, with random parameters and a random input drawn from <paramref name="seed"/>.</summary>
        private (NetSpec Spec, ITestNetwork Net, float[] Parameters, float[] Input) Prepare(int index, int seed)
        {
            NetSpec spec = _fixture.Specs[index];
            (ITestNetwork net, float[] parameters, float[] input) = _fixture.Networks.Prepare("RandomNet" + index, spec, new Random(seed));
            return (spec, net, parameters, input);
        }

        /// <summary>
        /// Forward reads no float outside its input and writes none outside its output: both spans sit against an
        /// inaccessible page, at its start and at its end (a stray access faults instead of reading a neighbour into a lane
        /// that is discarded later, which the other tests cannot see). Linux only.
        /// </summary>
        [Theory]
        [MemberData(nameof(Indices))]
        public void Forward_touches_nothing_outside_its_spans(int index)
        {
            if (!GuardedBuffer.Supported)
            {
                return;
            }

            (_, ITestNetwork net, float[] parameters, float[] input) = Prepare(index, seed: index + 2000);
            int outputLength = _fixture.Networks.Constant("RandomNet" + index, "OutputLength");
            net.SetParameters(parameters);
            var expected = new float[outputLength];
            net.Forward(input, expected);
            foreach (bool atEnd in new[] { false, true })
            {
                using var guardedInput = new GuardedBuffer(input.Length, atEnd);
                using var guardedOutput = new GuardedBuffer(outputLength, atEnd);
                input.CopyTo(guardedInput.Span);
                net.Forward(guardedInput.Span, guardedOutput.Span);
                Assert.Equal(expected, guardedOutput.Span.ToArray());
            }
        }

        /// <summary>
        /// Forward relies on nothing its per-thread scratch held before the call: after a first call, every [ThreadStatic]
        /// float array of the network (activations, phase copies, wide outputs, padded copies) is filled with NaN, and a
        /// second call must still match the reference. (The carried layout zeroes the padding around a conv's output in
        /// each call: a fresh arena is zero, so only stale contents show a border left unwritten.)
        /// </summary>
        [Theory]
        [MemberData(nameof(Indices))]
        public void Forward_relies_on_nothing_left_in_its_scratch(int index)
        {
            (NetSpec spec, ITestNetwork net, float[] parameters, float[] input) = Prepare(index, seed: index + 3000);
            float[] expected = spec.RunReference(input, parameters).Output;
            net.SetParameters(parameters);
            var output = new float[expected.Length];
            net.Forward(input, output);
            KernelPaths.PoisonScratch(net);

            Array.Fill(output, 0f);
            net.Forward(input, output);
            Numbers.AssertClose(expected, output, $"{spec}: Forward after its scratch was filled with NaN");
        }

        /// <summary>
        /// Forward's steps at each vector width this machine runs and with the scalar kernels, called directly (the
        /// generated <c>ForwardVector&lt;TS, TV&gt;</c> and <c>ForwardScalar</c>), so every path is checked on every run,
        /// not only the one the dispatch picks here.
        /// </summary>
        [Theory]
        [MemberData(nameof(Indices))]
        public void Forward_matches_the_reference_on_every_path(int index)
        {
            (NetSpec spec, ITestNetwork net, float[] parameters, float[] input) = Prepare(index, seed: index + 1000);
            float[] expected = spec.RunReference(input, parameters).Output;
            net.SetParameters(parameters);

            // Every width this process can run, and the scalar kernels (KernelPathTests checks the list against the machine).
            KernelPaths.AssertEveryPath(net, input, expected, spec.ToString());
        }

        /// <summary>
        /// The flat depthwise kernel reads the neighbouring row's cell for a tap outside the row and masks it off: with an
        /// infinity at the end of every row, an output whose window does not reach it stays finite (a multiply by a 0/1 mask
        /// instead of the bitwise one would make it NaN), on every path.
        /// </summary>
        [Fact]
        public void The_flat_depthwise_kernel_keeps_infinities_in_their_row()
        {
            int checkedNetworks = 0;
            for (int index = 0; index < _fixture.Specs.Count; index++)
            {
                NetSpec spec = _fixture.Specs[index];
                if (spec.Width < 2 || spec.Layers[0].Kind != Kind.Conv || spec.Plan().Layers[0].Vector is not Generator.Planning.DepthwiseFlatPlan)
                {
                    continue;
                }

                (ITestNetwork net, float[] parameters, float[] input) = _fixture.Networks.Prepare("RandomNet" + index, spec, new Random(index + 2000));
                for (int row = 0; row < spec.InputLength / spec.Width; row++)
                {
                    input[(row * spec.Width) + spec.Width - 1] = row % 2 == 0 ? float.PositiveInfinity : float.NegativeInfinity;
                }

                float[] expected = spec.RunReference(input, parameters).Output;
                Assert.Contains(expected, float.IsFinite);
                net.SetParameters(parameters);
                KernelPaths.AssertEveryPath(net, input, expected, spec + " with infinities at the row ends");
                checkedNetworks++;
            }

            Assert.True(checkedNetworks >= 12, checkedNetworks + " networks checked");
        }

        [Fact]
        public void The_draw_covers_every_kind_and_rounding()
        {
            var layers = _fixture.Specs.SelectMany(s => s.Layers).ToList();
            Assert.Equal(RandomNetworksFixture.Count, _fixture.Specs.Count);
            Assert.Contains(layers, l => l.Kind == Kind.Conv && l.Padding > 0 && l.Stride > 1);
            Assert.Contains(layers, l => l.Kind == Kind.Conv && l.Rounding == OutputRounding.Floor);
            Assert.Contains(layers, l => l.Kind == Kind.Pool && l.Rounding == OutputRounding.Ceil);
            Assert.Contains(layers, l => l.Kind == Kind.Pool && l.Padding > 0);
            Assert.Contains(layers, l => l.Kind == Kind.Fc);
            Assert.Contains(layers, l => l.Kind == Kind.Relu);
            Assert.Contains(_fixture.Specs, s => s.Depth == 1);
            Assert.Contains(_fixture.Specs, s => s.Width >= 40 && s.Layers[0].Kind == Kind.Pool && s.Layers[0].Stride == 2);
            Assert.Contains(_fixture.Specs, s => s.Width >= 40 && s.Layers[0].Kind == Kind.Pool && s.Layers[0].Stride == 1);
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Stride: 2, Padding: > 0 } && ConvOutputWidth(s) % 16 == 0);
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Stride: 1 } && ConvOutputWidth(s) == 32);
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Stride: 3 } && ConvOutputWidth(s) % 16 == 0);
            Assert.Contains(layers, l => l.Kind == Kind.Fc && l.Count > 128);
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Count: 32, Stride: 2 } && ConvOutputWidth(s) < 12);
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Count: 16, Stride: 1 } && ConvOutputWidth(s) < 12);
            Assert.Contains(_fixture.Specs, s => s.Depth >= 4 && s.Width < 16 && s.Layers[0] is { Kind: Kind.Pool, Stride: 2 });
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Size: 1, Stride: 1, Padding: 0 } && s.Width % 16 != 0 && s.Width * s.Height % 16 == 0);
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Size: 2, Stride: 2, Padding: 0 } && s.Width % 32 != 0 && s.Width * s.Height % 64 == 0);
            Assert.True(_fixture.Specs.Count(VectorizedOverFilters) >= 6, "too few draws reach the filter-vector conv kernel");
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvPositionsPlan { Direct: true, ReadsInput: true }) >= 3, "too few draws reach a direct conv reading its input");
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvPositionsPlan { Direct: true, ReadsInput: true } && s.Layers[0].Geometry is { SizeX: > 1, DilationX: > 1 });

            // Contract v2 geometry.
            Assert.Contains(layers, l => l.Geometry is { } g && g.SizeX != g.SizeY && g.StrideX != g.StrideY);
            Assert.Contains(layers, l => l.Geometry is { } g && g.StrideX > g.SizeX);
            Assert.Contains(layers, l => l.Kind == Kind.Conv && l.Geometry is { } g && g.DilationX > 1 && g.PadLeft > 0);
            Assert.Contains(layers, l => l.Geometry is { } g && g.PadLeft != g.PadRight && g.PadTop != g.PadBottom);
            Assert.Contains(layers, l => l is { Kind: Kind.Conv, Mode: PaddingMode.Same } && l.Geometry!.Value.StrideX == 2);
            Assert.Contains(layers, l => l is { Kind: Kind.Conv, Mode: PaddingMode.SameLower });
            Assert.Contains(layers, l => l is { Kind: Kind.Pool, Mode: PaddingMode.Same });
            Assert.Contains(layers, l => l is { Kind: Kind.Conv, Groups: > 1 } && l.Groups < l.Count);
            Assert.Contains(layers, l => l is { Kind: Kind.Conv, Bias: false });
            Assert.Contains(layers, l => l is { Kind: Kind.Fc, Bias: false });
            Assert.Contains(layers, l => l.Properties.Contains("SizeX", StringComparison.Ordinal));
            Assert.Contains(layers, l => l is { Kind: Kind.AvgPool, CountIncludePadding: false } && l.Geometry!.Value.PadLeft > 0);
            Assert.Contains(layers, l => l is { Kind: Kind.AvgPool, CountIncludePadding: true, Rounding: OutputRounding.Ceil });
            Assert.Contains(layers, l => l is { Kind: Kind.Pool } && l.Geometry is { DilationX: > 1 });
            Assert.Contains(_fixture.Specs, s => s.Rounding == OutputRounding.Floor);
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan) >= 12, "too few draws reach the depthwise kernel");
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan { Strided: true }) >= 16, "too few draws reach the stride-2 depthwise kernel");
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan { Strided: true, StreamedEdges: true, LiveRows: >= 2 }) >= 5, "too few stride-2 depthwise draws stream their edge columns past two or more live rows");
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan { Strided: true, StreamedEdges: false }) >= 2, "too few stride-2 depthwise draws take their edge columns in a pass of their own");
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan { Strided: true, LiveRows: >= 3 });
            // The copy of the next channel between row blocks: rows written out and in a loop, inputs narrower than a vector,
            // inputs higher and lower than the output, a partial last block, a single block.
            var pipelined = _fixture.Specs.Where(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan { Pipelined: true }).Select(s => s.Plan().Network.Layers[0]).ToList();
            Assert.True(pipelined.Count >= 20, "too few draws reach the pipelined depthwise kernel: " + pipelined.Count);
            Assert.Contains(pipelined, l => l.Input.Width is >= 16 and <= 64 && l.Output.Height > 4 && l.Window!.Taps <= 16); // the rows written out
            Assert.Contains(pipelined, l => l.Input.Width is >= 16 and <= 64 && l.Output.Height > 2 && l.Window!.Taps > 16);  // two rows a block
            Assert.Contains(pipelined, l => l.Input.Height < l.Output.Height && l.Input.Height % 4 != 0 && l.Output.Height > ((l.Input.Height / 4) + 1) * 4); // a block past the input
            Assert.Contains(pipelined, l => l.Input.Width > 64);
            Assert.Contains(pipelined, l => l.Input.Width < 16);
            Assert.Contains(pipelined, l => l.Input.Height < l.Output.Height && l.Output.Height > 4);
            Assert.Contains(pipelined, l => l.Input.Height > l.Output.Height && l.Output.Height > 4);
            Assert.Contains(pipelined, l => l.Output.Height % 4 != 0 && l.Output.Height > 4);
            Assert.Contains(pipelined, l => l.Output.Height is > 1 and < 4);
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Groups: > 1 } && s.Layers[0].Geometry is { StrideX: 2 } && s.Plan().Network.Layers[0].Output.Width >= 24 && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan { Strided: false });
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan { Strided: true } && s.Layers[0].Geometry is { StrideY: 3 });
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwisePlan { Strided: true } && s.Layers[0].Geometry is { } g && ((g.SizeY - 1) * g.DilationY) + 1 < g.StrideY);
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvColumnsPlan) >= 10, "too few draws reach the conv over gathered columns");
            // Stride-1 phase rows that share the padding column between rows (W + max(L, R) long), symmetric or not.
            var shared = _fixture.Specs.Where(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvPositionsPlan p
                && s.Layers[0].Geometry is { } g && p.Phases.Width < s.Width + g.PadLeft + g.PadRight).ToList();
            Assert.True(shared.Count >= 10, "too few draws share the padding column between phase rows");
            Assert.Contains(shared, s => s.Layers[0].Geometry is { } g && g.PadLeft > g.PadRight);
            Assert.Contains(shared, s => s.Layers[0].Geometry is { } g && g.PadLeft < g.PadRight);
            Assert.Contains(shared, s => s.Plan().Layers[0].Vector is Generator.Planning.ConvPositionsPlan { Chunk: > 0 });
            Assert.Contains(shared, s => s.Layers[0].Geometry is { DilationX: > 1 });
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvPositionsPlan p
                && s.Layers[0].Geometry is { SizeX: 1, StrideX: 1, StrideY: 1, PadLeft: > 0, PadRight: > 0 } g && p.Phases.Width == s.Width + g.PadLeft + g.PadRight);
            // Stride-2 phase rows aligned for a direct conv: rows apart with each skew the padding gives (1: the odd columns'
            // phase 15 cells in; 2: both; 0: none), in chunks, in groups, at each unroll level, into a carried layout.
            var aligned = _fixture.Specs.Where(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvPositionsPlan { Phases.Aligned: true })
                .Select(s => (Spec: s, Plan: s.Plan(), Conv: (Generator.Planning.ConvPositionsPlan)s.Plan().Layers[0].Vector!)).ToList();
            Assert.True(aligned.Count >= 10, "too few draws align a direct conv's stride-2 phase rows: " + aligned.Count);
            Assert.All(aligned, a => Assert.True(a.Conv.Direct && a.Conv.Phases.RowPitch % 16 == 0 && a.Conv.Phases.RowPitch >= a.Conv.Phases.Width + Math.Max(a.Conv.Phases.SkewEven, a.Conv.Phases.SkewOdd)));
            Assert.Contains(aligned, a => a.Conv.Phases is { SkewEven: 15, SkewOdd: 0 });
            Assert.Contains(aligned, a => a.Conv.Phases is { SkewEven: 15, SkewOdd: 15 });
            Assert.Contains(aligned, a => a.Conv.Phases is { SkewEven: 0, SkewOdd: 0 });
            Assert.Contains(aligned, a => a.Conv.Chunk > 0);
            Assert.Contains(aligned, a => a.Spec.Layers[0].Groups > 1);
            Assert.Contains(aligned, a => a.Conv.Unroll == Generator.Planning.UnrollLevel.Window);
            Assert.Contains(aligned, a => a.Conv.Unroll == Generator.Planning.UnrollLevel.Row);
            Assert.Contains(aligned, a => a.Conv.Unroll == Generator.Planning.UnrollLevel.None);
            Assert.Contains(aligned, a => a.Conv.PaddedOutput is not null);
            Assert.Contains(aligned, a => a.Conv.Phases.ReadOdd < a.Conv.Phases.Width || a.Conv.Phases.ReadEven < a.Conv.Phases.Width); // pad cells no tap reads left unwritten
            Assert.All(aligned, a => Assert.True(a.Conv.Phases.ReadEven > 0 && a.Conv.Phases.ReadOdd > 0));
            // The carried layout into a max pool: a filter-vector conv's cell-major output read by the pool's cells kernel.
            var cellsCarried = _fixture.Specs.SelectMany(s => s.Plan().Layers).Select(l => l.Vector).OfType<Generator.Planning.PoolRowsPlan>().Where(p => p.CellsInput is not null).ToList();
            Assert.Contains(cellsCarried, p => p.CellsInput!.Channels == 16);
            Assert.Contains(cellsCarried, p => p.CellsInput!.Channels >= 32);
            Assert.Contains(_fixture.Specs, s => s.Plan().Steps.Any(st => st.CellsInput is not null) && s.Layers[^1].Kind == Kind.Pool);
            Assert.Contains(_fixture.Specs, s => s.Plan().Layers.Any(l => l.Vector is Generator.Planning.PoolRowsPlan { CellsInput: not null } && l.Layer.Window!.IsDilated));
            // The carried layout into a pool: a conv's wide output left uncompacted for the pool that reads it.
            var wideCarried = _fixture.Specs.Where(s => s.Plan().Steps.Any(st => st.WideInput is not null)).Select(s => (Spec: s, Plan: s.Plan())).ToList();
            Assert.True(wideCarried.Count >= 10, "too few draws leave a conv's wide output to the pool after it");
            Assert.Contains(wideCarried, c => c.Spec.Layers.Any(l => l.Kind == Kind.AvgPool));
            Assert.Contains(wideCarried, c => c.Spec.Layers.Any(l => l.Kind == Kind.Pool && (l.Padding > 0 || l.Geometry is { PadLeft: > 0 })));
            Assert.Contains(wideCarried, c => c.Plan.Layers.Any(l => l.Vector is Generator.Planning.PoolRowsPlan { WideInput: not null } p && p.Inside < 4));
            Assert.Contains(wideCarried, c => c.Plan.Layers.Any(l => l.Vector is Generator.Planning.PoolRowsPlan { WideInput: not null } p && p.Inside >= 16));
            // The carried layout: a conv storing its output in the next conv's padded planes, in every form drawn.
            var carried = _fixture.Specs.Where(s => s.Plan().Steps.Any(st => st.PaddedOutput is not null)).Select(s => (Spec: s, Plan: s.Plan())).ToList();
            Assert.True(carried.Count >= 12, "too few draws carry a conv's output in the next conv's padded planes");
            Assert.Contains(carried, c => c.Plan.Layers.Any(l => l.Vector is Generator.Planning.ConvPositionsPlan { Chunk: > 0, PaddedOutput: not null }));
            Assert.Contains(carried, c => c.Plan.Layers.Any(l => l.Vector is Generator.Planning.ConvPositionsPlan { ReadsInput: true, PaddedOutput: not null }));
            Assert.Contains(carried, c => c.Plan.Layers.Any(l => l.Vector is Generator.Planning.ConvPositionsPlan { PaddedInput: true, PaddedOutput: not null }));
            Assert.Contains(carried, c => c.Plan.Layers.Any(l => l.Vector is Generator.Planning.ConvPositionsPlan { PaddedInput: true, Direct: false }));
            Assert.Contains(carried, c => c.Spec.Layers[0].Geometry is { StrideX: 2 });
            Assert.Contains(carried, c => c.Spec.Layers.Any(l => l.Geometry is { DilationX: 2 } && l.Kind == Kind.Conv));
            Assert.Contains(carried, c => c.Spec.Layers.Any(l => l.Geometry is { PadLeft: 0, PadRight: > 0 }));
            Assert.Contains(carried, c => c.Spec.Layers.Any(l => l.Geometry is { PadTop: > 0, PadLeft: 0, PadRight: 0 }));
            Assert.Contains(carried, c => c.Spec.Layers[1].Kind == Kind.Relu);
            Assert.Contains(carried, c => c.Plan.Layers.Any(l => l.Vector is Generator.Planning.ConvFiltersPlan { PaddedInput: true }));
            Assert.Contains(carried, c => c.Plan.Layers.Any(l => l.Vector is Generator.Planning.ConvPositionsPlan { PaddedInput: true } p && l.Layer.Window is { } g
                && g.PadLeft > 0 && g.PadRight > 0 && p.Phases.Width < l.Layer.Input.Width + g.PadLeft + g.PadRight)); // rows sharing their padding column
            var chunked = _fixture.Specs.Where(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvPositionsPlan { Chunk: > 0 })
                .Select(s => (Spec: s, Plan: (Generator.Planning.ConvPositionsPlan)s.Plan().Layers[0].Vector!)).ToList();
            Assert.True(chunked.Count >= 10, "too few draws take their input channels in chunks");
            Assert.Contains(chunked, c => c.Plan.Chunk < 16);
            Assert.Contains(chunked, c => c.Plan is { Direct: true, ReadsInput: true });
            Assert.Contains(chunked, c => c.Plan is { Direct: true, ReadsInput: false });
            Assert.Contains(chunked, c => c.Spec.Layers[0].Groups > 1);
            Assert.Contains(chunked, c => c.Spec.Layers[0].Geometry is { StrideX: 2 });
            Assert.Contains(chunked, c => c.Plan.Rows < 4);
            Assert.Contains(chunked, c => c.Plan.Tail);
            Assert.Contains(chunked, c => c.Plan is { NarrowAfter: > 0, Direct: true }); // steps of 3 after those of 5 with 16-float vectors
            Assert.Contains(chunked, c => c.Plan is { NarrowAfter: > 0, Direct: false });
            // Blocks of 8 filters with 16-float vectors (4 with narrower ones): never in chunks of channels, in groups, direct
            // and wide, with and without one-vector steps at each width, storing into the next conv's padded planes or a pool's rows.
            var eights = _fixture.Specs.SelectMany(s => s.Plan().Layers).Where(l => l.Vector is Generator.Planning.ConvPositionsPlan { EightFilters: true })
                .Select(l => (Layer: l.Layer, Plan: (Generator.Planning.ConvPositionsPlan)l.Vector!)).ToList();
            Assert.True(eights.Count >= 10, "too few draws take blocks of eight filters: " + eights.Count);
            Assert.All(eights, e => Assert.Equal(0, e.Plan.Chunk));
            Assert.Contains(eights, e => Generator.Planning.NetworkPlanner.ChannelChunk(e.Layer, e.Plan.Phases, e.Plan.NarrowVectors) > 0); // rows a 4-filter step would take in chunks
            Assert.Contains(eights, e => e.Layer.Groups > 1);
            Assert.Contains(eights, e => e.Plan.Direct);
            Assert.Contains(eights, e => e.Plan is { Direct: false, Straight: false });
            Assert.Contains(eights, e => e.Plan.TailOf16);
            Assert.Contains(eights, e => !e.Plan.TailOf16);
            Assert.Contains(eights, e => e.Plan.TailOfNarrower);
            Assert.Contains(eights, e => !e.Plan.TailOfNarrower);
            Assert.Contains(eights, e => e.Plan.PaddedOutput is not null);
            Assert.Contains(eights, e => e.Plan.WideOutput);
            Assert.Contains(eights, e => e.Layer.Window is { Taps: 1 });
            Assert.Contains(eights, e => e.Layer.Groups > 1 && e.Layer.Output.Depth / e.Layer.Groups > 8); // several blocks in a group
            // Steps storing compacted straight into the output: junk runs of one column and of several (a vector then may start in
            // one, or carry no cell after it), strides 1 and 2, dilation, groups, blocks of 8 filters and of fewer, one-vector
            // steps at the end or none, inside Forward and as its last step; and where a wide output is compacted at the end, the
            // layers that keep all their positions there (chunks of channels, rows shorter than a vector).
            var positions = _fixture.Specs.SelectMany(s => s.Plan().Layers.Select(l => (Spec: s, Layer: l.Layer, Vector: l.Vector)))
                .Where(l => l.Vector is Generator.Planning.ConvPositionsPlan).Select(l => (l.Spec, l.Layer, Plan: (Generator.Planning.ConvPositionsPlan)l.Vector!)).ToList();
            var compacting = positions.Where(p => p.Plan.CompactStores).ToList();
            Assert.True(compacting.Count >= 20, "too few draws store compacted: " + compacting.Count);
            long RealEnd((NetSpec Spec, Generator.Model.LayerModel Layer, Generator.Planning.ConvPositionsPlan Plan) c) => ((long)(c.Layer.Output.Height - 1) * c.Plan.RowLength) + c.Layer.Output.Width;
            Assert.True(compacting.Count(c => RealEnd(c) >= 16 * c.Plan.Vectors) >= 10, "too few draws compact a step of 16-float vectors");
            Assert.Contains(compacting, c => c.Plan.RowLength - c.Layer.Output.Width >= 16);
            Assert.Contains(compacting, c => c.Plan.NarrowAfter > 0 && RealEnd(c) >= 16 * ((c.Plan.WideChannel / 16) - (c.Plan.NarrowAfter * c.Plan.NarrowVectors) + c.Plan.NarrowVectors)); // into the narrow steps after the big ones
            Assert.Contains(compacting, c => c.Plan.RowLength - c.Layer.Output.Width == 1);
            Assert.Contains(compacting, c => c.Plan.RowLength - c.Layer.Output.Width >= 8);
            Assert.Contains(compacting, c => c.Layer.Window!.StrideX == 2);
            Assert.Contains(compacting, c => c.Layer.Window!.DilationX > 1);
            Assert.Contains(compacting, c => c.Layer.Groups > 1);
            Assert.Contains(compacting, c => c.Plan.EightFilters);
            Assert.Contains(compacting, c => !c.Plan.EightFilters);
            Assert.Contains(compacting, c => c.Plan.Tail || c.Plan.TailOf16);
            Assert.Contains(compacting, c => !c.Plan.Tail && !c.Plan.TailOf16);
            Assert.Contains(compacting, c => c.Spec.Layers.Any(l => l.Kind == Kind.Fc)); // into Forward's scratch
            Assert.Contains(compacting, c => c.Spec.Layers.All(l => l.Kind is Kind.Conv or Kind.Relu) && c.Spec.Layers.Count(l => l.Kind == Kind.Conv) == 1); // into Forward's output
            var wideEnds = positions.Where(p => p.Plan is { Direct: false, Straight: false } && !p.Plan.CompactStores).ToList();
            Assert.Contains(wideEnds, c => c.Plan.Chunk > 0 && c.Layer.Output.Width >= 16);
            Assert.Contains(wideEnds, c => c.Layer.Output.Width < 16);
            Assert.Contains(wideEnds, c => c.Plan.WideOutput && c.Layer.Output.Width >= 16);
            // A 1x1 conv in steps of 4 filters x 5 vectors with 16-float vectors, straight and direct.
            var pointwise = _fixture.Specs.SelectMany(s => s.Plan().Layers).Where(l => l.Layer.Window is { Taps: 1 } && l.Vector is Generator.Planning.ConvPositionsPlan { Rows: 4, Vectors: 5 })
                .Select(l => (Generator.Planning.ConvPositionsPlan)l.Vector!).ToList();
            Assert.True(pointwise.Count >= 3, "too few draws take a 1x1 conv in steps of 4 x 5: " + pointwise.Count);
            Assert.Contains(pointwise, p => p.Straight || p.Direct);
            // Blocks of six filters (6 x 4 with 16-float vectors, 6 x 2 narrower), with and without chunks, ending in one-vector steps or not.
            var sixes = _fixture.Specs.Where(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvPositionsPlan { Rows: 6 })
                .Select(s => (Spec: s, Plan: (Generator.Planning.ConvPositionsPlan)s.Plan().Layers[0].Vector!)).ToList();
            Assert.True(sixes.Count >= 6, "too few draws take blocks of six filters: " + sixes.Count);
            Assert.Contains(sixes, c => c.Plan.Chunk > 0);
            Assert.Contains(sixes, c => c.Plan.Tail);
            Assert.Contains(sixes, c => c.Plan.NarrowAfter > 0);
            Assert.Contains(sixes, c => c.Spec.Layers[0].Groups > 1);
            Assert.Contains(chunked, c => c.Spec.Layers.Count > 1);
            Assert.Contains(chunked, c => !c.Spec.Layers[0].Bias);
            Assert.Contains(_fixture.Specs, s => s.Layers[0] is { Kind: Kind.Conv, Groups: > 1 } l && l.Geometry is { StrideX: 2, PadLeft: > 0, PadRight: > 0, DilationX: 2 });
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.AvgPool && s.Plan().Layers[0].Vector is Generator.Planning.PoolSumsPlan) >= 15, "too few draws reach the stride-1 average pool as sums");
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.AvgPool && s.Plan().Layers[0].Vector is Generator.Planning.PoolSumsPlan p && p.Band < s.Plan().Network.Layers[0].Output.Height);
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.AvgPool && s.Plan().Layers[0].Vector is Generator.Planning.PoolSumsPlan && s.Layers[0] is { CountIncludePadding: false } l && l.Geometry!.Value.PadLeft != l.Geometry.Value.PadRight);
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.AvgPool && s.Plan().Layers[0].Vector is Generator.Planning.WholeMapPoolPlan) >= 3, "too few draws reach the whole-map average pool");
            Assert.Contains(_fixture.Specs, s => VectorizedOverFilters(s) && ((Generator.Planning.ConvFiltersPlan)s.Plan().Layers[0].Vector!).Narrow.Vectors == 4);
            Assert.Contains(_fixture.Specs, s => VectorizedOverFilters(s) && ((Generator.Planning.ConvFiltersPlan)s.Plan().Layers[0].Vector!).Narrow.Vectors == 2);
            var filterPlans = _fixture.Specs.Where(VectorizedOverFilters).Select(s => (Spec: s, Plan: (Generator.Planning.ConvFiltersPlan)s.Plan().Layers[0].Vector!)).ToList();
            Assert.True(filterPlans.Count(f => f.Plan.Wide != f.Plan.Narrow) >= 15, "too few draws reach the filter-vector kernel's 512-bit step");
            Assert.Contains(filterPlans, f => f.Plan.Wide is { Flat: true, Vectors: 1 } && f.Spec.Plan().Network.Layers[0].Output.Plane % f.Plan.Wide.Cells != 0);
            Assert.Contains(filterPlans, f => f.Plan.Wide is { Flat: true, Vectors: 2 } && f.Spec.Plan().Network.Layers[0].Output.Plane % f.Plan.Wide.Cells != 0);
            Assert.Contains(filterPlans, f => f.Plan.Wide is { Flat: true, Vectors: 4 });
            Assert.Contains(filterPlans, f => f.Plan.Wide.Flat && f.Spec.Layers[0].Geometry is { SizeY: > 1 });
            Assert.Contains(filterPlans, f => f.Plan.Wide is { Flat: false, Vectors: 4 } && f.Plan.Wide != f.Plan.Narrow);
            Assert.Contains(filterPlans, f => f.Plan.Wide is { Flat: false, Vectors: 2 } && f.Plan.Wide != f.Plan.Narrow);
            Assert.Contains(filterPlans, f => f.Plan.Wide.FiltersOuter);
            Assert.Contains(filterPlans, f => !f.Plan.Wide.FiltersOuter && f.Plan.Wide != f.Plan.Narrow);
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwiseFlatPlan) >= 15, "too few draws reach the flat depthwise kernel");
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwiseFlatPlan && s.Layers[0].Count > s.Layers[0].Groups);
            Assert.Contains(_fixture.Specs, s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwiseFlatPlan && s.Layers[0].Geometry is { PadLeft: 0, PadRight: > 0 });
            Assert.True(_fixture.Specs.Count(s => s.Layers[0].Kind == Kind.Pool && s.Plan().Layers[0].Vector is Generator.Planning.WholeMapPoolPlan) >= 3, "too few draws reach the whole-map max pool");
            var channels = _fixture.Specs.Where(s => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.DepthwiseChannelsPlan).ToList();
            Assert.True(channels.Count >= 15, "too few draws reach the depthwise kernel over channels: " + channels.Count);
            Assert.Contains(channels, s => s.Width * s.Height > 64 && s.Layers[0].Geometry is { StrideX: 1 });
            Assert.Contains(channels, s => s.Width * s.Height > 144);
            Assert.Contains(channels, s => s.Depth % 16 != 0);
            Assert.Contains(channels, s => s.Layers[0].Geometry is { StrideX: > 1, DilationX: > 1 });
            Assert.Contains(channels, s => s.Layers.Count > 1 && s.Layers[1].Kind == Kind.Relu);
        }

        /// <summary>Whether the generator runs the network's first layer with the filter-vector conv kernel (asked of its planner).</summary>
        private static bool VectorizedOverFilters(NetSpec s) => s.Layers[0].Kind == Kind.Conv && s.Plan().Layers[0].Vector is Generator.Planning.ConvFiltersPlan;

        private static int ConvOutputWidth(NetSpec s) => s.Plan().Network.Layers[0].Output.Width;
    }
}
